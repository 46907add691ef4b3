// Remembers the last page a learner read, so that "My progress" can offer "Continue where you
// left off". Stored like the widgets' data, in this browser only (localStorage
// "peaceops/v1/visited", see peaceops/widgets/common.js): {page: path from the site root, title, at}.
// The progress and certificate pages, search and the index are not places to continue from.
(function () {
  "use strict";
  var rootAttr = document.documentElement.getAttribute("data-content_root");
  if (rootAttr === null) return;
  var root = new URL(rootAttr, window.location.href).href;
  var here = window.location.href.split("#")[0].split("?")[0];
  if (here.indexOf(root) !== 0) return;
  var page = decodeURIComponent(here.slice(root.length)) || "index.html";
  if (/(^|\/)(progress|certificate|search|genindex)\.html$/.test(page) || !/\.html$/.test(page)) return;
  var title = document.title.split(" \u2014 ")[0].trim() || page;
  try {
    window.localStorage.setItem("peaceops/v1/visited",
      JSON.stringify({ page: page, title: title.slice(0, 200), at: new Date().toISOString() }));
  } catch (e) { /* storage full or off: the progress page then simply offers chapter 1 */ }
})();
