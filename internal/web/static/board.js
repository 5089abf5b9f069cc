// board.js keeps an urgent call's board current without a reload: it
// listens to the call's server-sent events (GET /api/v1/calls/{id}/events,
// an event "board" with {status, targeted, notified, coming, arrived,
// cannot, rings: [{ring, ...}], no_way, failed, missed: {...}} each time
// the counts change) and writes the counts, the bars, the table of
// rings, why the call reached no more and the status into the page.
// It holds no words: they come from the data-word-* attributes of the
// element [data-board], in the page's language.
//
// On the form of a new call it turns a pick on the map into a cell.
// (app.js reads the form's time in the reader's time zone.)
(function () {
  "use strict";

  var COUNTS = ["targeted", "notified", "coming", "arrived", "cannot"];
  var WHY = ["not_opted_in", "too_far", "unavailable", "later", "no_way", "failed"];

  function word(root, key) {
    return root.getAttribute("data-word-" + key) || key;
  }

  // fill writes "%d" and "%s" of a catalog's words, in order.
  function fill(text) {
    var args = Array.prototype.slice.call(arguments, 1);
    return text.replace(/%[ds]/g, function () { return String(args.shift()); });
  }

  function cell(tag, text, cls) {
    var td = document.createElement(tag);
    if (cls) td.className = cls;
    td.textContent = text;
    return td;
  }

  function meter(value, max) {
    var m = document.createElement("meter");
    m.min = 0;
    m.max = Math.max(1, max);
    m.value = value;
    m.textContent = String(value);
    return m;
  }

  function render(root, b) {
    root.setAttribute("data-status", b.status);
    var status = root.querySelector('[data-field="status"]');
    if (status) {
      status.textContent = word(root, "status-" + b.status);
      status.className = "status status-" + b.status;
    }
    var most = 1;
    root.querySelectorAll("meter[data-bar]").forEach(function (m) { most = Math.max(most, Number(m.max) || 1); });
    most = Math.max(most, b.targeted);
    COUNTS.forEach(function (k) {
      root.querySelectorAll('[data-count="' + k + '"]').forEach(function (el) { el.textContent = String(b[k]); });
      root.querySelectorAll('meter[data-bar="' + k + '"]').forEach(function (m) {
        m.max = most;
        m.value = b[k];
        m.textContent = String(b[k]);
      });
    });
    var body = root.querySelector("[data-rings]");
    if (body) {
      while (body.firstChild) body.removeChild(body.firstChild);
      (b.rings || []).forEach(function (r) {
        var tr = document.createElement("tr");
        var th = cell("th", fill(word(root, "ring"), r.ring));
        th.scope = "row";
        tr.appendChild(th);
        COUNTS.forEach(function (k) { tr.appendChild(cell("td", String(r[k]), "num")); });
        var bar = cell("td", "", "bar-col");
        bar.appendChild(meter(r.coming, r.targeted));
        tr.appendChild(bar);
        body.appendChild(tr);
      });
    }
    var rung = (b.rings || []).length > 0;
    var none = root.querySelector('[data-field="norings"]');
    if (none) none.hidden = rung || !!b.missed;
    var nobody = root.querySelector('[data-field="nobody"]');
    if (nobody) nobody.hidden = rung || !b.missed;
    // Why no more: the members near the place not reached, by why,
    // and the targets no notice found.
    var missed = b.missed || {};
    WHY.forEach(function (k) {
      var n = k === "no_way" || k === "failed" ? b[k] : missed[k];
      root.querySelectorAll('[data-why="' + k + '"]').forEach(function (el) { el.textContent = String(n || 0); });
    });
    var why = root.querySelector('[data-field="why"]');
    if (why) why.hidden = !(b.missed || b.no_way || b.failed);
    // Buttons that no longer apply go away: verify once open, both once over.
    root.querySelectorAll("[data-while]").forEach(function (el) {
      el.hidden = el.getAttribute("data-while").split(" ").indexOf(b.status) < 0;
    });
  }

  function board(root) {
    var url = root.getAttribute("data-events");
    var live = root.querySelector('[data-field="live"]');
    if (!url || !window.EventSource) return;
    var es = new EventSource(url);
    es.addEventListener("open", function () { if (live) live.textContent = word(root, "live"); });
    es.addEventListener("error", function () {
      var over = ["closed", "expired"].indexOf(root.getAttribute("data-status")) >= 0;
      if (over) {
        es.close(); // the stream ends with the call; nothing more will come
        if (live) live.textContent = "";
      } else if (live) {
        live.textContent = word(root, "offline");
      }
    });
    es.addEventListener("board", function (e) {
      var b;
      try { b = JSON.parse(e.data); } catch (err) { return; }
      render(root, b);
      root.setAttribute("data-updates", String(Number(root.getAttribute("data-updates") || 0) + 1));
    });
  }

  // geohash encodes a point as a cell of n characters (geohash.org).
  function geohash(lat, lon, n) {
    var B = "0123456789bcdefghjkmnpqrstuvwxyz", la = [-90, 90], lo = [-180, 180], h = "", bit = 0, ch = 0, even = true;
    while (h.length < n) {
      var r = even ? lo : la, v = even ? lon : lat, mid = (r[0] + r[1]) / 2;
      if (v >= mid) { ch = ch * 2 + 1; r[0] = mid; } else { ch = ch * 2; r[1] = mid; }
      even = !even;
      if (++bit === 5) { h += B.charAt(ch); bit = 0; ch = 0; }
    }
    return h;
  }

  // picker turns a pick on the form's map (pick.js writes the point into
  // two hidden fields) into a cell of 7 characters, about 150 m, in the
  // cell field, and unsets the site: a call has one place.
  function picker(form) {
    var box = form.querySelector("[data-call-picker]");
    if (!box) return;
    var lat = document.getElementById(box.getAttribute("data-lat")), lon = document.getElementById(box.getAttribute("data-lon"));
    var last = "";
    box.addEventListener("pointerup", function () {
      // After pick.js's own listener, on the map below, has run.
      setTimeout(function () {
        if (!lat.value || !lon.value || lat.value + "," + lon.value === last) return;
        last = lat.value + "," + lon.value;
        form.elements.cell.value = geohash(Number(lat.value), Number(lon.value), 7);
        form.elements.site.value = "";
      }, 0);
    });
  }

  function all() {
    document.querySelectorAll("[data-board]").forEach(board);
    document.querySelectorAll("form[data-call-form]").forEach(picker);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all);
  else all();
})();
