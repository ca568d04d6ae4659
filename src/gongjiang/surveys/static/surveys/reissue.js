// Bulk re-issue of lost links: a worker chosen with the scoped picker (the "add a worker by name"
// field, core.pickers) is added to the list of codes, one per line, and the field is cleared.
(function () {
  "use strict";
  function add() {
    var pick = document.getElementById("id_pick");
    var codes = document.getElementById("id_bulk_codes");
    var list = pick && document.getElementById(pick.getAttribute("list"));
    if (!pick || !codes || !list) return;
    var value = pick.value.trim();
    var chosen = Array.prototype.some.call(list.options, function (o) { return o.value === value; });
    if (!value || !chosen) return;
    var lines = codes.value.split(/\r?\n/).map(function (l) { return l.trim(); });
    if (lines.indexOf(value) < 0) {
      codes.value = (codes.value.trim() ? codes.value.replace(/\s*$/, "\n") : "") + value;
    }
    pick.value = "";
  }
  document.addEventListener("DOMContentLoaded", function () {
    var pick = document.getElementById("id_pick");
    if (pick) {
      pick.addEventListener("change", add);
      pick.addEventListener("keydown", function (e) {
        if (e.key === "Enter") { e.preventDefault(); add(); }
      });
    }
  });
})();
