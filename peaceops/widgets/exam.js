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
//
// The same widget runs the pre/post knowledge check (KnowledgeCheck in widgets.py): then the trait
// check is {key ("check/pre" or "check/post"), stage ("pre" or "post"), before (the pre-check's
// key, for the post-check), forms: {A: [question ids], B: [question ids]}}, the questions are the
// chosen form's, in a fixed order, there is no pass mark and no new attempt, and the learner's
// work is saved under check.key as {form, answers, finished, score, updated}. The post-check
// takes the form the pre-check in this browser did not; without one, the learner picks the form
// the facilitator names.

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
  const check = model.get("check") || {};
  const isCheck = typeof check.key === "string";
  const storeKey = isCheck ? check.key : "exam";   // also the element ids' prefix (domId makes it valid)
  const forms = check.forms || {};
  const byId = Object.fromEntries(bank.map((q) => [q.id, q]));
  const saved = isCheck
    ? storeRead(storeKey, (v) => v && (v.form === undefined || Object.hasOwn(forms, v.form)) && answersAreValid(v.answers))
    : storeRead("exam", (v) => v && Number.isInteger(v.seed) && answersAreValid(v.answers) &&
      (v.best === undefined || (v.best && typeof v.best.score === "number" && typeof v.best.date === "string")) &&
      examHistoryIsValid(v.history));
  let state = saved.value || (isCheck ? { answers: {}, finished: false } : { seed: model.get("seed"), answers: {}, finished: false });

  const root = h("div", { class: "po-widget po-exam", id: domId(storeKey) });
  if (saved.problem) root.append(notice(saved.problem));
  const intro = h("p", { class: "po-intro" });
  const questionsBox = h("div", { class: "po-exam-questions" });
  const status = h("p", { class: "po-summary", role: "status", "aria-live": "polite", id: domId(storeKey, "status") });
  const count = h("p", { class: "po-exam-count", id: domId(storeKey, "count") });
  const finishButton = h("button", { type: "button", class: "po-button", id: domId(storeKey, "finish"), onclick: finish },
    "Finish and see my result");
  const newButton = h("button", { type: "button", class: "po-button po-secondary", id: domId(storeKey, "new"), onclick: askNewAttempt,
    hidden: isCheck }, "Start a new attempt");
  const chooser = h("div", { class: "po-card po-check-forms", role: "group", "aria-labelledby": domId(storeKey, "forms"), hidden: true });
  const confirmBox = h("div", { class: "po-confirm", id: domId(storeKey, "confirm"), role: "group", "aria-label": "Confirm", hidden: true });
  const result = h("section", { class: "po-card po-exam-result", id: domId(storeKey, "result"), "aria-label": "Your result", hidden: true });
  // The bar with the count and "Finish" stays in view at the bottom of the screen while the
  // learner scrolls through the questions; a failed save is reported in it too.
  const bar = h("div", { class: "po-footer po-exam-bar" }, count, finishButton, confirmBox);
  root.append(intro, chooser, result, questionsBox, status, bar, h("div", { class: "po-footer" }, newButton));

  function drawn() {
    if (!isCheck) return drawQuestions(bank, chapters, perChapter, state.seed);
    return state.form ? forms[state.form].map((id) => byId[id]) : [];
  }

  // The form the pre-check in this browser used (null if none): the post-check takes the other.
  function formBefore() {
    if (!check.before) return null;
    const before = storeRead(check.before, () => true).value;
    return before && Object.hasOwn(forms, before.form) ? before.form : null;
  }

  function chooseForm(form) {
    state = { form, answers: {}, finished: false };
    save();
    renderAttempt();
    status.textContent = `Form ${form} started.`;
    const first = questionsBox.querySelector("input");
    if (first) first.focus();
  }

  function showChooser() {
    const names = Object.keys(forms);
    chooser.hidden = false;
    chooser.replaceChildren(
      h("p", { class: "po-card-title", id: domId(storeKey, "forms") }, "Which form?"),
      h("p", {}, `The check comes in ${names.length} forms with different questions on the same objectives. ` +
        "Take the form your facilitator names. On your own, take form A before the course and form B after it."),
      h("div", { class: "po-actions" }, names.map((form) => h("button", { type: "button", class: "po-button",
        id: domId(storeKey, "form", form), onclick: () => chooseForm(form) }, `Take form ${form}`))));
  }

  function save() {
    state.updated = new Date().toISOString();
    const stored = saveOrWarn(storeKey, state, bar);
    if (isCheck) return stored;
    model.set("seed", state.seed);
    model.set("answers", Object.assign({}, state.answers));
    model.set("finished", !!state.finished);
    model.set("score", state.score || 0);
    syncToKernel(model);
    return stored;
  }

  function renderAttempt() {
    confirmBox.hidden = true;
    chooser.hidden = true;
    if (isCheck && !state.form) {
      const before = formBefore();
      const other = before && Object.keys(forms).find((form) => form !== before);
      if (other) {
        state.form = other;   // saved with the first answer
      } else {
        intro.textContent = check.stage === "post" ? "No earlier check was found in this browser." : "";
        questionsBox.replaceChildren();
        bar.hidden = true;
        result.hidden = true;
        showChooser();
        return;
      }
    }
    bar.hidden = false;
    const questions = drawn();
    if (isCheck) {
      const before = check.stage === "post" ? formBefore() : null;
      intro.textContent = `Form ${state.form}: ${questions.length} questions on the course's learning objectives. ` +
        (before && before !== state.form ? `Before the course you took form ${before} in this browser, so this is form ${state.form}. ` : "") +
        (state.finished ? "This check is finished: the feedback below explains every option."
          : "There is no pass mark. Your answer is recorded as soon as you choose it, and you can change it until " +
            "you finish; you see the feedback when you finish.");
    } else intro.textContent = `Attempt with draw number ${state.seed}: ${questions.length} questions, ${perChapter} from each chapter, ` +
      `drawn from a bank of ${bank.length}. To pass you need ${Math.round(passMark * 100)}% correct. ` +
      (state.finished ? "This attempt is finished: the feedback below explains every option."
        : "Your answer is recorded as soon as you choose it, and you can change it until you finish; " +
          "you see the feedback when you finish.");
    const views = questions.map((q, i) => renderQuestion(q, {
      idPrefix: storeKey, number: i + 1, total: questions.length, mode: state.finished ? "review" : "assessment",
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
    const yesButton = h("button", { type: "button", class: "po-button", id: domId(storeKey, "confirm", "yes"),
      onclick: () => { confirmBox.hidden = true; yes(); } }, yesLabel);
    const noButton = h("button", { type: "button", class: "po-button po-secondary", id: domId(storeKey, "confirm", "no"),
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
        const input = document.getElementById(domId(storeKey, missing[0].id)).querySelector("input");
        input.scrollIntoView({ block: "center" });
        input.focus();
      });
  }

  function finishNow(questions) {
    const right = questions.filter((q) => state.answers[q.id] && isCorrect(q, state.answers[q.id])).length;
    state.finished = true;
    state.score = right / questions.length;
    if (isCheck) {
      save();
      announce("check-finished", { check: storeKey, form: state.form, raw: right, max: questions.length, score: state.score });
      renderAttempt();
      status.textContent = `Finished: ${right} of ${questions.length} correct (${Math.round(state.score * 100)}%).`;
      result.focus();
      return;
    }
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
    if (isCheck) {
      const before = check.before ? storeRead(check.before, () => true).value : null;
      const earlier = before && before.finished && typeof before.score === "number" ?
        h("p", { id: domId(storeKey, "gain") }, `Before the course (form ${before.form}): ${Math.round(before.score * 100)}%. ` +
          `After: ${Math.round(total / questions.length * 100)}%.`) : "";   // replaceChildren would write null as "null"
      result.replaceChildren(
        h("p", { class: "po-card-title" }, `Result: ${total} of ${questions.length} correct (${Math.round(total / questions.length * 100)}%).`),
        earlier, h("p", {}, "By chapter, with the objectives to revisit:"), h("ul", { class: "po-exam-chapters" }, items));
      return;
    }
    result.replaceChildren(
      h("p", { class: "po-card-title" }, `Result: ${total} of ${questions.length} correct (${Math.round(total / questions.length * 100)}%), ` +
        (passed ? "passed." : `below the pass mark of ${Math.round(passMark * 100)}%.`)),
      passed || state.best ? h("p", { class: "po-exam-certificate" }, passed ? "Well done. " : "You passed an earlier attempt. ",
        h("a", { href: model.get("certificate_url"), id: domId(storeKey, "certificate") }, "Get your certificate of completion")) : "",
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
