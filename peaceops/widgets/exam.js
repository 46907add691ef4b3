// The final assessment: each attempt draws a fresh set of questions from the course's exam bank
// (the same number from every chapter), in an order fixed by the attempt's draw number, so an
// attempt can be reproduced. Answers are saved as the learner goes; feedback and the result by
// chapter and objective come when the learner finishes. Questions render through questions.js.
//
// Model traits: bank (list of questions, each with its chapter), chapters (id, number, title,
// url, objectives), per_chapter (int), pass_mark (float), seed (int), answers (dict),
// finished (bool), score (float). Saved as localStorage "exam":
// {seed, answers, finished, score, passed, updated}.

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
  const saved = storeRead("exam", (v) => v && Number.isInteger(v.seed) && answersAreValid(v.answers));
  let state = saved.value || { seed: model.get("seed"), answers: {}, finished: false };

  const root = h("div", { class: "po-widget po-exam", id: domId("exam") });
  if (saved.problem) root.append(notice(saved.problem));
  const intro = h("p", { class: "po-intro" });
  const questionsBox = h("div", { class: "po-exam-questions" });
  const status = h("p", { class: "po-summary", role: "status", "aria-live": "polite", id: domId("exam", "status") });
  const finishButton = h("button", { type: "button", class: "po-button", id: domId("exam", "finish"), onclick: finish },
    "Finish and see my result");
  const newButton = h("button", { type: "button", class: "po-button po-secondary", id: domId("exam", "new"), onclick: newAttempt },
    "Start a new attempt");
  const result = h("section", { class: "po-card po-exam-result", id: domId("exam", "result"), "aria-label": "Your result", hidden: true });
  root.append(intro, result, questionsBox, h("div", { class: "po-footer" }, status, finishButton, newButton));

  function drawn() { return drawQuestions(bank, chapters, perChapter, state.seed); }

  function save() {
    state.updated = new Date().toISOString();
    storeWrite("exam", state);
    model.set("seed", state.seed);
    model.set("answers", Object.assign({}, state.answers));
    model.set("finished", !!state.finished);
    model.set("score", state.score || 0);
    syncToKernel(model);
  }

  function renderAttempt() {
    const questions = drawn();
    intro.textContent = `Attempt with draw number ${state.seed}: ${questions.length} questions, ${perChapter} from each chapter, ` +
      `drawn from a bank of ${bank.length}. To pass you need ${Math.round(passMark * 100)}% correct. ` +
      (state.finished ? "This attempt is finished: the feedback below explains every option."
        : "Save each answer as you go; you see the feedback when you finish.");
    const views = questions.map((q, i) => renderQuestion(q, {
      idPrefix: "exam", number: i + 1, total: questions.length, mode: state.finished ? "review" : "assessment",
      onAnswer: (chosen) => {
        if (chosen) state.answers[q.id] = chosen; else delete state.answers[q.id];
        save();
        updateStatus(questions);
      },
    }));
    questionsBox.replaceChildren(...views.map((v) => v.fieldset));
    questions.forEach((q, i) => views[i].show(state.answers[q.id] || null));
    finishButton.hidden = !!state.finished;
    updateStatus(questions);
    if (state.finished) showResult(questions); else result.hidden = true;
  }

  function updateStatus(questions) {
    if (state.finished) return;
    const n = questions.filter((q) => state.answers[q.id]).length;
    status.textContent = `${n} of ${questions.length} questions answered.`;
  }

  function finish() {
    const questions = drawn();
    const missing = questions.filter((q) => !state.answers[q.id]).length;
    if (missing && !finishButton.dataset.confirm) {
      finishButton.dataset.confirm = "1";
      finishButton.textContent = `Finish anyway (${missing} unanswered)`;
      status.textContent = `${missing} question${missing === 1 ? " is" : "s are"} still unanswered; unanswered questions count as wrong. ` +
        "Press the button again to finish.";
      return;
    }
    delete finishButton.dataset.confirm;
    finishButton.textContent = "Finish and see my result";
    const right = questions.filter((q) => state.answers[q.id] && isCorrect(q, state.answers[q.id])).length;
    state.finished = true;
    state.score = right / questions.length;
    state.passed = state.score >= passMark;
    save();
    renderAttempt();
    status.textContent = `Finished: ${right} of ${questions.length} correct (${Math.round(state.score * 100)}%). ` +
      (state.passed ? "You passed." : `The pass mark is ${Math.round(passMark * 100)}%.`);
    result.focus();
  }

  function showResult(questions) {
    const right = (q) => state.answers[q.id] && isCorrect(q, state.answers[q.id]);
    const total = questions.filter(right).length;
    const rows = chapters.map((ch) => {
      const qs = questions.filter((q) => q.chapter === ch.id);
      const weak = ch.objectives.filter((o) => qs.some((q) => q.objective === o.id && !right(q)));
      return h("tr", {},
        h("th", { scope: "row" }, `${ch.number}. ${ch.title}`),
        h("td", {}, `${qs.filter(right).length} of ${qs.length}`),
        h("td", {}, weak.length ? h("ul", { class: "po-objectives" }, weak.map((o) =>
          h("li", {}, h("a", { href: `${ch.url}#${o.id}` }, o.text)))) : "Nothing to revisit"));
    });
    result.hidden = false;
    result.setAttribute("tabindex", "-1");
    result.replaceChildren(
      h("p", { class: "po-card-title" }, `Result: ${total} of ${questions.length} correct (${Math.round(total / questions.length * 100)}%), ` +
        (total / questions.length >= passMark ? "passed." : `below the pass mark of ${Math.round(passMark * 100)}%.`)),
      h("table", { class: "po-table" },
        h("caption", {}, "By chapter, with the objectives to revisit"),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Chapter"), h("th", { scope: "col" }, "Correct"),
          h("th", { scope: "col" }, "Objectives to revisit"))),
        h("tbody", {}, rows)));
  }

  function newAttempt() {
    state = { seed: state.seed + 1, answers: {}, finished: false };
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
