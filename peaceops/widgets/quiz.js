// The chapter quiz: renders a question bank, checks answers, explains every option,
// keeps a score and remembers answers in this browser. The same code runs in JupyterLab,
// in Voila and in the built book.
//
// Model traits: chapter (str), questions (list), answers ({question id: [option ids]},
// only checked answers), score (int). Saved as localStorage "quiz/<chapter>":
// {answers: {...}, updated: ISO time}.

function quizIsValid(value) {
  return value && typeof value === "object" && value.answers && typeof value.answers === "object" &&
    Object.values(value.answers).every((a) => Array.isArray(a) && a.every((x) => typeof x === "string"));
}

function correctIds(question) {
  return question.options.filter((o) => o.correct).map((o) => o.id).sort();
}

function isCorrect(question, chosen) {
  const want = correctIds(question);
  const got = [...chosen].sort();
  return want.length === got.length && want.every((id, i) => id === got[i]);
}

function render({ model, el }) {
  const chapter = model.get("chapter");
  const questions = model.get("questions");
  const storeKey = "quiz/" + chapter;
  const saved = storeRead(storeKey, quizIsValid);
  // Answers saved in this browser win over the kernel's copy: they are the learner's latest.
  let answers = Object.assign({}, saved.value ? saved.value.answers : model.get("answers"));
  for (const qid of Object.keys(answers)) {
    if (!questions.some((q) => q.id === qid)) delete answers[qid]; // question since removed
  }

  const root = h("div", { class: "po-widget po-quiz", id: domId("quiz", chapter) });
  if (saved.problem) root.append(notice(saved.problem));
  root.append(h("p", { class: "po-intro" },
    `${questions.length} questions. Choose an answer and press "Check answer" to see why each option is right or wrong. ` +
    "Your answers are saved in this browser only."));

  const views = questions.map((q, index) => renderQuestion(q, index));
  root.append(...views.map((v) => v.fieldset));

  const summary = h("p", { class: "po-summary", role: "status", "aria-live": "polite", id: domId("quiz", chapter, "summary") });
  const resetButton = h("button", { type: "button", class: "po-button po-secondary", id: domId("quiz", chapter, "reset"),
    onclick: () => {
      answers = {};
      storeRemove(storeKey);
      views.forEach((v) => v.show(null));
      publish("Quiz reset. All answers cleared.");
      views[0].firstInput.focus();
    } }, "Reset this quiz");
  root.append(h("div", { class: "po-footer" }, summary, resetButton));

  function publish(prefix) {
    const answered = Object.keys(answers).length;
    const right = questions.filter((q) => answers[q.id] && isCorrect(q, answers[q.id])).length;
    summary.textContent = (prefix ? prefix + " " : "") +
      `Score: ${right} of ${questions.length} correct (${answered} of ${questions.length} answered).`;
    model.set("answers", Object.assign({}, answers));
    model.set("score", right);
    syncToKernel(model);
    if (answered) storeWrite(storeKey, { answers, updated: new Date().toISOString() });
  }

  function renderQuestion(q, index) {
    const qid = domId("quiz", chapter, q.id);
    const multiple = q.type === "multiple";
    const hint = multiple ? " (Select all that apply.)" : "";
    const legend = h("legend", {},
      h("span", { class: "po-qnum" }, `Question ${index + 1} of ${questions.length}`), " ", q.prompt + hint);
    const optionViews = q.options.map((o) => {
      const oid = `${qid}-${o.id}`;
      const input = h("input", { type: multiple ? "checkbox" : "radio", name: qid, id: oid, value: o.id,
        "aria-describedby": `${oid}-fb` });
      const verdict = h("span", { class: "po-verdict" });
      const feedback = h("span", { class: "po-option-feedback", id: `${oid}-fb` });
      const row = h("div", { class: "po-option" },
        input, h("label", { for: oid }, o.text), h("div", { class: "po-option-result" }, verdict, " ", feedback));
      return { o, input, row, verdict, feedback };
    });
    const result = h("p", { class: "po-result", role: "status", "aria-live": "polite", id: `${qid}-result` });
    const check = h("button", { type: "button", class: "po-button", id: `${qid}-check` }, "Check answer");
    const retry = h("button", { type: "button", class: "po-button po-secondary", id: `${qid}-retry`, hidden: true }, "Try again");
    const fieldset = h("fieldset", { class: "po-question", id: qid },
      legend, h("div", { class: "po-options" }, optionViews.map((v) => v.row)),
      h("div", { class: "po-actions" }, check, retry), result);

    check.addEventListener("click", () => {
      const chosen = optionViews.filter((v) => v.input.checked).map((v) => v.o.id);
      if (!chosen.length) {
        result.textContent = "Choose an answer first.";
        return;
      }
      answers[q.id] = chosen;
      show(chosen);
      publish();
      retry.focus();
    });
    retry.addEventListener("click", () => {
      delete answers[q.id];
      show(null);
      publish();
      optionViews[0].input.focus();
    });

    // chosen = null: unanswered and editable; a list: checked, with feedback on every option.
    function show(chosen) {
      const answered = Array.isArray(chosen);
      fieldset.classList.toggle("po-answered", answered);
      for (const v of optionViews) {
        v.input.checked = answered && chosen.includes(v.o.id);
        v.input.disabled = answered;
        v.row.classList.toggle("po-is-correct", answered && v.o.correct);
        v.row.classList.toggle("po-is-chosen", answered && v.input.checked);
        v.row.classList.toggle("po-is-wrong-choice", answered && v.input.checked && !v.o.correct);
        v.verdict.textContent = !answered ? "" :
          (v.input.checked ? "Your choice: " : "") + (v.o.correct ? "correct answer." : "not correct.");
        v.feedback.textContent = answered ? v.o.feedback : "";
      }
      check.hidden = answered;
      retry.hidden = !answered;
      if (!answered) {
        result.textContent = "";
      } else if (isCorrect(q, chosen)) {
        result.textContent = "Correct. Read why each option is right or wrong below the options.";
      } else {
        const n = correctIds(q).length;
        result.textContent = multiple
          ? `Not quite: ${n} option${n === 1 ? " is" : "s are"} correct. The feedback on each option explains why. Press "Try again" to answer again.`
          : "Not quite. The feedback on each option explains why. Press \"Try again\" to answer again.";
      }
    }
    show(answers[q.id] || null);
    return { fieldset, show, firstInput: optionViews[0].input };
  }

  publish();
  el.append(root);
}

export default { render };
