// The simulation played alone: the learner takes one role and meets the scripted events one
// after another. Each event shows the situation and what only the role knows; the learner
// decides, then reads feedback on the choice and what good responses look like. Decisions are
// final (as in a meeting); "Play again" starts over. Content: data/simulation/<id>.yml.
//
// Model traits: simulation (dict), choices ({step id: option id}, for the kernel).
// Saved as localStorage "simulation/<id>": {choices: {step id: option id}, notes: {step id: text}}.

const SIM_VERDICTS = { good: "Fits good practice", caution: "Defensible, with a cost", problem: "Likely to do harm" };
const MAX_NOTE = 5000;

function render({ model, el }) {
  const sim = model.get("simulation");
  const steps = sim.steps;
  const storeKey = "simulation/" + sim.id;
  const saved = storeRead(storeKey, (v) => v && typeof v === "object" && !Array.isArray(v) &&
    v.choices && typeof v.choices === "object" && !Array.isArray(v.choices));

  // Keep the choices that still fit, in order: a step counts only if every step before it
  // was decided too (the story is played in order). Anything else is set aside, with a notice.
  const choices = {};
  const notes = {};
  let unfit = false;
  if (saved.value) {
    for (const step of steps) {
      const chosen = saved.value.choices[step.id];
      if (chosen === undefined) break;
      if (!step.options.some((o) => o.id === chosen)) { unfit = true; break; }
      choices[step.id] = chosen;
    }
    unfit = unfit || Object.keys(saved.value.choices).length !== Object.keys(choices).length;
    const savedNotes = saved.value.notes && typeof saved.value.notes === "object" ? saved.value.notes : {};
    for (const step of steps) {
      const text = savedNotes[step.id];
      if (typeof text === "string" && text.length <= MAX_NOTE) notes[step.id] = text;
    }
  }

  const root = h("div", { class: "po-widget po-simulation", id: domId("simulation", sim.id) });
  if (saved.problem) root.append(notice(saved.problem));
  if (unfit) {
    const aside = storeSetAside(storeKey, saved.value);
    root.append(notice("This simulation has changed since you last played, so some of your saved decisions no longer fit " +
      "and you continue from the last event that still does." + (aside ? ` Your earlier record is kept in this browser under "${STORE_PREFIX}${aside}".` : "")));
  }
  root.append(h("p", { class: "po-activity-title" }, sim.title));
  root.append(h("p", { class: "po-intro" }, `Your role: ${sim.role}. ${sim.intro}`));
  const progress = h("p", { class: "po-summary", role: "status", "aria-live": "polite", id: domId("simulation", sim.id, "progress") });
  const stage = h("div", { class: "po-sim-steps" });
  root.append(progress, stage);

  function save() {
    const ok = storeWrite(storeKey, { choices, notes });
    model.set("choices", Object.assign({}, choices));
    syncToKernel(model);
    if (!ok) progress.textContent = "Your decisions could not be saved in this browser (its storage is full or blocked); they are kept until you leave the page.";
    return ok;
  }
  if (unfit) save();

  function feedbackFor(step, option) {
    return h("div", { class: `po-fb po-fb-${option.verdict === "good" ? "good" : option.verdict}`, id: domId("simulation", step.id, "feedback") },
      h("p", {}, h("strong", {}, `${SIM_VERDICTS[option.verdict]}. `), option.feedback,
        option.cite ? h("span", { class: "po-cite" }, ` (${option.cite})`) : null),
      h("p", {}, h("strong", {}, "What good responses look like: "), step.lesson));
  }

  function renderStep(step, index) {
    const base = domId("simulation", step.id);
    const chosen = choices[step.id];
    const title = h("p", { class: "po-card-title", id: base + "-title", tabindex: -1 }, `${step.title} (${index + 1} of ${steps.length})`);
    const card = h("section", { class: "po-card po-sim-step", id: base, "aria-labelledby": base + "-title" }, title,
      h("p", {}, step.situation),
      step.private ? h("p", { class: "po-private" }, h("strong", {}, "Only you know: "), step.private) : null);
    const inputs = step.options.map((o) => h("input", { type: "radio", name: base, id: `${base}-${o.id}`, value: o.id,
      checked: chosen === o.id, disabled: chosen !== undefined }));
    const fieldset = h("fieldset", { class: "po-field po-choice" }, h("legend", {}, step.question),
      step.options.map((o, i) => h("div", { class: "po-option" }, inputs[i], h("label", { for: `${base}-${o.id}` }, o.label))));
    card.append(fieldset);
    if (chosen === undefined) {
      const hint = h("p", { class: "po-small", id: base + "-hint", role: "status", "aria-live": "polite" });
      const decide = h("button", { type: "button", class: "po-button", id: base + "-decide", onclick: () => {
        const picked = inputs.find((i) => i.checked);
        if (!picked) { hint.textContent = "Choose one response first."; inputs[0].focus(); return; }
        choices[step.id] = picked.value;
        save();
        draw(step.id);
      } }, "Decide");
      card.append(h("div", { class: "po-footer" }, decide), hint);
    } else {
      card.append(feedbackFor(step, step.options.find((o) => o.id === chosen)));
      const noteId = base + "-note";
      const note = h("textarea", { id: noteId, class: "po-text po-answer", rows: 3, maxlength: MAX_NOTE });
      note.value = notes[step.id] || "";
      note.addEventListener("input", () => {
        if (note.value.trim()) notes[step.id] = note.value; else delete notes[step.id];
        save();
      });
      card.append(h("div", { class: "po-field" }, h("label", { for: noteId },
        "Optional: what would you say at the table? (kept in this browser)"), note));
    }
    return card;
  }

  function finished() {
    const counts = { good: 0, caution: 0, problem: 0 };
    for (const step of steps) counts[step.options.find((o) => o.id === choices[step.id]).verdict]++;
    const reset = h("button", { type: "button", class: "po-button po-secondary", id: domId("simulation", sim.id, "restart"),
      onclick: () => {
        for (const key of Object.keys(choices)) delete choices[key];
        save();
        draw(null);
        progress.textContent = "New game: event 1 of " + steps.length + ". " + progress.textContent;
      } }, "Play again");
    return h("section", { class: "po-card po-sim-end", id: domId("simulation", sim.id, "end"), "aria-labelledby": domId("simulation", sim.id, "end-title") },
      h("p", { class: "po-card-title", id: domId("simulation", sim.id, "end-title"), tabindex: -1 }, "End of the simulation"),
      h("p", {}, `Of your ${steps.length} decisions, ${counts.good} fit good practice, ${counts.caution} were defensible with a cost, ` +
        `and ${counts.problem} were likely to do harm. In the group exercise there is no score: the point is what each choice costs, and for whom.`),
      h("p", {}, h("strong", {}, "Think it over:")),
      h("ul", {}, sim.reflection.map((q) => h("li", {}, q))),
      h("div", { class: "po-footer" }, reset));
  }

  // Draw every decided event and the next one; after a decision, move focus to what comes next.
  function draw(justDecided) {
    const done = steps.filter((s) => choices[s.id] !== undefined).length;
    const cards = steps.slice(0, Math.min(done + 1, steps.length)).map(renderStep);
    stage.replaceChildren(...cards, ...(done === steps.length ? [finished()] : []));
    const last = steps[done];
    if (justDecided) {
      const step = steps.find((s) => s.id === justDecided);
      const option = step.options.find((o) => o.id === choices[step.id]);
      progress.textContent = `You decided: ${SIM_VERDICTS[option.verdict].toLowerCase()}. ` +
        (last ? `Next: event ${done + 1} of ${steps.length}, below the feedback.` : "That was the last event: see the end of the simulation below.");
      const feedback = root.querySelector("#" + domId("simulation", step.id, "feedback"));
      feedback.setAttribute("tabindex", "-1");
      feedback.focus();
    } else if (justDecided === null) {
      root.querySelector("#" + domId("simulation", steps[0].id, "title")).focus();
    } else {
      progress.textContent = done === steps.length ? "You have played every event." : `Event ${done + 1} of ${steps.length}.`;
    }
  }

  el.append(root);
  model.set("choices", Object.assign({}, choices));
  draw(undefined);
}

export default { render };
