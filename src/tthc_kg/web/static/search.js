// The search form: leave empty filters out of the address, and search again when a choice
// of a filter list changes (not while a date or a year is being typed).
// The page works without it (the server ignores empty fields).
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) return;
  form.addEventListener("submit", function () {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.name !== "q" && !el.value) el.disabled = true;
    });
  });
  window.addEventListener("pageshow", function () {  // back button: the fields are usable again
    Array.prototype.forEach.call(form.elements, function (el) { el.disabled = false; });
  });
  var q = document.getElementById("q");
  form.querySelectorAll(".search-filters select").forEach(function (el) {
    el.addEventListener("change", function () {
      if (q && q.value.trim()) {
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }
    });
  });
})();
