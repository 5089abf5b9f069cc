// The join page: "use my location" turns the browser's position into a
// geohash cell of five characters (about 5 km by 5 km) here, in the
// browser, and puts only the cell in the form. The position itself is
// never sent.
"use strict";

(() => {
  const button = document.getElementById("locate");
  const cell = document.getElementById("cell");
  if (!button || !cell || !navigator.geolocation) return;
  button.hidden = false;

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

  const label = button.textContent;
  button.addEventListener("click", () => {
    button.disabled = true;
    button.textContent = button.dataset.busy;
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        cell.value = encode(pos.coords.latitude, pos.coords.longitude, 5);
        button.disabled = false;
        button.textContent = label;
      },
      () => {
        button.disabled = false;
        button.textContent = button.dataset.failed;
      },
      { enableHighAccuracy: false, maximumAge: 600000, timeout: 20000 },
    );
  });
})();
