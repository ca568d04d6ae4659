// Search pickers: <input data-picker="/pick/users/" list="some-id"> + <datalist id="some-id">.
// As the user types (debounced), the scoped search fills the datalist: the option's value is the
// code the form expects, its label the readable name. No library, no network beyond our own site.
(function () {
  "use strict";
  function attach(input) {
    if (input.dataset.pickerReady) return;
    input.dataset.pickerReady = "1";
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) return;
    var timer = null, last = "";
    input.addEventListener("input", function () {
      var q = input.value.trim();
      if (q === last || q.length < 1) return;
      clearTimeout(timer);
      timer = setTimeout(function () {
        last = q;
        fetch(input.dataset.picker + "?q=" + encodeURIComponent(q), {
          credentials: "same-origin", headers: { "Accept": "application/json" }
        }).then(function (r) { return r.ok ? r.json() : { results: [] }; }).then(function (data) {
          if (input.value.trim() !== q) return;
          list.replaceChildren.apply(list, data.results.map(function (item) {
            var option = document.createElement("option");
            option.value = item.value;
            option.label = item.label;
            option.textContent = item.label;
            return option;
          }));
        });
      }, 200);
    });
  }
  function scan(root) { (root || document).querySelectorAll("input[data-picker]").forEach(attach); }
  document.addEventListener("DOMContentLoaded", function () { scan(); });
  document.body && document.body.addEventListener("htmx:afterSwap", function (e) { scan(e.target); });
})();
