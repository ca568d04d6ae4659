// learning/item_stats.html (a static file: the Content-Security-Policy allows no inline script)
(function () {
  const d = JSON.parse(document.getElementById("chart-data").textContent);
  const charts = [];
  function make(id, option) {
    const el = document.getElementById(id); if (!el) return;
    const c = echarts.init(el); c.setOption(option); charts.push(c);
  }
  const cat = (data) => ({type: "category", data: data, axisLabel: {rotate: 45, fontSize: 10}});
  const grid = {left: 45, right: 10, bottom: 70, top: 15};
  make("chart-facility", {grid, tooltip: {}, xAxis: cat(d.codes), yAxis: {type: "value", min: 0, max: 100, name: "%"},
    series: [{name: d.labels.facility, type: "bar", data: d.facility, itemStyle: {color: "#0d6efd"}}]});
  make("chart-discrimination", {grid, tooltip: {}, xAxis: cat(d.codes), yAxis: {type: "value", name: "%"},
    series: [{name: d.labels.discrimination, type: "bar",
      data: d.discrimination.map((v, i) => ({value: v, itemStyle: {color: d.flags[i] === "negative_discrimination" ? "#dc3545" : (d.flags[i] ? "#fd7e14" : "#198754")}}))}]});
  make("chart-totals", {grid, tooltip: {}, xAxis: cat(d.histogram.labels), yAxis: {type: "value", minInterval: 1, name: d.labels.attempts},
    series: [{name: d.labels.total, type: "bar", data: d.histogram.counts, itemStyle: {color: "#6f42c1"}}]});
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
