/* Linked selects for the Thai administrative area of a service point: choosing a province
 * loads its districts, choosing a district loads its subdistricts (from geothai, through
 * /admin/geo/...). The server validates the codes whatever the browser does. */
(function () {
  "use strict";

  function fill(select, choices) {
    var blank = select.options.length ? select.options[0].cloneNode(true) : null;
    select.innerHTML = "";
    if (blank && blank.value === "") select.appendChild(blank);
    choices.forEach(function (c) {
      var option = document.createElement("option");
      option.value = c.code;
      option.textContent = c.label;
      select.appendChild(option);
    });
    select.value = "";
  }

  function load(url, param, value, target, after) {
    if (!value) {
      fill(target, []);
      if (after) fill(after, []);
      return;
    }
    var query = url + (url.indexOf("?") === -1 ? "?" : "&") + param + "=" + encodeURIComponent(value);
    target.disabled = true;
    fetch(query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      })
      .then(function (data) {
        fill(target, data.choices || []);
        if (after) fill(after, []);
      })
      .catch(function () {})
      .then(function () {
        target.disabled = false;
      });
  }

  function init() {
    var province = document.querySelector('select[data-cp-area="province"]');
    var district = document.querySelector('select[data-cp-area="district"]');
    var subdistrict = document.querySelector('select[data-cp-area="subdistrict"]');
    if (!province || !district || !subdistrict) return;
    province.addEventListener("change", function () {
      load(province.getAttribute("data-url"), "province", province.value, district, subdistrict);
    });
    district.addEventListener("change", function () {
      load(district.getAttribute("data-url"), "district", district.value, subdistrict, null);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
