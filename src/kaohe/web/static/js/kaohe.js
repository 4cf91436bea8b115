// kaohe: small behaviours of every page, in a file (the Content-Security-Policy allows no inline script).
document.addEventListener("DOMContentLoaded", function () {
  // The language switch submits its form as soon as a language is chosen.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // A step that cannot be taken back (提交, 审定, 退回, 通报) asks first: the form's data-confirm says what will happen.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  // An error about one item is shown inside that item's card: bring it into view (also after a re-rendered form).
  var here = document.querySelector("[data-scroll-here]");
  if (here) { here.scrollIntoView({ block: "center" }); }
});
