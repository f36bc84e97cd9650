// The desk's "Create client" form survives the call panel's refreshes: a ring, an answer or a
// hang-up reloads the panel while the operator may be typing the caller's details. What was
// typed is put back into the fresh form of the same call (the form's own answers, with their
// errors or duplicates, come from the server as posted and are left alone).
(function () {
  "use strict";
  const panel = document.getElementById("call-panel");
  if (!panel) return;
  let kept = null;  // {call, values}

  const formOf = () => panel.querySelector("#new-client-form");
  const callOf = () => {
    const call = panel.querySelector("[data-call]");
    return call ? call.dataset.call : "";
  };

  document.body.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.target !== panel) return;
    const form = formOf();
    const fromForm = event.detail.requestConfig && event.detail.requestConfig.verb === "post";
    if (!form || fromForm) { kept = null; return; }
    const values = {};
    Array.from(form.elements).forEach((field) => {
      if (field.name && field.type !== "hidden" && field.type !== "submit") values[field.name] = field.value;
    });
    kept = { call: callOf(), values: values };
  });

  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target !== panel || !kept) return;
    const form = formOf();
    if (form && callOf() === kept.call) {
      Object.entries(kept.values).forEach(([name, value]) => {
        const field = form.elements.namedItem(name);
        if (field && "value" in field) field.value = value;
      });
    }
    kept = null;
  });
})();
