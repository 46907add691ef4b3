// A chapter's discussion questions: a place to write an answer (kept in this browser and in
// the progress export), then "Compare with the points a good answer makes", which shows the
// points from data/discussion/<chapter>.yml once the learner has written something.
//
// Model traits: chapter (str), questions (list of {id, prompt, points: [{text, cite}]}),
// answers ({question id: text}, for the kernel). Saved as localStorage "notes/<chapter>":
// {answers: {question id: text}, compared: [question ids whose points were shown]}.

const MAX_ANSWER = 20000;   // characters per answer: a long essay, not a pasted book

function render({ model, el }) {
  const chapter = model.get("chapter");
  const questions = model.get("questions");
  const storeKey = "notes/" + chapter;
  const isText = (v) => typeof v === "string" && v.length <= MAX_ANSWER;
  const saved = storeRead(storeKey, (v) => v && typeof v === "object" && !Array.isArray(v) &&
    v.answers && typeof v.answers === "object" && !Array.isArray(v.answers));

  // Keep what fits today's questions; set aside answers to questions that are gone or values
  // that are not text, and say so.
  const ids = questions.map((q) => q.id);
  const answers = {};
  let unfit = 0;
  if (saved.value) {
    for (const [id, text] of Object.entries(saved.value.answers)) {
      if (ids.includes(id) && isText(text)) answers[id] = text; else unfit++;
    }
  }
  const compared = new Set(saved.value && Array.isArray(saved.value.compared)
    ? saved.value.compared.filter((id) => ids.includes(id) && answers[id]) : []);

  const root = h("div", { class: "po-widget po-discussion", id: domId("discussion", chapter) });
  if (saved.problem) root.append(notice(saved.problem));
  if (unfit) {
    const aside = storeSetAside(storeKey, saved.value);
    root.append(notice(`${unfit} saved answer${unfit === 1 ? "" : "s"} did not match this chapter's questions ` +
      "(they may have changed since you wrote them), so they are not shown." +
      (aside ? ` They are kept in this browser under "${STORE_PREFIX}${aside}".` : "")));
  }
  root.append(h("p", { class: "po-intro" },
    "Write your answer to each question. It is kept in this browser (and in the file that \"My progress\" exports), " +
    "not sent anywhere. Then compare it with the points a good answer makes: several answers can be good."));

  function save() {
    const ok = storeWrite(storeKey, { answers, compared: [...compared] });
    model.set("answers", Object.assign({}, answers));
    syncToKernel(model);
    return ok;
  }
  if (unfit) save();

  questions.forEach((q, n) => {
    const base = domId("discussion", q.id);
    const prompt = h("p", { class: "po-card-title", id: base + "-prompt" }, `${n + 1}. ${q.prompt}`);
    const box = h("textarea", { id: base + "-answer", class: "po-text po-answer", rows: 5, maxlength: MAX_ANSWER,
      "aria-labelledby": base + "-prompt", "aria-describedby": base + "-status" });
    box.value = answers[q.id] || "";
    const status = h("p", { class: "po-small", id: base + "-status", role: "status", "aria-live": "polite" });
    const pointsTitle = h("p", { class: "po-card-title", tabindex: -1, id: base + "-points-title" },
      "Points a good answer makes");
    const points = h("section", { class: "po-points", id: base + "-points", hidden: true, "aria-labelledby": base + "-points-title" },
      pointsTitle,
      h("ul", {}, q.points.map((p) => h("li", {}, p.text, p.cite ? h("span", { class: "po-cite" }, ` (${p.cite})`) : null))),
      h("p", { class: "po-small" }, "Which of these does your answer make? A good answer may also make points not listed here."));
    const compare = h("button", { type: "button", class: "po-button po-secondary", id: base + "-compare", "aria-controls": base + "-points",
      onclick: () => {
        if (!box.value.trim()) {
          status.textContent = "Write your answer first: the points appear once you have written something.";
          box.focus();
          return;
        }
        compared.add(q.id);
        save();
        points.hidden = false;
        compare.hidden = true;
        pointsTitle.focus();
      } }, "Compare with the points a good answer makes");
    let announced = false;
    box.addEventListener("input", () => {
      const text = box.value.slice(0, MAX_ANSWER);
      if (text.trim()) answers[q.id] = text; else delete answers[q.id];
      if (!save()) {
        status.textContent = "Your answer could not be saved in this browser (its storage is full or blocked); copy it somewhere safe.";
        announced = false;
      } else if (!announced) {
        status.textContent = "Saved in this browser as you type.";
        announced = true;
      }
    });
    if (compared.has(q.id)) { points.hidden = false; compare.hidden = true; }
    root.append(h("section", { class: "po-card po-discussion-question", id: base, "aria-labelledby": base + "-prompt" },
      prompt, box, status, h("div", { class: "po-footer" }, compare), points));
  });
  model.set("answers", Object.assign({}, answers));
  el.append(root);
}

export default { render };
