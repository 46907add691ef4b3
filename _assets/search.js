// Loaded by the search page after Sphinx's searchtools.js (_templates/search.html).
"use strict";
(function () {
  // A glossary term's search ranks first the page where the reading path first explains it:
  // that page carries an index entry anchored at the paragraph (peaceops/sphinx_reading.py,
  // DEFINES_PREFIX), which scores as high as the glossary's own entry; this breaks the tie.
  Scorer.score = (result) => result[4] + (String(result[2]).startsWith("#po-defines-") ? 5 : 0);

  // A result's snippet is cut from the page's text. Sphinx takes all of the page's main region,
  // which in this theme starts with a table of contents kept for printing and the page's
  // navigation; without them the snippet quotes the page's own text.
  const pageText = Search.htmlToText;
  Search.htmlToText = (htmlString, anchor) => {
    const page = new DOMParser().parseFromString(htmlString, "text/html");
    // (and without a notebook's code, or the "#" of each heading's link)
    page.querySelectorAll("#jb-print-docs-body, .onlyprint, nav, .prev-next-area, .po-workbook-link, .cell_input, .headerlink")
      .forEach((el) => el.remove());
    // A glossary result points at the term; its snippet is the term with its definition.
    const target = anchor && page.querySelector(`[role="main"] ${anchor}`);
    if (target && target.tagName === "DT" && target.nextElementSibling) {
      return target.textContent + ": " + target.nextElementSibling.textContent;
    }
    return pageText(page.documentElement.outerHTML, anchor);
  };
})();
