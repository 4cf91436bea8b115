// Ranking history (line charts, rank axis inverted) and the unit map (ECharts registerMap, the office's own GeoJSON
// from /maps/area.geojson: nothing from the internet). Data comes from json_script tags, as in dashboard.js.
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function chart(el, option) {
    var c = echarts.init(el);
    c.setOption(option, true);
    window.addEventListener("resize", function () { c.resize(); });
    return c;
  }

  // Rank 1 at the top; at least ranks 1–2 so a single year or a single unit does not stretch the axis to 0.5.
  var rankAxis = { type: "value", inverse: true, minInterval: 1, min: 1, name: "名次",
                   max: function (v) { return Math.max(v.max, 2); } };

  // Office dashboard: per sequence, one line per unit; the legend toggles units.
  var history = read("history-data");
  if (history) {
    history.forEach(function (seq, i) {
      var el = document.getElementById("chart-history-" + i);
      if (!el) { return; }
      el.style.height = Math.max(320, 260 + 8 * seq.units.length) + "px";
      chart(el, {
        animation: false,
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", bottom: 0 },
        grid: { left: 50, right: 20, top: 30, bottom: 60 },
        xAxis: { type: "category", data: seq.labels },
        yAxis: rankAxis,
        series: seq.units.map(function (u) {
          return { name: u.name, type: "line", data: u.ranks, connectNulls: false, symbolSize: 6 };
        })
      });
    });
  }

  // A unit's result page: its rank (inverted) and its score.
  var unit = read("unit-history-data");
  var unitEl = document.getElementById("chart-unit-history");
  if (unit && unitEl) {
    chart(unitEl, {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: {},
      xAxis: { type: "category", data: unit.labels },
      yAxis: [rankAxis, { type: "value", name: "得分" }],
      series: [
        { name: "名次", type: "line", data: unit.ranks, yAxisIndex: 0, symbolSize: 8 },
        { name: "得分", type: "line", data: unit.scores, yAxisIndex: 1, symbolSize: 8, lineStyle: { type: "dashed" } }
      ]
    });
  }

  // The unit map: coloured by grade (pieces), or by the final score or an indicator's score (continuous).
  var map = read("map-data");
  var mapEl = document.getElementById("chart-map");
  var select = document.getElementById("map-metric");
  if (!map || !mapEl) { return; }
  var palette = ["#0b6e4f", "#3b82f6", "#f59e0b", "#b42318", "#7c3aed", "#64748b"];

  function option(key) {
    var index = -1;
    map.metrics.forEach(function (m, i) { if (m.key === key) { index = i; } });
    var byGrade = key === "grade";
    var data = map.units.map(function (u) {
      var value = byGrade ? map.grades.indexOf(u.grade) : u.values[index - 1];
      return { name: u.code, value: value === null || value === -1 ? NaN : value, unit: u.name, grade: u.grade,
               score: u.values[0] };
    });
    var numbers = data.map(function (d) { return d.value; }).filter(function (v) { return !isNaN(v); });
    var visualMap = byGrade
      ? { type: "piecewise", left: 10, bottom: 10,
          pieces: map.grades.map(function (g, i) { return { value: i, label: g, color: palette[i % palette.length] }; }) }
      : { type: "continuous", left: 10, bottom: 10, calculable: true, text: ["高", "低"],
          min: numbers.length ? Math.min.apply(null, numbers) : 0, max: numbers.length ? Math.max.apply(null, numbers) : 1,
          inRange: { color: ["#b42318", "#f59e0b", "#0b6e4f"] } };
    return {
      tooltip: { trigger: "item", formatter: function (p) {
        if (!p.data) { return p.name; }
        var score = p.data.score === null ? "—" : p.data.score.toFixed(2);
        var shown = byGrade || index === 1 ? "" : "<br>" + map.metrics[index].label + "：" +
          (isNaN(p.data.value) ? "—" : p.data.value);
        return p.data.unit + "<br>等级：" + (p.data.grade || "—") + "　得分：" + score + shown;
      } },
      visualMap: visualMap,
      series: [{ type: "map", map: "kaohe-area", nameProperty: "code", roam: true, data: data,
                 itemStyle: { areaColor: "#e5e7eb", borderColor: "#fff" },
                 emphasis: { label: { show: false }, itemStyle: { areaColor: "#fde68a" } } }]
    };
  }

  fetch(map.url, { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (geo) {
      echarts.registerMap("kaohe-area", geo);
      var c = chart(mapEl, option(select ? select.value : "grade"));
      if (select) { select.addEventListener("change", function () { c.setOption(option(select.value), true); }); }
    })
    .catch(function () { mapEl.textContent = "地图数据未能载入"; });
})();
