// The tally chart: per candidate, a stacked bar of the four grades (ECharts, served from the project).
(function () {
  "use strict";
  var node = document.getElementById("results-chart");
  var data = document.getElementById("results-data");
  if (!node || !data || !window.echarts) return;
  var chart = JSON.parse(data.textContent);
  // 28px a member plus room for the legend and axis; the class gives 260px at least.
  node.style.height = Math.max(260, (chart.names.length + 3) * 28) + "px";
  var colors = ["#b71c1c", "#2e7d32", "#f9a825", "#616161"];
  var ec = window.echarts.init(node);
  ec.setOption({
    color: colors,
    // Drawn inside the chart: ECharts' HTML tooltips carry style attributes, which the
    // Content-Security-Policy (style-src 'self') refuses.
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: chart.names, inverse: true },
    series: chart.series.map(function (s) {
      return { name: s.name, type: "bar", stack: "votes", data: s.data, label: { show: true, formatter: function (p) { return p.value || ""; } } };
    })
  });
  window.addEventListener("resize", function () { ec.resize(); });
})();
