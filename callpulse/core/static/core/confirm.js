// Risky clicks ask first (core/confirm.py): <form data-confirm="Question?"> with a hidden
// <input name="confirmed"> asks before it is submitted; a yes sets the field to "1" so the server
// does not ask again on a page of its own. Listening in the capture phase stops a refused submit
// before htmx, or any handler on the form, sees it. No inline handlers: the CSP forbids them.
document.addEventListener(
  "submit",
  (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const asking = (event.submitter && event.submitter.closest("[data-confirm]")) || form.closest("[data-confirm]");
    if (!asking) return;
    if (!window.confirm(asking.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    const confirmed = form.elements.namedItem("confirmed");
    if (confirmed instanceof HTMLInputElement) confirmed.value = "1";
  },
  true,
);
