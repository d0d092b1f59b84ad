/* CounterPoint map pin picker (our own small widget, no library).
 *
 * Turns <div class="cp-map" data-lat-input="id_lat" data-lon-input="id_lon"> into a slippy
 * map of OpenStreetMap tiles (Web Mercator): drag to move, + / - (or double-click) to zoom,
 * click to put the pin, which writes the latitude and longitude inputs (6 decimals, about
 * 10 cm). Typing in the inputs moves the pin. Without network the tiles do not load: the
 * map then says so and the inputs and the OpenStreetMap link still work. Without the
 * inputs (a read-only page) the map only shows the pin.
 */
(function () {
  "use strict";

  var TILE = 256;
  var MIN_ZOOM = 3;
  var MAX_ZOOM = 19;
  var TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
  var THAILAND = { lat: 13.5, lon: 100.9, zoom: 6 };
  var PIN_SVG =
    '<svg viewBox="0 0 28 40" width="28" height="40" aria-hidden="true">' +
    '<path d="M14 0C6.3 0 0 6.2 0 13.9 0 24.3 14 40 14 40s14-15.7 14-26.1C28 6.2 21.7 0 14 0z"' +
    ' fill="#c62828" stroke="#fff" stroke-width="2"/><circle cx="14" cy="14" r="5" fill="#fff"/></svg>';

  function worldSize(zoom) {
    return TILE * Math.pow(2, zoom);
  }

  function project(lat, lon, zoom) {
    var size = worldSize(zoom);
    var clamped = Math.max(Math.min(lat, 85.05112878), -85.05112878);
    var rad = (clamped * Math.PI) / 180;
    return {
      x: ((lon + 180) / 360) * size,
      y: ((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * size,
    };
  }

  function unproject(x, y, zoom) {
    var size = worldSize(zoom);
    var n = Math.PI - (2 * Math.PI * y) / size;
    var lon = (x / size) * 360 - 180;
    lon = ((((lon + 180) % 360) + 360) % 360) - 180;
    return { lat: (180 / Math.PI) * Math.atan(0.5 * (Math.exp(n) - Math.exp(-n))), lon: lon };
  }

  function readNumber(input, min, max) {
    if (!input || input.value.trim() === "") return null;
    var value = Number(input.value);
    return isFinite(value) && value >= min && value <= max ? value : null;
  }

  function osmUrl(lat, lon, zoom) {
    var la = lat.toFixed(6);
    var lo = lon.toFixed(6);
    return "https://www.openstreetmap.org/?mlat=" + la + "&mlon=" + lo + "#map=" + zoom + "/" + la + "/" + lo;
  }

  function MapPicker(el) {
    this.el = el;
    this.latInput = document.getElementById(el.getAttribute("data-lat-input"));
    this.lonInput = document.getElementById(el.getAttribute("data-lon-input"));
    this.editable = !!(this.latInput && this.lonInput);
    this.link = el.parentNode.querySelector(".cp-osm-link");
    this.loaded = false;
    this.failed = 0;

    var lat = readNumber(this.latInput, -90, 90);
    var lon = readNumber(this.lonInput, -180, 180);
    if (lat === null || lon === null) {
      lat = parseFloat(el.getAttribute("data-lat"));
      lon = parseFloat(el.getAttribute("data-lon"));
    }
    if (isFinite(lat) && isFinite(lon)) {
      this.point = { lat: lat, lon: lon };
      this.zoom = 16;
    } else {
      this.point = null;
      this.zoom = THAILAND.zoom;
    }
    var centre = this.point || THAILAND;
    var c = project(centre.lat, centre.lon, this.zoom);
    this.cx = c.x;
    this.cy = c.y;
    this.build();
    this.bind();
    this.render();
  }

  MapPicker.prototype.build = function () {
    var el = this.el;
    el.setAttribute("tabindex", "0");
    el.setAttribute("role", "application");
    el.setAttribute("aria-label", el.getAttribute("data-msg-hint") || "map");
    this.tiles = document.createElement("div");
    el.appendChild(this.tiles);
    this.pin = document.createElement("div");
    this.pin.className = "cp-pin";
    this.pin.innerHTML = PIN_SVG;
    el.appendChild(this.pin);

    var tools = document.createElement("div");
    tools.className = "cp-map-tools";
    this.zoomIn = this.button("+", el.getAttribute("data-msg-zoom-in"));
    this.zoomOut = this.button("\u2212", el.getAttribute("data-msg-zoom-out"));
    tools.appendChild(this.zoomIn);
    tools.appendChild(this.zoomOut);
    el.appendChild(tools);

    if (this.editable && navigator.geolocation) {
      var locate = document.createElement("div");
      locate.className = "cp-map-locate";
      this.locateButton = this.button("\u25CE " + (el.getAttribute("data-msg-locate") || ""), "");
      locate.appendChild(this.locateButton);
      el.appendChild(locate);
    }
    this.msg = document.createElement("div");
    this.msg.className = "cp-map-msg";
    this.msg.textContent = this.editable ? el.getAttribute("data-msg-hint") || "" : "";
    if (!this.msg.textContent) this.msg.style.display = "none";
    el.appendChild(this.msg);
    var attribution = document.createElement("div");
    attribution.className = "cp-attribution";
    attribution.innerHTML =
      '\u00A9 <a href="https://www.openstreetmap.org/copyright" target="_blank" rel="noopener">OpenStreetMap</a>';
    el.appendChild(attribution);

    var self = this;
    this.offlineTimer = window.setTimeout(function () {
      if (!self.loaded) self.offline();
    }, 8000);
    if (navigator.onLine === false) this.offline();
  };

  MapPicker.prototype.button = function (text, title) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    if (title) {
      b.title = title;
      b.setAttribute("aria-label", title);
    }
    return b;
  };

  MapPicker.prototype.offline = function () {
    if (this.loaded) return;
    this.msg.textContent = this.el.getAttribute("data-msg-offline") || "";
    this.msg.className = "cp-map-msg cp-offline";
    this.msg.style.display = "";
  };

  MapPicker.prototype.online = function () {
    if (this.loaded) return;
    this.loaded = true;
    window.clearTimeout(this.offlineTimer);
    if (this.msg.className.indexOf("cp-offline") !== -1) {
      this.msg.className = "cp-map-msg";
      this.msg.textContent = this.editable ? this.el.getAttribute("data-msg-hint") || "" : "";
      this.msg.style.display = this.msg.textContent ? "" : "none";
    }
  };

  MapPicker.prototype.render = function () {
    var width = this.el.clientWidth;
    var height = this.el.clientHeight;
    var x0 = this.cx - width / 2;
    var y0 = this.cy - height / 2;
    var count = Math.pow(2, this.zoom);
    var self = this;
    var fragment = document.createDocumentFragment();
    for (var ty = Math.floor(y0 / TILE); ty <= Math.floor((y0 + height) / TILE); ty++) {
      if (ty < 0 || ty >= count) continue;
      for (var tx = Math.floor(x0 / TILE); tx <= Math.floor((x0 + width) / TILE); tx++) {
        var wrapped = ((tx % count) + count) % count;
        var img = document.createElement("img");
        img.className = "cp-tile";
        img.alt = "";
        img.draggable = false;
        img.style.left = Math.round(tx * TILE - x0) + "px";
        img.style.top = Math.round(ty * TILE - y0) + "px";
        img.style.visibility = "hidden";
        img.onload = function () {
          this.style.visibility = "visible";
          self.online();
        };
        img.onerror = function () {
          this.className = "cp-tile cp-tile-failed";
          self.failed += 1;
          if (!self.loaded) self.offline();
        };
        img.src = TILE_URL.replace("{z}", this.zoom).replace("{x}", wrapped).replace("{y}", ty);
        fragment.appendChild(img);
      }
    }
    this.tiles.innerHTML = "";
    this.tiles.appendChild(fragment);
    if (this.point) {
      var p = project(this.point.lat, this.point.lon, this.zoom);
      this.pin.style.display = "";
      this.pin.style.left = Math.round(p.x - x0) + "px";
      this.pin.style.top = Math.round(p.y - y0) + "px";
    } else {
      this.pin.style.display = "none";
    }
    this.zoomIn.disabled = this.zoom >= MAX_ZOOM;
    this.zoomOut.disabled = this.zoom <= MIN_ZOOM;
  };

  MapPicker.prototype.setZoom = function (zoom, anchorX, anchorY) {
    zoom = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, zoom));
    if (zoom === this.zoom) return;
    var width = this.el.clientWidth;
    var height = this.el.clientHeight;
    var ax = anchorX === undefined ? width / 2 : anchorX;
    var ay = anchorY === undefined ? height / 2 : anchorY;
    var anchor = unproject(this.cx - width / 2 + ax, this.cy - height / 2 + ay, this.zoom);
    this.zoom = zoom;
    var p = project(anchor.lat, anchor.lon, zoom);
    this.cx = p.x - ax + width / 2;
    this.cy = p.y - ay + height / 2;
    this.render();
  };

  MapPicker.prototype.place = function (lat, lon, recentre) {
    this.point = { lat: lat, lon: lon };
    if (this.editable) {
      this.latInput.value = lat.toFixed(6);
      this.lonInput.value = lon.toFixed(6);
      this.latInput.dispatchEvent(new Event("change", { bubbles: true }));
      this.lonInput.dispatchEvent(new Event("change", { bubbles: true }));
    }
    if (recentre) {
      var p = project(lat, lon, this.zoom);
      this.cx = p.x;
      this.cy = p.y;
    }
    this.updateLink();
    this.render();
  };

  MapPicker.prototype.updateLink = function () {
    if (this.link && this.point) {
      this.link.href = osmUrl(this.point.lat, this.point.lon, Math.max(this.zoom, 16));
    }
  };

  MapPicker.prototype.bind = function () {
    var self = this;
    var el = this.el;
    var drag = null;

    this.zoomIn.addEventListener("click", function (e) {
      e.stopPropagation();
      self.setZoom(self.zoom + 1);
    });
    this.zoomOut.addEventListener("click", function (e) {
      e.stopPropagation();
      self.setZoom(self.zoom - 1);
    });
    [this.zoomIn, this.zoomOut].forEach(function (b) {
      b.addEventListener("pointerdown", function (e) {
        e.stopPropagation();
      });
    });
    if (this.locateButton) {
      this.locateButton.addEventListener("pointerdown", function (e) {
        e.stopPropagation();
      });
      this.locateButton.addEventListener("click", function (e) {
        e.stopPropagation();
        navigator.geolocation.getCurrentPosition(
          function (pos) {
            self.zoom = Math.max(self.zoom, 17);
            self.place(pos.coords.latitude, pos.coords.longitude, true);
          },
          function () {},
          { enableHighAccuracy: true, timeout: 10000 }
        );
      });
    }

    el.addEventListener("pointerdown", function (e) {
      if (e.button !== 0) return;
      drag = { x: e.clientX, y: e.clientY, cx: self.cx, cy: self.cy, moved: false };
      el.setPointerCapture(e.pointerId);
    });
    el.addEventListener("pointermove", function (e) {
      if (!drag) return;
      var dx = e.clientX - drag.x;
      var dy = e.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 5) return;
      drag.moved = true;
      self.cx = drag.cx - dx;
      self.cy = drag.cy - dy;
      self.render();
    });
    el.addEventListener("pointerup", function (e) {
      if (!drag) return;
      var wasClick = !drag.moved;
      drag = null;
      if (!wasClick || !self.editable) return;
      var rect = el.getBoundingClientRect();
      var px = e.clientX - rect.left;
      var py = e.clientY - rect.top;
      var where = unproject(
        self.cx - el.clientWidth / 2 + px,
        self.cy - el.clientHeight / 2 + py,
        self.zoom
      );
      self.place(where.lat, where.lon, false);
    });
    el.addEventListener("pointercancel", function () {
      drag = null;
    });
    el.addEventListener("dblclick", function (e) {
      var rect = el.getBoundingClientRect();
      self.setZoom(self.zoom + 1, e.clientX - rect.left, e.clientY - rect.top);
    });
    el.addEventListener("keydown", function (e) {
      var step = 80;
      var handled = true;
      if (e.key === "ArrowLeft") self.cx -= step;
      else if (e.key === "ArrowRight") self.cx += step;
      else if (e.key === "ArrowUp") self.cy -= step;
      else if (e.key === "ArrowDown") self.cy += step;
      else if (e.key === "+" || e.key === "=") self.setZoom(self.zoom + 1);
      else if (e.key === "-") self.setZoom(self.zoom - 1);
      else handled = false;
      if (handled) {
        e.preventDefault();
        self.render();
      }
    });

    if (this.editable) {
      var fromInputs = function () {
        var lat = readNumber(self.latInput, -90, 90);
        var lon = readNumber(self.lonInput, -180, 180);
        if (lat === null || lon === null) return;
        if (self.point && self.point.lat === lat && self.point.lon === lon) return;
        if (!self.point) self.zoom = 16;
        self.point = { lat: lat, lon: lon };
        var p = project(lat, lon, self.zoom);
        self.cx = p.x;
        self.cy = p.y;
        self.updateLink();
        self.render();
      };
      this.latInput.addEventListener("input", fromInputs);
      this.lonInput.addEventListener("input", fromInputs);
    }
    window.addEventListener("resize", function () {
      self.render();
    });
  };

  function init() {
    var maps = document.querySelectorAll(".cp-map");
    for (var i = 0; i < maps.length; i++) {
      if (!maps[i].cpMap) maps[i].cpMap = new MapPicker(maps[i]);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
