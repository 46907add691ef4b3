// One multiple-choice question: rendering, checking, feedback on every option. Used by the
// chapter quiz (quiz.js) and the final assessment (exam.js), so both behave the same.

function answersAreValid(answers) {
  return answers && typeof answers === "object" && !Array.isArray(answers) &&
    Object.values(answers).every((a) => Array.isArray(a) && a.every((x) => typeof x === "string"));
}

function correctIds(question) {
  return question.options.filter((o) => o.correct).map((o) => o.id).sort();
}

// Two lists of option ids name the same options, in any order.
function sameSet(a, b) {
  const x = [...a].sort(), y = [...b].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function isCorrect(question, chosen) {
  return sameSet(correctIds(question), chosen);
}

// renderQuestion(q, {idPrefix, number, total, onAnswer(chosen or null), revealAnswers}):
// element ids are domId(idPrefix, q.id), e.g. "po-quiz-ch01-ch01-q01", and stable between builds.
// returns {fieldset, show(chosen or null), firstInput}. With revealAnswers false (an exam in
// progress) checking records the answer and says so, without saying whether it is right.
function renderQuestion(q, opts) {
  const qid = domId(opts.idPrefix, q.id);
  const multiple = q.type === "multiple";
  const reveal = opts.revealAnswers !== false;
  const legend = h("legend", {},
    h("span", { class: "po-qnum" }, `Question ${opts.number} of ${opts.total}`), " ",
    q.prompt + (multiple ? " (Select all that apply.)" : ""));
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
  const check = h("button", { type: "button", class: "po-button", id: `${qid}-check` }, reveal ? "Check answer" : "Save answer");
  const retry = h("button", { type: "button", class: "po-button po-secondary", id: `${qid}-retry`, hidden: true },
    reveal ? "Try again" : "Change answer");
  const fieldset = h("fieldset", { class: "po-question", id: qid },
    legend, h("div", { class: "po-options" }, optionViews.map((v) => v.row)),
    h("div", { class: "po-actions" }, check, retry), result);

  check.addEventListener("click", () => {
    const chosen = optionViews.filter((v) => v.input.checked).map((v) => v.o.id);
    if (!chosen.length) {
      result.textContent = "Choose an answer first.";
      return;
    }
    show(chosen);
    opts.onAnswer(chosen);
    retry.focus();
  });
  retry.addEventListener("click", () => {
    show(null);
    opts.onAnswer(null);
    optionViews[0].input.focus();
  });

  // chosen = null: unanswered and editable; a list: answered, with feedback when revealed.
  function show(chosen) {
    const answered = Array.isArray(chosen);
    const revealed = answered && reveal;
    fieldset.classList.toggle("po-answered", answered);
    for (const v of optionViews) {
      v.input.checked = answered && chosen.includes(v.o.id);
      v.input.disabled = answered;
      v.row.classList.toggle("po-is-correct", revealed && v.o.correct);
      v.row.classList.toggle("po-is-chosen", answered && v.input.checked);
      v.row.classList.toggle("po-is-wrong-choice", revealed && v.input.checked && !v.o.correct);
      v.verdict.textContent = !revealed ? (answered && v.input.checked ? "Your choice." : "") :
        (v.input.checked ? "Your choice: " : "") + (v.o.correct ? "correct answer." : "not correct.");
      v.feedback.textContent = revealed ? v.o.feedback : "";
    }
    check.hidden = answered;
    retry.hidden = !answered;
    if (!answered) {
      result.textContent = "";
    } else if (!reveal) {
      result.textContent = "Answer saved. You can change it until you finish the assessment.";
    } else if (isCorrect(q, chosen)) {
      result.textContent = "Correct. Read why each option is right or wrong below the options.";
    } else {
      const n = correctIds(q).length;
      result.textContent = multiple
        ? `Not quite: ${n} option${n === 1 ? " is" : "s are"} correct. The feedback on each option explains why. Press "Try again" to answer again.`
        : "Not quite. The feedback on each option explains why. Press \"Try again\" to answer again.";
    }
  }
  return { fieldset, show, firstInput: optionViews[0].input };
}
