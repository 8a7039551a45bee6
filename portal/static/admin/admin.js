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
