// The chapter quiz: renders a question bank (questions.js does each question), keeps a score
// and remembers answers in this browser. The same code runs in JupyterLab, in Voila and in the
// built book.
//
// Model traits: chapter (str), questions (list), answers ({question id: [option ids]}, only
// checked answers), score (int). Saved as localStorage "quiz/<chapter>":
// {answers: {...}, revealed: [question ids], first: {question id: [option ids]},
// attempts: {question id: n}, updated: ISO time}. `revealed` lists the questions whose answers
// the learner asked to see ("Show all answers"): they still count in the score, but the progress
// page does not count them towards a secure objective. `first` keeps each question's first
// checked answer and `attempts` how many times it was checked, so that "Try again" cannot turn a
// wrong first answer into a right one in a teacher's class results (older saves have neither).
// The progress page reads the same key.

function revealedIsValid(revealed) {
  return revealed === undefined || (Array.isArray(revealed) && revealed.every((x) => typeof x === "string"));
}

function countsAreValid(attempts) {
  return attempts === undefined || (attempts && typeof attempts === "object" && !Array.isArray(attempts) &&
    Object.values(attempts).every((n) => Number.isInteger(n) && n >= 1));
}

function render({ model, el }) {
  const chapter = model.get("chapter");
  const questions = model.get("questions");
  const storeKey = "quiz/" + chapter;
  const saved = storeRead(storeKey, (v) => v && answersAreValid(v.answers) && revealedIsValid(v.revealed) &&
    (v.first === undefined || answersAreValid(v.first)) && countsAreValid(v.attempts));
  // Answers saved in this browser win over the kernel's copy: they are the learner's latest.
  let answers = Object.assign({}, saved.value ? saved.value.answers : model.get("answers"));
  let revealed = new Set(saved.value && saved.value.revealed ? saved.value.revealed : []);
  const known = (qid) => questions.some((q) => q.id === qid);
  for (const qid of Object.keys(answers)) {
    if (!known(qid)) delete answers[qid]; // question since removed
  }
  revealed = new Set([...revealed].filter(known));
  const first = Object.assign({}, saved.value && saved.value.first);
  const attempts = Object.assign({}, saved.value && saved.value.attempts);
  for (const qid of Object.keys(first)) if (!known(qid)) delete first[qid];
  for (const qid of Object.keys(attempts)) if (!known(qid)) delete attempts[qid];

  const root = h("div", { class: "po-widget po-quiz", id: domId("quiz", chapter) });
  if (saved.problem) root.append(notice(saved.problem));
  root.append(h("p", { class: "po-intro" },
    `${questions.length} questions. Choose an answer and press "Check answer" to see why each option is right or wrong. ` +
    "Your answers are saved in this browser only."));

  const views = questions.map((q, index) => renderQuestion(q, {
    idPrefix: "quiz-" + chapter, number: index + 1, total: questions.length,
    onAnswer: (chosen) => {
      if (chosen) {
        answers[q.id] = chosen;
        const isFirst = !(q.id in first);
        if (isFirst) first[q.id] = chosen;
        attempts[q.id] = (attempts[q.id] || 0) + 1;
        announce("quiz-answer", { chapter, question: q.id, options: chosen, correct: isCorrect(q, chosen),
          attempt: attempts[q.id], first: isFirst });
      } else delete answers[q.id];
      publish();
    },
    onReveal: () => {
      revealed.add(q.id);
      publish();
    },
  }));
  root.append(...views.map((v) => v.fieldset));

  const summary = h("p", { class: "po-summary", role: "status", "aria-live": "polite", id: domId("quiz", chapter, "summary") });
  // Reset asks first, as the progress page does: one slip of the finger should not lose ten answers.
  const resetButton = h("button", { type: "button", class: "po-button po-secondary", id: domId("quiz", chapter, "reset"),
    onclick: () => { confirmBox.hidden = false; confirmYes.focus(); } }, "Reset this quiz…");
  const confirmYes = h("button", { type: "button", class: "po-button", id: domId("quiz", chapter, "reset-confirm"),
    onclick: () => {
      answers = {};
      revealed = new Set();
      for (const qid of Object.keys(first)) delete first[qid];
      for (const qid of Object.keys(attempts)) delete attempts[qid];
      storeRemove(storeKey);
      views.forEach((v) => v.show(null));
      confirmBox.hidden = true;
      publish("Quiz reset. All answers cleared.");
      views[0].firstInput.focus();
    } }, "Yes, clear my answers to this quiz");
  const confirmNo = h("button", { type: "button", class: "po-button po-secondary", id: domId("quiz", chapter, "reset-cancel"),
    onclick: () => { confirmBox.hidden = true; resetButton.focus(); publish("Reset cancelled; your answers are kept."); } },
    "Cancel");
  const confirmBox = h("div", { class: "po-confirm", hidden: true, role: "group", "aria-label": "Confirm quiz reset" },
    h("p", {}, "This clears every answer to this chapter's quiz saved in this browser."), confirmYes, confirmNo);
  root.append(h("div", { class: "po-footer" }, summary, resetButton), confirmBox);

  function publish(prefix) {
    const answered = Object.keys(answers).length;
    const right = questions.filter((q) => answers[q.id] && isCorrect(q, answers[q.id])).length;
    const seen = questions.filter((q) => revealed.has(q.id)).length;
    summary.textContent = (prefix ? prefix + " " : "") +
      `Score: ${right} of ${questions.length} correct (${answered} of ${questions.length} answered).` +
      (seen ? ` You asked to see the answers to ${seen} question${seen === 1 ? "" : "s"}; ` +
        "those do not count towards a secure objective on the progress page." : "");
    model.set("answers", Object.assign({}, answers));
    model.set("first", Object.assign({}, first));
    model.set("attempts", Object.assign({}, attempts));
    model.set("score", right);
    syncToKernel(model);
    if (answered || seen) saveOrWarn(storeKey, { answers, revealed: [...revealed], first, attempts, updated: new Date().toISOString() }, root);
  }

  questions.forEach((q, i) => views[i].show(answers[q.id] || null));
  publish();
  el.append(root);
}

export default { render };
