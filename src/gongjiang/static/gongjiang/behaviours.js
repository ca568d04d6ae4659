// Small page behaviours declared in the markup with data attributes, so that no page needs inline
// script or event-handler attributes (the Content-Security-Policy forbids both):
//   <form data-confirm="…"> / <button data-confirm="…">  ask before submitting
//   <select data-autosubmit>                               submit its form when changed
//   <button data-print>                                    print the page
//   <input type="checkbox" data-check-all="selector">      tick / untick every matching box
//   <button data-tree-toggle>                              organisation tree: open / close a node
//   <button data-reveal-next="selector">                   show the first hidden match (a form row);
//                                                          the button hides when none is left
//   <body data-swap-client-errors>  (set by a page)        htmx swaps 4xx answers (they carry a form)
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    const form = e.target;
    const message = form.dataset && form.dataset.confirm;
    if (message && !window.confirm(message)) e.preventDefault();
  }, true);
  document.addEventListener("click", function (e) {
    const confirmer = e.target.closest("button[data-confirm], input[data-confirm]");
    if (confirmer && !window.confirm(confirmer.dataset.confirm)) {
      e.preventDefault();
      return;
    }
    if (e.target.closest("[data-print]")) {
      window.print();
      return;
    }
    const toggle = e.target.closest("[data-tree-toggle]");
    if (toggle) {
      const icon = toggle.querySelector("i");
      if (icon) {
        icon.classList.toggle("bi-caret-right-fill");
        icon.classList.toggle("bi-caret-down-fill");
      }
      const list = toggle.parentElement.querySelector("ul");
      if (list) list.classList.toggle("d-none");
    }
    const reveal = e.target.closest("[data-reveal-next]");
    if (reveal) {
      const hidden = document.querySelectorAll(reveal.dataset.revealNext);
      if (hidden.length) {
        hidden[0].hidden = false;
        const input = hidden[0].querySelector("input");
        if (input) input.focus();
      }
      if (hidden.length <= 1) reveal.hidden = true;
    }
    const all = e.target.closest("input[data-check-all]");
    if (all) {
      document.querySelectorAll(all.dataset.checkAll).forEach(function (box) {
        box.checked = all.checked;
      });
    }
  });
  document.addEventListener("change", function (e) {
    if (e.target.matches("select[data-autosubmit]") && e.target.form) e.target.form.submit();
  });
  document.addEventListener("htmx:beforeSwap", function (e) {
    // a 409 (someone saved first) or another 4xx still carries the re-drawn card with its message
    if (!document.body.hasAttribute("data-swap-client-errors")) return;
    const status = e.detail.xhr.status;
    if (status >= 400 && status < 500) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
})();
