// The decision activity: the one mechanism behind every chapter's "decide and see the
// consequence" exercise. The data (data/activities/<id>.yml) defines the decisions (sliders,
// single choices, multiple choices), the scenarios and the rules; this module only renders
// them and shows the rules that the learner's current decisions meet.
//
// Model traits: activity (dict), scenario (str), values ({decision id: value}),
// feedback (list of matched rule ids, problems first). Saved as localStorage
// "activity/<id>": {scenario: id, values: {scenario id: {...}}}.

const VERDICT_ORDER = ["problem", "caution", "good"];
const VERDICT_WORDS = { problem: "Problem", caution: "Caution", good: "Works" };

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

function render({ model, el }) {
  const activity = model.get("activity");
  const storeKey = "activity/" + activity.id;
  const scenarioIds = activity.scenarios.map((s) => s.id);
  const saved = storeRead(storeKey, (v) => v && scenarioIds.includes(v.scenario) && v.values && typeof v.values === "object");
  const valuesByScenario = saved.value ? saved.value.values : {};
  let scenarioId = saved.value ? saved.value.scenario : model.get("scenario");

  const root = h("div", { class: "po-widget po-activity", id: domId("activity", activity.id) });
  if (saved.problem) root.append(notice(saved.problem));
  root.append(h("p", { class: "po-activity-title" }, activity.title));
  root.append(h("p", { class: "po-intro" }, activity.instructions));

  let scenarioSelect = null;
  if (activity.scenarios.length > 1) {
    const selectId = domId("activity", activity.id, "scenario");
    scenarioSelect = h("select", { id: selectId, class: "po-select" },
      activity.scenarios.map((s) => h("option", { value: s.id }, s.title)));
    scenarioSelect.addEventListener("change", () => switchScenario(scenarioSelect.value));
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
      storeWrite(storeKey, { scenario: scenarioId, values: valuesByScenario });
      switchScenario(scenarioId);
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
    storeWrite(storeKey, { scenario: scenarioId, values: valuesByScenario });
  }

  function switchScenario(id) {
    scenarioId = id;
    const scenario = activity.scenarios.find((s) => s.id === id);
    if (scenarioSelect) scenarioSelect.value = id;
    briefTitle.textContent = scenario.title;
    briefText.textContent = scenario.brief;
    const values = current();
    activity.decisions.forEach((d, i) => controls[i].show(values[d.id]));
    update(values);
  }

  function update(values) {
    const hits = evaluateRules(activity, scenarioId, values);
    const count = (v) => hits.filter((r) => r.verdict === v).length;
    status.textContent = `${count("problem")} problem(s), ${count("caution")} caution(s), ${count("good")} strength(s) in your current decisions.`;
    list.replaceChildren(...hits.map((r) => h("li", { class: `po-fb po-fb-${r.verdict}`, "data-rule": r.id },
      h("strong", {}, VERDICT_WORDS[r.verdict] + ": "), r.message)));
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
