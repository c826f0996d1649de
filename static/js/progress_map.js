/* Draws the progress map's data layers on a folium/Leaflet map. Served by the app; no outside requests. */
(function () {
  "use strict";

  function escapeHtml(text) {
    var element = document.createElement("div");
    element.textContent = text == null ? "" : String(text);
    return element.innerHTML;
  }

  function isoDay(days) {
    return new Date(days * 86400000).toISOString().slice(0, 10);
  }

  function villagePopup(row, data) {
    var township = data.townships[row[2]];
    var code = township[0] + String(row[3]).padStart(3, "0");
    var text = data.text;
    var lines = [
      [text.township, township[1]],
      [text.tier, data.tiers[row[5]]],
      [text.status, data.statuses[row[6]]],
      [text.progress, row[7] + "%"],
      [text.updated, isoDay(row[8])]
    ];
    var html = '<div class="village-popup"><strong>' + escapeHtml(row[4]) + "</strong> <small>" + code + "</small>";
    if (row[9]) {
      html += ' <span class="badge illustrative">' + escapeHtml(text.illustrative) + "</span>";
    }
    html += "<table>";
    lines.forEach(function (line) {
      html += "<tr><th>" + escapeHtml(line[0]) + "</th><td>" + escapeHtml(line[1]) + "</td></tr>";
    });
    html += '</table><a href="' + escapeHtml(data.url[0] + code + data.url[1]) + '">' + escapeHtml(text.open) + "</a></div>";
    return html;
  }

  function drawCounties(group, collection, renderer) {
    L.geoJSON(collection, {
      renderer: renderer,
      style: function (feature) { return feature.properties.style; },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(feature.properties.tooltip, { sticky: true });
        group.addLayer(layer);
        group.addLayer(L.marker(feature.properties.label, {
          icon: L.divIcon({ className: "county-label", html: "<span>" + escapeHtml(feature.properties.name) + "</span>", iconSize: null }),
          interactive: false,
          keyboard: false
        }));
      }
    });
  }

  function drawVillages(groups, data, renderer) {
    var markers = groups.map(function () { return []; });
    data.villages.forEach(function (row) {
      var marker = L.circleMarker([row[0], row[1]], L.extend({ renderer: renderer }, data.styles[row[5]][row[6]]));
      marker.village = row;
      markers[row[5]].push(marker);
    });
    // Lower tiers first so that showcase villages are drawn on top.
    for (var index = groups.length - 1; index >= 0; index--) {
      markers[index].forEach(function (marker) { groups[index].addLayer(marker); });
      groups[index].bindPopup(function (layer) { return villagePopup(layer.village, data); });
    }
  }

  function drawPairings(group, map, pairings, renderer) {
    pairings.forEach(function (pairing) {
      var from = L.latLng(pairing[0], pairing[1]);
      var to = L.latLng(pairing[2], pairing[3]);
      var line = L.polyline([from, to], L.extend({ renderer: renderer }, pairing[5]));
      line.bindPopup(pairing[6]);
      group.addLayer(line);
      if (pairing[4] === "help") {
        var a = map.project(from, 10);
        var b = map.project(to, 10);
        var angle = Math.atan2(b.y - a.y, b.x - a.x) * 180 / Math.PI;
        var at = L.latLng(from.lat + (to.lat - from.lat) * 0.6, from.lng + (to.lng - from.lng) * 0.6);
        group.addLayer(L.marker(at, {
          icon: L.divIcon({
            className: "pairing-arrow",
            html: '<span style="transform: rotate(' + angle.toFixed(1) + "deg); color: " + pairing[5].color + '">&#10148;</span>',
            iconSize: [18, 18]
          }),
          interactive: false,
          keyboard: false
        }));
      }
    });
  }

  // Counties, pairing lines and villages share one canvas renderer. A canvas finds what is under the pointer by
  // testing its own shapes in drawing order, so whatever is drawn on top answers, wherever it is: a village over
  // a county, a line between them. (With villages on a canvas above SVG counties and lines, the canvas took every
  // pointer event and the shapes below never got one; turning its pointer events off would silence the villages.)
  // The layer control re-adds a layer on top of the others: restack() puts the drawing order back.
  function restack(layers) {
    layers.counties.bringToBack();
    layers.pairings.bringToFront();
    for (var index = layers.groups.length - 1; index >= 0; index--) {
      layers.groups[index].bringToFront();
    }
  }

  window.ProgressMap = {
    draw: function (map, layers, data) {
      map.fitBounds(data.bounds, { animate: false });
      // tolerance: a line or a small point can be hit a few pixels away, with a finger too.
      var renderer = L.canvas({ padding: 0.5, tolerance: 4 });
      drawCounties(layers.counties, data.counties, renderer);
      drawPairings(layers.pairings, map, data.pairings, renderer);
      drawVillages(layers.groups, data, renderer);
      restack(layers);
      map.on("overlayadd", function () { restack(layers); });
      // On a phone the expanded list of layers would cover much of the map: fold it into its button there.
      if (layers.control && window.matchMedia("(max-width: 640px)").matches) {
        layers.control.remove();
        layers.control.options.collapsed = true;
        layers.control.addTo(map);
      }
      ProgressMap.last = { map: map, layers: layers, data: data };
      var container = map.getContainer();
      // The canvas repaints on the next animation frame; mark the map as drawn after that.
      L.Util.requestAnimFrame(function () {
        L.Util.requestAnimFrame(function () {
          container.setAttribute("data-villages-drawn", String(data.villages.length));
          container.setAttribute("data-drawn-at", String(Math.round(performance.now())));
        });
      });
    }
  };
})();
