// kaohe: small behaviours of every page, in a file (the Content-Security-Policy allows no inline script).
document.addEventListener("DOMContentLoaded", function () {
  // The language switch submits its form as soon as a language is chosen.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});
