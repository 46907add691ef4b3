// The decision activity: the one mechanism behind every chapter's "decide and see the
// consequence" exercise. The data (data/activities/<id>.yml) defines the decisions (sliders,
// single choices, multiple choices), the scenarios and the rules; this module only renders
// them and shows the rules that the learner's current decisions meet.
//
// Model traits: activity (dict), scenario (str), values ({decision id: value}),
// feedback (list of matched rule ids, problems first). Saved as localStorage
// "activity/<id>": {scenario: id, values: {scenario id: {decision id: value}}}, after every
// change, so decisions survive a reload and travel in the progress export.

const VERDICT_ORDER = ["problem", "caution", "good"];
const VERDICT_WORDS = { problem: "Problem", caution: "Caution", good: "Works" };
const VERDICT_NOUNS = { problem: "problem", caution: "caution", good: "strength" };

// The rule semantics. peaceops/data.py (condition_holds) implements the same for Python;
// tests/test_rules.py checks that both give the same result for every rule.
function conditionHolds(decision, cond, value) {
  if (decision.kind === "scale") {
    return (cond.min === undefined || value >= cond.min) && (cond.max === undefined || value <= cond.max);
  }
  if (decision.kind === "choice") {
    return "is" in cond ? value === cond.is : cond.in.includes(value);
  }
  const chosen = new Set(value);
  return (!("includes" in cond) || chosen.has(cond.includes)) &&
    (!("excludes" in cond) || !chosen.has(cond.excludes)) &&
    (cond.min_count === undefined || chosen.size >= cond.min_count) &&
    (cond.max_count === undefined || chosen.size <= cond.max_count);
}

function evaluateRules(activity, scenarioId, values) {
  const decisions = Object.fromEntries(activity.decisions.map((d) => [d.id, d]));
  const scenario = activity.scenarios.find((s) => s.id === scenarioId);
  return scenario.rules
    .filter((r) => Object.entries(r.when).every(([id, cond]) => conditionHolds(decisions[id], cond, values[id])))
    .sort((a, b) => VERDICT_ORDER.indexOf(a.verdict) - VERDICT_ORDER.indexOf(b.verdict));
}

// Whether a saved value is one this decision can take today (an author may have added a
// decision, removed an option or shortened a scale since the learner saved).
function valueFits(decision, value) {
  if (decision.kind === "scale") return Number.isInteger(value) && value >= 1 && value <= decision.levels.length;
  const ids = decision.options.map((o) => o.id);
  if (decision.kind === "choice") return ids.includes(value);
  return Array.isArray(value) && value.every((v) => ids.includes(v)) && new Set(value).size === value.length;
}

// Saved decisions, checked against the activity as it is now. What fits is kept; a decision
// that is missing or no longer fits starts from the scenario's starting value, and the
// learner is told which. The saved copy as it was is set aside (never lost).
function checkSaved(activity, saved) {
  const byScenario = {};
  const reset = [];
  for (const scenario of activity.scenarios) {
    const values = saved.values[scenario.id];
    if (values === undefined) continue;
    const ok = values && typeof values === "object" && !Array.isArray(values);
    byScenario[scenario.id] = Object.fromEntries(activity.decisions.map((d) => {
      if (ok && valueFits(d, values[d.id])) return [d.id, values[d.id]];
      reset.push(`${d.label} (${scenario.title.replace(/^Fictional scenario: /, "")})`);
      return [d.id, JSON.parse(JSON.stringify(scenario.start[d.id]))];
    }));
  }
  const known = activity.scenarios.map((s) => s.id);
  const dropped = Object.keys(saved.values).filter((id) => !known.includes(id));
  return { byScenario, reset, dropped };
}

function render({ model, el }) {
  const activity = model.get("activity");
  const storeKey = "activity/" + activity.id;
  const scenarioIds = activity.scenarios.map((s) => s.id);
  const saved = storeRead(storeKey, (v) => v && typeof v === "object" && scenarioIds.includes(v.scenario) &&
    v.values && typeof v.values === "object" && !Array.isArray(v.values));
  const checked = saved.value ? checkSaved(activity, saved.value) : { byScenario: {}, reset: [], dropped: [] };
  const valuesByScenario = checked.byScenario;
  let scenarioId = saved.value ? saved.value.scenario : model.get("scenario");

  const root = h("div", { class: "po-widget po-activity", id: domId("activity", activity.id) });
  if (saved.problem) root.append(notice(saved.problem));
  if (checked.reset.length || checked.dropped.length) {
    const aside = storeSetAside(storeKey, saved.value);
    root.append(notice("This activity has changed since your decisions were saved. " +
      (checked.reset.length ? `These start again from the scenario's starting point: ${checked.reset.join("; ")}. ` : "") +
      (checked.dropped.length ? `Decisions for a scenario that no longer exists were set aside. ` : "") +
      "Your other decisions are as you left them." +
      (aside ? ` The saved copy as it was is kept in this browser under "${STORE_PREFIX}${aside}".` : "")));
    storeWrite(storeKey, { scenario: scenarioId, values: valuesByScenario });
  }
  root.append(h("p", { class: "po-activity-title" }, activity.title));
  root.append(h("p", { class: "po-intro" }, activity.instructions));

  let scenarioSelect = null;
  if (activity.scenarios.length > 1) {
    const selectId = domId("activity", activity.id, "scenario");
    scenarioSelect = h("select", { id: selectId, class: "po-select" },
      activity.scenarios.map((s) => h("option", { value: s.id }, s.title)));
    scenarioSelect.addEventListener("change", () => { switchScenario(scenarioSelect.value); save(); });
    root.append(h("div", { class: "po-field" }, h("label", { for: selectId }, "Scenario"), scenarioSelect));
  }
  const briefTitle = h("p", { class: "po-card-title" });
  const briefText = h("p", {});
  root.append(h("section", { class: "po-card po-brief", "aria-label": "Situation" }, briefTitle, briefText));

  const controls = activity.decisions.map(renderDecision);
  root.append(h("div", { class: "po-decisions" }, controls.map((c) => c.node)));

  const status = h("p", { class: "po-summary", role: "status", "aria-live": "polite", id: domId("activity", activity.id, "status") });
  const list = h("ul", { class: "po-feedback-list", id: domId("activity", activity.id, "feedback") });
  const reset = h("button", { type: "button", class: "po-button po-secondary", id: domId("activity", activity.id, "reset"),
    onclick: () => {
      delete valuesByScenario[scenarioId];
      switchScenario(scenarioId);
      save();
      status.textContent = "Decisions reset to the scenario's starting point. " + status.textContent;
    } },
    "Reset to the starting point");
  root.append(h("section", { class: "po-feedback", "aria-label": "Consequences of your decisions" },
    h("p", { class: "po-card-title" }, "Consequences of your decisions"), status, list), h("div", { class: "po-footer" }, reset));

  function renderDecision(d) {
    const id = domId("activity", activity.id, d.id);
    if (d.kind === "scale") {
      const out = h("output", { for: id, class: "po-output" });
      const input = h("input", { type: "range", id, min: 1, max: d.levels.length, step: 1, class: "po-slider" });
      // The level's name, shown under the slider and announced by screen readers.
      const show = (v) => {
        input.value = String(v);
        input.setAttribute("aria-valuetext", `${v} of ${d.levels.length}: ${d.levels[v - 1]}`);
        out.textContent = d.levels[v - 1];
      };
      input.addEventListener("input", () => { const v = Number(input.value); show(v); set(d.id, v); });
      return { node: h("div", { class: "po-field po-scale" }, h("label", { for: id }, d.label), input, out), show };
    }
    const multi = d.kind === "multi";
    const inputs = d.options.map((o) => h("input", { type: multi ? "checkbox" : "radio", name: id, id: `${id}-${o.id}`, value: o.id,
      onchange: () => set(d.id, multi ? inputs.filter((i) => i.checked).map((i) => i.value) : o.id) }));
    return {
      node: h("fieldset", { class: "po-field po-choice" }, h("legend", {}, d.label + (multi ? " (Select all that apply.)" : "")),
        d.options.map((o, i) => h("div", { class: "po-option" }, inputs[i], h("label", { for: `${id}-${o.id}` }, o.label)))),
      show: (v) => inputs.forEach((i) => { i.checked = multi ? v.includes(i.value) : v === i.value; }),
    };
  }

  function current() {
    const scenario = activity.scenarios.find((s) => s.id === scenarioId);
    return valuesByScenario[scenarioId] || JSON.parse(JSON.stringify(scenario.start));
  }

  function set(decisionId, value) {
    const values = current();
    values[decisionId] = value;
    valuesByScenario[scenarioId] = values;
    update(values);
    save();
    announce("activity-decision", { activity: activity.id, scenario: scenarioId, decision: decisionId, value });
  }

  // Save after every change; say so when the browser refuses (storage full or blocked).
  function save() {
    if (!storeWrite(storeKey, { scenario: scenarioId, values: valuesByScenario })) {
      status.textContent += " Your decisions could not be saved in this browser (its storage is full or blocked); " +
        "they are kept only until you leave the page.";
    }
  }

  function switchScenario(id) {
    scenarioId = id;
    shownRules = null;
    const scenario = activity.scenarios.find((s) => s.id === id);
    if (scenarioSelect) scenarioSelect.value = id;
    briefTitle.textContent = scenario.title;
    briefText.textContent = scenario.brief;
    const values = current();
    activity.decisions.forEach((d, i) => controls[i].show(values[d.id]));
    update(values);
  }

  // shownRules: the rules on screen before this update (null when a scenario is first shown),
  // so the status line can say which consequence a change brought or removed.
  let shownRules = null;

  function update(values) {
    const hits = evaluateRules(activity, scenarioId, values);
    const count = (v) => hits.filter((r) => r.verdict === v).length;
    const appeared = shownRules ? hits.filter((r) => !shownRules.includes(r.id)) : [];
    const gone = shownRules ? shownRules.filter((id) => !hits.some((r) => r.id === id)) : [];
    const firstSentence = (text) => (text.match(/^.*?[.!?](\s|$)/) || [text])[0].trim();
    const scenarioRules = activity.scenarios.find((s) => s.id === scenarioId).rules;
    status.textContent = `${count("problem")} problem(s), ${count("caution")} caution(s), ${count("good")} strength(s) in your current decisions.` +
      appeared.map((r) => ` New ${VERDICT_NOUNS[r.verdict]}: ${firstSentence(r.message)}`).join("") +
      gone.map((id) => { const r = scenarioRules.find((x) => x.id === id);
        return ` No longer shown (${VERDICT_NOUNS[r.verdict]}): ${firstSentence(r.message)}`; }).join("");
    list.replaceChildren(...hits.map((r) => h("li", { class: `po-fb po-fb-${r.verdict}` + (appeared.includes(r) ? " po-fb-new" : ""), "data-rule": r.id },
      h("strong", {}, VERDICT_WORDS[r.verdict] + ": "), appeared.includes(r) ? h("span", { class: "po-new" }, "New") : null, " ", r.message)));
    shownRules = hits.map((r) => r.id);
    model.set("scenario", scenarioId);
    model.set("values", Object.assign({}, values));
    model.set("feedback", hits.map((r) => r.id));
    syncToKernel(model);
  }

  switchScenario(scenarioId);
  el.append(root);
}

export default { render };
export { conditionHolds, evaluateRules };
