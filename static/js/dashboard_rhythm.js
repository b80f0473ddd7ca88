/* The chart of the 三会一课 quarter view (dashboard/rhythm): per kind, the branches that missed it (red) and
   those where it is still due this period (grey). ECharts from static/vendor, data from a json_script element;
   the same numbers are in the summary cards above it. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var source = document.getElementById("rhythm-chart");
  var el = document.getElementById("chart-rhythm");
  if (!source || !el) { return; }
  var d = JSON.parse(source.textContent);
  var chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    color: ["#b71c1c", "#9e9e9e"],
    textStyle: { fontFamily: "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif" },
    // Tooltips drawn inside the chart: HTML tooltips carry style attributes, which the CSP refuses.
    tooltip: { trigger: "axis", renderMode: "richText" },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [d.missing, d.pending].map(function (s) {
      return { name: s.name, type: "bar", data: s.data, label: { show: true, position: "top" } };
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
