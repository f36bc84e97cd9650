// The operator's desk: listen for this operator's call events and refresh the call panel.
(function () {
  "use strict";
  const desk = document.getElementById("desk");
  if (!desk || !window.EventSource) return;
  const live = document.getElementById("live-status");
  const refresh = () => htmx.ajax("GET", desk.dataset.panel, { target: "#call-panel", swap: "innerHTML" });
  const source = new EventSource(desk.dataset.stream);
  ["ring", "answered", "ended", "transferred"].forEach((name) => source.addEventListener(name, refresh));
  source.addEventListener("notification", () => { if (live) live.textContent = "✉"; });
  source.onopen = () => { desk.dataset.live = "1"; if (live) live.textContent = "●"; };
  source.onerror = () => { desk.dataset.live = "0"; if (live) live.textContent = "○"; };
})();
