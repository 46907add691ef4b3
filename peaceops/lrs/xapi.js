// The class edition's learning-record reporter (xAPI). Only a book built for a class with a
// learning-record store (LRS) loads it (`make class`, peaceops/sphinx_lrs.py); the default book
// has no copy of it. The build puts common.js in front of this file, inside one function, so
// storeRead/storeWrite/h() are the widgets' own and nothing is added to the page's globals.
//
// It listens to the widgets' "peaceops:record" events (common.js announce()), turns each into
// an xAPI 1.0.3 statement with a random id drawn once, keeps it in a queue in this browser
// (localStorage "peaceops/v1/xapi/queue") and sends it with PUT statements?statementId=<id> to
// the LRS path on the course's own site (data-lrs on this script's tag, e.g. "/xapi/"). The
// course's server (tools/serve.py --lrs-path) passes that path to the LRS and adds the class's
// credentials there, so none appears in the pages. A statement leaves the queue only when the
// LRS has it: 204 (stored, or the same statement was already stored) or 409 (a statement with
// this id is already stored). So nothing is lost while the LRS is down and a statement sent
// twice (two tabs, a reload during a send) is still stored once.
// What leaves the browser: the name the learner types (a pseudonym is fine), a random id for
// this browser, and for each event what the statement below holds. Nothing else.

const XAPI_LEARNER = "xapi/learner";   // {id: random uuid of this browser, name: typed by the learner}
const XAPI_QUEUE = "xapi/queue";       // statements waiting to be sent, oldest first
const XAPI_REFUSED = "xapi/refused";   // statements the LRS refused as malformed (kept for the teacher)
const XAPI_SENDER = "xapi/sender";     // {tab, until}: the one tab sending now (see takeTurn)
const MAX_QUEUE = 500;                 // about 1 kB each: well inside a browser's 5 MB for the site
const MAX_REFUSED = 50;
const MAX_NAME = 100;                  // as peaceops/results.py MAX_LEARNER_CHARS
const SEND_TIMEOUT_MS = 10000;
const RETRY_FIRST_MS = 2000;
const RETRY_MAX_MS = 60000;
const TURN_MS = 20000;

const reporterScript = document.currentScript;
const lrsPath = new URL(reporterScript.dataset.lrs.replace(/\/?$/, "/"), window.location.href);
const courseRoot = new URL(document.documentElement.dataset.content_root || "./", window.location.href).href;
const tabId = uuid();
let retryDelay = 0;
let retryTimer = null;
let sending = false;
let lastProblem = "";
let queueFullNotice = false;

// A version 4 UUID. crypto.getRandomValues works on a plain-http classroom address, where
// crypto.randomUUID (secure contexts only) does not.
function uuid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = Array.from(b, (n) => n.toString(16).padStart(2, "0")).join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

const isUuid = (v) => typeof v === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(v);
const isLearner = (v) => v && isUuid(v.id) && typeof v.name === "string" && v.name.trim() !== "" && v.name.length <= MAX_NAME;
const isStatementList = (v) => Array.isArray(v) && v.every((s) => s && typeof s === "object" && isUuid(s.id) && s.verb && s.object);

const problems = [];  // notices about unreadable saved values, shown in the panel
function read(key, isValid) {
  const saved = storeRead(key, isValid);
  if (saved.problem && !problems.includes(saved.problem)) problems.push(saved.problem);
  return saved.value;
}
const learner = () => read(XAPI_LEARNER, isLearner);
const queue = () => read(XAPI_QUEUE, isStatementList) || [];

// --- Statements -------------------------------------------------------------------------------
// Activity ids are IRIs under the course's address; the teacher's loader
// (peaceops/results.py load_lrs) reads the chapter and question back from their last parts.
const ADL = "http://adlnet.gov/expapi/";
const verb = (name) => ({ id: ADL + "verbs/" + name, display: { "en-US": name } });
const ext = (name) => courseRoot + "xapi/" + name;
const part = (v) => encodeURIComponent(String(v));

function activity(path, type, name, more) {
  return { objectType: "Activity", id: courseRoot + path,
    definition: Object.assign({ type: ADL + "activities/" + type, name: { "en-US": name } }, more || {}) };
}

function context(parentPath, parentName) {
  return { contextActivities: {
    parent: [activity(parentPath, "assessment", parentName)],
    grouping: [activity("", "course", reporterScript.dataset.course || "The course")] } };
}

function statementFor(d) {
  const base = { id: uuid(), timestamp: d.time || new Date().toISOString() };
  if (d.kind === "quiz-answer") {
    const ids = Array.isArray(d.options) ? d.options.map(String) : [];
    const extensions = {};
    if (Number.isInteger(d.attempt)) extensions[ext("attempt")] = d.attempt;
    if (typeof d.first === "boolean") extensions[ext("first-answer")] = d.first;
    return Object.assign(base, {
      verb: verb("answered"),
      object: activity(`quiz/${part(d.chapter)}/${part(d.question)}`, "cmi.interaction",
        `Quiz ${d.chapter}, question ${d.question}`, { interactionType: "choice" }),
      result: { success: d.correct === true, response: ids.join("[,]"), extensions },
      context: context(`quiz/${part(d.chapter)}`, `Quiz ${d.chapter}`),
    });
  }
  if (d.kind === "activity-decision") {
    return Object.assign(base, {
      verb: verb("responded"),
      object: activity(`activity/${part(d.activity)}/${part(d.scenario)}`, "cmi.interaction",
        `Activity ${d.activity}, scenario ${d.scenario}`, { interactionType: "choice" }),
      result: { response: String(d.decision), extensions: { [ext("value")]: d.value } },
      context: context(`activity/${part(d.activity)}`, `Activity ${d.activity}`),
    });
  }
  if (d.kind === "exam-finished") {
    const scaled = Math.min(1, Math.max(0, Number(d.score) || 0));
    return Object.assign(base, {
      verb: verb(d.passed ? "passed" : "failed"),
      object: activity("exam", "assessment", "Final assessment"),
      result: { success: d.passed === true, completion: true,
        score: { scaled, raw: d.raw, min: 0, max: d.max },
        extensions: { [ext("pass-mark")]: d.passMark, [ext("seed")]: d.seed } },
      context: context("exam", "Final assessment"),
    });
  }
  return null;  // a kind this reporter does not know: nothing to send
}

function actor(who) {
  return { objectType: "Agent", name: who.name, account: { homePage: courseRoot, name: who.id } };
}

// --- Queue ------------------------------------------------------------------------------------
function record(event) {
  const statement = statementFor(event.detail || {});
  if (!statement) return;
  const who = learner();
  if (who) statement.actor = actor(who);  // otherwise added once the learner gives a name
  const waiting = queue();
  if (waiting.length >= MAX_QUEUE) {
    queueFullNotice = true;
    render();
    return;
  }
  waiting.push(statement);
  if (!storeWrite(XAPI_QUEUE, waiting)) lastProblem = "This browser refused to keep a record for your class (its storage is full or off); your answers are still saved as usual.";
  render();
  sendSoon(0);
}

function removeFromQueue(id) {
  storeWrite(XAPI_QUEUE, queue().filter((s) => s.id !== id));
}

function setAsideRefused(statement) {
  const refused = read(XAPI_REFUSED, isStatementList) || [];
  storeWrite(XAPI_REFUSED, refused.concat([statement]).slice(-MAX_REFUSED));
  removeFromQueue(statement.id);
}

// One tab sends at a time: a tab takes its turn for TURN_MS, so two open chapters do not send
// the same statement at the same moment (the LRS would still store it once: this saves requests).
function takeTurn() {
  const now = Date.now();
  const turn = read(XAPI_SENDER, (v) => v && typeof v.tab === "string" && Number.isFinite(v.until));
  if (turn && turn.tab !== tabId && turn.until > now) return false;
  storeWrite(XAPI_SENDER, { tab: tabId, until: now + TURN_MS });
  const mine = read(XAPI_SENDER, (v) => v && typeof v.tab === "string");
  return !mine || mine.tab === tabId;
}

function endTurn() {
  const turn = read(XAPI_SENDER, (v) => v && typeof v.tab === "string");
  if (turn && turn.tab === tabId) storeRemove(XAPI_SENDER);
}

async function put(statement) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), SEND_TIMEOUT_MS);
  try {
    const response = await fetch(new URL("statements?statementId=" + statement.id, lrsPath), {
      method: "PUT", body: JSON.stringify(statement), signal: controller.signal,
      credentials: "omit", cache: "no-store", redirect: "error",
      headers: { "Content-Type": "application/json", "X-Experience-API-Version": "1.0.3" },
    });
    return response.status;
  } catch (e) {
    return 0;  // no answer: offline, the server stopped, or the timeout
  } finally {
    clearTimeout(timer);
  }
}

function sendSoon(delay) {
  if (retryTimer !== null) {
    if (delay > 0) return;  // a retry is already planned
    clearTimeout(retryTimer);
  }
  retryTimer = setTimeout(() => { retryTimer = null; send(); }, delay);
}

function retryLater(problem) {
  lastProblem = problem;
  retryDelay = retryDelay ? Math.min(RETRY_MAX_MS, retryDelay * 2) : RETRY_FIRST_MS;
  sendSoon(retryDelay);
}

async function send() {
  if (sending) return;
  const who = learner();
  if (!who || !queue().length) { render(); return; }
  if (!takeTurn()) { sendSoon(TURN_MS); render(); return; }
  sending = true;
  try {
    for (let n = 0; n < MAX_QUEUE; n++) {
      const next = queue()[0];
      if (!next) { retryDelay = 0; lastProblem = ""; break; }
      if (!next.actor) {  // recorded before the learner gave a name: the statement is completed once, here
        next.actor = actor(who);
        storeWrite(XAPI_QUEUE, [next, ...queue().slice(1)]);
      }
      const status = await put(next);
      if (status === 200 || status === 204 || status === 409) {
        removeFromQueue(next.id);  // the LRS has it (409: a statement with this id is already stored)
        render();
      } else if (status === 400 || status === 413 || status === 422) {
        setAsideRefused(next);  // said in the panel for as long as it is kept (render)
      } else {
        // 0: no answer at all; 502-504: the course server cannot reach the LRS (tools/serve.py)
        retryLater(status === 0 || (status >= 502 && status <= 504) ? "The class record store cannot be reached just now."
          : `The class record store answered with an error (${status}).`);
        break;
      }
      storeWrite(XAPI_SENDER, { tab: tabId, until: Date.now() + TURN_MS });
    }
  } finally {
    sending = false;
    endTurn();
    render();
  }
}

// --- The panel: who is recorded, what waits, and the choice of name ---------------------------
const panel = h("section", { class: "po-lrs", "aria-label": "Records for your class" });
const statusLine = h("p", { class: "po-lrs-status", role: "status", "aria-live": "polite" });
const fullNotice = h("p", { class: "po-lrs-full", role: "alert", hidden: true },
  `The list of records waiting to be sent is full (${MAX_QUEUE}). New answers are still saved in this browser, ` +
  "but they are not recorded for your class until the waiting ones are sent. Tell your teacher.");
const nameInput = h("input", { type: "text", id: "po-lrs-name", maxlength: MAX_NAME, autocomplete: "nickname",
  class: "po-lrs-input", "aria-describedby": "po-lrs-what" });
const what = h("p", { id: "po-lrs-what", class: "po-lrs-what" },
  "This edition of the course sends your class's record store, on this same site, the name you give here " +
  "(a pseudonym is fine), a random number identifying this browser, and for each quiz answer you check, " +
  "each activity decision and your final assessment: what you chose, whether it was right, the score and the time. " +
  "Nothing else leaves this browser.");
const form = h("form", { class: "po-lrs-form" },
  h("label", { for: "po-lrs-name" }, "Your name for the class records"), " ", nameInput, " ",
  h("button", { type: "submit", class: "po-lrs-button" }, "Save name"));
const change = h("button", { type: "button", class: "po-lrs-button po-lrs-change" }, "Change name");
const noticeArea = h("div", { class: "po-lrs-notices" });
// Before the learner gives a name, what is sent is shown in full; afterwards, one click away.
const whatFolded = h("details", { class: "po-lrs-details" }, h("summary", {}, "What is sent to your class"));
panel.append(statusLine, fullNotice, form, change, what, whatFolded, noticeArea);

form.addEventListener("submit", (e) => {
  e.preventDefault();
  const name = nameInput.value.trim().slice(0, MAX_NAME);
  if (!name) { nameInput.focus(); return; }
  const previous = learner();
  saveOrWarn(XAPI_LEARNER, { id: previous ? previous.id : uuid(), name }, noticeArea);
  form.hidden = true;
  render();
  change.focus();
  sendSoon(0);
});
change.addEventListener("click", () => {
  const who = learner();
  nameInput.value = who ? who.name : "";
  form.hidden = false;
  nameInput.focus();
});

function render() {
  const who = learner();
  const waiting = queue().length;
  if (!who) form.hidden = false;
  change.hidden = !who || !form.hidden;
  whatFolded.hidden = !who;
  if (who && what.parentNode !== whatFolded) whatFolded.append(what);
  if (!who && what.parentNode !== panel) whatFolded.before(what);
  panel.dataset.waiting = String(waiting);
  let text = who ? `Recording for your class as “${who.name}”. ` : "Give a name to record your work for your class. ";
  if (waiting) {
    text += `${waiting} ${waiting === 1 ? "record is" : "records are"} waiting in this browser` +
      (who ? (lastProblem ? `. ${lastProblem} ${waiting === 1 ? "It is" : "They are"} sent when it answers.` : ", being sent.")
        : " and will be sent once you give a name.");
  } else if (who) {
    text += "Every record has been sent.";
  }
  statusLine.textContent = text;
  fullNotice.hidden = !queueFullNotice;
  const refused = (read(XAPI_REFUSED, isStatementList) || []).length;
  noticeArea.replaceChildren(...problems.map((p) => notice(p)), refused ? notice(
    `The class record store refused ${refused === 1 ? "a record" : refused + " records"} as malformed; ` +
    `${refused === 1 ? "it is" : "they are"} kept aside in this browser and not sent again. Tell your teacher.`) : null);
}

function start() {
  const home = document.querySelector("main .bd-article") || document.querySelector("main") || document.body;
  home.prepend(panel);
  form.hidden = Boolean(learner());
  render();
  send();
}

// Records made before this script ran (an answer checked while the page was still arriving)
// first, then every new one as it is made.
(window.peaceopsRecords || []).forEach((detail) => record({ detail }));
window.addEventListener("peaceops:record", record);
window.addEventListener("online", () => { retryDelay = 0; sendSoon(0); });
document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") sendSoon(0); });
window.addEventListener("storage", (e) => { if (e.key && e.key.startsWith(STORE_PREFIX + "xapi/")) render(); });
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
