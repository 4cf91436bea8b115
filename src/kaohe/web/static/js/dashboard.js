// Dashboard charts (ECharts, served from /static/vendor/echarts.min.js). Data comes from the json_script tag.
(function () {
  "use strict";
  var node = document.getElementById("charts-data");
  if (!node || typeof echarts === "undefined") { return; }
  var data = JSON.parse(node.textContent);

  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var c = echarts.init(el);
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }

  if (data.states) {
    chart("chart-states", {
      tooltip: {}, series: [{ type: "pie", radius: ["40%", "70%"], data: data.states, label: { formatter: "{b} {c}" } }]
    });
  }
  if (data.distribution) {
    chart("chart-distribution", {
      tooltip: {}, xAxis: { type: "category", data: data.distribution.labels }, yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: data.distribution.counts, itemStyle: { color: "#0b6e4f" } }]
    });
  }
  if (data.ranking) {
    var series = data.ranking.map(function (seq) {
      // Horizontal bars: x is the score, y the unit (category axis).
      return { name: seq.sequence, type: "bar", data: seq.scores.map(function (s, i) { return [s, seq.units[i]]; }) };
    });
    chart("chart-ranking", {
      tooltip: { trigger: "axis" }, legend: {}, grid: { left: 110 },
      dataZoom: [{ type: "slider", yAxisIndex: 0, start: 0, end: 40 }],
      yAxis: { type: "category", inverse: true, data: [].concat.apply([], data.ranking.map(function (s) { return s.units; })) },
      xAxis: { type: "value" }, series: series
    });
  }
  if (data.heatmap) {
    chart("chart-heatmap", {
      tooltip: { position: "top" }, grid: { left: 110, bottom: 120 },
      xAxis: { type: "category", data: data.heatmap.indicators, axisLabel: { rotate: 40 } },
      yAxis: { type: "category", data: data.heatmap.units },
      visualMap: { min: 0, max: data.heatmap.max, calculable: true, orient: "horizontal", left: "center", bottom: 0,
                   inRange: { color: ["#f5f7fa", "#f59e0b", "#b42318"] } },
      series: [{ type: "heatmap", data: data.heatmap.cells, label: { show: false } }]
    });
  }
})();
