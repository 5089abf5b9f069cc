// pick.js lets a coordinator put a site on the map: a click or a tap on
// the map drawn by map.js (without dragging) writes its latitude and
// longitude into the site form's fields, which stay the way to type
// them (and the only one without a pointer or without scripts). It holds
// no words: the sentence it says after a pick comes from the element's
// data-word-picked, with {lat} and {lon} in it.
//
// Use: <div data-site-picker data-lat="ID of the latitude input"
// data-lon="ID of the longitude input" data-word-picked="…"> around a
// map of map.js, and an element [data-picked] (aria-live) for the
// sentence.
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";

  // The inverse of map.js's Web Mercator in degrees (y grows down).
  function latOf(y) { return 360 / Math.PI * Math.atan(Math.exp(-y * Math.PI / 180)) - 90; }

  function attach(box, map) {
    var svg = map.svg, lat = document.getElementById(box.getAttribute("data-lat")),
      lon = document.getElementById(box.getAttribute("data-lon")), said = box.querySelector("[data-picked]");
    if (!lat || !lon) return;
    var pin = document.createElementNS(SVG, "circle");
    pin.setAttribute("class", "picked");
    pin.setAttribute("fill", "#b3261e");
    pin.setAttribute("stroke", "#fff");
    pin.setAttribute("vector-effect", "non-scaling-stroke");
    pin.style.display = "none";
    svg.appendChild(pin);
    // The pin keeps about 7 px whatever the zoom.
    new MutationObserver(function () { pin.setAttribute("r", 7 / map.view.k); }).observe(map.root, { attributes: true, attributeFilter: ["data-zoom"] });
    // A pick is one pointer going down and up in place; a drag or a
    // pinch moves the map instead.
    var down = null, active = 0;
    svg.addEventListener("pointerdown", function (e) { active++; down = active === 1 ? [e.clientX, e.clientY] : null; });
    svg.addEventListener("pointercancel", function () { active = Math.max(0, active - 1); down = null; });
    svg.addEventListener("pointerup", function (e) {
      active = Math.max(0, active - 1);
      var at = down;
      if (!active) down = null;
      if (!at || active || Math.hypot(e.clientX - at[0], e.clientY - at[1]) > 5) return;
      var r = svg.getBoundingClientRect(), s = map.size(), v = map.view;
      var x = v.x + (e.clientX - r.left - s[0] / 2) / v.k, y = v.y + (e.clientY - r.top - s[1] / 2) / v.k;
      var la = latOf(y), lo = ((x + 540) % 360 + 360) % 360 - 180;
      lat.value = la.toFixed(5);
      lon.value = lo.toFixed(5);
      pin.setAttribute("cx", x);
      pin.setAttribute("cy", y);
      pin.setAttribute("r", 7 / v.k);
      pin.style.display = "";
      if (said) said.textContent = (box.getAttribute("data-word-picked") || "").replace("{lat}", lat.value).replace("{lon}", lon.value);
    });
  }

  // A map is ready once map.js marks it so; it may be before or after
  // this script runs.
  function watch(box) {
    var root = box.querySelector("[data-commune-map]");
    if (!root) return;
    function ready() {
      if (!root.communeMap) return false;
      attach(box, root.communeMap);
      return true;
    }
    if (ready()) return;
    var mo = new MutationObserver(function () { if (ready()) mo.disconnect(); });
    mo.observe(root, { attributes: true, attributeFilter: ["data-state"] });
  }

  function all() { document.querySelectorAll("[data-site-picker]").forEach(watch); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all);
  else all();
})();
