// Light enhancements of the server-rendered pages; every page works without them.
(function () {
  "use strict";

  // Kiểm tra căn cứ: fill the draft box with the sample text.
  var example = document.getElementById("use-example");
  if (example) {
    example.addEventListener("click", function () {
      var box = document.getElementById("draft");
      box.value = example.dataset.example;
      box.focus();
    });
  }

  // Plan page: show only the tasks whose own legal basis changed.
  document.querySelectorAll("[data-filter-table]").forEach(function (box) {
    var table = document.getElementById(box.dataset.filterTable);
    if (!table) return;
    box.addEventListener("change", function () {
      table.querySelectorAll("tbody tr").forEach(function (row) {
        row.hidden = box.checked && row.dataset.flagged !== "true";
      });
    });
  });

  // A link to a citation (#c-…) inside the scrolling plan text: bring it into view and outline it briefly.
  function focusCitation() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!/^c-\d+$/.test(id)) return;
    var el = document.getElementById(id);
    if (!el) return;
    el.scrollIntoView({ block: "center" });
    el.classList.add("is-target");
    window.setTimeout(function () { el.classList.remove("is-target"); }, 2500);
  }
  window.addEventListener("hashchange", focusCitation);
  focusCitation();
})();
