/* The chart of the recurring-problems page (dashboard/recurring): per theme, the problems that came back,
   those found two and three years running. ECharts from static/vendor, data from a json_script element;
   the same numbers are in the table "按主题" below it. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var source = document.getElementById("recurring-chart");
  var el = document.getElementById("chart-recurring");
  if (!source || !el) { return; }
  var d = JSON.parse(source.textContent);
  var chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    color: ["#e57373", "#c62828", "#6d0000"],
    textStyle: { fontFamily: "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif" },
    // Tooltips drawn inside the chart: HTML tooltips carry style attributes, which the CSP refuses.
    tooltip: { trigger: "axis", renderMode: "richText" },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: d.labels.length > 5 ? 30 : 0 } },
    yAxis: { type: "value", minInterval: 1 },
    series: d.series.map(function (s) {
      return { name: s.name, type: "bar", data: s.data, label: { show: true, position: "top" } };
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
