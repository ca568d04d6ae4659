// Lists become cards on narrow screens (site.css, table.gj-cards): each cell carries its column's
// name as data-label, taken from the table's header unless the template set it.
(function () {
  function label(root) {
    (root || document).querySelectorAll("table.gj-cards").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        var col = 0;
        Array.prototype.forEach.call(tr.children, function (td) {
          if (!td.hasAttribute("data-label") && !td.hasAttribute("colspan")) {
            td.setAttribute("data-label", heads[col] || "");
          }
          col += td.colSpan || 1;
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { label(document); });
  document.addEventListener("htmx:afterSwap", function (e) { label(e.target); });
})();
