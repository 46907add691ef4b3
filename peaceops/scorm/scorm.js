// The course inside an LMS (SCORM 1.2 or 2004): this script runs in scorm.html, the page the
// LMS launches (`make scorm` writes it; the default book never loads this file). scorm.html shows
// the unchanged book in a frame and is the one SCO of the package, so the LMS session opens once
// per launch however many pages the learner reads (an LMS refuses a second Initialize).
//
// What it does, in order:
// 1. finds the LMS's API (API_1484_11 for 2004, else API for 1.2) in the parent frames and the
//    opener's, a bounded walk; none found: it opens the normal book (index.html) and does nothing;
// 2. Initialize, then restores the learner's saved work from suspend_data into this browser's
//    localStorage ("peaceops/v1/" keys, the widgets' own), merging: what this browser lacks is
//    added, what both have is kept as this browser has it (quiz answers are merged question by
//    question), so nothing stored here is lost; only then is the book loaded into the frame;
// 3. listens to the widgets' "peaceops:record" events and to every saved change, and reports:
//    - completion: "completed" once every question of every chapter quiz has an answer, or the
//      final assessment has been passed; "incomplete" before;
//    - the final assessment: score as a percentage (raw 0..100, min 0, max 100; 2004 also
//      scaled 0..1) and passed/failed against the course's pass mark. A pass is never taken
//      back: after a passing attempt the LMS keeps the best passing score, as the certificate does;
//    - suspend_data: every "peaceops/v1/" key (set-aside ".unreadable" copies excepted), deflated
//      and base64-encoded when the browser can (else plain JSON), within the standard's limit
//      (1.2: 4096 characters, 2004: 64000); when it does not fit, the least needed keys (notes,
//      then activities, ...) are left out and the learner is told which stay in this browser only;
//    - location: the page being read, so the LMS relaunches the learner there;
// 4. commits after each recorded learning event, on each page change in the frame, and when the
//    LMS closes the page (exit "suspend", then Finish/Terminate).
(function () {
  "use strict";
  var PREFIX = "peaceops/v1/";
  var plan = JSON.parse(document.getElementById("course-plan").textContent);
  var frame = document.getElementById("course");
  var noticeBox = document.getElementById("scorm-notice");
  var MAX_FRAMES = 10;          // how far up the frames the API is looked for (LMSs nest a few)

  function apiIn(win) {
    for (var depth = 0; win && depth < MAX_FRAMES; depth++) {
      try {
        if (win.API_1484_11) return { version: "2004", api: win.API_1484_11 };
        if (win.API) return { version: "1.2", api: win.API };
      } catch (e) { /* a frame of another origin: not the LMS's API frame */ }
      if (!win.parent || win.parent === win) break;
      win = win.parent;
    }
    return null;
  }

  function findAPI() {
    var found = apiIn(window.parent === window ? null : window.parent);
    if (!found) {
      try { found = apiIn(window.top.opener); } catch (e) { /* no opener, or another origin */ }
    }
    return found;
  }

  // The same calls for both versions; SCORM values are strings, "true"/"false" for success.
  function adapter(found) {
    var api = found.api;
    var sent = {};   // element -> value last set: an LMS's every SetValue may be a request, so send changes only
    function put(setter, k, v) {
      v = String(v);
      if (sent[k] === v) return "true";
      var ok = setter(k, v);
      if (String(ok) === "true") sent[k] = v;
      return ok;
    }
    if (found.version === "2004") {
      return {
        version: "2004", limit: 64000,
        init: function () { return api.Initialize(""); },
        get: function (k) { return api.GetValue(k); },
        set: function (k, v) { return put(function (a, b) { return api.SetValue(a, b); }, k, v); },
        commit: function () { return api.Commit(""); },
        finish: function () { return api.Terminate(""); },
        keys: { suspend: "cmi.suspend_data", location: "cmi.location", exit: "cmi.exit", time: "cmi.session_time" },
        duration: function (seconds) { return "PT" + Math.round(seconds) + "S"; },
        status: function (s) {
          set2004("cmi.completion_status", s.completed ? "completed" : "incomplete");
          set2004("cmi.success_status", s.passed === null ? "unknown" : s.passed ? "passed" : "failed");
          if (s.score !== null) {
            set2004("cmi.score.min", 0);
            set2004("cmi.score.max", 100);
            set2004("cmi.score.raw", s.score);
            set2004("cmi.score.scaled", Math.round(s.scaled * 10000) / 10000);   // real(10,7): keep it short
          }
        },
      };
    }
    return {
      version: "1.2", limit: 4096,
      init: function () { return api.LMSInitialize(""); },
      get: function (k) { return api.LMSGetValue(k); },
      set: function (k, v) { return put(function (a, b) { return api.LMSSetValue(a, b); }, k, v); },
      commit: function () { return api.LMSCommit(""); },
      finish: function () { return api.LMSFinish(""); },
      keys: { suspend: "cmi.suspend_data", location: "cmi.core.lesson_location", exit: "cmi.core.exit", time: "cmi.core.session_time" },
      duration: function (seconds) {   // CMITimespan HHHH:MM:SS
        var two = function (n) { return (n < 10 ? "0" : "") + n; };
        var s = Math.min(Math.round(seconds), 9999 * 3600 + 3599);
        return ("000" + Math.floor(s / 3600)).slice(-4) + ":" + two(Math.floor(s / 60) % 60) + ":" + two(s % 60);
      },
      status: function (s) {
        // 1.2 has one status: a result of the final assessment says more than completion.
        lms.set("cmi.core.lesson_status", s.passed === true ? "passed" : s.passed === false ? "failed" :
          s.completed ? "completed" : "incomplete");
        if (s.score !== null) {
          lms.set("cmi.core.score.min", 0);
          lms.set("cmi.core.score.max", 100);
          lms.set("cmi.core.score.raw", s.score);
        }
      },
    };
    function set2004(k, v) { return put(function (a, b) { return api.SetValue(a, b); }, k, v); }
  }

  // --- This browser's saved work ------------------------------------------------------------

  var ITEM_NAME = /^[a-z0-9][a-z0-9_-]{0,63}(\/[a-z0-9][a-z0-9_-]{0,63})?$/i;  // as progress.js

  function localItems() {
    var items = {};
    try {
      for (var i = 0; i < window.localStorage.length; i++) {
        var key = window.localStorage.key(i);
        if (key.indexOf(PREFIX) !== 0 || !ITEM_NAME.test(key.slice(PREFIX.length))) continue;
        try { items[key.slice(PREFIX.length)] = JSON.parse(window.localStorage.getItem(key)); }
        catch (e) { /* unreadable here: the widget sets it aside when it loads it */ }
      }
    } catch (e) { /* storage switched off: nothing to report */ }
    return items;
  }

  function isObject(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }

  // What both sides have: this browser's version, except that a chapter quiz gains the answers
  // to questions answered only on the other side, and the exam keeps the better passing result.
  function mergeItem(key, here, there) {
    if (/^quiz\//.test(key) && isObject(here) && isObject(there) && isObject(here.answers) && isObject(there.answers)) {
      var merged = Object.assign({}, here);
      merged.answers = Object.assign({}, there.answers, here.answers);
      if (isObject(there.first) || isObject(here.first)) merged.first = Object.assign({}, there.first, here.first);
      if (isObject(there.attempts) || isObject(here.attempts)) {
        merged.attempts = Object.assign({}, there.attempts, here.attempts);
        Object.keys(there.attempts || {}).forEach(function (q) {
          merged.attempts[q] = Math.max(merged.attempts[q] || 0, there.attempts[q]);
        });
      }
      var revealed = [].concat(Array.isArray(here.revealed) ? here.revealed : [], Array.isArray(there.revealed) ? there.revealed : []);
      merged.revealed = revealed.filter(function (q, i) { return revealed.indexOf(q) === i; }).sort();
      return merged;
    }
    if (key === "exam" && isObject(here) && isObject(there) && isObject(there.best) && typeof there.best.score === "number" &&
        (!isObject(here.best) || !(here.best.score >= there.best.score))) {
      return Object.assign({}, here, { best: there.best });
    }
    return here;
  }

  // JSON with sorted keys and without save times: two values that say the same compare equal.
  function canonical(v) {
    if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
    if (!isObject(v)) return JSON.stringify(v);
    return "{" + Object.keys(v).filter(function (k) { return k !== "updated" && k !== "at"; }).sort()
      .map(function (k) { return JSON.stringify(k) + ":" + canonical(v[k]); }).join(",") + "}";
  }

  // Returns the keys where both sides said different things and this browser's version was kept.
  function restore(saved) {
    var here = localItems(), kept = [];
    Object.keys(saved).forEach(function (key) {
      if (!ITEM_NAME.test(key)) return;                       // not a name the course writes
      var value = key in here ? mergeItem(key, here[key], saved[key]) : saved[key];
      // The merge depends on which side goes first only where the two disagree.
      if (key in here && key !== "visited" && canonical(value) !== canonical(mergeItem(key, saved[key], here[key]))) kept.push(key);
      if (key in here && JSON.stringify(value) === JSON.stringify(here[key])) return;
      try { window.localStorage.setItem(PREFIX + key, JSON.stringify(value)); } catch (e) { kept.push(key); }
    });
    return kept;
  }

  // --- suspend_data: "po1z:" + base64(deflate-raw(JSON)) or "po1j:" + JSON ------------------

  function toBase64(bytes) {
    var text = "";
    for (var i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(text);
  }

  function pipe(bytes, stream) {
    return new Response(new Blob([bytes]).stream().pipeThrough(stream)).arrayBuffer()
      .then(function (buffer) { return new Uint8Array(buffer); });
  }

  function encode(items) {
    var json = JSON.stringify(items);
    if (typeof CompressionStream === "undefined") return Promise.resolve("po1j:" + json);
    return pipe(new TextEncoder().encode(json), new CompressionStream("deflate-raw"))
      .then(function (bytes) { return "po1z:" + toBase64(bytes); });
  }

  // Resolves to the saved items, or rejects (never throws) whatever the LMS hands back.
  function decode(text) {
    return Promise.resolve().then(function () {
      if (text.indexOf("po1j:") === 0) return JSON.parse(text.slice(5));
      if (text.indexOf("po1z:") !== 0) throw new Error("not this course's format");
      var bytes = Uint8Array.from(atob(text.slice(5)), function (c) { return c.charCodeAt(0); });
      return pipe(bytes, new DecompressionStream("deflate-raw"))
        .then(function (out) { return JSON.parse(new TextDecoder().decode(out)); });
    }).then(function (items) {
      if (!isObject(items)) throw new Error("not a set of saved items");
      return items;
    });
  }

  // Which keys to leave out first when the whole does not fit: long free text first, the answers
  // and results that the LMS and the progress page depend on never.
  var DROP_ORDER = [/^notes\//, /^activity\//, /^spectrum$/, /^visited$/];

  function fitting(items, limit) {
    var keys = Object.keys(items), left = [];
    function attempt() {
      return encode(items).then(function (text) {
        if (text.length <= limit) return { text: text, left: left };
        for (var d = 0; d < DROP_ORDER.length; d++) {
          var candidates = keys.filter(function (k) { return k in items && DROP_ORDER[d].test(k); });
          if (candidates.length) {
            // the longest of the least needed kind goes first
            candidates.sort(function (a, b) { return JSON.stringify(items[b]).length - JSON.stringify(items[a]).length; });
            left.push(candidates[0]);
            delete items[candidates[0]];
            return attempt();
          }
        }
        return { text: null, left: left };                    // answers alone too long: keep the last that fitted
      });
    }
    return attempt();
  }

  // --- Reporting ------------------------------------------------------------------------------

  function courseStatus(items) {
    var completed = Object.keys(plan.quizzes).every(function (ch) {
      var quiz = items["quiz/" + ch];
      var answers = isObject(quiz) && isObject(quiz.answers) ? quiz.answers : {};
      return plan.quizzes[ch].every(function (q) { return Array.isArray(answers[q]) && answers[q].length > 0; });
    });
    var exam = isObject(items.exam) ? items.exam : {};
    var best = isObject(exam.best) && typeof exam.best.score === "number" ? exam.best.score : null;
    var latest = exam.finished && typeof exam.score === "number" ? exam.score : null;
    var scaled = best !== null ? best : latest;
    var passed = best !== null ? true : latest !== null ? latest >= plan.passMark : null;
    return {
      completed: completed || passed === true,
      passed: passed,
      scaled: scaled,
      score: scaled === null ? null : Math.round(scaled * 10000) / 100,   // CMIDecimal: two decimals
    };
  }

  // A saved item as the learner knows it.
  function label(key) {
    var m;
    if ((m = /^quiz\/ch0*(\d+)$/.exec(key))) return "the chapter " + m[1] + " quiz";
    if ((m = /^notes\/ch0*(\d+)$/.exec(key))) return "your notes on chapter " + m[1];
    if ((m = /^activity\/(.+)$/.exec(key))) return "the activity \u201c" + m[1] + "\u201d";
    return { exam: "the final assessment", spectrum: "your stage on the spectrum", visited: "the last page you read" }[key] || key;
  }

  // One notice above the course, for two things: what happened when the saved work was restored
  // (said once, kept) and whether the latest saved work fits in the LMS (updated on each change).
  var notices = { restore: "", size: "" };
  function say(kind, text) {
    notices[kind] = text;
    var all = [notices.restore, notices.size].filter(Boolean).join(" ");
    noticeBox.textContent = all;
    noticeBox.hidden = !all;
  }

  var started = Date.now();   // this session's start: the LMS adds each session_time to the learner's total
  var lms = null, finished = false, latestText = null, pending = Promise.resolve();

  // Re-encode what is saved now (after each change), so that the page's close can send it at
  // once: an LMS's close gives no time to wait for compression.
  function refresh() {
    pending = pending.then(function () {
      var items = localItems();
      return fitting(Object.assign({}, items), lms.limit).then(function (fit) {
        if (fit.text !== null) latestText = fit.text;
        var problems = [];
        if (fit.left.length) {
          problems.push("The LMS keeps at most " + lms.limit.toLocaleString("en") + " characters of saved work (SCORM " +
            lms.version + "), so these stay in this browser only: " + fit.left.map(label).join(", ") + ". To take them to another " +
            "browser, download your results from \"My progress\" and import them there.");
        }
        if (fit.text === null) {
          problems.push("Your latest answers are too long to be stored in the LMS; it keeps your earlier saved work.");
        }
        say("size", problems.join(" "));
        if (latestText !== null) lms.set(lms.keys.suspend, latestText);
        lms.status(courseStatus(items));
      });
    }).catch(function (e) { console.error("scorm: could not prepare the saved work", e); });
    return pending;
  }

  function savePlace() {
    try {
      var here = frame.contentWindow.location.pathname, root = window.location.pathname.replace(/[^/]*$/, "");
      if (here.indexOf(root) === 0) lms.set(lms.keys.location, here.slice(root.length).slice(0, 255));
    } catch (e) { /* the frame left the course (another origin): nothing to remember */ }
  }

  function commit() {
    if (!finished) refresh().then(function () { if (!finished) lms.commit(); });
  }

  function leave() {
    if (finished) return;
    finished = true;
    // No waiting here: the last encoding made after the latest change is sent as it is.
    if (latestText !== null) lms.set(lms.keys.suspend, latestText);
    lms.status(courseStatus(localItems()));
    savePlace();
    lms.set(lms.keys.time, lms.duration((Date.now() - started) / 1000));
    lms.set(lms.keys.exit, "suspend");
    lms.commit();
    lms.finish();
  }

  // Only a page of this package, by a plain relative path, is a place to resume at.
  function startPage(location) {
    return /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*\.html$/.test(location || "") && !/\.\./.test(location) ? location : plan.start;
  }

  var found = findAPI();
  if (!found) {
    window.location.replace(plan.start);   // no LMS: the normal book
    return;
  }
  lms = adapter(found);
  if (String(lms.init()) !== "true") {
    say("restore", "The LMS did not open a session for this course, so your progress is saved in this browser only.");
    frame.src = plan.start;
    return;
  }
  var saved = String(lms.get(lms.keys.suspend) || "");
  var resumeAt = lms.get(lms.keys.location);
  (saved ? decode(saved) : Promise.resolve({})).then(function (items) {
    var kept = restore(items);
    if (kept.length) {
      say("restore", "Some saved work differs between this browser and the LMS; this browser's version was kept for " + kept.map(label).join(", ") + ".");
    }
  }, function () {
    // Never lose it: set the LMS's copy aside in this browser (a second one beside the first),
    // as the widgets do with what they cannot read; the next commit replaces it in the LMS.
    try {
      var aside = PREFIX + "lms-suspend-data.unreadable";
      for (var n = 2; window.localStorage.getItem(aside) !== null && n < 1000; n++) aside = PREFIX + "lms-suspend-data.unreadable-" + n;
      window.localStorage.setItem(aside, saved);
    } catch (e) { /* storage off or full */ }
    say("restore", "The progress the LMS kept for you could not be read; a copy was set aside in this browser, and the course " +
      "continues with what this browser has.");
  }).catch(function (e) {
    console.error("scorm: the saved work could not be restored", e);
  }).then(function () {
    frame.addEventListener("load", function () {
      savePlace();
      commit();
      try { frame.contentWindow.addEventListener("peaceops:record", commit); } catch (e) { /* not the course */ }
    });
    window.addEventListener("storage", function (event) {
      if (event.key === null || event.key.indexOf(PREFIX) === 0) refresh();
    });
    window.addEventListener("pagehide", leave);
    window.addEventListener("beforeunload", leave);
    frame.src = startPage(resumeAt);
  });
})();
