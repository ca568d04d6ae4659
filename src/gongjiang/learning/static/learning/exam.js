/* Taking an exam on a phone. The server owns the clock: the time left comes from the server and
   every answer is saved at once (PUT …/answers/<position> with an increasing per-item sequence
   number; a retry sends the same number, so it never counts twice). */
(function () {
  "use strict";
  var root = document.getElementById("exam");
  var data = JSON.parse(document.getElementById("attempt-data").textContent);
  var t = JSON.parse(document.getElementById("exam-i18n").textContent);
  var api = root.dataset.api;
  var resultUrl = root.dataset.result;
  var csrf = document.querySelector("#submit-form input[name=csrfmiddlewaretoken]").value;
  var items = data.items;
  var index = Math.max(0, Math.min(items.length - 1, (data.last_position || 1) - 1));
  var deadline = Date.now() + data.seconds_left * 1000;
  var pending = {};  // position -> {response, seq}
  var inflight = {};
  var finished = false;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function status(text) {
    document.getElementById("save-status").textContent = text;
    root.dataset.pending = String(Object.keys(pending).length);  // 0 when every answer is on the server
  }

  function answered(item) {
    var r = item.response;
    if (r === null || r === undefined || r === "") return false;
    if (Array.isArray(r)) return r.some(function (x) { return x !== "" && x !== null; });
    return true;
  }

  function record(item, response) {
    item.response = response;
    item.seq = Math.max(item.seq + 1, Date.now());
    pending[item.position] = { response: response, seq: item.seq };
    flush();
    renderGrid();
  }

  function flush() {
    Object.keys(pending).forEach(function (pos) {
      if (inflight[pos]) return;
      var body = pending[pos];
      inflight[pos] = true;
      status(t.saving);
      fetch(api + "/answers/" + pos, {
        method: "PUT", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(body)
      }).then(function (r) {
        inflight[pos] = false;
        if (r.status === 409) { timeUp(); return; }
        if (!r.ok) throw new Error(String(r.status));
        return r.json().then(function (j) {
          if (pending[pos] && pending[pos].seq <= j.seq) delete pending[pos];
          deadline = Date.now() + j.seconds_left * 1000;
          if (!Object.keys(pending).length) status(t.saved);
          flush();
        });
      }).catch(function () {
        inflight[pos] = false;
        status(t.offline);
        setTimeout(flush, 2000);  // same seq: a retry never double counts
      });
    });
  }

  function timeUp() {
    if (finished) return;
    finished = true;
    alert(t.timeup);
    window.location.href = resultUrl;
  }

  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
    var timer = document.getElementById("timer");
    timer.textContent = (h ? h + ":" : "") + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
    timer.classList.toggle("gj-low", left < 300);
    if (left <= 0 && !finished) {
      finished = true;
      submitWhenSaved(document.getElementById("submit-form"), 0);
    }
  }

  function render() {
    var item = items[index];
    var box = document.getElementById("question");
    box.innerHTML = "";
    document.getElementById("position-label").textContent = (index + 1) + " " + t.of + " " + items.length;
    var stem = el("div", { "class": "gj-stem", id: "stem" });
    stem.innerHTML = item.stem;  // sanitised on the server
    box.appendChild(stem);
    var name = "q" + item.position;
    if (item.qtype === "single" || item.qtype === "multiple" || item.qtype === "true_false") {
      // a choice is answered by the label shown (A, B, C… in this attempt's order); the bank's own
      // keys never reach the browser
      var options = item.qtype === "true_false"
        ? [{ value: true, label: "√", text: t.true || "对" }, { value: false, label: "×", text: t.false || "错" }]
        : item.options.map(function (o) { return { value: o.label, label: o.label, text: o.text }; });
      options.forEach(function (o) {
        var label = el("label", { "class": "gj-option", "data-value": String(o.value) });
        var input = el("input", { type: item.qtype === "multiple" ? "checkbox" : "radio", name: name });
        var chosen = item.qtype === "multiple" ? (item.response || []).indexOf(o.value) >= 0 : item.response === o.value;
        input.checked = chosen;
        label.classList.toggle("gj-checked", chosen);
        input.addEventListener("change", function () {
          var response;
          if (item.qtype === "multiple") {
            response = [];
            box.querySelectorAll("label.gj-option").forEach(function (l) {
              if (l.querySelector("input").checked) response.push(l.dataset.value);
            });
          } else {
            response = o.value;
          }
          box.querySelectorAll("label.gj-option").forEach(function (l) {
            l.classList.toggle("gj-checked", l.querySelector("input").checked);
          });
          record(item, response);
        });
        label.appendChild(input);
        var span = el("span");
        span.innerHTML = "<b>" + o.label + ".</b> " + o.text;
        label.appendChild(span);
        box.appendChild(label);
      });
    } else if (item.qtype === "fill") {
      var values = Array.isArray(item.response) ? item.response.slice() : [];
      for (var b = 0; b < item.blanks; b++) {
        (function (b) {
          var input = el("input", { "class": "form-control form-control-lg mb-2", "aria-label": t.blank + " " + (b + 1),
                                    placeholder: t.blank + " " + (b + 1), name: name + "_" + b });
          input.value = values[b] || "";
          input.addEventListener("change", function () { values[b] = input.value; record(item, values.slice()); });
          box.appendChild(input);
        })(b);
      }
    } else {
      if (item.qtype === "practical") {
        box.appendChild(el("p", { "class": "text-muted" }, t.practical));
        var ul = el("ul");
        item.checklist.forEach(function (c) { ul.appendChild(el("li", {}, c)); });
        box.appendChild(ul);
      }
      var area = el("textarea", { "class": "form-control", rows: "6", "aria-label": t.answer_here, placeholder: t.answer_here, name: name });
      area.value = item.response || "";
      var timer = null;
      area.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { record(item, area.value); }, 800);
      });
      area.addEventListener("blur", function () { if (area.value !== (item.response || "")) record(item, area.value); });
      box.appendChild(area);
    }
    document.getElementById("prev").disabled = index === 0;
    document.getElementById("next").disabled = index === items.length - 1;
    renderGrid();
  }

  function renderGrid() {
    var grid = document.getElementById("grid");
    grid.innerHTML = "";
    items.forEach(function (item, i) {
      var cls = "btn btn-sm " + (i === index ? "btn-danger" : answered(item) ? "btn-secondary" : "btn-outline-secondary");
      var btn = el("button", { type: "button", "class": cls }, String(i + 1));
      btn.addEventListener("click", function () { index = i; render(); });
      grid.appendChild(btn);
    });
  }

  document.getElementById("prev").addEventListener("click", function () { if (index > 0) { index--; render(); } });
  document.getElementById("next").addEventListener("click", function () { if (index < items.length - 1) { index++; render(); } });
  function submitWhenSaved(form, tries) {
    // hand in only after every answer given has reached the server (or after ~10 s of trying)
    if (Object.keys(pending).length && tries < 50) {
      flush();
      setTimeout(function () { submitWhenSaved(form, tries + 1); }, 200);
      return;
    }
    form.submit();
  }
  document.getElementById("submit-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!finished && !window.confirm(t.confirm)) return;
    finished = true;
    submitWhenSaved(ev.target, 0);
  });
  render();
  tick();
  setInterval(tick, 1000);
})();
