// Live results for the village search: the same GET page, fetched as one types; the
// form works without this script.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-live-search]");
  var results = document.getElementById("results");
  if (!form || !results || !window.fetch || !window.DOMParser) {
    return;
  }
  var input = form.querySelector("input[name=q]");
  var timer = null;
  var latest = 0;
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var asked = ++latest;
      var url = form.action + "?q=" + encodeURIComponent(input.value);
      fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null || asked !== latest) { return; }
          var page = new DOMParser().parseFromString(html, "text/html");
          var fresh = page.getElementById("results");
          if (fresh) {
            results.replaceChildren.apply(results, Array.from(fresh.childNodes));
            window.history.replaceState(null, "", url);
          }
        })
        .catch(function () {});
    }, 250);
  });
});
