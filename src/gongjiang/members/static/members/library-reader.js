// The e-library reader: text size (kept on this phone), table of contents, and the reading
// position (chapter or page, and how far down it) kept on the server with the time read.
(function () {
  "use strict";
  var reader = document.getElementById("reader");
  if (!reader) return;
  var sizes = [0.85, 0.95, 1.05, 1.2, 1.35, 1.55, 1.8];
  var key = "gj-library-font";
  var index = parseInt(localStorage.getItem(key) || "2", 10);
  if (!(index >= 0 && index < sizes.length)) index = 2;
  function applySize() { reader.style.fontSize = sizes[index] + "rem"; }
  applySize();
  function step(delta) {
    index = Math.max(0, Math.min(sizes.length - 1, index + delta));
    localStorage.setItem(key, String(index));
    applySize();
  }
  var smaller = document.getElementById("font-smaller");
  var larger = document.getElementById("font-larger");
  if (smaller) smaller.addEventListener("click", function () { step(-1); });
  if (larger) larger.addEventListener("click", function () { step(1); });
  var toc = document.getElementById("toc-select");
  if (toc) toc.addEventListener("change", function () {
    window.location.href = toc.getAttribute("data-read-url") + "?at=" + encodeURIComponent(toc.value);
  });

  var position = reader.getAttribute("data-position");
  var url = reader.getAttribute("data-progress-url");
  var token = reader.querySelector("input[name=csrfmiddlewaretoken]");
  function offset() {
    var top = reader.getBoundingClientRect().top + window.scrollY;
    var height = Math.max(reader.offsetHeight - window.innerHeight / 2, 1);
    return Math.max(0, Math.min(1000, Math.round(((window.scrollY - top) / height) * 1000)));
  }
  function restore() {
    var saved = parseInt(reader.getAttribute("data-offset") || "0", 10);
    if (saved > 0) {
      var top = reader.getBoundingClientRect().top + window.scrollY;
      var height = Math.max(reader.offsetHeight - window.innerHeight / 2, 1);
      window.scrollTo(0, top + (saved / 1000) * height);
    }
  }
  var page = document.getElementById("pdf-page");
  if (page && !page.complete) page.addEventListener("load", restore); else restore();

  var since = Date.now();
  var lastSent = -1;
  function save(force) {
    var now = Date.now();
    var seconds = document.visibilityState === "visible" || force ? Math.min(120, Math.round((now - since) / 1000)) : 0;
    var off = offset();
    if (!force && off === lastSent && seconds < 30) return;
    since = now;
    lastSent = off;
    var body = new FormData();
    body.append("position", position);
    body.append("offset", String(off));
    body.append("seconds", String(seconds));
    if (token) body.append("csrfmiddlewaretoken", token.value);
    if (force && navigator.sendBeacon) { navigator.sendBeacon(url, body); return; }
    fetch(url, { method: "POST", body: body, credentials: "same-origin" }).catch(function () {});
  }
  var timer = null;
  window.addEventListener("scroll", function () {
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () { save(false); }, 800);
  }, { passive: true });
  setInterval(function () { if (document.visibilityState === "visible") save(false); }, 30000);
  window.addEventListener("pagehide", function () { save(true); });
})();
