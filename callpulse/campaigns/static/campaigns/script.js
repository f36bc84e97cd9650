/* Shows only the steps of a call script on the path the answers chosen so far lead to. */
(function () {
  "use strict";
  var form = document.getElementById("script-form");
  if (!form) return;
  var steps = Array.prototype.slice.call(form.querySelectorAll(".script-step"));
  var byKey = {};
  steps.forEach(function (s) { byKey[s.dataset.step] = s; });
  function nextOf(step) {
    if (step.dataset.kind === "choice") {
      var chosen = step.querySelector("input[type=radio]:checked");
      return chosen ? { key: chosen.dataset.next, known: true } : { key: "", known: false };
    }
    if (step.dataset.kind === "text") {
      var box = step.querySelector("textarea");
      return { key: step.dataset.next, known: !!(box && box.value.trim()) };
    }
    return { key: step.dataset.next, known: true };
  }
  function update() {
    var shown = {};
    var step = steps[0];
    while (step && !shown[step.dataset.step]) {
      shown[step.dataset.step] = true;
      var next = nextOf(step);
      if (!next.known) break;
      step = next.key ? byKey[next.key] : null;
    }
    steps.forEach(function (s) {
      var visible = !!shown[s.dataset.step];
      s.hidden = !visible;
      s.querySelectorAll("input,textarea").forEach(function (i) { i.disabled = !visible; });
    });
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
