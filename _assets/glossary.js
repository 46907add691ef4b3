// Glossary terms linked from a page show their definition without leaving the page: on hover, on
// keyboard focus, and on a first tap (a second tap follows the link to the glossary). The
// definitions are written into the page at build time (peaceops/sphinx_reading.py) as JSON data;
// they are put in as text, never as markup. Tooltip pattern: role="tooltip", the link's
// aria-describedby names it, Escape closes it, and the pointer can move onto it (WCAG 1.4.13).
(function () {
  "use strict";
  const source = document.getElementById("po-glossary-terms");
  if (!source) return;
  let definitions;
  try {
    definitions = JSON.parse(source.textContent);
  } catch (error) {
    return; // no tooltips; the links still lead to the glossary
  }

  let shown = null; // {link, tip} of the tooltip on screen
  let hideTimer = null;
  let lastPointer = "mouse";

  function place(link, tip) {
    const box = link.getBoundingClientRect();
    const margin = 8;
    tip.style.maxWidth = Math.min(352, document.documentElement.clientWidth - 2 * margin) + "px";
    const width = tip.offsetWidth;
    const left = Math.min(Math.max(margin, box.left), document.documentElement.clientWidth - width - margin);
    const below = box.bottom + 6;
    const top = below + tip.offsetHeight > window.innerHeight && box.top - tip.offsetHeight - 6 > 0
      ? box.top - tip.offsetHeight - 6 : below;
    tip.style.left = left + window.scrollX + "px";
    tip.style.top = top + window.scrollY + "px";
  }

  function show(link, tip) {
    clearTimeout(hideTimer);
    if (shown && shown.tip !== tip) hide();
    tip.hidden = false;
    place(link, tip);
    shown = { link, tip };
  }

  function hide() {
    clearTimeout(hideTimer);
    if (shown) {
      shown.tip.hidden = true;
      delete shown.tip.dataset.tapped;
    }
    shown = null;
  }

  function hideSoon() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, 200); // time to move the pointer onto the tooltip
  }

  let count = 0;
  document.querySelectorAll("a.reference .std-term").forEach(function (inner) {
    const link = inner.closest("a");
    const anchor = decodeURIComponent((link.getAttribute("href") || "").split("#")[1] || "");
    const entry = Object.prototype.hasOwnProperty.call(definitions, anchor) ? definitions[anchor] : null;
    if (!entry || typeof entry.text !== "string" || !entry.text) return;
    const tip = document.createElement("span");
    tip.id = "po-term-tip-" + ++count;
    tip.className = "po-term-tip";
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    const name = document.createElement("strong");
    name.textContent = String(entry.term || "");
    tip.append(name, ": ", entry.text);
    document.body.appendChild(tip);
    link.setAttribute("aria-describedby", tip.id);
    link.classList.add("po-term-link");

    link.addEventListener("mouseenter", () => show(link, tip));
    link.addEventListener("mouseleave", hideSoon);
    link.addEventListener("focus", () => show(link, tip));
    link.addEventListener("blur", hideSoon);
    tip.addEventListener("mouseenter", () => clearTimeout(hideTimer));
    tip.addEventListener("mouseleave", hideSoon);
    link.addEventListener("pointerdown", (event) => { lastPointer = event.pointerType; });
    link.addEventListener("click", (event) => {
      // On a touch screen there is no hover: the first tap shows the definition, the second
      // follows the link.
      if (lastPointer === "touch" && !(shown && shown.tip === tip && tip.dataset.tapped)) {
        event.preventDefault();
        show(link, tip);
        tip.dataset.tapped = "1";
      }
    });
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && shown) hide();
  });
  document.addEventListener("pointerdown", (event) => {
    if (shown && !shown.link.contains(event.target) && !shown.tip.contains(event.target)) hide();
  });
  window.addEventListener("resize", () => shown && place(shown.link, shown.tip));
})();
