// commune's pages work without this script; it adds what needs one:
// the service worker that keeps a member's own pages readable offline.
"use strict";

if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js").catch(() => {});
  });
}
