// surveys/results.html: one bar chart per question (shares in %, weighted and previous round when
// given). A static file: the Content-Security-Policy allows no inline script.
(function () {
  var data = document.getElementById("survey-charts");
  if (!data || typeof echarts === "undefined") return;
  var charts = JSON.parse(JSON.parse(data.textContent));
  var made = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var c = charts[el.getAttribute("data-chart")];
    if (!c) { el.remove(); return; }
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 30, containLabel: true },
      xAxis: { type: "category", data: c.labels, axisLabel: { interval: 0, overflow: "truncate", width: 80 } },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: c.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
    });
    made.push(chart);
  });
  window.addEventListener("resize", function () { made.forEach(function (c) { c.resize(); }); });
})();
