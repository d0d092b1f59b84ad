/* CounterPoint insights pages: draw each chart from the JSON the page carries
   (json_script, no inline script), and the searchable service point picker. */
(function () {
  "use strict";
  var COLOURS = ["#1f5fa8", "#c2561b", "#2f7a3b", "#7a3b8f", "#8a6d00"];

  function drawCharts() {
    if (typeof Chart === "undefined") return;
    var font = getComputedStyle(document.body).fontFamily;
    Chart.defaults.font.family = font;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.chart);
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      var datasets = spec.datasets.map(function (d, i) {
        var colour = COLOURS[i % COLOURS.length];
        return Object.assign({ borderColor: colour, backgroundColor: colour + (d.type === "line" || spec.type === "line" ? "" : "99"),
          tension: 0.2, pointRadius: spec.labels.length > 60 ? 0 : 3 }, d);
      });
      var scales = {};
      if (spec.dual) {
        scales = { pct: { type: "linear", position: "left", min: 0, max: 100, title: { display: true, text: "%" } },
                   n: { type: "linear", position: "right", grid: { drawOnChartArea: false } } };
      } else if (spec.y_max) {
        scales = { y: { min: 0, max: spec.y_max } };
      }
      new Chart(canvas, { type: spec.type, data: { labels: spec.labels, datasets: datasets },
        options: { responsive: true, maintainAspectRatio: false, animation: false, scales: scales,
          interaction: { mode: "index", intersect: false } } });
    });
  }

  function pointPicker() {
    var text = document.getElementById("cp-point-text");
    var list = document.getElementById("cp-point-list");
    var hidden = document.getElementById("cp-point-id");
    if (!text || !list || !hidden) return;
    var ids = {};
    var timer = null;
    text.addEventListener("input", function () {
      if (ids[text.value]) { hidden.value = ids[text.value]; return; }
      hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch(text.dataset.url + "?q=" + encodeURIComponent(text.value), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (body) {
            list.innerHTML = "";
            body.results.forEach(function (item) {
              ids[item.text] = item.id;
              var option = document.createElement("option");
              option.value = item.text;
              list.appendChild(option);
            });
            if (ids[text.value]) hidden.value = ids[text.value];
          });
      }, 200);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { drawCharts(); pointPicker(); });
})();
