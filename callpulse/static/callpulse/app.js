// Behaviour every page shares, declared in the markup instead of inline handlers, so the
// Content-Security-Policy can refuse every inline script (script-src 'self').
//   <select data-autosubmit>  submits its form when changed (language, filters)
//   <button data-print>       prints the page
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
