// "My progress": reads what the course widgets saved in this browser and shows, per chapter,
// the quiz score and which learning objectives are secure; exports the learner's results as a
// JSON file, imports such a file (merging, never silently overwriting) and resets everything.
//
// Model traits: chapters (list: id, number, title, url, objectives, questions [{id, objective,
// correct}]), summary (list, one row per chapter, sent back to the kernel).
// An objective is secure when every quiz question that tests it has been answered correctly.

const EXPORT_FORMAT = "peaceops-results";

function quizKey(chapterId) { return "quiz/" + chapterId; }

function readQuiz(chapterId) {
  return storeRead(quizKey(chapterId), (v) => v && answersAreValid(v.answers));
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
  return {
    chapter: ch.id, answered: ch.questions.filter((q) => answers[q.id]).length,
    correct: ch.questions.filter(right).length, questions: ch.questions.length, objectives,
  };
}

// Merge a results file into this browser. Answers the browser lacks are added; answers that
// differ are kept as they are here and counted, so nothing is overwritten without saying so.
function mergeResults(file, chapters) {
  const report = { added: 0, same: 0, conflicts: 0, ignored: 0 };
  for (const [chapterId, quiz] of Object.entries(file.quizzes)) {
    const ch = chapters.find((c) => c.id === chapterId);
    if (!ch || !quiz || !answersAreValid(quiz.answers)) { report.ignored += 1; continue; }
    const here = readQuiz(chapterId).value || { answers: {} };
    const merged = Object.assign({}, here.answers);
    for (const [qid, chosen] of Object.entries(quiz.answers)) {
      if (!ch.questions.some((q) => q.id === qid)) { report.ignored += 1; continue; }
      if (!(qid in merged)) { merged[qid] = chosen; report.added += 1; }
      else if (sameSet(merged[qid], chosen)) report.same += 1;
      else report.conflicts += 1;
    }
    storeWrite(quizKey(chapterId), { answers: merged, updated: new Date().toISOString() });
  }
  return report;
}

function checkResultsFile(data) {
  if (!data || typeof data !== "object" || data.format !== EXPORT_FORMAT) {
    return "This is not a results file exported from this course (its \"format\" is not \"" + EXPORT_FORMAT + "\").";
  }
  if (data.version !== 1) return `This results file has version ${data.version}; this course reads version 1.`;
  if (!data.quizzes || typeof data.quizzes !== "object") return "This results file has no \"quizzes\" section.";
  return null;
}

function render({ model, el }) {
  const chapters = model.get("chapters");
  const root = h("div", { class: "po-widget po-progress", id: domId("progress") });
  const notices = h("div", { class: "po-notices" });
  const table = h("table", { class: "po-table", id: domId("progress", "table") });
  const status = h("p", { class: "po-summary", role: "status", "aria-live": "polite", id: domId("progress", "status") });
  root.append(notices, table);

  // Export
  const nameId = domId("progress", "name");
  const nameInput = h("input", { type: "text", id: nameId, class: "po-text", autocomplete: "off" });
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
    h("p", {}, "This deletes every quiz answer, activity decision and assessment result saved in this browser. " +
      "Download your results first if you may want them back."), confirmYes, confirmNo);

  root.append(
    h("section", { class: "po-card", "aria-label": "Save or move your results" },
      h("p", { class: "po-card-title" }, "Save or move your results"),
      h("p", {}, "Your answers are stored only in this browser. Download them to keep a copy, to hand them to a teacher, " +
        "or to continue in another browser."),
      h("div", { class: "po-field" }, h("label", { for: nameId }, "Name or pseudonym to put in the file (optional)"), nameInput),
      exportButton,
      h("div", { class: "po-field" }, h("label", { for: fileId }, "Load a results file (answers you already have here are kept)"), fileInput),
      resetButton, confirmBox),
    status);

  function draw() {
    notices.replaceChildren();
    const rows = chapters.map((ch) => {
      const saved = readQuiz(ch.id);
      if (saved.problem) notices.append(notice(`Chapter ${ch.number}: ${saved.problem}`));
      return { ch, s: chapterStatus(ch, saved.value ? saved.value.answers : {}) };
    });
    table.replaceChildren(
      h("caption", {}, "Your quiz results and learning objectives, chapter by chapter"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Chapter"), h("th", { scope: "col" }, "Quiz score"),
        h("th", { scope: "col" }, "Learning objectives"))),
      h("tbody", {}, rows.map(({ ch, s }) => h("tr", { id: domId("progress", ch.id) },
        h("th", { scope: "row" }, h("a", { href: ch.url }, `${ch.number}. ${ch.title}`)),
        h("td", {}, s.answered ? `${s.correct} of ${s.questions} correct` : "not started",
          s.answered && s.answered < s.questions ? ` (${s.answered} answered)` : ""),
        h("td", {}, h("ul", { class: "po-objectives" }, s.objectives.map((o) => h("li", { class: "po-obj-" + o.state.replace(" ", "-") },
          h("strong", {}, o.state === "secure" ? "Secure: " : o.state === "in progress" ? "In progress: " : "Not started: "),
          h("a", { href: `${ch.url}#${o.id}` }, o.text)))))))));
    const summary = rows.map(({ s }) => ({ chapter: s.chapter, answered: s.answered, correct: s.correct, questions: s.questions,
      secure: s.objectives.filter((o) => o.secure).map((o) => o.id) }));
    model.set("summary", summary);
    syncToKernel(model);
  }

  function exportResults() {
    const quizzes = {};
    for (const ch of chapters) {
      const saved = readQuiz(ch.id).value;
      if (saved) quizzes[ch.id] = saved;
    }
    const name = nameInput.value.trim();
    const file = { format: EXPORT_FORMAT, version: 1, exported: new Date().toISOString(), learner: name || null, quizzes };
    const exam = storeRead("exam", (v) => v && typeof v === "object").value;
    if (exam) file.exam = exam;
    const blob = new Blob([JSON.stringify(file, null, 2)], { type: "application/json" });
    const link = h("a", { href: URL.createObjectURL(blob), download: "peaceops-results.json" });
    document.body.append(link);
    link.click();
    link.remove();
    const n = Object.values(quizzes).reduce((sum, q) => sum + Object.keys(q.answers).length, 0);
    status.textContent = `Downloaded peaceops-results.json with ${n} answers` + (name ? `, under the name "${name}".` : ", with no name.");
  }

  function importResults(file) {
    const reader = new FileReader();
    reader.onload = () => {
      let data;
      try { data = JSON.parse(reader.result); } catch (e) {
        status.textContent = `"${file.name}" could not be read: it is not valid JSON. Nothing was changed.`;
        return;
      }
      const problem = checkResultsFile(data);
      if (problem) { status.textContent = `"${file.name}": ${problem} Nothing was changed.`; return; }
      const r = mergeResults(data, chapters);
      draw();
      status.textContent = `Loaded "${file.name}": ${r.added} answers added, ${r.same} already here` +
        (r.conflicts ? `, ${r.conflicts} different from your answers here, which were kept` : "") +
        (r.ignored ? `, ${r.ignored} entries not part of this course ignored` : "") + ".";
      fileInput.value = "";
    };
    reader.onerror = () => { status.textContent = `"${file.name}" could not be read. Nothing was changed.`; };
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
  el.append(root);
}

export default { render };
