/* Charts of the organization-department dashboards (ECharts, served from static/vendor). The data comes
   from a json_script element; every chart also exists as a table or list on the page. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var red = "#b71c1c";
  var palette = [red, "#e57373", "#f4a261", "#8d6e63", "#6d8ea0", "#9e9e9e"];
  var charts = [];
  // Tooltips drawn inside the chart: ECharts' HTML tooltips carry style attributes, which the
  // Content-Security-Policy (style-src 'self') refuses.
  var TOOLTIP_MODE = "richText";

  function read(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function mount(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    option.color = option.color || palette;
    option.textStyle = { fontFamily: "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif" };
    chart.setOption(option);
    charts.push(chart);
  }

  function bars(id, labels, series, opts) {
    opts = opts || {};
    mount(id, {
      tooltip: { trigger: "axis", renderMode: TOOLTIP_MODE },
      legend: series.length > 1 ? { top: 0 } : undefined,
      grid: { left: 8, right: opts.horizontal ? 48 : 16, top: series.length > 1 ? 32 : 12, bottom: 8, containLabel: true },
      xAxis: opts.horizontal ? { type: "value", max: opts.max } : { type: "category", data: labels, axisLabel: { interval: 0, rotate: labels.length > 6 ? 30 : 0 } },
      yAxis: opts.horizontal ? { type: "category", data: labels, inverse: true } : { type: "value", max: opts.max },
      series: series.map(function (s) {
        return { name: s.name, type: "bar", data: s.data, label: { show: labels.length <= 12, position: opts.horizontal ? "right" : "top", formatter: opts.suffix ? "{c}" + opts.suffix : "{c}" } };
      })
    });
  }

  var d = read("dashboard-charts");
  if (d) {
    bars("chart-phases", d.phases.labels, [{ name: "%", data: d.phases.values }], { horizontal: true, max: 100, suffix: "%" });
    if (d.children.labels.length) {
      bars("chart-children", d.children.labels, [{ name: d.children.name, data: d.children.scores }], { max: 100 });
    }
    mount("chart-grades", {
      tooltip: { trigger: "item", formatter: "{b}:{c}({d}%)", renderMode: TOOLTIP_MODE },
      legend: { bottom: 0 },
      series: [{ type: "pie", radius: ["35%", "65%"], data: d.grades, label: { formatter: "{b}\n{c}" } }]
    });
  }

  var s = read("supervision-chart");
  if (s) {
    var names = Object.keys(s.series);
    bars("chart-supervision", s.labels, names.map(function (n) { return { name: n, data: s.series[n] }; }));
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
