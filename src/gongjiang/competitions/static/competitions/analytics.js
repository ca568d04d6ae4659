// competitions/analytics.html (a static file: the Content-Security-Policy allows no inline script)
(function () {
  const d = JSON.parse(document.getElementById("chart-data").textContent);
  function bar(id, labels, values, horizontal) {
    const el = document.getElementById(id); if (!el) return;
    const c = echarts.init(el);
    const cat = {type: "category", data: labels, axisLabel: {interval: 0, rotate: horizontal ? 0 : 30, width: 120, overflow: "truncate"}};
    const val = {type: "value", minInterval: 1};
    c.setOption({grid: {left: horizontal ? 140 : 40, right: 10, bottom: 60, top: 10}, tooltip: {},
      xAxis: horizontal ? val : cat, yAxis: horizontal ? cat : val, series: [{type: "bar", data: values}]});
  }
  bar("chart-stage", d.stage.labels, d.stage.values);
  bar("chart-trade", d.trade.labels, d.trade.values);
  bar("chart-org", d.org.labels, d.org.values, true);
  bar("chart-judges", d.judges.labels, d.judges.values);
  const dist = echarts.init(document.getElementById("chart-dist"));
  dist.setOption({tooltip: {}, legend: {type: "scroll"}, grid: {left: 40, right: 10, bottom: 40, top: 40},
    xAxis: {type: "category", data: d.bins}, yAxis: {type: "value", minInterval: 1},
    series: Object.entries(d.distributions).map(([name, values]) => ({name, type: "bar", data: values}))});
})();
