// stockturn dashboard: draws the ECharts charts described by each page's JSON blocks.
// Every chart is a <div data-chart="KIND" id="ID"> followed by <script type="application/json" id="ID-data">.
(function () {
  "use strict";
  var locale = document.documentElement.lang || "en";
  var nf = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  var fmt = function (v) { return v === null || v === undefined ? "–" : nf.format(v); };
  var palette = ["#2f6fb0", "#e07b39", "#3a9d5d", "#b83b5e", "#7a5cb8", "#8a8a8a"];

  function base() {
    return { color: palette, animation: false, grid: { left: 56, right: 24, top: 36, bottom: 40 },
             tooltip: { trigger: "axis", valueFormatter: fmt }, legend: { top: 0 } };
  }

  var builders = {
    trend: function (d, l) {
      var o = base();
      o.xAxis = { type: "category", data: d.months };
      o.yAxis = [{ type: "value", name: l.turnover }, { type: "value", name: l.value, position: "right" }];
      o.grid.right = 72;
      o.series = [
        { name: l.turnover, type: "line", data: d.turnover, smooth: true },
        { name: l.value, type: "bar", yAxisIndex: 1, data: d.value, itemStyle: { opacity: 0.45 } }
      ];
      return o;
    },
    sales: function (d, l) {
      var o = base();
      var outSet = {};
      d.out.forEach(function (day) { outSet[day] = true; });
      o.xAxis = { type: "category", data: d.days };
      o.yAxis = { type: "value" };
      o.dataZoom = [{ type: "inside" }];
      o.series = [
        { name: l.units, type: "bar", data: d.units, itemStyle: { color: palette[0] } },
        { name: l.out, type: "scatter", symbol: "rect", symbolSize: [3, 8], itemStyle: { color: "#d0342c" },
          data: d.days.map(function (day) { return outSet[day] ? 0 : null; }) }
      ];
      return o;
    },
    fan: function (d, l) {
      var o = base();
      var days = d.history_days.concat(d.days);
      var pad = function (arr) { return d.history_days.map(function () { return null; }).concat(arr); };
      var lo95 = d["q0.025"], hi95 = d["q0.975"], lo50 = d["q0.25"], hi50 = d["q0.75"];
      var diff = function (a, b) { return a.map(function (v, i) { return b[i] - v; }); };
      o.xAxis = { type: "category", data: days };
      // keep the fan readable next to rare sales spikes: the axis stops at 2.5x the top of the 95% band
      var top = Math.max.apply(null, hi95.filter(function (v) { return v !== null; }).concat([1]));
      o.yAxis = { type: "value", max: function (v) { return v.max > 2.5 * top ? Math.ceil(2.5 * top) : null; } };
      o.series = [
        { name: l.history, type: "line", data: d.history_units.concat(d.days.map(function () { return null; })),
          itemStyle: { color: "#444" }, showSymbol: false },
        { name: "base95", type: "line", data: pad(lo95), stack: "b95", lineStyle: { opacity: 0 }, showSymbol: false,
          tooltip: { show: false } },
        { name: l.band95, type: "line", data: pad(diff(lo95, hi95)), stack: "b95", lineStyle: { opacity: 0 },
          areaStyle: { color: "rgba(47,111,176,0.18)" }, showSymbol: false },
        { name: "base50", type: "line", data: pad(lo50), stack: "b50", lineStyle: { opacity: 0 }, showSymbol: false,
          tooltip: { show: false } },
        { name: l.band50, type: "line", data: pad(diff(lo50, hi50)), stack: "b50", lineStyle: { opacity: 0 },
          areaStyle: { color: "rgba(47,111,176,0.35)" }, showSymbol: false },
        { name: l.median, type: "line", data: pad(d["q0.5"]), itemStyle: { color: palette[0] }, showSymbol: false },
        { name: l.mean, type: "line", data: pad(d.mean), lineStyle: { type: "dashed" }, itemStyle: { color: palette[1] },
          showSymbol: false }
      ];
      o.legend.data = [l.history, l.band95, l.band50, l.median, l.mean];
      return o;
    },
    projection: function (d, l) {
      var o = base();
      var index = {};
      d.days.forEach(function (day, i) { index[day] = i; });
      o.xAxis = { type: "category", data: d.days };
      o.yAxis = { type: "value" };
      o.series = Object.keys(d.stock).map(function (w) {
        var marks = d.arrivals.filter(function (a) { return a.warehouse_id === w && index[a.day] !== undefined; })
          .map(function (a) { return { coord: [a.day, d.stock[w][index[a.day]]], value: fmt(a.qty), name: a.kind }; });
        return { name: w, type: "line", data: d.stock[w], showSymbol: false,
                 markPoint: { symbol: "pin", symbolSize: 34, data: marks, label: { fontSize: 9 } } };
      });
      return o;
    },
    aging: function (d, l) {
      var o = base();
      o.tooltip.axisPointer = { type: "shadow" };
      o.xAxis = { type: "category", data: d.buckets, name: l.days };
      o.yAxis = { type: "value" };
      o.series = Object.keys(d.units).map(function (w) { return { name: w, type: "bar", stack: "age", data: d.units[w] }; });
      return o;
    },
    waterfall: function (d, l) {
      // Each step is a floating bar from the running total before it to the one after it. ECharts stacks
      // positive and negative values separately, so a bar is an invisible base plus a visible part on
      // each side of zero; that also draws steps that cross zero correctly.
      var o = base();
      var names = [], basis = [], above = [], below = [], running = 0;
      function add(name, start, end, color) {
        var lo = Math.min(start, end), hi = Math.max(start, end);
        names.push(name);
        if (lo >= 0) { basis.push(lo); above.push({ value: hi - lo, itemStyle: { color: color } }); below.push(0); }
        else if (hi <= 0) { basis.push(hi); above.push(0); below.push({ value: lo - hi, itemStyle: { color: color } }); }
        else { basis.push(0); above.push({ value: hi, itemStyle: { color: color } });
               below.push({ value: lo, itemStyle: { color: color } }); }
      }
      d.steps.forEach(function (s) {
        add(l[s.step] || s.step, running, running + s.amount, s.amount >= 0 ? "#3a9d5d" : "#d0342c");
        running += s.amount;
      });
      add(l.net_profit, 0, d.net_profit === null ? running : d.net_profit, "#2f6fb0");
      o.legend = { show: false };
      o.tooltip = { trigger: "item", valueFormatter: fmt,
                    formatter: function (p) { return names[p.dataIndex] + ": " + fmt(
                      p.dataIndex < d.steps.length ? d.steps[p.dataIndex].amount : d.net_profit); } };
      o.xAxis = { type: "category", data: names, axisLabel: { interval: 0, rotate: 30 } };
      o.yAxis = { type: "value" };
      o.grid.bottom = 70;
      o.series = [
        { type: "bar", stack: "w", data: basis, itemStyle: { color: "transparent" }, silent: true,
          tooltip: { show: false } },
        { type: "bar", stack: "w", data: above },
        { type: "bar", stack: "w", data: below }
      ];
      return o;
    }
  };

  function draw(root) {
    if (typeof echarts === "undefined") { return; }
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.drawn) { return; }
      var source = document.getElementById(el.id + "-data");
      var build = builders[el.dataset.chart];
      if (!source || !build) { return; }
      var payload = JSON.parse(source.textContent);
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(build(payload.data, payload.labels || {}));
      el.dataset.drawn = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  // htmx 2 and htmx 4 name the after-swap event differently; redraw charts in swapped content either way
  ["htmx:afterSwap", "htmx:after:swap"].forEach(function (name) {
    document.addEventListener(name, function (e) { draw(e.target); });
  });
})();
