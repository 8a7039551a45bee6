// Admin console behaviour without inline script (the CSP forbids it).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      var layout = button.getAttribute("data-print");
      if (layout) {
        document.body.classList.remove("layout-a4", "layout-thermal");
        document.body.classList.add("layout-" + layout);
      }
      window.print();
    });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
});
// A list table becomes cards on a phone (admin.css); each cell shows its column's name,
// taken from the table head unless the template wrote one.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("table.list").forEach(function (table) {
    var heads = table.querySelectorAll("thead th");
    if (!heads.length) return;
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (!cell.hasAttribute("data-label") && heads[index] && !cell.hasAttribute("colspan")) {
          cell.setAttribute("data-label", heads[index].textContent.trim());
        }
      });
    });
  });
});
