// Autosave for follow-up answers: sends the form as a draft a few seconds after the last
// change. The server checks the version, so a concurrent save by someone else is reported,
// never overwritten. Without JavaScript the "Spara utkast" button does the same.
(() => {
  const form = document.querySelector("form[data-autosave]");
  if (!form) return;
  const status = form.querySelector(".autosave-status");
  const version = form.querySelector("input[name=version]");
  let timer = null;
  let stopped = false;

  const say = (text) => { if (status) status.textContent = text; };

  async function save() {
    if (stopped) return;
    const data = new FormData(form);
    data.set("action", "draft");
    // Files are sent only with an explicit save; autosave never uploads.
    for (const input of form.querySelectorAll("input[type=file]")) data.delete(input.name);
    try {
      const response = await fetch(form.dataset.autosave, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "Accept": "application/json" },
      });
      const result = await response.json();
      if (result.status === "saved") {
        version.value = result.version;
      } else if (result.status === "conflict" || result.status === "locked") {
        stopped = true;
      }
      say(result.message || "");
    } catch (error) {
      say(form.dataset.offlineMessage || "Kunde inte spara automatiskt. Använd knappen Spara utkast.");
    }
  }

  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(save, 4000);
  });
  form.addEventListener("submit", () => clearTimeout(timer));
})();
