// The verifier's queue (assessments/verification.html): 全选本页, and the confirmation of a batch 核实无误 with the
// number of items it covers (the Content-Security-Policy allows no inline script).
document.addEventListener("DOMContentLoaded", function () {
  var all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("#batch input[name=items]").forEach(function (box) { box.checked = all.checked; });
    });
  }
  document.querySelectorAll("#batch button[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  var selected = document.getElementById("batch-selected");
  if (selected) {
    selected.addEventListener("click", function (event) {
      var n = document.querySelectorAll("#batch input[name=items]:checked").length;
      if (n === 0) { window.alert("请先勾选要核实的项"); event.preventDefault(); }
    });
  }
});
