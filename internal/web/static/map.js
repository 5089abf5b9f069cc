// map.js draws a commune plan on a map of the land: the sites as circles
// sized by what they make and coloured by kind, the flows as lines as
// thick as what they carry, and how well the needs of each place are met
// as red-to-green markers. Coordinators look at it all day, at the scale
// of the world (Los Angeles, Manila, Johannesburg) and of a city
// (kitchens two kilometres apart), so it zooms and pans with the wheel,
// a drag, a pinch, the keyboard and its + − and fit buttons.
//
// It is plain JavaScript with no build step and loads nothing from
// another host. It holds no words: every word it shows comes from a
// data-word-* attribute of the element it draws in, so the page says it
// in the reader's language. A missing word shows as its key, to be seen
// and fixed rather than silently shown in English.
//
// Use: <div class="commune-map" data-commune-map data-land="URL of
// land-50m.json" data-lang="es" data-word-title="…" …><script
// type="application/json">{mapData}</script></div>. The element gets
// data-state="ready" once drawn, and el.communeMap, the map's handle
// (zoomBy, fit, fitBounds, view, lonLatAt, mark). The words it asks for (data-word-KEY):
// title, desc, legend, zoom-in, zoom-out, fit, kind-workplace,
// kind-school, kind-neighborhood, kind-depot, kind-other, flow-sites,
// flow-homes, needs-met, needs, output, home-area, tier-essential,
// tier-basic, tier-wanted. html/template refuses to build attribute
// names with a dash from data (it writes ZgotmplZ): write each
// data-word-KEY literally in the template, or build them in Go as the
// browser test does (wordAttrs).
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var MAXLAT = 85; // Web Mercator runs to infinity at the poles
  var KINDS = ["workplace", "school", "neighborhood", "depot", "other"];
  var COLOURS = { workplace: "#6a3d9a", school: "#1f78b4", neighborhood: "#b15928", depot: "#3a3a3a", other: "#7a7a7a" };
  // Coverage from red to green; most plans meet most needs, so the ramp
  // spends its colours on the top: 80 % is already yellow.
  var RAMP = [[0, [178, 24, 43]], [0.5, [239, 138, 98]], [0.8, [240, 200, 80]], [0.95, [140, 200, 90]], [1, [26, 152, 80]]];
  var unique = 0;

  // --- TopoJSON (github.com/topojson/topojson-specification) ---

  // arcsOf decodes the topology's arcs into [lon, lat] points. With a
  // transform the positions are quantized and delta-encoded: each is the
  // offset from the previous one of its arc, in units of the scale (§2.1.2).
  function arcsOf(topo) {
    var tf = topo.transform;
    return topo.arcs.map(function (arc) {
      var x = 0, y = 0, out = new Array(arc.length);
      for (var i = 0; i < arc.length; i++) {
        if (tf) {
          x += arc[i][0]; y += arc[i][1];
          out[i] = [x * tf.scale[0] + tf.translate[0], y * tf.scale[1] + tf.translate[1]];
        } else {
          out[i] = [arc[i][0], arc[i][1]];
        }
      }
      return out;
    });
  }

  // ringsOf returns the rings of the polygons of object name. A ring
  // lists arc indexes; ~i (a negative index) is arc i reversed (§2.2).
  // Consecutive arcs share their end point, kept once.
  function ringsOf(topo, name) {
    var arcs = arcsOf(topo), out = [];
    function ring(ids) {
      var pts = [];
      ids.forEach(function (i) {
        var a = i < 0 ? arcs[~i].slice().reverse() : arcs[i];
        for (var j = pts.length ? 1 : 0; j < a.length; j++) pts.push(a[j]);
      });
      return pts;
    }
    function geometry(g) {
      if (g.type === "GeometryCollection") g.geometries.forEach(geometry);
      else if (g.type === "Polygon") g.arcs.forEach(function (r) { out.push(ring(r)); });
      else if (g.type === "MultiPolygon") g.arcs.forEach(function (p) { p.forEach(function (r) { out.push(ring(r)); }); });
    }
    geometry(topo.objects[name]);
    return out;
  }

  // --- Web Mercator, in degrees: x is the longitude, and y grows down ---

  function project(lon, lat) {
    lat = Math.max(-MAXLAT, Math.min(MAXLAT, lat));
    return [lon, -180 / Math.PI * Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360))];
  }
  function latOf(y) { return 360 / Math.PI * Math.atan(Math.exp(-y * Math.PI / 180)) - 90; }

  // greatCircle returns n+1 points from a to b along the great circle,
  // longitudes kept continuous from a's (they may leave −180..180), so
  // that Los Angeles to Manila crosses the Pacific, not the Atlantic.
  function greatCircle(a, b, n) {
    var r = Math.PI / 180;
    function xyz(p) { return [Math.cos(p[1] * r) * Math.cos(p[0] * r), Math.cos(p[1] * r) * Math.sin(p[0] * r), Math.sin(p[1] * r)]; }
    var u = xyz(a), v = xyz(b);
    var d = Math.acos(Math.max(-1, Math.min(1, u[0] * v[0] + u[1] * v[1] + u[2] * v[2])));
    var out = [], lon0 = a[0];
    for (var i = 0; i <= n; i++) {
      var t = i / n, s = Math.sin(d), ka = Math.sin((1 - t) * d) / s, kb = Math.sin(t * d) / s;
      var x = ka * u[0] + kb * v[0], y = ka * u[1] + kb * v[1], z = ka * u[2] + kb * v[2];
      var lon = Math.atan2(y, x) / r, lat = Math.atan2(z, Math.sqrt(x * x + y * y)) / r;
      lon += 360 * Math.round((lon0 - lon) / 360);
      out.push([lon, lat]);
      lon0 = lon;
    }
    return out;
  }

  function km(a, b) {
    var r = Math.PI / 180, dl = (b[1] - a[1]) * r, dn = (b[0] - a[0]) * r;
    var h = Math.pow(Math.sin(dl / 2), 2) + Math.cos(a[1] * r) * Math.cos(b[1] * r) * Math.pow(Math.sin(dn / 2), 2);
    return 12742 * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  // centreLon is the longitude the map is centred on: the middle of the
  // narrowest band holding every point, found as the widest gap between
  // their longitudes, so data on both shores of the Pacific is drawn
  // across it.
  function centreLon(lons) {
    if (!lons.length) return 0;
    lons = lons.slice().sort(function (a, b) { return a - b; });
    var best = lons[0] + 360 - lons[lons.length - 1], start = lons[0];
    for (var i = 1; i < lons.length; i++) {
      if (lons[i] - lons[i - 1] > best) { best = lons[i] - lons[i - 1]; start = lons[i]; }
    }
    var mid = start + (360 - best) / 2;
    return mid > 180 ? mid - 360 : mid;
  }

  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function html(name, cls, parent) {
    var e = document.createElement(name);
    if (cls) e.className = cls;
    if (parent) parent.appendChild(e);
    return e;
  }
  function ramp(c) {
    c = Math.max(0, Math.min(1, c));
    for (var i = 1; i < RAMP.length; i++) {
      if (c <= RAMP[i][0]) {
        var a = RAMP[i - 1], b = RAMP[i], t = (c - a[0]) / (b[0] - a[0]);
        return "rgb(" + [0, 1, 2].map(function (j) { return Math.round(a[1][j] + t * (b[1][j] - a[1][j])); }).join(",") + ")";
      }
    }
    return "rgb(26,152,80)";
  }

  // flowStyle is a flow line's attributes: blue between sites, a light
  // brown to homes, which are many and must not hide the rest.
  function flowStyle(toSite, d, width) {
    return { "class": "flow " + (toSite ? "to-site" : "to-home"), d: d, fill: "none",
      stroke: toSite ? "#1b6f8a" : "#c0712c", "stroke-opacity": toSite ? 0.75 : 0.4, "stroke-linecap": "round",
      "vector-effect": "non-scaling-stroke", "stroke-width": width };
  }

  // CommuneMap draws data (the Go side's mapData) into the element root,
  // over the land of topo (may be null: the data is drawn on water).
  function CommuneMap(root, data, topo) {
    var self = this;
    this.root = root;
    this.data = data;
    this.lang = root.getAttribute("data-lang") || document.documentElement.lang || "en";
    // As many decimals as the Go side keeps (shownDecimals in numbers.go),
    // which leaves out what would show as 0.
    this.num = new Intl.NumberFormat(this.lang, { maximumFractionDigits: 2, useGrouping: false });
    this.pct = new Intl.NumberFormat(this.lang, { style: "percent" });
    var id = "commune-map-" + (++unique);
    var lons = [];
    data.sites.forEach(function (s) { lons.push(s.lon); });
    data.coverage.forEach(function (c) { lons.push(c.lon); });
    this.lon0 = centreLon(lons);

    var svg = this.svg = el("svg", { "class": "commune-map-svg", tabindex: "0", role: "img",
      "aria-labelledby": id + "-t " + id + "-d", preserveAspectRatio: "xMidYMid meet" });
    el("title", { id: id + "-t" }, svg).textContent = this.word("title");
    el("desc", { id: id + "-d" }, svg).textContent = this.word("desc");
    el("rect", { "class": "water", x: -1e4, y: -1e4, width: 2e4, height: 2e4 }, svg);
    var land = el("g", { "class": "land" }, svg);
    if (topo) {
      // Styled by attributes, not by map.css: the copies below are <use>
      // clones, which the stylesheet's selectors do not reach, and a
      // stroke that scaled with the zoom would paint the coast a degree
      // wide at a city's scale.
      el("path", { id: id + "-land", d: this.landPath(topo), "fill-rule": "evenodd", fill: "#f3efe4",
        stroke: "#cbc2ab", "stroke-width": 0.7, "vector-effect": "non-scaling-stroke" }, land);
      // Copies a world away on either side, so that the map pans across
      // the antimeridian without an edge.
      [-360, 360, 720].forEach(function (dx) { el("use", { href: "#" + id + "-land", x: dx }, land); });
    }
    // The flows have copies a world away too: Los Angeles to Johannesburg
    // leaves the map eastwards and comes back from the west.
    var flows = el("g", { "class": "flows" }, svg);
    this.flowLayer = el("g", { id: id + "-flows" }, flows);
    [-360, 360].forEach(function (dx) { el("use", { href: "#" + id + "-flows", x: dx }, flows); });
    this.coverLayer = el("g", { "class": "coverage" }, svg);
    this.siteLayer = el("g", { "class": "sites" }, svg);
    this.labelLayer = el("g", { "class": "labels", "aria-hidden": "true" }, svg);
    root.appendChild(svg);
    this.drawFlows();
    this.drawSites();
    this.controls();
    // A map for picking a place (data-picker) shows no plan, and so no legend.
    if (!root.hasAttribute("data-picker")) this.legend();
    this.scaleBar = html("div", "commune-map-scale", root);
    this.scaleBar.setAttribute("aria-hidden", "true");
    this.interact();
    this.view = { x: 0, y: 0, k: 1 };
    this.level = -1;
    this.fit();
    if (window.ResizeObserver) new ResizeObserver(function () { self.render(); }).observe(svg);
  }

  var P = CommuneMap.prototype;

  P.word = function (key) { return this.root.getAttribute("data-word-" + key) || key; };
  P.fmt = function (x) { return this.num.format(x); };
  P.productName = function (id) {
    var p = this.data.products && this.data.products[id];
    return p ? (p.name[this.lang] || p.name.en || id) : id;
  };
  P.made = function (m) {
    var self = this;
    return Object.keys(m || {}).sort().map(function (p) { return self.fmt(m[p]) + " " + self.productName(p); }).join(", ");
  };
  // at is a point of the data, its longitude brought within 180° of the
  // map's centre.
  P.at = function (lon, lat) {
    return [this.lon0 + ((lon - this.lon0 + 540) % 360 + 360) % 360 - 180, lat];
  };

  // landPath draws the rings with their longitudes made continuous: a
  // ring that Natural Earth cuts at the antimeridian (Fiji, Chukotka)
  // would otherwise be drawn with a line across the whole world. Eurasia
  // then reaches −377°, which the copies of the land a world away show
  // in its place. A ring that goes once around the world (Antarctica)
  // is closed through the pole.
  P.landPath = function (topo) {
    var parts = [];
    ringsOf(topo, "land").forEach(function (ring) {
      var pts = [ring[0].slice()];
      for (var i = 1; i < ring.length; i++) {
        var prev = pts[i - 1][0], lon = ring[i][0];
        pts.push([lon + 360 * Math.round((prev - lon) / 360), ring[i][1]]);
      }
      var first = pts[0][0], last = pts[pts.length - 1][0];
      if (Math.abs(last - first) > 180) {
        var pole = pts[0][1] < 0 ? -90 : 90;
        pts.push([last, pole], [first, pole]);
      }
      parts.push(pts.map(function (q, i) {
        var p = project(q[0], q[1]);
        return (i ? "L" : "M") + p[0].toFixed(4) + " " + p[1].toFixed(4);
      }).join("") + "Z");
    });
    return parts.join("");
  };

  // drawFlows draws each flow from its site to its place: along the great
  // circle when the ends are far apart, as a slight curve in a city, so
  // that a flow each way between two sites shows as two lines.
  P.drawFlows = function () {
    var self = this, sites = {}, max = 0;
    this.data.sites.forEach(function (s) { sites[s.id] = s; });
    this.data.flows.forEach(function (f) { max = Math.max(max, f.qty); });
    this.flows = [];
    this.data.flows.forEach(function (f) {
      var s = sites[f.from];
      if (!s) return;
      var a = self.at(s.lon, s.lat), b = [f.lon, f.lat], d;
      b[0] = a[0] + (((b[0] - a[0]) % 360 + 540) % 360 - 180);
      var dist = km(a, b);
      if (dist > 300) {
        d = greatCircle(a, b, Math.min(64, Math.ceil(dist / 150))).map(function (p, i) {
          p = project(p[0], p[1]);
          return (i ? "L" : "M") + p[0].toFixed(4) + " " + p[1].toFixed(4);
        }).join("");
      } else {
        var p = project(a[0], a[1]), q = project(b[0], b[1]);
        var cx = (p[0] + q[0]) / 2 + (q[1] - p[1]) * 0.2, cy = (p[1] + q[1]) / 2 - (q[0] - p[0]) * 0.2;
        d = "M" + p.join(" ") + "Q" + cx + " " + cy + " " + q.join(" ");
      }
      var path = el("path", flowStyle(!!f.to, d, (1 + 6 * Math.sqrt(f.qty / (max || 1))).toFixed(2)), self.flowLayer);
      var to = f.to ? (sites[f.to] ? sites[f.to].name : f.to) : self.word("home-area") + " " + f.cell;
      el("title", {}, path).textContent = s.name + " → " + to + "\n" + self.made(f.products) + " · " + self.fmt(f.km) + " km";
    });
  };

  P.drawSites = function () {
    var self = this, max = 0, need = {};
    this.data.sites.forEach(function (s) { max = Math.max(max, s.output); });
    this.data.coverage.forEach(function (c) { if (c.site) need[c.site] = c; });
    this.sites = this.data.sites.map(function (s) {
      var p = self.at(s.lon, s.lat), xy = project(p[0], p[1]);
      var g = el("g", { "class": "site kind-" + s.kind, "data-site": s.id }, self.siteLayer);
      var c = need[s.id], ring = null;
      if (c) ring = el("circle", { "class": "site-need", cx: xy[0], cy: xy[1], stroke: ramp(c.coverage) }, g);
      var dot = el("circle", { "class": "site-dot", cx: xy[0], cy: xy[1],
        fill: COLOURS[s.kind] || COLOURS.other }, g);
      var tip = s.name + "\n" + self.word("kind-" + s.kind);
      if (s.output > 0) tip += "\n" + self.word("output") + ": " + self.made(s.made);
      if (c) tip += "\n" + self.coverTip(c);
      el("title", {}, dot).textContent = tip;
      var label = el("text", { x: xy[0], y: xy[1] }, self.labelLayer);
      label.textContent = s.name;
      return { xy: xy, px: 5 + 11 * Math.sqrt(s.output / (max || 1)), dot: dot, ring: ring, label: label, name: s.name };
    });
  };

  P.coverTip = function (c) {
    var self = this, s = self.word("needs-met") + ": " + self.pct.format(c.coverage);
    ["essential", "basic", "wanted"].forEach(function (t) {
      var m = c.tiers[t];
      if (m) s += "\n" + self.word("tier-" + t) + ": " + self.pct.format(m.coverage) + " (" + m.needs + " " + self.word("needs") + ")";
    });
    return s;
  };

  // drawCoverage places the markers of the home cells, merged into cells
  // of the geohash prefix whose size on screen is about a marker's, so
  // that the world view shows a few readable markers, not a thousand
  // on one spot; each merged marker is the mean of its cells weighted by
  // their needs, at their needs' centre.
  P.drawCoverage = function (level) {
    var self = this, groups = {}, order = [];
    while (this.coverLayer.firstChild) this.coverLayer.removeChild(this.coverLayer.firstChild);
    this.data.coverage.forEach(function (c) {
      if (c.site) return;
      var key = c.cell.slice(0, level), g = groups[key];
      if (!g) { g = groups[key] = { n: 0, cov: 0, lon: 0, lat: 0, tiers: {}, cells: 0, len: key.length }; order.push(key); }
      var p = self.at(c.lon, c.lat);
      g.n += c.needs; g.cov += c.coverage * c.needs; g.lon += p[0] * c.needs; g.lat += c.lat * c.needs; g.cells++;
      Object.keys(c.tiers).forEach(function (t) {
        var m = g.tiers[t] || (g.tiers[t] = { needs: 0, coverage: 0 });
        m.coverage = (m.coverage * m.needs + c.tiers[t].coverage * c.tiers[t].needs) / (m.needs + c.tiers[t].needs);
        m.needs += c.tiers[t].needs;
      });
    });
    this.markers = order.map(function (key) {
      var g = groups[key], n = g.n || 1, cov = g.cov / n;
      var xy = project(g.lon / n, g.lat / n);
      var r = el("rect", { "class": "cover", fill: ramp(cov), rx: 1.5 }, self.coverLayer);
      el("title", {}, r).textContent = self.word("home-area") + " " + key + "\n" +
        self.coverTip({ coverage: cov, tiers: g.tiers });
      return { xy: xy, rect: r, len: g.len, px: Math.min(15, 9 + 1.5 * Math.sqrt(g.cells - 1)) };
    });
  };

  P.controls = function () {
    var self = this, bar = html("div", "commune-map-controls", this.root);
    [["zoom-in", "+", function () { self.zoomBy(2); }],
      ["zoom-out", "−", function () { self.zoomBy(0.5); }],
      ["fit", "⤢", function () { self.fit(); }]].forEach(function (b) {
      var btn = html("button", "commune-map-" + b[0], bar);
      btn.type = "button";
      btn.textContent = b[1];
      btn.title = self.word(b[0]);
      btn.setAttribute("aria-label", self.word(b[0]));
      btn.addEventListener("click", b[2]);
    });
  };

  // legend names what the map shows, only the kinds of site present. It
  // folds away under its title, and starts folded on a phone, where it
  // would hide half the map.
  P.legend = function () {
    var self = this, fold = html("details", "commune-map-legend", this.root), kinds = {};
    html("summary", "", fold).textContent = this.word("legend");
    fold.open = this.root.clientWidth >= 600;
    var box = html("div", "", fold);
    this.data.sites.forEach(function (s) { kinds[s.kind] = true; });
    function row(swatch) {
      var r = html("div", "row", box), s = el("svg", { width: 22, height: 14, "aria-hidden": "true" }, r);
      swatch(s);
      return html("span", "", r);
    }
    KINDS.forEach(function (k) {
      if (!kinds[k]) return;
      row(function (s) { el("circle", { cx: 11, cy: 7, r: 5.5, fill: COLOURS[k], stroke: "#fff" }, s); }).textContent = self.word("kind-" + k);
    });
    row(function (s) { el("path", flowStyle(true, "M1 10Q11 2 21 6", 3), s); }).textContent = self.word("flow-sites");
    row(function (s) { el("path", flowStyle(false, "M1 10Q11 2 21 6", 2), s); }).textContent = self.word("flow-homes");
    var r = html("div", "row ramp", box);
    html("span", "", r).textContent = self.word("needs-met");
    var bar = html("div", "bar", r), stops = RAMP.map(function (s) { return ramp(s[0]) + " " + 100 * s[0] + "%"; });
    bar.style.background = "linear-gradient(to right," + stops.join(",") + ")";
    var ticks = html("div", "ticks", r);
    [0, 0.5, 1].forEach(function (t) {
      var s = html("span", "", ticks);
      s.textContent = self.pct.format(t);
      s.style.left = 100 * t + "%";
    });
  };

  // --- the view: its centre (x, y, projected) and scale k (pixels per degree) ---

  P.size = function () {
    var r = this.svg.getBoundingClientRect();
    return [r.width || 600, r.height || 400];
  };
  P.limits = function (k) {
    var s = this.size();
    // From a world and a bit across to 0.02° (about 2 km) across.
    return Math.max(s[0] / 430, Math.min(s[0] / 0.02, k));
  };
  P.setView = function (x, y, k) {
    k = this.limits(k);
    // Keep the map's edges, 85° north and south, from leaving empty
    // water below or above it.
    var edge = project(0, MAXLAT)[1], half = this.size()[1] / 2 / k;
    y = half >= -edge ? 0 : Math.max(edge + half, Math.min(-edge - half, y));
    this.view = { x: Math.max(this.lon0 - 180, Math.min(this.lon0 + 180, x)), y: y, k: k };
    this.render();
  };
  P.zoomBy = function (f, sx, sy) {
    var s = this.size(), v = this.view;
    if (sx === undefined) { sx = s[0] / 2; sy = s[1] / 2; }
    var k = this.limits(v.k * f), px = v.x + (sx - s[0] / 2) / v.k, py = v.y + (sy - s[1] / 2) / v.k;
    this.setView(px - (sx - s[0] / 2) / k, py - (sy - s[1] / 2) / k, k);
  };
  // fitBounds shows the box, or a city around it when it is a point.
  P.fitBounds = function (south, west, north, east) {
    var w0 = this.at(west, 0)[0];
    east += w0 - west;
    west = w0;
    var s = this.size(), a = project(west, north), b = project(east, south);
    var w = Math.max(b[0] - a[0], 0.05), h = Math.max(b[1] - a[1], 0.05);
    this.setView((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, 0.8 * Math.min(s[0] / w, s[1] / h));
  };
  // fit shows all the data, or the world when there is none.
  P.fit = function () {
    var self = this, pts = [];
    this.data.sites.forEach(function (s) { pts.push(self.at(s.lon, s.lat)); });
    this.data.coverage.forEach(function (c) { pts.push(self.at(c.lon, c.lat)); });
    if (!pts.length) return this.fitBounds(-55, this.lon0 - 180, 75, this.lon0 + 180);
    var lat = pts.map(function (p) { return p[1]; }), lon = pts.map(function (p) { return p[0]; });
    this.fitBounds(Math.min.apply(null, lat), Math.min.apply(null, lon), Math.max.apply(null, lat), Math.max.apply(null, lon));
  };

  // lonLatAt is the longitude and latitude under the point (sx, sy) of
  // the map, in pixels from its top left corner: what a page that lets
  // someone pick a place on the map needs (home.js).
  P.lonLatAt = function (sx, sy) {
    var s = this.size(), v = this.view;
    var x = v.x + (sx - s[0] / 2) / v.k, y = v.y + (sy - s[1] / 2) / v.k;
    return [((x + 540) % 360 + 360) % 360 - 180, latOf(y)];
  };
  // mark outlines the box [south, west, north, east] (a home area picked
  // on the map) over the data, or nothing when box is null.
  P.mark = function (box) {
    if (!this.markLayer) this.markLayer = el("g", { "class": "picked" }, this.svg);
    while (this.markLayer.firstChild) this.markLayer.removeChild(this.markLayer.firstChild);
    if (!box) return;
    var west = this.at(box[1], 0)[0], a = project(west, box[2]), b = project(west + box[3] - box[1], box[0]);
    el("rect", { x: a[0], y: a[1], width: b[0] - a[0], height: b[1] - a[1], fill: "#b3261e", "fill-opacity": 0.25,
      stroke: "#b3261e", "stroke-width": 2, "vector-effect": "non-scaling-stroke" }, this.markLayer);
  };

  // render sets the viewBox, and sizes what must keep its size on screen
  // (circles, markers, labels) at the new scale.
  P.render = function () {
    var s = this.size(), v = this.view, u = 1 / v.k;
    this.svg.setAttribute("viewBox", [v.x - s[0] / 2 * u, v.y - s[1] / 2 * u, s[0] * u, s[1] * u].map(function (n) { return n.toFixed(6); }).join(" "));
    // A marker about 12 px wide: the geohash cells of 5 bits of
    // longitude per character pair.
    var level = 1;
    while (level < 6 && 360 / Math.pow(2, Math.ceil(5 * (level + 1) / 2)) * v.k >= 12) level++;
    if (level !== this.level) { this.level = level; this.drawCoverage(level); }
    // Seen from afar a city's sites are one spot: smaller, and without
    // the rings of their own needs, they leave room for the coverage of
    // the homes around them. Each city then reads as a tile coloured by
    // its coverage with its sites as dots on it.
    var far = s[0] * u > 30, shrink = far ? 0.45 : 1;
    // Markers grow with their cell on screen, up to 18 px, so that at a
    // city's scale each home area reads at a glance.
    this.markers.forEach(function (m) {
      var cellPx = 360 / Math.pow(2, Math.ceil(5 * m.len / 2)) * v.k;
      var h = Math.max(m.px, Math.min(18, cellPx / 8), far ? 18 : 0) * u;
      m.rect.setAttribute("x", m.xy[0] - h / 2); m.rect.setAttribute("y", m.xy[1] - h / 2);
      m.rect.setAttribute("width", h); m.rect.setAttribute("height", h);
      m.rect.setAttribute("rx", 2 * u);
    });
    var labels = s[0] * u < 3; // a city or less across
    this.labelLayer.style.display = labels ? "" : "none";
    this.sites.forEach(function (t) {
      t.dot.setAttribute("r", t.px * shrink * u);
      if (t.ring) {
        t.ring.setAttribute("r", (t.px + 3) * u);
        t.ring.style.display = far ? "none" : "";
      }
    });
    if (labels) this.placeLabels(u);
    this.drawScale();
    this.root.setAttribute("data-zoom", v.k.toFixed(3));
  };

  // placeLabels names the sites at a city's scale, the biggest first,
  // and leaves out a name that would overlap one already placed: a name
  // written over another is read as neither. Sizes are estimated in
  // pixels (7 px a character at 12 px), which is close enough to keep
  // names apart without measuring each.
  P.placeLabels = function (u) {
    var placed = [];
    this.sites.slice().sort(function (a, b) { return b.px - a.px; }).forEach(function (t) {
      var x = t.xy[0] / u + t.px + 4, y = t.xy[1] / u - 7, w = 6.6 * t.name.length, h = 14;
      var free = placed.every(function (b) { return x + w < b[0] || b[0] + b[2] < x || y + h < b[1] || b[1] + b[3] < y; });
      t.label.style.display = free ? "" : "none";
      if (!free) return;
      placed.push([x, y, w, h]);
      t.label.setAttribute("x", t.xy[0] + (t.px + 4) * u);
      t.label.setAttribute("y", t.xy[1] + 4 * u);
      t.label.setAttribute("font-size", 12 * u);
    });
  };

  // drawScale shows a round distance about 100 px long at the centre's
  // latitude, where Mercator stretches by 1/cos(latitude).
  P.drawScale = function () {
    var v = this.view, kmPerPx = 111.32 * Math.cos(latOf(v.y) * Math.PI / 180) / v.k;
    var target = 100 * kmPerPx, p = Math.pow(10, Math.floor(Math.log10(target))), n = p;
    [1, 2, 5, 10].forEach(function (m) { if (m * p <= target) n = m * p; });
    this.scaleBar.style.width = Math.round(n / kmPerPx) + "px";
    this.scaleBar.textContent = n >= 1 ? this.fmt(n) + " km" : this.fmt(n * 1000) + " m";
  };

  // interact: wheel zooms at the pointer; one pointer drags, two pinch;
  // keys + − 0 and the arrows work when the map has focus.
  P.interact = function () {
    var self = this, svg = this.svg, pts = new Map(), last = null;
    function local(e) { var r = svg.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; }
    function gesture() {
      var a = Array.from(pts.values());
      if (a.length === 1) return { c: a[0], d: 0 };
      return { c: [(a[0][0] + a[1][0]) / 2, (a[0][1] + a[1][1]) / 2], d: Math.hypot(a[0][0] - a[1][0], a[0][1] - a[1][1]) };
    }
    svg.addEventListener("wheel", function (e) {
      e.preventDefault();
      var p = local(e), dy = e.deltaMode === 1 ? e.deltaY * 20 : e.deltaY;
      self.zoomBy(Math.exp(-dy * 0.002), p[0], p[1]);
    }, { passive: false });
    svg.addEventListener("pointerdown", function (e) {
      if (pts.size >= 2) return;
      svg.setPointerCapture(e.pointerId);
      pts.set(e.pointerId, local(e));
      last = gesture();
      self.root.classList.add("dragging");
    });
    svg.addEventListener("pointermove", function (e) {
      if (!pts.has(e.pointerId)) return;
      pts.set(e.pointerId, local(e));
      var g = gesture(), v = self.view;
      if (last.d && g.d) self.zoomBy(g.d / last.d, g.c[0], g.c[1]);
      v = self.view;
      self.setView(v.x - (g.c[0] - last.c[0]) / v.k, v.y - (g.c[1] - last.c[1]) / v.k, v.k);
      last = g;
    });
    function up(e) {
      pts.delete(e.pointerId);
      last = pts.size ? gesture() : null;
      if (!pts.size) self.root.classList.remove("dragging");
    }
    svg.addEventListener("pointerup", up);
    svg.addEventListener("pointercancel", up);
    svg.addEventListener("keydown", function (e) {
      var v = self.view, step = 80 / v.k;
      var keys = { "+": function () { self.zoomBy(2); }, "=": function () { self.zoomBy(2); }, "-": function () { self.zoomBy(0.5); },
        "0": function () { self.fit(); },
        ArrowLeft: function () { self.setView(v.x - step, v.y, v.k); }, ArrowRight: function () { self.setView(v.x + step, v.y, v.k); },
        ArrowUp: function () { self.setView(v.x, v.y - step, v.k); }, ArrowDown: function () { self.setView(v.x, v.y + step, v.k); } };
      if (keys[e.key]) { e.preventDefault(); keys[e.key](); }
    });
  };

  // mount draws the map of one element: its data from the JSON script
  // inside it, its land from data-land (same host). Without land the
  // data is still drawn.
  function mount(root) {
    // Mounted once, however many scripts ask (map.js itself, home.js).
    if (!root.communeMapReady) root.communeMapReady = draw(root);
    return root.communeMapReady;
  }
  function draw(root) {
    var script = root.querySelector('script[type="application/json"]');
    var data = JSON.parse(script ? script.textContent : "{}");
    ["sites", "flows", "coverage"].forEach(function (k) { data[k] = data[k] || []; });
    var url = root.getAttribute("data-land");
    var land = url ? fetch(url).then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; }) : Promise.resolve(null);
    return land.then(function (topo) {
      root.communeMap = new CommuneMap(root, data, topo);
      root.setAttribute("data-state", topo ? "ready" : "ready-without-land");
      return root.communeMap;
    });
  }

  window.CommuneMap = { mount: mount };
  function all() { document.querySelectorAll("[data-commune-map]").forEach(mount); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all);
  else all();
})();
