// Filters the index table as the visitor types (the form also works without JavaScript: ?q=).
(function () {
  "use strict";
  var input = document.querySelector("input[data-filter-table]");
  if (!input) return;
  var table = document.getElementById(input.getAttribute("data-filter-table"));
  var count = document.getElementById("filter-count");
  if (!table) return;
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var texts = rows.map(function (row) { return row.textContent.toLocaleLowerCase(); });
  function apply() {
    var needle = input.value.trim().toLocaleLowerCase();
    var shown = 0;
    rows.forEach(function (row, i) {
      var match = !needle || texts[i].indexOf(needle) !== -1;
      row.hidden = !match;
      if (match) shown += 1;
    });
    if (count) count.textContent = needle ? shown + " of " + rows.length : "";
  }
  input.addEventListener("input", apply);
  apply();
})();
