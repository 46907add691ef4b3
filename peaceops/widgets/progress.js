// "My progress": reads what the course widgets saved in this browser and shows an overview
// (overall score, chapters done, the final assessment, where to continue), then, per chapter,
// the quiz score and which learning objectives are secure; exports everything the course saved
// as a JSON file, imports such a file (merging, never silently overwriting) and resets everything.
// With view "certificate" the same module shows the completion certificate instead.
//
// Model traits: view ("progress" or "certificate"), course (title), links ({exam, certificate}),
// chapters (list: id, number, title, url, objectives, questions [{id, objective, correct, options}]),
// exam_bank ({question id: [option ids]}), pass_mark, summary (one row per chapter, sent back to
// the kernel). An objective is secure when every quiz question that tests it has been answered
// correctly; a chapter is done when every question of its quiz has been answered.

const EXPORT_FORMAT = "peaceops-results";
const EXPORT_VERSION = 2;          // 2 added "saved" (every other saved item); 1 is still read
// A full export is a few tens of KB; anything far larger is not ours and is refused before it is
// read, so that a huge file cannot freeze the page.
const MAX_IMPORT_BYTES = 1024 * 1024;
const MAX_SAVED_ITEM_CHARS = 100000;   // one saved item (a long discussion note is a few KB)
// Names of the other saved items ("spectrum", "seed", "visited", "activity/<id>", "notes/<chapter>"):
// letters, digits, "-" and "_", at most one "/". Set-aside copies (".unreadable") never travel.
const SAVED_ITEM_NAME = /^[a-z0-9][a-z0-9_-]{0,63}(\/[a-z0-9][a-z0-9_-]{0,63})?$/i;
const OWN_SECTIONS = /^(quiz\/|exam$)/;   // exported in their own sections, not under "saved"

function quizKey(chapterId) { return "quiz/" + chapterId; }

function readQuiz(chapterId) {
  return storeRead(quizKey(chapterId), (v) => v && answersAreValid(v.answers));
}

function examIsValid(v) {
  return v && typeof v === "object" && Number.isInteger(v.seed) && answersAreValid(v.answers) &&
    (v.score === undefined || (typeof v.score === "number" && v.score >= 0 && v.score <= 1)) &&
    (v.best === undefined || (v.best && typeof v.best.score === "number" && v.best.score >= 0 && v.best.score <= 1 &&
      typeof v.best.date === "string" && !Number.isNaN(Date.parse(v.best.date)))) &&
    examHistoryIsValid(v.history);
}

function readExam() { return storeRead("exam", examIsValid); }

// The best passing result: kept by exam.js across attempts ("best"); older saves only have "passed".
function examPass(exam) {
  if (!exam) return null;
  if (exam.best) return exam.best;
  if (exam.finished && exam.passed && typeof exam.score === "number") return { score: exam.score, date: exam.updated };
  return null;
}

function chapterStatus(ch, answers) {
  const right = (q) => answers[q.id] && sameSet(answers[q.id], q.correct);
  // An answer given after "Show all answers" (the quiz saves those question ids as `revealed`)
  // still counts in the score, but shows nothing about what the learner knew: not secure.
  const saved = readQuiz(ch.id).value;
  const revealed = new Set(saved && Array.isArray(saved.revealed) ? saved.revealed : []);
  const objectives = ch.objectives.map((o) => {
    const qs = ch.questions.filter((q) => q.objective === o.id);
    const done = qs.filter((q) => answers[q.id]).length;
    const secure = qs.length > 0 && qs.every((q) => right(q) && !revealed.has(q.id));
    return { ...o, secure, state: secure ? "secure" : done ? "in progress" : "not started" };
  });
  const answered = ch.questions.filter((q) => answers[q.id]).length;
  return {
    chapter: ch.id, answered, correct: ch.questions.filter(right).length, questions: ch.questions.length, objectives,
    done: answered === ch.questions.length,
  };
}

function courseStatus(chapters) {
  const rows = chapters.map((ch) => {
    const saved = readQuiz(ch.id);
    return { ch, problem: saved.problem, s: chapterStatus(ch, saved.value ? saved.value.answers : {}) };
  });
  const correct = rows.reduce((n, r) => n + r.s.correct, 0);
  const questions = rows.reduce((n, r) => n + r.s.questions, 0);
  return { rows, correct, questions, done: rows.filter((r) => r.s.done).length };
}

function percent(x) { return Math.round(x * 100) + "%"; }

function longDate(iso) {
  return new Date(iso).toLocaleDateString(document.documentElement.lang || "en", { year: "numeric", month: "long", day: "numeric" });
}

// --- Import --------------------------------------------------------------------------------

function checkResultsFile(data) {
  if (!data || typeof data !== "object" || Array.isArray(data) || data.format !== EXPORT_FORMAT) {
    return "This is not a results file exported from this course (its \"format\" is not \"" + EXPORT_FORMAT + "\").";
  }
  const v = data.version;
  if (v === undefined) return "This results file has no \"version\".";
  if (typeof v !== "number") {
    return `Its "version" is ${typeof v === "string" ? "the text " : "the value "}${JSON.stringify(v).slice(0, 40)}, ` +
      "but this course writes it as a whole number without quotes (1 or 2). The file was changed after it was downloaded.";
  }
  if (v !== 1 && v !== 2) {
    return `This results file has version ${String(v).slice(0, 20)}; this course reads versions 1 and 2. ` +
      "It may come from a newer edition of the course.";
  }
  if (!data.quizzes || typeof data.quizzes !== "object" || Array.isArray(data.quizzes)) return "This results file has no \"quizzes\" section.";
  return null;
}

// The answers of a file that this course could have written: known questions, and for each a
// non-empty list of that question's own option ids. Everything else is counted and dropped,
// so an unknown or crafted id is never stored, shown or exported again.
function knownAnswers(answers, questions, report) {
  const out = {};
  if (!answers || typeof answers !== "object" || Array.isArray(answers)) { report.ignored += 1; return out; }
  for (const [qid, chosen] of Object.entries(answers)) {
    const options = questions[qid];
    const ok = options && Array.isArray(chosen) && chosen.length > 0 && chosen.every((o) => options.includes(o));
    if (ok) out[qid] = [...new Set(chosen)];
    else report.ignored += 1;
  }
  return out;
}

// Merge a results file into this browser. What the browser lacks is added; what differs is kept
// as it is here and counted, so nothing is overwritten without saying so. Only what was actually
// stored is counted as added.
function mergeResults(file, model) {
  const chapters = model.get("chapters");
  const report = { added: 0, same: 0, conflicts: 0, ignored: 0, notSaved: 0, exam: null, examAttempts: 0, items: 0, itemsKept: 0 };
  for (const [chapterId, quiz] of Object.entries(file.quizzes)) {
    const ch = chapters.find((c) => c.id === chapterId);
    if (!ch || !quiz || typeof quiz !== "object") { report.ignored += 1; continue; }
    const options = Object.fromEntries(ch.questions.map((q) => [q.id, q.options]));
    const incoming = knownAnswers(quiz.answers, options, report);
    const here = readQuiz(chapterId).value || { answers: {} };
    const merged = Object.assign({}, here.answers);
    let added = 0;
    for (const [qid, chosen] of Object.entries(incoming)) {
      if (!(qid in merged)) { merged[qid] = chosen; added += 1; }
      else if (sameSet(merged[qid], chosen)) report.same += 1;
      else report.conflicts += 1;
    }
    // Answers given after "Show all answers" must not secure an objective in the new browser
    // either: keep every such question id from both sides (known questions only).
    const revealedHere = Array.isArray(here.revealed) ? here.revealed : [];
    const revealed = new Set([...revealedHere,
      ...(Array.isArray(quiz.revealed) ? quiz.revealed.filter((id) => typeof id === "string" && id in options) : [])]);
    // First answers and attempt counts (what a teacher's class results report): a first answer
    // here stays; the file's fills only a question that has none here; of two counts, the larger.
    const first = Object.assign({}, here.first);
    const attempts = Object.assign({}, here.attempts);
    let history = 0;
    for (const [qid, chosen] of Object.entries(knownAnswers(quiz.first || {}, options, report))) {
      if (!(qid in first)) { first[qid] = chosen; history += 1; }
    }
    const counts = quiz.attempts && typeof quiz.attempts === "object" && !Array.isArray(quiz.attempts) ? quiz.attempts : {};
    for (const [qid, n] of Object.entries(counts)) {
      if (!(qid in options) || !Number.isInteger(n) || n < 1) { report.ignored += 1; continue; }
      if (!(n <= (attempts[qid] || 0))) { attempts[qid] = n; history += 1; }
    }
    if (!added && !history && revealed.size === revealedHere.length) continue;
    const value = { answers: merged, revealed: [...revealed], first, attempts, updated: new Date().toISOString() };
    if (storeWrite(quizKey(chapterId), value)) report.added += added;
    else report.notSaved += added + (added ? 0 : 1);
  }
  if (file.exam !== undefined) report.exam = mergeExam(file.exam, model.get("exam_bank"), report);
  if (file.version >= 2 && file.saved && typeof file.saved === "object" && !Array.isArray(file.saved)) {
    for (const [key, value] of Object.entries(file.saved)) mergeItem(key, value, report);
  }
  return report;
}

// The final assessment: the attempt in progress here stays (or the file's, if there is none
// here); finished attempts of both are kept (history), and the higher best pass.
function mergeExam(exam, bank, report) {
  if (!examIsValid(exam)) { report.ignored += 1; return "ignored"; }
  const clean = { seed: exam.seed, answers: knownAnswers(exam.answers, bank, report), finished: exam.finished === true };
  if (typeof exam.score === "number") clean.score = exam.score;
  if (exam.passed === true) clean.passed = true;
  if (exam.best) clean.best = { score: exam.best.score, date: exam.best.date };
  const incoming = (exam.history || []).map(({ seed, raw, max, score, passed, finished }) => ({ seed, raw, max, score, passed, finished }));
  clean.updated = typeof exam.updated === "string" ? exam.updated.slice(0, 40) : new Date().toISOString();
  const here = readExam().value;
  const blank = !here || (!Object.keys(here.answers).length && !here.finished && !here.best && !(here.history || []).length);
  const base = blank ? clean : Object.assign({}, here);
  const mine = (here && here.history) || [];
  const key = (a) => JSON.stringify([a.seed, a.raw, a.max, a.finished]);
  const known = new Set(mine.map(key));
  const added = incoming.filter((a) => !known.has(key(a)));
  const history = [...mine, ...added].sort((a, b) => Date.parse(a.finished) - Date.parse(b.finished)).slice(-EXAM_HISTORY_MAX);
  if (history.length) base.history = history;
  const bests = [here && here.best, clean.best].filter(Boolean);
  if (bests.length) base.best = bests.reduce((a, b) => (b.score > a.score ? b : a));
  report.examAttempts = added.length;
  const changed = blank || added.length || (here.best !== base.best);
  if (changed && !storeWrite("exam", base)) { report.notSaved += 1; return "not saved"; }
  if (blank) return "restored";
  const { updated: a, history: h1, best: b1, ...current } = here;
  const { updated: b, history: h2, best: b2, ...theirs } = clean;
  return JSON.stringify(current) === JSON.stringify(theirs) ? "same" : "kept";
}

function mergeItem(key, value, report) {
  const text = JSON.stringify(value);
  if (!SAVED_ITEM_NAME.test(key) || OWN_SECTIONS.test(key) || text === undefined || text.length > MAX_SAVED_ITEM_CHARS) {
    report.ignored += 1;
    return;
  }
  let here = null;
  try { here = window.localStorage.getItem(STORE_PREFIX + key); } catch (e) { /* no storage: reported below */ }
  if (here === text) return;
  // Two items are no learner's work, so they are no conflict: "visited" (where to continue: the
  // later visit wins) and "seed" (the option order: the file's wins, so that a learner who moves
  // browsers keeps seeing the options in the order they answered them).
  if (here !== null && key === "visited") {
    try { if (Date.parse(JSON.parse(here).at) >= Date.parse(value.at)) return; } catch (e) { /* unreadable here: replace */ }
  } else if (here !== null && key !== "seed") {
    report.itemsKept += 1;
    return;
  }
  if (storeWrite(key, value)) report.items += 1;
  else report.notSaved += 1;
}

function importMessage(name, r) {
  const parts = [`${r.added} answer${r.added === 1 ? "" : "s"} added`, `${r.same} already here`];
  if (r.conflicts) parts.push(`${r.conflicts} different from your answers here, which were kept`);
  if (r.exam === "restored") parts.push("your final assessment restored");
  if (r.exam === "kept") parts.push("the final assessment in the file differs from the one here, which was kept");
  if (r.examAttempts && r.exam !== "restored") {
    parts.push(`${r.examAttempts} finished attempt${r.examAttempts === 1 ? "" : "s"} of the final assessment added to your history`);
  }
  if (r.items) parts.push(`${r.items} other saved item${r.items === 1 ? "" : "s"} (activities, the spectrum, notes) restored`);
  if (r.itemsKept) parts.push(`${r.itemsKept} other saved item${r.itemsKept === 1 ? "" : "s"} already here kept as they are`);
  if (r.ignored) parts.push(`${r.ignored} entr${r.ignored === 1 ? "y" : "ies"} not part of this course ignored`);
  let text = `Loaded "${name}": ` + parts.join(", ") + ".";
  if (r.notSaved) {
    text += ` ${r.notSaved} item${r.notSaved === 1 ? " was" : "s were"} NOT saved: this browser refused to store ` +
      "them (its storage for this site is full or switched off). Free some space and load the file again.";
  }
  return text;
}

// --- Page ----------------------------------------------------------------------------------

// The last page visited, as _assets/visited.js records it: a path from the site's root. Only
// a plain relative page path is accepted, so a crafted value can never become a link elsewhere.
function lastVisit() {
  const root = document.documentElement.dataset.content_root;
  const saved = storeRead("visited", (v) => v && typeof v.page === "string" && typeof v.title === "string");
  const v = saved.value;
  if (root === undefined || !v || !/^[a-z0-9][a-z0-9_\/-]*\.html(#[a-z0-9_-]*)?$/i.test(v.page) || v.page.includes("..")) return null;
  return { href: root + v.page, title: v.title.slice(0, 200) };
}

function renderOverview(model, course) {
  const chapters = model.get("chapters");
  const links = model.get("links");
  const exam = readExam().value;
  const pass = examPass(exam);
  let examText, examLink = null;
  if (pass) {
    examText = `passed with ${percent(pass.score)}` + (pass.date ? ` on ${longDate(pass.date)}. ` : ". ");
    examLink = h("a", { href: links.certificate }, "Your certificate of completion");
  } else if (exam && exam.finished) {
    examText = `not passed yet: ${percent(exam.score || 0)} in your last attempt (pass mark ${percent(model.get("pass_mark"))}). `;
    examLink = h("a", { href: links.exam }, "Try a new attempt");
  } else if (exam && Object.keys(exam.answers).length) {
    examText = `in progress, ${Object.keys(exam.answers).length} questions answered. `;
    examLink = h("a", { href: links.exam }, "Continue the final assessment");
  } else {
    examText = "not started. ";
    examLink = h("a", { href: links.exam }, "Take the final assessment");
  }
  const visit = lastVisit();
  const share = course.questions ? course.correct / course.questions : 0;
  return h("section", { class: "po-card po-overview", id: domId("progress", "overview"), "aria-label": "Overview" },
    h("p", { class: "po-card-title" }, "Overview"),
    h("p", { class: "po-big" }, h("strong", {}, percent(share)), ` of the course's quiz questions answered correctly ` +
      `(${course.correct} of ${course.questions}).`),
    h("progress", { max: course.questions || 1, value: course.correct, "aria-label": "Quiz questions answered correctly" }),
    h("ul", { class: "po-overview-list" },
      h("li", {}, h("strong", {}, "Chapters done: "), `${course.done} of ${chapters.length} (every quiz question answered).`),
      h("li", {}, h("strong", {}, "Final assessment: "), examText, examLink)),
    visit ? h("p", { class: "po-continue" }, "Continue where you left off: ", h("a", { href: visit.href }, visit.title))
      : h("p", { class: "po-continue" }, "Start with ", h("a", { href: chapters[0].url }, `${chapters[0].number}. ${chapters[0].title}`), "."));
}

function renderChapter({ ch, s }) {
  const secure = s.objectives.filter((o) => o.secure).length;
  return h("details", { class: "po-chapter", id: domId("progress", ch.id) },
    h("summary", {},
      h("span", { class: "po-chapter-title" }, `${ch.number}. ${ch.title}`), " ",
      h("span", { class: "po-chapter-score" },
        (s.answered ? `${s.correct} of ${s.questions} correct` : "not started") +
        (s.answered && s.answered < s.questions ? ` (${s.answered} answered)` : "") +
        ` · ${secure} of ${s.objectives.length} objectives secure`)),
    h("ul", { class: "po-objectives" }, s.objectives.map((o) => h("li", { class: "po-obj-" + o.state.replace(" ", "-") },
      h("strong", {}, o.state === "secure" ? "Secure: " : o.state === "in progress" ? "In progress: " : "Not started: "),
      h("a", { href: `${ch.url}#${o.id}` }, o.text)))),
    h("p", {}, h("a", { href: ch.url }, `Open chapter ${ch.number}`)));
}

function renderProgress(model, root) {
  const chapters = model.get("chapters");
  const notices = h("div", { class: "po-notices" });
  const overview = h("div", {});
  const list = h("div", { class: "po-chapters", id: domId("progress", "table") });
  const status = h("p", { class: "po-summary", role: "status", "aria-live": "polite", id: domId("progress", "status") });

  // Export
  const nameId = domId("progress", "name");
  const nameInput = h("input", { type: "text", id: nameId, class: "po-text", autocomplete: "off", maxlength: 80 });
  const exportButton = h("button", { type: "button", class: "po-button", id: domId("progress", "export"), onclick: exportResults },
    "Download my results (JSON)");
  // Import
  const fileId = domId("progress", "file");
  const fileInput = h("input", { type: "file", id: fileId, accept: "application/json,.json", class: "po-file" });
  fileInput.addEventListener("change", () => fileInput.files[0] && importResults(fileInput.files[0]));
  // Reset, with confirmation
  const resetButton = h("button", { type: "button", class: "po-button po-secondary", id: domId("progress", "reset"),
    onclick: () => { confirmBox.hidden = false; confirmYes.focus(); } }, "Reset all my progress…");
  const confirmYes = h("button", { type: "button", class: "po-button", id: domId("progress", "reset-confirm"), onclick: resetAll },
    "Yes, delete my saved answers");
  const confirmNo = h("button", { type: "button", class: "po-button po-secondary", id: domId("progress", "reset-cancel"),
    onclick: () => { confirmBox.hidden = true; resetButton.focus(); status.textContent = "Reset cancelled; nothing was deleted."; } },
    "Cancel");
  const confirmBox = h("div", { class: "po-confirm", hidden: true, role: "group", "aria-label": "Confirm reset" },
    h("p", {}, "This deletes every quiz answer, activity decision, note and assessment result saved in this browser. " +
      "Download your results first if you may want them back."), confirmYes, confirmNo);

  root.append(notices, overview,
    h("p", { class: "po-card-title po-chapters-title" }, "Chapter by chapter (open a chapter to see its learning objectives)"),
    list,
    h("section", { class: "po-card", "aria-label": "Save or move your results" },
      h("p", { class: "po-card-title" }, "Save or move your results"),
      h("p", {}, "Your answers are stored only in this browser. Download them to keep a copy, to hand them to a teacher, " +
        "or to continue in another browser."),
      h("div", { class: "po-field" }, h("label", { for: nameId }, "Name or pseudonym to put in the file (optional)"), nameInput),
      exportButton,
      h("div", { class: "po-field" }, h("label", { for: fileId }, "Load a results file (what you already have here is kept)"), fileInput),
      resetButton, confirmBox),
    status);

  function draw() {
    notices.replaceChildren();
    const course = courseStatus(chapters);
    for (const r of course.rows) if (r.problem) notices.append(notice(`Chapter ${r.ch.number}: ${r.problem}`));
    const exam = readExam();
    if (exam.problem) notices.append(notice(`Final assessment: ${exam.problem}`));
    overview.replaceChildren(renderOverview(model, course));
    list.replaceChildren(...course.rows.map(renderChapter));
    model.set("summary", course.rows.map(({ s }) => ({ chapter: s.chapter, answered: s.answered, correct: s.correct,
      questions: s.questions, secure: s.objectives.filter((o) => o.secure).map((o) => o.id) })));
    syncToKernel(model);
  }

  function exportResults() {
    const quizzes = {};
    for (const ch of chapters) {
      const saved = readQuiz(ch.id).value;
      if (saved) quizzes[ch.id] = saved;
    }
    const name = nameInput.value.trim().slice(0, 80);
    const file = { format: EXPORT_FORMAT, version: EXPORT_VERSION, exported: new Date().toISOString(), learner: name || null, quizzes };
    const exam = readExam().value;
    if (exam) file.exam = exam;
    file.saved = {};
    let keys = [];
    try { keys = Object.keys(window.localStorage); } catch (e) { /* no storage: nothing saved */ }
    for (const key of keys.filter((k) => k.startsWith(STORE_PREFIX)).sort()) {
      const item = key.slice(STORE_PREFIX.length);
      if (!SAVED_ITEM_NAME.test(item) || OWN_SECTIONS.test(item)) continue;
      try { file.saved[item] = JSON.parse(window.localStorage.getItem(key)); } catch (e) { /* unreadable: its widget sets it aside */ }
    }
    const blob = new Blob([JSON.stringify(file, null, 2)], { type: "application/json" });
    const link = h("a", { href: URL.createObjectURL(blob), download: "peaceops-results.json" });
    document.body.append(link);
    link.click();
    link.remove();
    const n = Object.values(quizzes).reduce((sum, q) => sum + Object.keys(q.answers).length, 0);
    const items = Object.keys(file.saved).length;
    status.textContent = `Downloaded peaceops-results.json with ${n} quiz answers` + (exam ? ", your final assessment" : "") +
      `, ${items} other saved item${items === 1 ? "" : "s"}` + (name ? `, under the name "${name}".` : ", with no name.");
  }

  function importResults(file) {
    const done = (text) => { status.textContent = text; fileInput.value = ""; };
    if (file.size > MAX_IMPORT_BYTES) {
      done(`"${file.name}" is ${(file.size / 1048576).toFixed(1)} MB; a results file from this course is far smaller, ` +
        `so files over ${MAX_IMPORT_BYTES / 1048576} MB are not read. Nothing was changed. Choose the file you downloaded from this page.`);
      return;
    }
    const reader = new FileReader();
    reader.onload = () => {
      let data;
      try { data = JSON.parse(reader.result); } catch (e) {
        done(`"${file.name}" could not be read: it is not valid JSON. Nothing was changed.`);
        return;
      }
      const problem = checkResultsFile(data);
      if (problem) { done(`"${file.name}": ${problem} Nothing was changed.`); return; }
      const report = mergeResults(data, model);
      draw();
      done(importMessage(file.name, report));
    };
    reader.onerror = () => done(`"${file.name}" could not be read. Nothing was changed.`);
    reader.readAsText(file);
  }

  function resetAll() {
    let removed = 0;
    try {
      for (const key of Object.keys(window.localStorage)) {
        if (key.startsWith(STORE_PREFIX)) { window.localStorage.removeItem(key); removed += 1; }
      }
    } catch (e) { /* storage not available: nothing was saved */ }
    confirmBox.hidden = true;
    draw();
    status.textContent = `All progress deleted (${removed} saved item${removed === 1 ? "" : "s"}).`;
    resetButton.focus();
  }

  draw();
}

// --- Certificate ---------------------------------------------------------------------------

// The certificate is drawn twice: in the page, and as a sheet appended to <body> that is the only
// thing printed (widgets.css), so the page prints as one A4 or Letter page whatever the theme does.
function renderCertificate(model, root) {
  const links = model.get("links");
  const exam = readExam().value;
  const pass = examPass(exam);
  if (!pass) {
    root.append(h("section", { class: "po-card", id: domId("certificate", "locked") },
      h("p", { class: "po-card-title" }, "Not available yet"),
      h("p", {}, `Your certificate appears here when you pass the final assessment (pass mark ${percent(model.get("pass_mark"))}) ` +
        "in this browser. " + (exam && exam.finished ? `Your last attempt scored ${percent(exam.score || 0)}. ` : "")),
      h("p", {}, h("a", { href: links.exam }, "Go to the final assessment"))));
    return;
  }
  const course = courseStatus(model.get("chapters"));
  const nameId = domId("certificate", "name");
  const nameInput = h("input", { type: "text", id: nameId, class: "po-text", autocomplete: "name", maxlength: 80 });
  const sheet = h("div", { class: "po-certificate-sheet", id: domId("certificate", "sheet") });
  const printSheet = h("div", { class: "po-widget po-cert-print" });

  function drawSheet() {
    const name = nameInput.value.trim();
    sheet.replaceChildren(
      h("p", { class: "po-cert-kicker" }, "Certificate of completion · self-issued"),
      h("p", {}, "This records that"),
      h("p", { class: "po-cert-name" }, name || "(type your name or pseudonym above)"),
      h("p", {}, "completed the self-paced online course"),
      h("p", { class: "po-cert-course" }, model.get("course")),
      h("p", {}, `and passed its final assessment with a score of ${percent(pass.score)}` +
        (pass.date ? ` on ${longDate(pass.date)}` : "") + `, having completed the quizzes of ${course.done} of ` +
        `${course.rows.length} chapters.`),
      h("p", { class: "po-cert-disclaimer" }, "Self-issued: this certificate was produced in the learner's own web browser " +
        "from results saved there. It is not verified by, and carries no endorsement from, any institution or organisation."));
    printSheet.replaceChildren(sheet.cloneNode(true));
    printSheet.firstChild.removeAttribute("id");
  }
  nameInput.addEventListener("input", drawSheet);
  drawSheet();
  root.append(
    h("div", { class: "po-field" }, h("label", { for: nameId }, "Your name or pseudonym, as it should appear (not saved anywhere)"), nameInput),
    sheet,
    h("div", { class: "po-footer" },
      h("button", { type: "button", class: "po-button", id: domId("certificate", "print"), onclick: () => window.print() },
        "Print or save as PDF")));
  document.querySelectorAll(".po-cert-print").forEach((old) => old.remove());
  document.body.append(printSheet);
}

function render({ model, el }) {
  const certificate = model.get("view") === "certificate";
  const root = h("div", { class: "po-widget " + (certificate ? "po-certificate" : "po-progress"),
    id: domId(certificate ? "certificate" : "progress") });
  if (certificate) renderCertificate(model, root); else renderProgress(model, root);
  el.append(root);
}

export default { render };
