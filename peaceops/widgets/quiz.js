// The chapter quiz: renders a question bank (questions.js does each question), keeps a score
// and remembers answers in this browser. The same code runs in JupyterLab, in Voila and in the
// built book.
//
// Model traits: chapter (str), questions (list), answers ({question id: [option ids]}, only
// checked answers), score (int). Saved as localStorage "quiz/<chapter>":
// {answers: {...}, updated: ISO time}. The progress page reads the same key.

function render({ model, el }) {
  const chapter = model.get("chapter");
  const questions = model.get("questions");
  const storeKey = "quiz/" + chapter;
  const saved = storeRead(storeKey, (v) => v && answersAreValid(v.answers));
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

  const views = questions.map((q, index) => renderQuestion(q, {
    idPrefix: "quiz-" + chapter, number: index + 1, total: questions.length,
    onAnswer: (chosen) => {
      if (chosen) answers[q.id] = chosen; else delete answers[q.id];
      publish();
    },
  }));
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
    if (answered) saveOrWarn(storeKey, { answers, updated: new Date().toISOString() }, root);
  }

  questions.forEach((q, i) => views[i].show(answers[q.id] || null));
  publish();
  el.append(root);
}

export default { render };
