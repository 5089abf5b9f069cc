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
          if (!res.ok) return res;
          // The copy is written before the page gets its answer, so
          // that nothing is written after the member signs out and the
          // server has the browser forget what it kept.
          const copy = res.clone();
          return caches.open(VERSION).then((c) => c.put(req, copy)).then(() => res, () => res);
        })
        // The pages vary by cookie and language; the copy kept here is
        // this phone's member's, in their language, and goes when they
        // sign out (the server's Clear-Site-Data), so Vary is ignored.
        .catch(() => caches.match(req, { ignoreVary: true }).then((hit) => hit || Response.error())),
    );
  }
});

// Web Push (push.js subscribes this browser). The payload is the
// server's JSON {"id", "title", "body", "url"} (notify.PushMessage); its
// id is the notification's tag, so that a message delivered twice
// replaces the one shown instead of showing twice. Every push shows a
// notification, as browsers require of a subscription made with
// userVisibleOnly.
self.addEventListener("push", (event) => {
  let msg = {};
  try {
    msg = (event.data && event.data.json()) || {};
  } catch (e) {
    // Not JSON: shown with the name of the site alone.
  }
  const icon = ASSETS.find((a) => a.includes("/icon-192."));
  const options = { body: typeof msg.body === "string" ? msg.body : "", data: { url: typeof msg.url === "string" ? msg.url : "/" } };
  if (typeof msg.id === "string" && msg.id) options.tag = msg.id;
  if (icon) options.icon = icon;
  event.waitUntil(self.registration.showNotification(typeof msg.title === "string" && msg.title ? msg.title : "commune", options));
});

// A tap on a notification opens its link, on this site only (a link
// elsewhere opens the first page instead), in a window of the site
// already showing it if there is one.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  let url = new URL("/", self.location.origin);
  try {
    const u = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin);
    if (u.origin === self.location.origin) url = u;
  } catch (e) {
    // A malformed link: the first page.
  }
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => w.url === url.href && "focus" in w);
      return open ? open.focus() : self.clients.openWindow(url.href);
    }),
  );
});
