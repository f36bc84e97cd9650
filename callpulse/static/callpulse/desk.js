// The operator's desk: listen for this operator's call events and refresh the call panel
// (which carries the state bar too). After a reconnect or a failed refresh, refresh again.
// The stream says `live` {"live": false} while the server's event bus (Redis) is away: the desk
// shows "paused" and catches up when it comes back. A stream the browser gave up on (an error
// answer instead of a stream) is opened again with back-off, so the desk never stays dead.
(function () {
  "use strict";
  const desk = document.getElementById("desk");
  if (!desk || !window.EventSource) return;
  const live = document.getElementById("live-status");
  const label = live ? live.querySelector(".label") : null;
  const refresh = () => htmx.ajax("GET", desk.dataset.panel, { target: "#call-panel", swap: "innerHTML" });
  const FIRST_RETRY_MS = 1000;
  const MAX_RETRY_MS = 15000;
  let retryMs = FIRST_RETRY_MS;
  let connectedBefore = false;
  let paused = false;

  const show = (state) => {  // "on", "paused" or "off"
    desk.dataset.live = state === "on" ? "1" : "0";
    if (!live) return;
    live.classList.toggle("on", state === "on");
    live.classList.toggle("paused", state === "paused");
    if (label) label.textContent = live.dataset[state] || state;
  };

  // An order accepted during this call (the order screen is another tab): the wrap-up outcome
  // starts at "order taken" unless one was chosen, and the card's credit is read again. The
  // panel's other fields are left as typed; the server pre-sets the outcome on later refreshes.
  const orderAccepted = (event) => {
    let data = {};
    try { data = JSON.parse(event.data); } catch (ignored) { return; }
    const panel = document.querySelector("#call-panel [data-call]");
    if (!panel || String(data.call) !== panel.dataset.call) return;
    const outcome = document.getElementById("outcome");
    if (outcome && !outcome.value) outcome.value = "order_taken";
    const debt = "#call-panel [data-testid=debt-panel]";
    if (document.querySelector(debt)) {
      htmx.ajax("GET", desk.dataset.panel, { target: debt, swap: "outerHTML", select: "[data-testid=debt-panel]" });
    }
  };

  const open = () => {
    const source = new EventSource(desk.dataset.stream);
    ["ring", "answered", "ended", "transferred"].forEach((name) => source.addEventListener(name, refresh));
    source.addEventListener("notification", () => { if (live) live.classList.add("has-news"); });
    source.addEventListener("order_accepted", orderAccepted);
    // the top bar's inbox count (core/inbox.js) hears it at once
    ["notification", "notifications_read"].forEach((name) => source.addEventListener(name, () => {
      document.dispatchEvent(new CustomEvent("callpulse:inbox"));
    }));
    source.addEventListener("live", (event) => {
      let state = {};
      try { state = JSON.parse(event.data); } catch (ignored) { return; }
      if (state.live) {
        if (paused) refresh();  // events may have been lost while paused
        paused = false;
        show("on");
      } else {
        paused = true;
        show("paused");
      }
    });
    source.onopen = () => {
      retryMs = FIRST_RETRY_MS;
      paused = false;  // a new stream is live unless it says otherwise at once
      show("on");
      if (connectedBefore) refresh();  // events may have been missed while reconnecting
      connectedBefore = true;
    };
    source.onerror = () => {
      show("off");
      if (source.readyState !== EventSource.CLOSED) return;  // the browser reconnects by itself
      // refused (a 5xx or a page instead of a stream): the browser will not retry, so we do
      source.close();
      const wait = retryMs * (0.5 + Math.random() / 2);  // jitter: not every desk at once
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      setTimeout(open, wait);
    };
  };

  open();
  document.body.addEventListener("htmx:responseError", (event) => {
    if (event.detail.pathInfo && event.detail.pathInfo.requestPath === desk.dataset.panel) {
      setTimeout(refresh, 1000);
    }
  });
})();
