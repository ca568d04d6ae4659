// surveys/answer.html: simple skip logic (a static file: the Content-Security-Policy allows no
// inline script). A question with data-show-if is shown only while the named earlier question is
// answered with one of data-show-in; a hidden question's inputs are disabled, so nothing is sent
// for it (the server drops such answers as well).
(function () {
  var form = document.getElementById("answer-form");
  if (!form) return;
  function chosen(key) {
    var out = [];
    form.querySelectorAll('[name="' + key + '"]').forEach(function (el) {
      if ((el.type === "radio" || el.type === "checkbox") ? el.checked : el.value) out.push(el.value);
    });
    return out;
  }
  function update() {
    form.querySelectorAll(".gj-question[data-show-if]").forEach(function (box) {
      var wanted = box.getAttribute("data-show-in").split(",");
      var source = document.getElementById("q-" + box.getAttribute("data-show-if"));
      var sourceShown = !source || !source.hidden;
      var show = sourceShown && chosen(box.getAttribute("data-show-if")).some(function (v) {
        return wanted.indexOf(v) >= 0;
      });
      box.hidden = !show;
      box.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !show; });
    });
  }
  form.addEventListener("change", update);
  update();
})();
