// Helpers shared by every course widget. peaceops/widgets.py puts this file in front of each
// widget's own module, so each widget's ES module is self-contained: the built book loads it
// from the embedded widget state (a blob: URL), with no kernel and no network.

const STORE_PREFIX = "peaceops/v1/";

// Saved learner data lives in the browser's localStorage under STORE_PREFIX + key.
// A value that cannot be read is set aside (key + ".unreadable"), never silently dropped,
// and the caller is told so it can say so to the learner.
function storeRead(key, isValid) {
  let raw;
  try {
    raw = window.localStorage.getItem(STORE_PREFIX + key);
  } catch (e) {
    return { value: null, problem: "This browser does not allow saving, so answers are kept only until you leave the page." };
  }
  if (raw === null) return { value: null, problem: null };
  try {
    const value = JSON.parse(raw);
    if (isValid(value)) return { value, problem: null };
  } catch (e) { /* fall through: unreadable */ }
  const copy = setAsideKey(key);
  try {
    window.localStorage.setItem(copy, raw);
    window.localStorage.removeItem(STORE_PREFIX + key);
  } catch (e) {
    return { value: null, problem: "Your saved work for this exercise could not be read, and this browser's storage " +
      "is full, so it could not be set aside; it was left as it is and this exercise starts afresh for now." };
  }
  return {
    value: null,
    problem: "Your saved work for this exercise could not be read, so it starts afresh. " +
      "The unreadable copy was kept in this browser under \"" + copy + "\".",
  };
}

// Where to set an unreadable value aside: "<key>.unreadable", then "<key>.unreadable-2", ...
// so that a second corruption never overwrites the first copy.
function setAsideKey(key) {
  const base = STORE_PREFIX + key + ".unreadable";
  let name = base;
  for (let n = 2; window.localStorage.getItem(name) !== null && n < 1000; n++) name = base + "-" + n;
  return name;
}

function storeWrite(key, value) {
  try {
    window.localStorage.setItem(STORE_PREFIX + key, JSON.stringify(value));
    return true;
  } catch (e) {
    return false;
  }
}

// The learner's seed for the order of quiz options: drawn once, saved under "seed" (so it travels
// with an exported results file like every other saved key), so that one learner sees the same
// order on every visit while the order itself tells nothing about the answer.
let learnerSeedInUse = null;
function learnerSeed() {
  if (learnerSeedInUse !== null) return learnerSeedInUse;
  const saved = storeRead("seed", (v) => v && Number.isInteger(v.seed) && v.seed >= 0 && v.seed <= 0xFFFFFFFF);
  learnerSeedInUse = saved.value ? saved.value.seed : Math.floor(Math.random() * 0x100000000);
  if (!saved.value) storeWrite("seed", { seed: learnerSeedInUse });
  return learnerSeedInUse;
}

// Save, and say so near the widget when the browser refuses (storage full or disabled): the
// learner must never believe an answer is kept when it is not. noticeArea is an element that
// holds this widget's notices; the warning disappears again at the next save that works.
function saveOrWarn(key, value, noticeArea) {
  const saved = storeWrite(key, value);
  let warning = noticeArea.querySelector(":scope > .po-save-failed");
  if (saved) {
    if (warning) warning.remove();
    return true;
  }
  if (!warning) {
    warning = notice("");
    warning.classList.add("po-save-failed");
    warning.setAttribute("role", "alert");
    noticeArea.append(warning);
  }
  warning.textContent = "Not saved: this browser refused to store your latest change (its storage for this site " +
    "is full or switched off). It is shown here but will be lost when you leave the page. Free some space " +
    "(for example, download your results from \"My progress\" and delete other sites' data), then try again.";
  return false;
}

function storeRemove(key) {
  try { window.localStorage.removeItem(STORE_PREFIX + key); } catch (e) { /* nothing saved */ }
}

// Send changed traits to the kernel when there is one. The static book has no kernel
// (the widget manager then has no comm channel and throws); the page works the same.
function syncToKernel(model) {
  try { model.save_changes(); } catch (e) { /* static page: no kernel to tell */ }
}

// Each learning event a widget records (a checked quiz answer, an activity decision, a finished
// final assessment) is announced on the window as a "peaceops:record" event. Optional reporters
// (an LMS's SCORM API, a class's learning-record store) listen for it, so no widget needs to
// know about them, and a page without a reporter behaves exactly the same.
//   {kind: "quiz-answer", chapter, question, options, correct, attempt, first}
//   {kind: "activity-decision", activity, scenario, decision, value}
//   {kind: "exam-finished", seed, raw, max, score (0..1), passed, passMark}
//   {kind: "check-finished", check ("check/pre" or "check/post"), form, raw, max, score (0..1)}
// A widget works as soon as its part of the page has arrived, before a reporter's deferred script
// has run: each record is also kept in window.peaceopsRecords, and a reporter starts by reading
// the records made before it listened.
function announce(kind, detail) {
  try {
    const record = Object.assign({ kind, time: new Date().toISOString() }, detail);
    (window.peaceopsRecords = window.peaceopsRecords || []).push(record);
    window.dispatchEvent(new CustomEvent("peaceops:record", { detail: record }));
  } catch (e) { /* a reporter's failure must never break the widget */ }
}

// Build an element: h("p", {class: "x", hidden: true}, "text", child, ...).
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "text") el.textContent = value;
    else if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// Element ids must be stable between builds (tests and links rely on them) and valid.
function domId(...parts) {
  return "po-" + parts.map((p) => String(p).toLowerCase().replace(/[^a-z0-9_-]+/g, "-")).join("-");
}

// A short notice above a widget (unreadable saved data, no storage).
function notice(text) {
  return h("p", { class: "po-notice", role: "note" }, text);
}

// Keep a saved value that no longer fits the widget (the course changed since it was saved)
// under the first free "<key>.unreadable", "<key>.unreadable-2", ... (setAsideKey, as storeRead
// does): a second set-aside never overwrites the first, and progress export leaves such copies
// out. Returns the key used (without the prefix), or null when the browser refused.
function storeSetAside(key, value) {
  try {
    const aside = setAsideKey(key);
    window.localStorage.setItem(aside, JSON.stringify(value));
    return aside.slice(STORE_PREFIX.length);
  } catch (e) {
    return null;
  }
}
