/* kglijn — draws the charts of the report pages with the vendored Chart.js.
 *
 * A chart is a <canvas data-chart="ID"> whose data sits in <script type="application/json" id="ID">
 * (Django's json_script): no inline scripts, so a strict Content-Security-Policy holds. The data:
 *   {kind: "line"|"bar"|"doughnut", stacked, horizontal, percent, labels: [...],
 *    datasets: [{label, data: [...], muted?, dashed?, colour?}], xTitle, yTitle, decimals?}
 * (colour: a fixed colour, e.g. to tell two muted reference series apart)
 * (decimals: of the numbers in tooltips; default 2 for percentages, 0 otherwise)
 * A scatter chart (e.g. importance × satisfaction) has points instead of labels:
 *   {kind: "scatter", datasets: [{label, data: [{x, y, label}], pointStyle?, colour?}],
 *    xTitle, yTitle, xMin?, xMax?, yMin?, yMax?, decimals?, pointLabels?: true (each point's
 *    label written beside it), crosshair?: {x, y} (dashed lines across the plot),
 *    quadrants?: {topLeft, topRight, bottomLeft, bottomRight} (names written in the corners)}
 * Charts are drawn on page load and again after htmx swaps new content in. Every chart's numbers
 * are also on the page as a table (the accessible version); the canvas carries an aria-label.
 */
(function () {
  "use strict";

  var PALETTE = [
    "#005a6e", "#f2a900", "#7b3294", "#1b9e77", "#d95f02", "#1f78b4",
    "#e7298a", "#66a61e", "#a6761d", "#56626f", "#b2182b", "#4d9221",
  ];
  var MUTED = "#9aa5b1";

  function colour(index) { return PALETTE[index % PALETTE.length]; }

  function language() {
    return document.documentElement.lang || "nl-BE";
  }

  function formatNumber(value, percent, decimals) {
    if (value === null || value === undefined) return "–";
    var digits = decimals === undefined ? (percent ? 2 : 0) : decimals;
    var text = new Intl.NumberFormat(language(), {
      maximumFractionDigits: digits,
      minimumFractionDigits: digits,
    }).format(value);
    return percent ? text + " %" : text;
  }

  function datasetStyle(spec, dataset, index) {
    // Muted series (e.g. last year) are grey and do not use up a palette colour.
    var before = spec.datasets.slice(0, index).filter(function (d) { return d.muted; }).length;
    var base = dataset.colour || (dataset.muted ? MUTED : colour(index - before));
    var style = { label: dataset.label, data: dataset.data };
    if (spec.kind === "doughnut") {
      style.backgroundColor = dataset.data.map(function (_v, i) { return colour(i); });
      style.borderColor = "#ffffff";
      style.borderWidth = 2;
    } else if (spec.kind === "line") {
      style.borderColor = base;
      style.backgroundColor = base;
      style.borderWidth = dataset.muted ? 2 : 3;
      style.pointRadius = 3;
      style.spanGaps = false;
      style.cubicInterpolationMode = "monotone";  // smooth, never overshoots below 0
      if (dataset.dashed) style.borderDash = [6, 4];
    } else {
      style.backgroundColor = base;
      style.borderColor = base;
      style.borderWidth = 0;
      style.maxBarThickness = 48;
    }
    return style;
  }

  // Draws a scatter's crosshair under the points, and the quadrant names and the points' labels
  // over them (Chart.js has no such built-in; this is a chart-local plugin).
  function scatterPlugin(spec) {
    return {
      id: "kglijnScatter",
      beforeDatasetsDraw: function (chart) {
        var cross = spec.crosshair;
        if (!cross) return;
        var area = chart.chartArea;
        var ctx = chart.ctx;
        var x = chart.scales.x.getPixelForValue(cross.x);
        var y = chart.scales.y.getPixelForValue(cross.y);
        ctx.save();
        ctx.strokeStyle = "#56626f";
        ctx.lineWidth = 1.5;
        ctx.setLineDash([6, 4]);
        ctx.beginPath();
        ctx.moveTo(x, area.top);
        ctx.lineTo(x, area.bottom);
        ctx.moveTo(area.left, y);
        ctx.lineTo(area.right, y);
        ctx.stroke();
        ctx.restore();
      },
      afterDatasetsDraw: function (chart) {
        var area = chart.chartArea;
        var ctx = chart.ctx;
        ctx.save();
        ctx.fillStyle = "#1d2733";
        var corners = spec.quadrants || {};
        var pad = 6;
        ctx.font = "italic 12px " + window.Chart.defaults.font.family;
        [["topLeft", area.left + pad, area.top + pad, "left", "top"],
         ["topRight", area.right - pad, area.top + pad, "right", "top"],
         ["bottomLeft", area.left + pad, area.bottom - pad, "left", "bottom"],
         ["bottomRight", area.right - pad, area.bottom - pad, "right", "bottom"]].forEach(function (c) {
          if (!corners[c[0]]) return;
          ctx.textAlign = c[3];
          ctx.textBaseline = c[4];
          ctx.fillText(corners[c[0]], c[1], c[2]);
        });
        if (spec.pointLabels) {
          ctx.font = "13px " + window.Chart.defaults.font.family;
          ctx.textBaseline = "middle";
          chart.data.datasets.forEach(function (dataset, i) {
            var meta = chart.getDatasetMeta(i);
            if (meta.hidden) return;
            meta.data.forEach(function (element, j) {
              var point = dataset.data[j];
              if (!point || !point.label) return;
              var right = element.x > area.left + (area.right - area.left) * 0.7;
              ctx.textAlign = right ? "right" : "left";
              ctx.fillText(point.label, element.x + (right ? -10 : 10), element.y);
            });
          });
        }
        ctx.restore();
      },
    };
  }

  function scatterConfig(spec) {
    var axis = function (title, min, max) {
      return {
        type: "linear",
        min: min,
        max: max,
        title: { display: !!title, text: title || "" },
        ticks: { callback: function (value) { return formatNumber(value, false, 1); } },
      };
    };
    var decimals = spec.decimals === undefined ? 1 : spec.decimals;
    return {
      type: "scatter",
      data: {
        datasets: spec.datasets.map(function (dataset, index) {
          var base = dataset.colour || colour(index);
          return {
            label: dataset.label,
            data: dataset.data,
            backgroundColor: base,
            borderColor: base,
            pointStyle: dataset.pointStyle || "circle",
            pointRadius: 7,
            pointHoverRadius: 9,
          };
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: true,
        aspectRatio: spec.aspect || 1.4,
        animation: false,
        locale: language(),
        layout: { padding: 8 },
        scales: {
          x: axis(spec.xTitle, spec.xMin, spec.xMax),
          y: axis(spec.yTitle, spec.yMin, spec.yMax),
        },
        plugins: {
          legend: { display: true, position: "bottom", labels: { usePointStyle: true } },
          tooltip: {
            callbacks: {
              label: function (context) {
                var point = context.raw || {};
                return (point.label ? point.label + ": " : "") +
                  (spec.xTitle || "x") + " " + formatNumber(context.parsed.x, false, decimals) + "; " +
                  (spec.yTitle || "y") + " " + formatNumber(context.parsed.y, false, decimals);
              },
            },
          },
        },
      },
      plugins: [scatterPlugin(spec)],
    };
  }

  function config(spec) {
    if (spec.kind === "scatter") return scatterConfig(spec);
    var percent = !!spec.percent;
    var horizontal = !!spec.horizontal;
    var options = {
      responsive: true,
      maintainAspectRatio: true,
      aspectRatio: spec.aspect || (spec.kind === "doughnut" ? 1.6 : 2),
      animation: false,
      locale: language(),
      plugins: {
        legend: {
          display: spec.kind === "doughnut" || spec.datasets.length > 1,
          position: "bottom",
        },
        tooltip: {
          callbacks: {
            label: function (context) {
              var value = context.parsed;
              if (typeof value === "object" && value !== null) {
                value = horizontal ? value.x : value.y;
              }
              var name = spec.kind === "doughnut" ? context.label : context.dataset.label;
              return (name ? name + ": " : "") + formatNumber(value, percent, spec.decimals);
            },
          },
        },
      },
    };
    if (spec.kind !== "doughnut") {
      var valueAxis = {
        beginAtZero: true,
        stacked: !!spec.stacked,
        // Counts: whole-number ticks only (no "1, 1, 2, 2" from rounded 0.5 steps).
        title: { display: !!spec.yTitle, text: spec.yTitle || "" },
        ticks: {
          precision: percent ? undefined : 0,
          callback: function (value) { return formatNumber(value, percent); },
        },
      };
      var categoryAxis = {
        stacked: !!spec.stacked,
        title: { display: !!spec.xTitle, text: spec.xTitle || "" },
        grid: { display: false },
      };
      if (horizontal) {
        options.indexAxis = "y";
        options.scales = { x: valueAxis, y: categoryAxis };
      } else {
        options.scales = { x: categoryAxis, y: valueAxis };
      }
    }
    return {
      type: spec.kind === "doughnut" ? "doughnut" : spec.kind === "line" ? "line" : "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (dataset, index) {
          return datasetStyle(spec, dataset, index);
        }),
      },
      options: options,
    };
  }

  function draw(root) {
    if (typeof window.Chart === "undefined") return;
    window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    window.Chart.defaults.font.size = 13;
    window.Chart.defaults.color = "#1d2733";
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) return;
      var spec;
      try { spec = JSON.parse(source.textContent); } catch (error) { return; }
      var previous = window.Chart.getChart(canvas);
      if (previous) previous.destroy();
      new window.Chart(canvas, config(spec));
      canvas.dataset.rendered = "1";
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target || document); });
  // Back/forward through htmx history restores a page snapshot whose canvases are blank.
  document.addEventListener("htmx:historyRestore", function () { draw(document); });
})();
