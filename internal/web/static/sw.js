// The service worker keeps commune usable on a slow or absent
// connection: the static assets (whose hashed names the server puts in
// ASSETS above) are cached on install; a member's own pages are fetched
// from the network first and kept, so that their assignment and what
// they receive stay readable offline. Nothing else is kept: no other
// member's data is ever cached.
"use strict";

const VERSION = "commune-" + ASSETS.length + "-" + (ASSETS[0] || "");
const OWN_PAGES = ["/", "/me"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(VERSION).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(req).then((hit) => hit || fetch(req)));
    return;
  }
  if (OWN_PAGES.includes(url.pathname)) {
    event.respondWith(
      fetch(req)
        .then((res) => {
          if (res.ok) {
            const copy = res.clone();
            caches.open(VERSION).then((c) => c.put(req, copy));
          }
          return res;
        })
        // The pages vary by cookie and language; the copy kept here is
        // this phone's member's, in their language, and goes when they
        // sign out (the server's Clear-Site-Data), so Vary is ignored.
        .catch(() => caches.match(req, { ignoreVary: true }).then((hit) => hit || Response.error())),
    );
  }
});
