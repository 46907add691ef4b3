// The participant evaluation, in the book: the same statements, scale and open questions as the
// printable form (data/evaluation.yml), saved as the learner answers, so that it travels in the
// results file that "My progress" exports and results.evaluation_summary() adds up.
//
// Model traits: form ({scale: {low, high}, statements: [{id, text}], overall: {id, text, low, high},
// roles: [..], comments: [{id, prompt}]}). Saved as localStorage "evaluation":
// {ratings: {statement id: 1..5}, comments: {question id: text}, role, updated}.

const MAX_COMMENT = 2000;   // characters per comment (results.MAX_COMMENT_CHARS)

function render({ model, el }) {
  const form = model.get("form");
  const rated = [...form.statements, form.overall];
  const fits = (v) => v && typeof v === "object" && !Array.isArray(v) &&
    v.ratings && typeof v.ratings === "object" && Object.entries(v.ratings).every(([id, n]) =>
      rated.some((s) => s.id === id) && Number.isInteger(n) && n >= 1 && n <= 5) &&
    (v.comments === undefined || (typeof v.comments === "object" && Object.entries(v.comments).every(([id, t]) =>
      form.comments.some((c) => c.id === id) && typeof t === "string" && t.length <= MAX_COMMENT))) &&
    (v.role === undefined || v.role === null || form.roles.includes(v.role));
  const saved = storeRead("evaluation", fits);
  const state = saved.value ? { ratings: { ...saved.value.ratings }, comments: { ...(saved.value.comments || {}) },
    role: saved.value.role || null } : { ratings: {}, comments: {}, role: null };

  const root = h("div", { class: "po-widget po-evaluation", id: domId("evaluation") });
  if (saved.problem) root.append(notice(saved.problem));
  const status = h("p", { class: "po-summary", role: "status", "aria-live": "polite", id: domId("evaluation", "status") });

  function save() {
    state.updated = new Date().toISOString();
    if (saveOrWarn("evaluation", state, root)) {
      const n = Object.keys(state.ratings).length;
      status.textContent = `Saved in this browser: ${n} of ${rated.length} ratings` +
        `${Object.values(state.comments).some((t) => t.trim()) ? " and your comments" : ""}.`;
    }
  }

  // One group of five radio buttons per statement, labelled by number and, at the ends, in words.
  function scale(item, low, high) {
    const name = domId("evaluation", item.id);
    const legend = h("legend", {}, item.text);
    const choices = [1, 2, 3, 4, 5].map((n) => {
      const input = h("input", { type: "radio", name, id: `${name}-${n}`, value: n, checked: state.ratings[item.id] === n,
        onchange: () => { state.ratings[item.id] = n; save(); } });
      return h("span", { class: "po-rating" }, input,
        h("label", { for: `${name}-${n}` }, String(n), n === 1 ? ` ${low}` : n === 5 ? ` ${high}` : ""));
    });
    return h("fieldset", { class: "po-question po-rating-row", id: name }, legend, h("div", { class: "po-ratings" }, choices));
  }

  const roleName = domId("evaluation", "role");
  const roles = h("fieldset", { class: "po-question", id: roleName }, h("legend", {}, "I am (optional):"),
    h("div", { class: "po-ratings" }, form.roles.map((role) => h("span", { class: "po-rating" },
      h("input", { type: "radio", name: roleName, id: `${roleName}-${role}`, value: role, checked: state.role === role,
        onchange: () => { state.role = role; save(); } }),
      h("label", { for: `${roleName}-${role}` }, role)))));

  const comments = form.comments.map((c) => {
    const id = domId("evaluation", "comment", c.id);
    const box = h("textarea", { id, class: "po-text po-answer", rows: 3, maxlength: MAX_COMMENT });
    box.value = state.comments[c.id] || "";
    box.addEventListener("input", () => { state.comments[c.id] = box.value; save(); });
    return h("div", { class: "po-comment" }, h("label", { for: id, class: "po-card-title" }, c.prompt), box);
  });

  root.append(
    h("p", { class: "po-intro" }, "How far do you agree? 1 = " + form.scale.low + ", 5 = " + form.scale.high +
      ". Each answer is saved in this browser as you give it; nothing is sent anywhere."),
    roles, ...form.statements.map((s) => scale(s, "", "")), scale(form.overall, form.overall.low, form.overall.high),
    h("p", { class: "po-card-title" }, "In your own words"), ...comments, status);
  el.append(root);
}

export default { render };
