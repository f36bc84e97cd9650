// The order screen's keyboard. In the search box ↓/↑ pick a product found and Enter adds it
// (with nothing picked the server adds the exact SKU typed). Enter or Esc in a quantity comes
// back to the search; F2 too. A quantity field selects its text on focus, so typing replaces it.
(function () {
  "use strict";
  const form = document.getElementById("search-form");
  const input = document.getElementById("product-q");
  const picked = document.getElementById("product-picked");
  if (!form || !input || !picked) return;

  const options = () => Array.from(document.querySelectorAll("#product-results [role=option]"));

  function highlight(index) {
    const all = options();
    all.forEach((option, i) => option.setAttribute("aria-selected", i === index ? "true" : "false"));
    const chosen = all[index];
    picked.value = chosen ? chosen.dataset.product : "";
    if (chosen) {
      input.setAttribute("aria-activedescendant", chosen.id);
      chosen.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function clear() {
    input.value = "";
    highlight(-1);
    const results = document.getElementById("product-results");
    if (results) results.innerHTML = "";
  }

  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const all = options();
      if (!all.length) return;
      event.preventDefault();
      const current = all.findIndex((o) => o.getAttribute("aria-selected") === "true");
      const next = event.key === "ArrowDown" ? Math.min(current + 1, all.length - 1) : Math.max(current - 1, -1);
      highlight(next);
    } else if (event.key === "Escape") {
      clear();
    }
  });
  input.addEventListener("input", () => highlight(-1));

  document.addEventListener("click", (event) => {
    const option = event.target.closest && event.target.closest("#product-results [role=option]");
    if (!option) return;
    picked.value = option.dataset.product;
    form.requestSubmit();
  });

  form.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.elt === form && event.detail.successful) clear();
  });

  document.addEventListener("focusin", (event) => {
    if (event.target.matches && event.target.matches("input.qty, input.offer-qty")) event.target.select();
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "F2") {
      event.preventDefault();
      input.focus();
    } else if ((event.key === "Enter" || event.key === "Escape") && event.target.matches && event.target.matches("input.qty")) {
      // Enter also submits the lines form: the order is re-priced at once.
      setTimeout(() => input.focus(), 0);
    }
  });
})();
