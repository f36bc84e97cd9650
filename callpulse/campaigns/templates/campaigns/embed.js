{% load i18n %}/* callpulse "call me back" form. Paste on any page:
   <div id="callme"></div>
   <script src="{{ request.scheme }}://{{ request.get_host }}{% url 'campaigns:embed-js' %}?lang={{ lang }}" data-target="#callme" defer></script>
   ?lang= (en, ru, kk) picks the language; without it the visitor's browser decides.
   Plain JavaScript, no cookies: the form posts JSON to {{ endpoint }}, asking for answers in
   the same language. Styles: the classes cp-*; the hosted page's call_me_back.css is an example. */
(function () {
  "use strict";
  var script = document.currentScript;
  var ENDPOINT = "{{ endpoint|escapejs }}";
  var LANG = "{{ lang|escapejs }}";
  var T = {
    title: "{% translate 'Call me back'|escapejs %}",
    name: "{% translate 'Your name'|escapejs %}",
    phone: "{% translate 'Phone number'|escapejs %}",
    day: "{% translate 'Day'|escapejs %}",
    from: "{% translate 'From'|escapejs %}",
    to: "{% translate 'Until'|escapejs %}",
    topic: "{% translate 'What is it about?'|escapejs %}",
    honeypot: "{% translate 'Leave this field empty'|escapejs %}",
    send: "{% translate 'Call me back'|escapejs %}",
    sending: "{% translate 'Sending…'|escapejs %}",
    failed: "{% translate 'Could not send the request; please call us.'|escapejs %}"
  };
  var FIELDS = ["name", "phone", "window_from", "window_to", "timezone", "topic"];

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function isoDay(d) { return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()); }

  function field(form, uid, name, label, input) {
    var row = el("p", { "class": "cp-row" });
    input.id = uid + "-" + name;
    input.name = name;
    row.appendChild(el("label", { "for": input.id }, label));
    row.appendChild(input);
    var err = el("span", { "class": "cp-error", "data-error-for": name, "role": "alert" });
    row.appendChild(err);
    form.appendChild(row);
    return input;
  }

  function render(host) {
    var uid = "cp" + Math.random().toString(36).slice(2, 8);
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
    var form = el("form", { "class": "cp-callback", "novalidate": "", "lang": LANG });
    form.appendChild(el("h2", {}, T.title));
    field(form, uid, "name", T.name, el("input", { type: "text", autocomplete: "name", maxlength: "120" }));
    field(form, uid, "phone", T.phone, el("input", { type: "tel", autocomplete: "tel", maxlength: "40" }));
    var day = field(form, uid, "day", T.day, el("input", { type: "date" }));
    var tomorrow = new Date(Date.now() + 86400000);
    day.value = isoDay(tomorrow);
    field(form, uid, "from", T.from, el("input", { type: "time", value: "10:00" }));
    field(form, uid, "until", T.to, el("input", { type: "time", value: "12:00" }));
    form.appendChild(el("span", { "class": "cp-error", "data-error-for": "window_from", "role": "alert" }));
    form.appendChild(el("span", { "class": "cp-error", "data-error-for": "window_to", "role": "alert" }));
    field(form, uid, "topic", T.topic, el("input", { type: "text", maxlength: "255" }));
    // the honeypot: off-screen, skipped by keyboard and screen readers; bots fill it in.
    // Placed through the CSSOM, not a style attribute: a strict CSP (ours too) drops those.
    var trap = el("p", { "aria-hidden": "true", "class": "cp-trap" });
    trap.style.position = "absolute";
    trap.style.left = "-10000px";
    trap.style.width = "1px";
    trap.style.height = "1px";
    trap.style.overflow = "hidden";
    trap.appendChild(el("label", { "for": uid + "-website" }, T.honeypot));
    trap.appendChild(el("input", { type: "text", id: uid + "-website", name: "website", tabindex: "-1", autocomplete: "off" }));
    form.appendChild(trap);
    var status = el("p", { "class": "cp-status", "role": "status", "aria-live": "polite" });
    var button = el("button", { type: "submit", "class": "cp-send" }, T.send);
    form.appendChild(button);
    form.appendChild(status);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var v = function (n) { return (form.elements[n] && form.elements[n].value) || ""; };
      var body = {
        name: v("name"), phone: v("phone"), topic: v("topic"), website: v("website"),
        window_from: v("day") + "T" + v("from"), window_to: v("day") + "T" + v("until"),
        timezone: zone
      };
      form.querySelectorAll("[data-error-for]").forEach(function (n) { n.textContent = ""; });
      button.disabled = true;
      status.textContent = T.sending;
      fetch(ENDPOINT, {
        method: "POST", mode: "cors", credentials: "omit",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "Accept-Language": LANG },
        body: JSON.stringify(body)
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (answer) {
        button.disabled = false;
        if (answer.ok) {
          form.replaceChildren(el("p", { "class": "cp-done", "role": "status" }, answer.data.message));
          return;
        }
        status.textContent = answer.data.message || "";
        FIELDS.concat(["non_field_errors"]).forEach(function (name) {
          var messages = answer.data[name];
          var slot = form.querySelector('[data-error-for="' + name + '"]');
          if (messages && slot) slot.textContent = [].concat(messages).join(" ");
          else if (messages) status.textContent = [].concat(messages).join(" ");
        });
      }).catch(function () {
        button.disabled = false;
        status.textContent = T.failed;
      });
    });
    host.appendChild(form);
  }

  var target = script && script.getAttribute("data-target");
  function start() {
    var host = target ? document.querySelector(target) : null;
    if (!host) {
      host = el("div");
      script.parentNode.insertBefore(host, script.nextSibling);
    }
    render(host);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
