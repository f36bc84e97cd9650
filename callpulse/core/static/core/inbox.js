// The inbox count on the top bar stays current without a reload.
// Pages with a live stream (the desk) say so at once: desk.js re-dispatches every
// "notification" / "notifications_read" server event as a `callpulse:inbox` DOM event.
// Every other page asks /inbox/count/ (one indexed count) every 30 s while visible and when it
// becomes visible again. On the inbox page itself, a changed count reloads the list.
(function () {
  "use strict";
  const link = document.querySelector("[data-inbox-count]");
  if (!link) return;
  const badge = link.querySelector(".inbox-badge");
  const POLL_MS = 30000;
  let shown = parseInt(badge ? badge.textContent : "0", 10) || 0;
  let inFlight = false;

  const show = (count) => {
    if (badge) {
      badge.textContent = String(count);
      badge.hidden = count === 0;
    }
    link.dataset.unread = String(count);
    if (count !== shown) {
      const list = document.getElementById("inbox-list");
      if (list && list.dataset.refresh && window.htmx) {
        htmx.ajax("GET", list.dataset.refresh, { target: "#inbox-list", swap: "innerHTML" });
      }
    }
    shown = count;
  };

  const ask = () => {
    if (inFlight) return;
    inFlight = true;
    fetch(link.dataset.inboxCount, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((answer) => (answer.ok ? answer.json() : null))
      .then((data) => { if (data && typeof data.unread === "number") show(data.unread); })
      .catch(() => {})  // offline for a moment: the next poll catches up
      .finally(() => { inFlight = false; });
  };

  document.addEventListener("callpulse:inbox", ask);
  document.body.addEventListener("inbox-changed", ask);  // HX-Trigger after "Mark read"
  document.addEventListener("visibilitychange", () => { if (!document.hidden) ask(); });
  setInterval(() => { if (!document.hidden) ask(); }, POLL_MS);
  link.dataset.ready = "1";
})();
