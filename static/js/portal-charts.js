// Draws the dashboard's weekly trend charts (templates/tenancy/dashboard_trends.html) with the
// vendored Chart.js (static/vendor/chartjs/), without inline script: each <canvas data-chart="id">
// reads its numbers from <script type="application/json" id="id"> (json_script). The table under
// each chart holds the same numbers. No animation for those who ask for reduced motion.
(function () {
  "use strict";
  if (typeof window.Chart !== "function") { return; }
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  // dark enough on white for lines and text (WCAG 3:1 for graphics, 4.5:1 for text)
  var INK = "#1f2933";
  var GRID = "#d5dbe1";
  var COLOURS = { count: "#0b3d91", hours: "#1b6e2b", percent: "#7a3e9d", minutes: "#9a4a00" };
  var locale = document.documentElement.lang || undefined;

  function format(value, unit) {
    var places = unit === "count" ? 0 : 1;
    var text = Number(value).toLocaleString(locale, { maximumFractionDigits: places });
    return text + ({ hours: " h", percent: " %", minutes: " min" }[unit] || "");
  }

  function draw(canvas) {
    var holder = document.getElementById(canvas.getAttribute("data-chart"));
    if (!holder) { return; }
    var data = JSON.parse(holder.textContent);
    var colour = COLOURS[data.unit] || COLOURS.count;
    var bars = data.unit === "count";
    var labels = data.weeks.map(function (monday) { return monday.slice(5); }); // MM-DD
    var chart = new window.Chart(canvas, {
      type: bars ? "bar" : "line",
      data: {
        labels: labels,
        datasets: [{
          label: data.label,
          data: data.values,
          backgroundColor: colour,
          borderColor: colour,
          borderWidth: bars ? 0 : 2,
          pointRadius: bars ? 0 : 3,
          tension: 0
        }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduced ? false : { duration: 400 },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: function (items) { return data.weeks[items[0].dataIndex]; },
              label: function (item) { return format(item.parsed.y, data.unit); }
            }
          }
        },
        scales: {
          x: { ticks: { color: INK, autoSkip: true, maxRotation: 0 }, grid: { display: false } },
          y: {
            beginAtZero: true,
            ticks: { color: INK, precision: bars ? 0 : undefined, callback: function (v) { return format(v, data.unit); } },
            grid: { color: GRID }
          }
        }
      }
    });
    canvas.setAttribute("data-chart-ready", "true");
    return chart;
  }

  function start() {
    document.querySelectorAll("canvas[data-chart]:not([data-chart-ready])").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
