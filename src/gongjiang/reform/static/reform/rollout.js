// reform/rollout.html (a static file: the Content-Security-Policy allows no inline script)
(function () {
  var el = document.getElementById("rollout-chart");
  var option = JSON.parse(JSON.parse(document.getElementById("rollout-option").textContent));
  var chart = echarts.init(el);
  chart.setOption(option);
  window.addEventListener("resize", function () { chart.resize(); });
})();
