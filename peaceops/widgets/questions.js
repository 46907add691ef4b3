// One multiple-choice question: rendering, checking, feedback on every option. Used by the
// chapter quiz (quiz.js) and the final assessment (exam.js), so both behave the same.

function answersAreValid(answers) {
  return answers && typeof answers === "object" && !Array.isArray(answers) &&
    Object.values(answers).every((a) => Array.isArray(a) && a.every((x) => typeof x === "string"));
}

// The final assessment keeps the history of its latest EXAM_HISTORY_MAX finished attempts, each
// {seed, raw (questions right), max (questions asked), score (raw / max), passed, finished (ISO
// time)}: exam.js writes it, progress.js exports and merges it, peaceops/results.py reports it
// (and checks it the same way).
const EXAM_HISTORY_MAX = 50;

function examHistoryIsValid(history) {
  return history === undefined || (Array.isArray(history) && history.length <= EXAM_HISTORY_MAX &&
    history.every((a) => a && typeof a === "object" && Number.isInteger(a.seed) && a.seed >= 0 &&
      Number.isInteger(a.max) && a.max >= 1 && Number.isInteger(a.raw) && a.raw >= 0 && a.raw <= a.max &&
      typeof a.score === "number" && Math.abs(a.score - a.raw / a.max) < 1e-9 && typeof a.passed === "boolean" &&
      typeof a.finished === "string" && a.finished.length <= 40 && !Number.isNaN(Date.parse(a.finished))));
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

// A well-mixed 32-bit hash of a string (FNV-1a, then the murmur3 finaliser), so that similar
// strings ("...-a", "...-b") land far apart.
function hashString(text) {
  let x = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) x = Math.imul(x ^ text.charCodeAt(i), 0x01000193);
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

// The order in which this learner sees a question's options, so that position says nothing
// about the answer: each option is ranked by a hash of the learner's seed, the question id and
// its own id, the same on every visit. Options marked `fixed` ("All of the above") keep their
// place in the data; true/false questions keep True, False.
function optionOrder(q, seed) {
  if (q.type === "truefalse") return [...q.options];
  const rank = (o) => hashString(`${seed}/${q.id}/${o.id}`);
  const moving = q.options.filter((o) => !o.fixed).sort((a, b) => rank(a) - rank(b) || (a.id < b.id ? -1 : 1));
  return q.options.map((o) => (o.fixed ? o : moving.shift()));
}

// renderQuestion(q, {idPrefix, number, total, onAnswer(chosen or null), onReveal(), mode}):
// element ids are domId(idPrefix, q.id), e.g. "po-quiz-ch01-ch01-q01", and stable between builds;
// options appear in the learner's own order (optionOrder); onReveal is called on "Show all answers".
// returns {fieldset, show(chosen or null), firstInput}. The mode says how much checking reveals:
// - "practice" (a chapter quiz): a right answer shows the feedback on every option; a wrong one
//   shows only why the chosen option is wrong, so that "Try again" is still worth doing, and
//   "Show all answers" reveals the rest;
// - "assessment" (an exam in progress): checking saves the answer and says nothing more;
// - "review" (a finished exam): every option's verdict and feedback, answers locked.
function renderQuestion(q, opts) {
  const qid = domId(opts.idPrefix, q.id);
  const multiple = q.type === "multiple";
  const mode = opts.mode || "practice";
  const legend = h("legend", {},
    h("span", { class: "po-qnum" }, `Question ${opts.number} of ${opts.total}`), " ",
    q.prompt + (multiple ? " (Select all that apply.)" : ""));
  const optionViews = optionOrder(q, learnerSeed()).map((o) => {
    const oid = `${qid}-${o.id}`;
    const input = h("input", { type: multiple ? "checkbox" : "radio", name: qid, id: oid, value: o.id,
      "aria-describedby": `${oid}-fb` });
    const verdict = h("span", { class: "po-verdict" });
    const feedback = h("span", { class: "po-option-feedback", id: `${oid}-fb` });
    // On paper, options print in the bank's order with their ids as letters, to match the
    // facilitator's answer key and slides (widgets.css, @media print).
    const row = h("div", { class: "po-option", style: `--po-print-order: ${q.options.indexOf(o)}` },
      input, h("label", { for: oid, "data-letter": o.id }, o.text), h("div", { class: "po-option-result" }, verdict, " ", feedback));
    return { o, input, row, verdict, feedback };
  });
  const result = h("p", { class: "po-result", role: "status", "aria-live": "polite", id: `${qid}-result` });
  const check = h("button", { type: "button", class: "po-button", id: `${qid}-check` },
    mode === "assessment" ? "Save answer" : "Check answer");
  const retry = h("button", { type: "button", class: "po-button po-secondary", id: `${qid}-retry`, hidden: true },
    mode === "assessment" ? "Change answer" : "Try again");
  const showAll = h("button", { type: "button", class: "po-button po-secondary", id: `${qid}-show-all`, hidden: true },
    "Show all answers");
  const fieldset = h("fieldset", { class: "po-question", id: qid },
    legend, h("div", { class: "po-options" }, optionViews.map((v) => v.row)),
    h("div", { class: "po-actions" }, check, retry, showAll), result);
  let shown = null;        // the answer on display (null: none yet)
  let allShown = false;    // practice: the learner asked to see every option's feedback

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
  showAll.addEventListener("click", () => {
    allShown = true;
    show(shown);
    if (opts.onReveal) opts.onReveal();
    retry.focus();
  });

  // chosen = null: unanswered and editable (locked in review); a list: answered.
  function show(chosen) {
    const answered = Array.isArray(chosen);
    const right = answered && isCorrect(q, chosen);
    if (!answered) allShown = false;
    shown = chosen;
    const full = mode === "review" || (mode === "practice" && answered && (right || allShown));
    fieldset.classList.toggle("po-answered", answered);
    for (const v of optionViews) {
      const mine = answered && chosen.includes(v.o.id);
      const explained = full || (mode === "practice" && mine);
      v.input.checked = mine;
      v.input.disabled = answered || mode === "review";
      v.row.classList.toggle("po-is-correct", explained && v.o.correct);
      v.row.classList.toggle("po-is-chosen", mine);
      v.row.classList.toggle("po-is-wrong-choice", explained && mine && !v.o.correct);
      v.verdict.textContent = !explained ? (mine ? "Your choice." : "") :
        (mine ? "Your choice. " : "") + (v.o.correct ? "Correct answer." : "Not correct.");
      v.feedback.textContent = explained ? v.o.feedback : "";
    }
    check.hidden = answered || mode === "review";
    retry.hidden = !answered || mode === "review";
    showAll.hidden = !(mode === "practice" && answered && !full);
    const n = correctIds(q).length;
    const howMany = multiple ? `: ${n} option${n === 1 ? " is" : "s are"} correct` : "";
    if (mode === "review") {
      result.textContent = !answered ? "Not answered. The feedback under each option explains the right answer." :
        right ? "Correct. The feedback under each option explains why." :
        "Not correct. The feedback under each option explains the right answer.";
    } else if (!answered) {
      result.textContent = "";
    } else if (mode === "assessment") {
      result.textContent = "Answer saved. You can change it until you finish the assessment.";
    } else if (right) {
      result.textContent = "Correct. The feedback under each option explains why it is right or wrong.";
    } else if (allShown) {
      result.textContent = `Not quite${howMany}. The feedback under each option now explains the right answer. ` +
        "Press \"Try again\" to answer again.";
    } else {
      result.textContent = `Not quite${howMany}. The feedback under your choice explains why. ` +
        "Press \"Try again\" to answer again, or \"Show all answers\" to see every option explained.";
    }
  }
  return { fieldset, show, firstInput: optionViews[0].input };
}
