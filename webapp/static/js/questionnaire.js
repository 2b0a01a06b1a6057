// Questionnaires: show and hide conditional questions live. Without JavaScript every question
// is shown with a "Besvara bara om ..." note, and the server drops answers to hidden ones.
document.addEventListener("DOMContentLoaded", () => {
  const dependents = Array.from(document.querySelectorAll("[data-show-if]"));
  if (!dependents.length) return;

  function currentValues(id, type) {
    // Field inputs have ids "fq-<question>" (radio/checkbox: "fq-<question>-<n>").
    const byName = document.querySelectorAll(`[name="${CSS.escape(id.slice(3))}"]`);
    const values = [];
    byName.forEach((input) => {
      if ((input.type === "radio" || input.type === "checkbox")) {
        if (input.checked && !input.closest("[hidden]")) values.push(input.value);
      } else if (input.value && !input.closest("[hidden]")) {
        values.push(input.value);
      }
    });
    return values;
  }

  function update() {
    dependents.forEach((el) => {
      const wanted = JSON.parse(el.dataset.showValues || "[]");
      const have = currentValues(el.dataset.showIf, el.dataset.showType);
      const show = have.some((v) => wanted.includes(v));
      el.hidden = !show;
      el.querySelectorAll(".q-condition").forEach((note) => note.classList.add("q-live"));
    });
  }

  document.addEventListener("change", update);
  update();
});
