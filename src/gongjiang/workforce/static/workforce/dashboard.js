// workforce/dashboard.html (a static file: the Content-Security-Policy allows no inline script)
(function () {
  const d = JSON.parse(document.getElementById("chart-data").textContent);
  const ladder = d.ladder;
  const levelName = Object.fromEntries(ladder.map(l => [l.code, l.name]));
  function stacked(el, rows, onclick) {
    const top = rows.slice(0, 15).reverse();
    const chart = echarts.init(el);
    chart.setOption({
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      legend: {type: "scroll", top: 0},
      grid: {left: 10, right: 16, top: 30, bottom: 10, containLabel: true},
      xAxis: {type: "value", minInterval: 1},
      yAxis: {type: "category", data: top.map(r => r.label), axisLabel: {width: 130, overflow: "truncate"}},
      series: ladder.map(l => ({name: l.name, type: "bar", stack: "n", emphasis: {focus: "series"},
        data: top.map(r => r.levels[l.code] || 0)}))
    });
    chart.on("click", p => onclick(top[p.dataIndex], ladder[p.seriesIndex]));
    window.addEventListener("resize", () => chart.resize());
  }
  document.querySelectorAll(".chart[data-figure]").forEach(el => {
    const name = el.dataset.figure;
    if (name === "gains") {
      const chart = echarts.init(el);
      chart.setOption({tooltip: {trigger: "axis"}, legend: {type: "scroll", top: 0},
        grid: {left: 10, right: 10, top: 30, bottom: 10, containLabel: true},
        xAxis: {type: "category", data: d.gains.map(r => String(r.year))}, yAxis: {type: "value", minInterval: 1},
        series: ladder.slice(0, -1).map(l => ({name: l.name, type: "bar", stack: "n", data: d.gains.map(r => r.levels[l.code] || 0)}))});
      return;
    }
    const fig = d.figures[name];
    if (!fig || !fig.rows.length) { el.style.display = "none"; return; }
    stacked(el, fig.rows, (row, level) => {
      if (!row || !row.link) return;
      window.location.href = row.link + "&level=" + encodeURIComponent(level.code || "none");
    });
  });
})();
