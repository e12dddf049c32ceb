// Forms marked data-submit-once send one submit: a second click while the first is on its
// way is ignored. The server records one session per form key anyway; this spares the user
// a second request. htmx requests (Preview) are not form submits and are not affected.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-submit-once")) return;
  if (form.dataset.submitted === "true") {
    event.preventDefault();
    return;
  }
  form.dataset.submitted = "true";
  if (event.submitter) event.submitter.setAttribute("aria-disabled", "true");
});
// Coming back with the browser's Back button shows the page from its cache: allow a submit.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    delete form.dataset.submitted;
  });
});
