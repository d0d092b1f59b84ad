/* The public directory's small script (no framework): "use my location", the province
   select that reloads its districts, and the Leaflet map of the results. The pages work
   without it: the list comes first and has everything. */
(function () {
  "use strict";

  // Province changed: submit so the district list follows (without JS: the Search button).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      var district = select.form.querySelector("select[name=district]");
      if (district) { district.value = ""; }
      select.form.submit();
    });
  });

  // "Use my location": fill lat/lon and submit the near-me form.
  var locate = document.getElementById("locate");
  var form = document.getElementById("near-form");
  if (locate && form && "geolocation" in navigator) {
    var status = document.getElementById("locate-status");
    locate.hidden = false;
    locate.addEventListener("click", function () {
      status.hidden = false;
      status.textContent = status.dataset.wait;
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.elements.lat.value = pos.coords.latitude.toFixed(5);
        form.elements.lon.value = pos.coords.longitude.toFixed(5);
        form.elements.place.value = "";
        form.submit();
      }, function () {
        status.textContent = status.dataset.fail;
      }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 });
    });
  }

  // The map: pins from the list items (or the one office), each linking to its page.
  var box = document.getElementById("map");
  if (!box || typeof L === "undefined") { return; }
  var pins = [];
  if (box.dataset.lat) {
    pins.push({ lat: +box.dataset.lat, lon: +box.dataset.lon, name: box.dataset.name, url: "" });
  } else {
    document.querySelectorAll("#results [data-lat]").forEach(function (li) {
      pins.push({ lat: +li.dataset.lat, lon: +li.dataset.lon, name: li.dataset.name,
                  url: li.dataset.url });
    });
  }
  if (!pins.length) { return; }
  box.classList.add("map-on");
  box.setAttribute("role", "region");
  box.setAttribute("aria-label", box.dataset.label || "Map");
  var map = L.map(box, { scrollWheelZoom: false });
  L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 19,
    attribution: "&copy; <a href=\"https://www.openstreetmap.org/copyright\">OpenStreetMap</a>"
  }).addTo(map);
  var bounds = [];
  pins.forEach(function (p) {
    var marker = L.marker([p.lat, p.lon], { title: p.name, alt: p.name }).addTo(map);
    if (p.url) {
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.name;
      marker.bindPopup(link);
    }
    bounds.push([p.lat, p.lon]);
  });
  if (bounds.length === 1) { map.setView(bounds[0], 16); }
  else { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 }); }
})();
