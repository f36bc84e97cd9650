// An htmx request that fails says so, and the page stays as it was.
// A refused change (400) is an answer like any other: htmx swaps its errors in by the htmx-config
// of base.html. Anything else (403, 404, 500, 502…) is not swapped: instead of nothing happening,
// the notice at the top of <main> (#request-failed, its texts translated in data-server and
// data-network) says what went wrong. The next request that gets an answer hides it again.
// Not django-htmx's debug script: that one puts the error response in place of the whole page.
(function () {
  "use strict";
  const notice = () => document.getElementById("request-failed");

  function show(kind, status) {
    const box = notice();
    if (!box) return;
    const text = box.dataset[kind] || "";
    box.textContent = status ? text + " (" + status + ")" : text;
    box.hidden = false;
  }

  document.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail && event.detail.xhr;
    show("server", xhr ? xhr.status : 0);
  });
  document.addEventListener("htmx:sendError", () => show("network", 0));
  document.addEventListener("htmx:afterRequest", (event) => {
    const box = notice();
    if (box && !box.hidden && event.detail && event.detail.successful) box.hidden = true;
  });
})();
