// The integration-spectrum explorer: a slider across the stages from co-existence to full
// policy integration; each stage fills panels for the three levels of coherence, the
// investment it needs, its benefits and risks, and the UN arrangement that fits it.
//
// Model traits: note (str), levels (list), stages (list), stage (int, 1-based).
// Saved as localStorage "spectrum": {stage: n}.

const INVESTMENT_STEPS = ["minimal", "low", "moderate", "high", "major"];

function render({ model, el }) {
  const stages = model.get("stages");
  const levels = model.get("levels");
  const saved = storeRead("spectrum", (v) => v && Number.isInteger(v.stage) && v.stage >= 1 && v.stage <= stages.length);
  const sliderId = domId("spectrum", "stage");

  const root = h("div", { class: "po-widget po-spectrum" });
  if (saved.problem) root.append(notice(saved.problem));
  root.append(h("p", { class: "po-intro" }, model.get("note")));

  const slider = h("input", { type: "range", id: sliderId, min: 1, max: stages.length, step: 1,
    class: "po-slider", "aria-describedby": domId("spectrum", "scale") });
  // Each stage's label sits under its stop on the slider (widgets.css places them from --po-stops).
  const ticks = h("ol", { class: "po-ticks po-ticks-aligned", id: domId("spectrum", "scale"), style: `--po-stops: ${stages.length}` },
    stages.map((s, i) => h("li", { style: `--po-stop: ${i}` }, h("button", { type: "button", class: "po-tick", "data-stage": i + 1,
      onclick: () => setStage(i + 1) }, s.label, s.basis === "scaffold" ? "*" : ""))));
  // What the move changed, next to the slider (the panels below may be out of view) and
  // announced to screen readers.
  const change = h("p", { class: "po-spectrum-change", id: domId("spectrum", "change"), role: "status", "aria-live": "polite" });
  root.append(h("div", { class: "po-slider-row" },
    h("label", { for: sliderId, class: "po-slider-label" }, "Degree of integration"), slider, ticks, change,
    h("p", { class: "po-small" }, "* Intermediate stage: the course's teaching scaffold, not a category of the proceedings or of UN policy.")));

  const title = h("p", { class: "po-stage-title" });
  const basis = h("span", { class: "po-badge" });
  const summary = h("p", { class: "po-stage-summary" });
  const levelCells = levels.map((lv) => ({ id: lv.id, text: h("p", {}) }));
  const meter = h("span", { class: "po-meter", "aria-hidden": "true" },
    INVESTMENT_STEPS.map(() => h("span", { class: "po-meter-step" })));
  const investmentText = h("p", {});
  const investmentLevel = h("strong", {});
  const benefits = h("ul", {});
  const risks = h("ul", {});
  const arrangement = h("p", {});

  const panel = h("div", { class: "po-stage", id: domId("spectrum", "panel") },
    h("div", { class: "po-stage-head" }, title, basis), summary,
    h("div", { class: "po-grid" },
      levels.map((lv, i) => h("section", { class: "po-card", "aria-label": lv.label },
        h("p", { class: "po-card-title" }, lv.label), levelCells[i].text))),
    h("div", { class: "po-grid" },
      h("section", { class: "po-card", "aria-label": "Investment needed" },
        h("p", { class: "po-card-title" }, "Investment needed: ", investmentLevel, " ", meter), investmentText),
      h("section", { class: "po-card", "aria-label": "Benefits" }, h("p", { class: "po-card-title" }, "Benefits"), benefits),
      h("section", { class: "po-card", "aria-label": "Risks" }, h("p", { class: "po-card-title" }, "Risks"), risks)),
    h("section", { class: "po-card po-wide", "aria-label": "Which UN arrangement fits" },
      h("p", { class: "po-card-title" }, "Which UN arrangement fits"), arrangement));
  root.append(panel);

  // On paper the slider cannot move: print every stage side by side instead.
  root.append(h("table", { class: "po-table po-print-only" },
    h("caption", {}, "The integration spectrum, stage by stage (* the course's teaching scaffold)"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Stage"), levels.map((lv) => h("th", { scope: "col" }, lv.label)),
      h("th", { scope: "col" }, "Investment"), h("th", { scope: "col" }, "UN arrangement"))),
    h("tbody", {}, stages.map((s, i) => h("tr", {},
      h("th", { scope: "row" }, `${i + 1}. ${s.label}${s.basis === "scaffold" ? "*" : ""}`),
      levels.map((lv) => h("td", {}, s.coherence[lv.id])),
      h("td", {}, s.investment.level), h("td", {}, s.arrangement))))));

  function describe(n) {
    const s = stages[n - 1];
    return `Stage ${n} of ${stages.length}: ${s.label}` + (s.basis === "scaffold" ? " (course scaffold)" : " (from the proceedings)");
  }

  function show(n) {
    const s = stages[n - 1];
    if (shown === null || !change.textContent) change.textContent = summarise(n);
    shown = n;
    slider.value = String(n);
    slider.setAttribute("aria-valuetext", describe(n));
    title.textContent = describe(n).replace(/ \(.*\)$/, "");
    basis.textContent = s.basis === "scaffold" ? "Course scaffold" : "From the proceedings";
    summary.textContent = s.summary;
    for (const cell of levelCells) cell.text.textContent = s.coherence[cell.id];
    investmentLevel.textContent = s.investment.level;
    const reached = INVESTMENT_STEPS.indexOf(s.investment.level);
    meter.querySelectorAll(".po-meter-step").forEach((step, i) => step.classList.toggle("po-on", i <= reached));
    investmentText.textContent = s.investment.text;
    benefits.replaceChildren(...s.benefits.map((b) => h("li", {}, b)));
    risks.replaceChildren(...s.risks.map((r) => h("li", {}, r)));
    arrangement.textContent = s.arrangement;
    ticks.querySelectorAll(".po-tick").forEach((t) => {
      const current = Number(t.dataset.stage) === n;
      t.classList.toggle("po-current", current);
      if (current) t.setAttribute("aria-current", "step"); else t.removeAttribute("aria-current");
    });
  }

  // "Stage 3 of 5, Coordination (course scaffold): investment needed rises from low to moderate. ..."
  function describeChange(from, to) {
    const a = stages[from - 1], b = stages[to - 1];
    const steps = (s) => INVESTMENT_STEPS.indexOf(s.investment.level);
    const investment = a.investment.level === b.investment.level ? `stays ${b.investment.level}`
      : `${steps(b) > steps(a) ? "rises" : "falls"} from ${a.investment.level} to ${b.investment.level}`;
    return `Now ${describe(to).replace(": ", ", ")}: investment needed ${investment}. ${firstSentence(b.summary)}`;
  }

  function summarise(n) {
    const s = stages[n - 1];
    return `${describe(n).replace(": ", ", ")}: investment needed ${s.investment.level}. ${firstSentence(s.summary)}`;
  }

  // Short enough to stay in view beside the slider on a phone; the panels below say the rest.
  function firstSentence(text) {
    return (text.match(/^.*?[.!?](\s|$)/) || [text])[0].trim();
  }

  let shown = null;

  function setStage(n) {
    if (shown !== null && shown !== n) change.textContent = describeChange(shown, n);
    show(n);
    model.set("stage", n);
    syncToKernel(model);
    saveOrWarn("spectrum", { stage: n }, root);   // says so if the browser refuses
  }

  slider.addEventListener("input", () => setStage(Number(slider.value)));
  // The kernel may move the slider too (explorer.stage = 4 in Python).
  model.on("change:stage", () => {
    const n = model.get("stage");
    if (n !== shown) { change.textContent = describeChange(shown, n); show(n); }
  });
  show(saved.value ? saved.value.stage : model.get("stage"));
  if (saved.value) { model.set("stage", saved.value.stage); syncToKernel(model); }
  el.append(root);
}

export default { render };
