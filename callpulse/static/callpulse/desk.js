// The operator's desk: listen for this operator's call events and refresh the call panel
// (which carries the state bar too). After a reconnect or a failed refresh, refresh again.
(function () {
  "use strict";
  const desk = document.getElementById("desk");
  if (!desk || !window.EventSource) return;
  const live = document.getElementById("live-status");
  const label = live ? live.querySelector(".label") : null;
  const refresh = () => htmx.ajax("GET", desk.dataset.panel, { target: "#call-panel", swap: "innerHTML" });
  const source = new EventSource(desk.dataset.stream);
  let connectedBefore = false;
  ["ring", "answered", "ended", "transferred"].forEach((name) => source.addEventListener(name, refresh));
  source.addEventListener("notification", () => { if (live) live.classList.add("has-news"); });
  source.onopen = () => {
    desk.dataset.live = "1";
    if (live) { live.classList.add("on"); if (label) label.textContent = live.dataset.on || "live"; }
    if (connectedBefore) refresh();  // events may have been missed while reconnecting
    connectedBefore = true;
  };
  source.onerror = () => {
    desk.dataset.live = "0";
    if (live) { live.classList.remove("on"); if (label) label.textContent = live.dataset.off || "reconnecting…"; }
  };
  document.body.addEventListener("htmx:responseError", (event) => {
    if (event.detail.pathInfo && event.detail.pathInfo.requestPath === desk.dataset.panel) {
      setTimeout(refresh, 1000);
    }
  });
})();
