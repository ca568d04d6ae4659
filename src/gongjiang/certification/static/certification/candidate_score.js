// certification/candidate_score.html (a static file: the Content-Security-Policy allows no inline script)
(function () {
  const inputs = document.querySelectorAll(".gj-points");
  const out = document.getElementById("points-total");
  function sum() {
    let t = 0;
    inputs.forEach(i => { const v = parseFloat(i.value); if (!isNaN(v)) t += v; });
    out.textContent = Math.round(t * 100) / 100;
  }
  inputs.forEach(i => i.addEventListener("input", sum));
  sum();
})();
