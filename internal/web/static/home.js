// home.js helps a member say where home is without saying it exactly:
// from the browser's location, from a postcode, or by a tap on the map,
// it works out a geohash cell of five characters (about 5 km by 5 km)
// here, in the browser, and puts only the cell in the form. Neither the
// position, nor the postcode, nor the point tapped is ever sent: the
// postcode field has no name, so the form does not carry it, and the
// table of postcodes is a static asset the browser reads whole.
//
// Use: inside the form, a [data-home] element holding #locate, #postcode,
// #postcode-find, #postcode-status and, optionally, a map element
// (data-commune-map, drawn by map.js); the cell input is #cell. Words
// come from data-* attributes of [data-home], so the page says them in
// the reader's language.
"use strict";

(() => {
  const box = document.querySelector("[data-home]");
  const cell = document.getElementById("cell");
  if (!box || !cell) return;
  box.hidden = false;

  // encode is the geohash of (lat, lon) with n characters: bits of
  // longitude and latitude interleaved, five to a base-32 character.
  const ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz";
  const encode = (lat, lon, n) => {
    let latLo = -90, latHi = 90, lonLo = -180, lonHi = 180;
    let out = "", bits = 0, ch = 0, even = true;
    while (out.length < n) {
      if (even) {
        const mid = (lonLo + lonHi) / 2;
        if (lon >= mid) { ch = ch * 2 + 1; lonLo = mid; } else { ch *= 2; lonHi = mid; }
      } else {
        const mid = (latLo + latHi) / 2;
        if (lat >= mid) { ch = ch * 2 + 1; latLo = mid; } else { ch *= 2; latHi = mid; }
      }
      even = !even;
      if (++bits === 5) { out += ALPHABET[ch]; bits = 0; ch = 0; }
    }
    return out;
  };
  // bounds is the box [south, west, north, east] of a cell, or null when
  // the text is not one.
  const bounds = (hash) => {
    hash = (hash || "").trim().toLowerCase();
    if (hash.length < 1 || hash.length > 12) return null;
    let latLo = -90, latHi = 90, lonLo = -180, lonHi = 180, even = true;
    for (const c of hash) {
      const v = ALPHABET.indexOf(c);
      if (v < 0) return null;
      for (let b = 4; b >= 0; b--) {
        const bit = (v >> b) & 1;
        if (even) {
          const mid = (lonLo + lonHi) / 2;
          if (bit) lonLo = mid; else lonHi = mid;
        } else {
          const mid = (latLo + latHi) / 2;
          if (bit) latLo = mid; else latHi = mid;
        }
        even = !even;
      }
    }
    return [latLo, lonLo, latHi, lonHi];
  };

  const status = document.getElementById("postcode-status");
  const say = (text) => { if (status) status.textContent = text; };

  // The map, once map.js has drawn it: the cell in the field is outlined
  // and shown, and a tap (not a drag) picks the cell under it.
  let map = null;
  const show = (fly) => {
    const b = bounds(cell.value);
    if (!map) return;
    map.mark(b);
    if (b && fly) {
      const m = 0.15; // a few cells around it, to see where it is
      map.fitBounds(b[0] - m, b[1] - m, b[2] + m, b[3] + m);
    }
  };
  const set = (value) => {
    cell.value = value;
    cell.dispatchEvent(new Event("change", { bubbles: true }));
    show(true);
  };
  const mapEl = box.querySelector("[data-commune-map]");
  if (mapEl && window.CommuneMap) {
    window.CommuneMap.mount(mapEl).then((m) => {
      map = m;
      show(true);
      const svg = mapEl.querySelector("svg");
      let down = null;
      svg.addEventListener("pointerdown", (e) => { down = [e.clientX, e.clientY]; });
      svg.addEventListener("click", (e) => {
        // A drag pans the map; only a tap that stayed put picks a place.
        if (!down || Math.hypot(e.clientX - down[0], e.clientY - down[1]) > 6) return;
        const r = svg.getBoundingClientRect();
        const [lon, lat] = map.lonLatAt(e.clientX - r.left, e.clientY - r.top);
        cell.value = encode(lat, lon, 5);
        map.mark(bounds(cell.value));
        say(box.dataset.picked.replace("%s", cell.value));
      });
    });
  }
  cell.addEventListener("input", () => show(false));

  const locate = document.getElementById("locate");
  if (locate && navigator.geolocation) {
    locate.hidden = false;
    const label = locate.textContent;
    locate.addEventListener("click", () => {
      locate.disabled = true;
      locate.textContent = locate.dataset.busy;
      navigator.geolocation.getCurrentPosition(
        (pos) => {
          set(encode(pos.coords.latitude, pos.coords.longitude, 5));
          locate.disabled = false;
          locate.textContent = label;
          say(box.dataset.picked.replace("%s", cell.value));
        },
        () => {
          locate.disabled = false;
          locate.textContent = label;
          say(locate.dataset.failed);
        },
        { enableHighAccuracy: false, maximumAge: 600000, timeout: 20000 },
      );
    });
  }

  // The postcode is looked up in the table, read once, here.
  const postcode = document.getElementById("postcode");
  const find = document.getElementById("postcode-find");
  let table = null;
  const lookup = () => {
    const code = postcode.value.replace(/\s+/g, "").toUpperCase();
    if (!code) return;
    (table || (table = fetch(box.dataset.postcodes).then((r) => r.json())))
      .then((t) => {
        const hit = t[code] || t[code.toLowerCase()];
        if (hit) {
          set(hit);
          say(box.dataset.found.replace("%s", hit));
        } else {
          say(box.dataset.unknown);
        }
      })
      .catch(() => { table = null; say(box.dataset.unknown); });
  };
  if (postcode && find) {
    find.addEventListener("click", lookup);
    // Enter in the postcode field looks it up instead of sending the form.
    postcode.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); lookup(); } });
  }
})();
