// The final assessment: each attempt draws a fresh set of questions from the course's exam bank
// (the same number from every chapter), in an order fixed by the attempt's draw number, so an
// attempt can be reproduced. Choosing an option records the answer at once (no button to forget);
// feedback and the result by chapter and objective come when the learner finishes. Questions
// render through questions.js.
//
// Model traits: bank (list of questions, each with its chapter), chapters (id, number, title,
// url, objectives), per_chapter (int), pass_mark (float), certificate_url (str), seed (int),
// answers (dict), finished (bool), score (float). Saved as localStorage "exam":
// {seed, answers, finished, score, passed, best: {score, date, seed}, history: [...], updated};
// "best" is the best passing result, kept across new attempts (the certificate shows it);
// "history" lists the latest finished attempts (questions.js describes an entry), so that a
// teacher's class results show every attempt, not only the last (older saves have none).

// A small, well-known seeded generator (mulberry32): the same seed gives the same draw anywhere.
function seededRandom(seed) {
  let a = seed >>> 0;
  return function () {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function drawQuestions(bank, chapters, perChapter, seed) {
  const random = seededRandom(seed);
  const shuffle = (list) => {
    const out = [...list];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  };
  return chapters.flatMap((ch) => shuffle(bank.filter((q) => q.chapter === ch.id)).slice(0, perChapter));
}

function render({ model, el }) {
  const bank = model.get("bank");
  const chapters = model.get("chapters");
  const perChapter = model.get("per_chapter");
  const passMark = model.get("pass_mark");
  const saved = storeRead("exam", (v) => v && Number.isInteger(v.seed) && answersAreValid(v.answers) &&
    (v.best === undefined || (v.best && typeof v.best.score === "number" && typeof v.best.date === "string")) &&
    examHistoryIsValid(v.history));
  let state = saved.value || { seed: model.get("seed"), answers: {}, finished: false };

  const root = h("div", { class: "po-widget po-exam", id: domId("exam") });
  if (saved.problem) root.append(notice(saved.problem));
  const intro = h("p", { class: "po-intro" });
  const questionsBox = h("div", { class: "po-exam-questions" });
  const status = h("p", { class: "po-summary", role: "status", "aria-live": "polite", id: domId("exam", "status") });
  const count = h("p", { class: "po-exam-count", id: domId("exam", "count") });
  const finishButton = h("button", { type: "button", class: "po-button", id: domId("exam", "finish"), onclick: finish },
    "Finish and see my result");
  const newButton = h("button", { type: "button", class: "po-button po-secondary", id: domId("exam", "new"), onclick: askNewAttempt },
    "Start a new attempt");
  const confirmBox = h("div", { class: "po-confirm", id: domId("exam", "confirm"), role: "group", "aria-label": "Confirm", hidden: true });
  const result = h("section", { class: "po-card po-exam-result", id: domId("exam", "result"), "aria-label": "Your result", hidden: true });
  // The bar with the count and "Finish" stays in view at the bottom of the screen while the
  // learner scrolls through the questions; a failed save is reported in it too.
  const bar = h("div", { class: "po-footer po-exam-bar" }, count, finishButton, confirmBox);
  root.append(intro, result, questionsBox, status, bar, h("div", { class: "po-footer" }, newButton));

  function drawn() { return drawQuestions(bank, chapters, perChapter, state.seed); }

  function save() {
    state.updated = new Date().toISOString();
    const stored = saveOrWarn("exam", state, bar);
    model.set("seed", state.seed);
    model.set("answers", Object.assign({}, state.answers));
    model.set("finished", !!state.finished);
    model.set("score", state.score || 0);
    syncToKernel(model);
    return stored;
  }

  function renderAttempt() {
    const questions = drawn();
    confirmBox.hidden = true;
    intro.textContent = `Attempt with draw number ${state.seed}: ${questions.length} questions, ${perChapter} from each chapter, ` +
      `drawn from a bank of ${bank.length}. To pass you need ${Math.round(passMark * 100)}% correct. ` +
      (state.finished ? "This attempt is finished: the feedback below explains every option."
        : "Your answer is recorded as soon as you choose it, and you can change it until you finish; " +
          "you see the feedback when you finish.");
    const views = questions.map((q, i) => renderQuestion(q, {
      idPrefix: "exam", number: i + 1, total: questions.length, mode: state.finished ? "review" : "assessment",
      onAnswer: () => {},
    }));
    questionsBox.replaceChildren(...views.map((v) => v.fieldset));
    questions.forEach((q, i) => {
      const view = views[i];
      if (state.finished) { view.show(state.answers[q.id] || null); return; }
      // In progress: the options themselves record the answer; no "Save answer" button.
      view.show(null);
      view.fieldset.querySelector(".po-actions").hidden = true;
      const inputs = [...view.fieldset.querySelectorAll(".po-option input")];
      for (const input of inputs) input.checked = (state.answers[q.id] || []).includes(input.value);
      view.fieldset.addEventListener("change", () => {
        const chosen = inputs.filter((input) => input.checked).map((input) => input.value);
        if (chosen.length) state.answers[q.id] = chosen; else delete state.answers[q.id];
        const stored = save();
        view.fieldset.querySelector(".po-result").textContent = !stored ? "Not saved: see the notice at the bottom of the screen." :
          chosen.length ? "Answer recorded." : "No answer recorded.";
        updateCount(questions);
      });
    });
    finishButton.hidden = !!state.finished;
    updateCount(questions);
    if (state.finished) showResult(questions); else result.hidden = true;
  }

  function unanswered(questions) { return questions.filter((q) => !state.answers[q.id]); }

  function updateCount(questions) {
    const n = questions.length - unanswered(questions).length;
    count.textContent = state.finished ? `Finished: ${Math.round((state.score || 0) * 100)}%.` :
      `${n} of ${questions.length} answered`;
  }

  function ask(text, yesLabel, yes, noLabel, no) {
    const yesButton = h("button", { type: "button", class: "po-button", id: domId("exam", "confirm", "yes"),
      onclick: () => { confirmBox.hidden = true; yes(); } }, yesLabel);
    const noButton = h("button", { type: "button", class: "po-button po-secondary", id: domId("exam", "confirm", "no"),
      onclick: () => { confirmBox.hidden = true; no(); } }, noLabel);
    confirmBox.replaceChildren(h("p", {}, text), noButton, yesButton);
    confirmBox.hidden = false;
    noButton.focus();
  }

  function finish() {
    const questions = drawn();
    const missing = unanswered(questions);
    if (!missing.length) { finishNow(questions); return; }
    const first = questions.indexOf(missing[0]) + 1;
    ask(`${missing.length} question${missing.length === 1 ? " is" : "s are"} still unanswered; unanswered questions count as wrong.`,
      "Finish anyway", () => finishNow(questions),
      `Go back to question ${first}`, () => {
        const input = document.getElementById(domId("exam", missing[0].id)).querySelector("input");
        input.scrollIntoView({ block: "center" });
        input.focus();
      });
  }

  function finishNow(questions) {
    const right = questions.filter((q) => state.answers[q.id] && isCorrect(q, state.answers[q.id])).length;
    state.finished = true;
    state.score = right / questions.length;
    state.passed = state.score >= passMark;
    const now = new Date().toISOString();
    if (state.passed && (!state.best || state.score >= state.best.score)) {
      state.best = { score: state.score, date: now, seed: state.seed };
    }
    state.history = [...(state.history || []), { seed: state.seed, raw: right, max: questions.length,
      score: state.score, passed: state.passed, finished: now }].slice(-EXAM_HISTORY_MAX);
    save();
    announce("exam-finished", { seed: state.seed, raw: right, max: questions.length, score: state.score,
      passed: state.passed, passMark });
    renderAttempt();
    status.textContent = `Finished: ${right} of ${questions.length} correct (${Math.round(state.score * 100)}%). ` +
      (state.passed ? "You passed." : `The pass mark is ${Math.round(passMark * 100)}%.`);
    result.focus();
  }

  function showResult(questions) {
    const right = (q) => state.answers[q.id] && isCorrect(q, state.answers[q.id]);
    const total = questions.filter(right).length;
    const passed = total / questions.length >= passMark;
    // A list, not a three-column table: it reads the same on a phone.
    const items = chapters.map((ch) => {
      const qs = questions.filter((q) => q.chapter === ch.id);
      const weak = ch.objectives.filter((o) => qs.some((q) => q.objective === o.id && !right(q)));
      return h("li", {},
        h("strong", {}, `${ch.number}. ${ch.title}`), `: ${qs.filter(right).length} of ${qs.length} correct. `,
        weak.length ? ["Revisit:", h("ul", { class: "po-objectives" }, weak.map((o) =>
          h("li", {}, h("a", { href: `${ch.url}#${o.id}` }, o.text))))] : "Nothing to revisit.");
    });
    result.hidden = false;
    result.setAttribute("tabindex", "-1");
    result.replaceChildren(
      h("p", { class: "po-card-title" }, `Result: ${total} of ${questions.length} correct (${Math.round(total / questions.length * 100)}%), ` +
        (passed ? "passed." : `below the pass mark of ${Math.round(passMark * 100)}%.`)),
      passed || state.best ? h("p", { class: "po-exam-certificate" }, passed ? "Well done. " : "You passed an earlier attempt. ",
        h("a", { href: model.get("certificate_url"), id: domId("exam", "certificate") }, "Get your certificate of completion")) : null,
      h("p", {}, "By chapter, with the objectives to revisit:"),
      h("ul", { class: "po-exam-chapters" }, items));
  }

  // A new attempt discards the answers of an unfinished one: ask first.
  function askNewAttempt() {
    const n = Object.keys(state.answers).length;
    if (state.finished || !n) { newAttempt(); return; }
    ask(`Start a new attempt? The ${n} answer${n === 1 ? "" : "s"} of this unfinished attempt will be discarded.`,
      "Yes, start a new attempt", newAttempt, "Cancel", () => { newButton.focus(); status.textContent = "Your attempt continues."; });
  }

  function newAttempt() {
    state = { seed: state.seed + 1, answers: {}, finished: false, ...(state.best ? { best: state.best } : {}),
      ...(state.history ? { history: state.history } : {}) };
    save();
    renderAttempt();
    status.textContent = `New attempt started with draw number ${state.seed}.`;
    const first = questionsBox.querySelector("input");
    if (first) first.focus();
  }

  renderAttempt();
  el.append(root);
}

export default { render };
export { drawQuestions, seededRandom };
