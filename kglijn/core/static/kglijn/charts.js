/* kglijn — draws the charts of the report pages with the vendored Chart.js.
 *
 * A chart is a <canvas data-chart="ID"> whose data sits in <script type="application/json" id="ID">
 * (Django's json_script): no inline scripts, so a strict Content-Security-Policy holds. The data:
 *   {kind: "line"|"bar"|"doughnut", stacked, horizontal, percent, labels: [...],
 *    datasets: [{label, data: [...], muted?, dashed?, colour?}], xTitle, yTitle, decimals?}
 * (colour: a fixed colour, e.g. to tell two muted reference series apart)
 * (decimals: of the numbers in tooltips; default 2 for percentages, 0 otherwise)
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

  function config(spec) {
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
