// Progressive enhancement only: every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to an error summary so keyboard and screen reader users hear it first.
  const summary = document.querySelector("[data-autofocus]");
  if (summary) summary.focus();
  // Let keyboard users scroll wide tables: a .table-wrap that scrolls becomes a named,
  // focusable region (WCAG 2.1.1); it stops being one when the window is wide enough again.
  const markScrollable = () => {
    document.querySelectorAll(".table-wrap").forEach((wrap) => {
      const scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.dataset.scrollRegion) {
        wrap.dataset.scrollRegion = "1";
        wrap.tabIndex = 0;
        wrap.setAttribute("role", "region");
        if (!wrap.hasAttribute("aria-label") && !wrap.hasAttribute("aria-labelledby")) {
          const caption = wrap.querySelector("caption");
          wrap.setAttribute("aria-label", (caption && caption.textContent.trim()) || document.title);
        }
      } else if (!scrolls && wrap.dataset.scrollRegion) {
        delete wrap.dataset.scrollRegion;
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
      }
    });
  };
  markScrollable();
  window.addEventListener("resize", markScrollable);
  // Ask before destructive or final actions marked with data-confirm.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
