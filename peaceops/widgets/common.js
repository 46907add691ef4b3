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
  try {
    window.localStorage.setItem(STORE_PREFIX + key + ".unreadable", raw);
    window.localStorage.removeItem(STORE_PREFIX + key);
  } catch (e) { /* storage refused: nothing more we can do */ }
  return {
    value: null,
    problem: "Your saved work for this exercise could not be read, so it starts afresh. " +
      "The unreadable copy was kept in this browser under \"" + STORE_PREFIX + key + ".unreadable\".",
  };
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

function storeRemove(key) {
  try { window.localStorage.removeItem(STORE_PREFIX + key); } catch (e) { /* nothing saved */ }
}

// Send changed traits to the kernel when there is one. The static book has no kernel
// (the widget manager then has no comm channel and throws); the page works the same.
function syncToKernel(model) {
  try { model.save_changes(); } catch (e) { /* static page: no kernel to tell */ }
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
// under the first free "<key>.unreadable", "<key>.2.unreadable", ...: a second set-aside never
// overwrites the first, and progress export leaves "*.unreadable" keys out. Returns the key used.
function storeSetAside(key, value) {
  for (let n = 1; n <= 20; n++) {
    const aside = key + (n === 1 ? "" : "." + n) + ".unreadable";
    try {
      if (window.localStorage.getItem(STORE_PREFIX + aside) !== null) continue;
    } catch (e) {
      return null;
    }
    return storeWrite(aside, value) ? aside : null;
  }
  return null;
}
