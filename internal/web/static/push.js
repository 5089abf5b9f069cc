// Urgent calls on this device, by Web Push (the account page). The
// button asks the browser's permission, subscribes with the server's
// key (GET /api/v1/push/key) and gives the subscription to the server
// (POST /api/v1/me/push); it can be taken back (DELETE) and tried
// (POST /api/v1/me/push/test). sw.js shows what arrives. Words come from
// the data- attributes, in the page's language.
"use strict";

(() => {
  const root = document.getElementById("push");
  if (!root) return;
  const d = root.dataset;
  const status = document.getElementById("push-status");
  const on = document.getElementById("push-on");
  const off = document.getElementById("push-off");
  const test = document.getElementById("push-test");
  const say = (text, bad) => {
    status.textContent = text;
    status.classList.toggle("bad", !!bad);
  };
  // state: on, off, blocked, unsupported or unavailable (push is off on
  // the server).
  const show = (state) => {
    root.dataset.state = state;
    say({ on: d.stateOn, off: d.stateOff, blocked: d.stateBlocked, unsupported: d.stateUnsupported, unavailable: d.stateUnavailable }[state]);
    on.hidden = state !== "off";
    off.hidden = state !== "on";
    test.hidden = state !== "on";
  };
  root.hidden = false;
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    show("unsupported");
    return;
  }

  // The API answers errors in the language of Accept-Language: the
  // page's, which may not be the browser's.
  const api = async (method, url, body) => {
    const res = await fetch(url, {
      method,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": d.csrf, "Accept-Language": document.documentElement.lang },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
    let data = null;
    try { data = await res.json(); } catch (e) { /* an empty answer */ }
    if (!res.ok) {
      const err = new Error((data && data.error && data.error.message) || d.failed);
      err.status = res.status;
      throw err;
    }
    return data;
  };
  const bytes = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const sameKey = (buf, key) => {
    if (!buf) return false;
    const a = new Uint8Array(buf);
    return a.length === key.length && a.every((x, i) => x === key[i]);
  };
  const worker = () => navigator.serviceWorker.register("/sw.js").then(() => navigator.serviceWorker.ready);
  const busy = (yes) => {
    for (const b of [on, off, test]) b.disabled = yes;
    if (yes) say(d.busy);
  };
  const act = (fn) => async () => {
    busy(true);
    try {
      await fn();
    } catch (e) {
      say(e.message || d.failed, true);
    } finally {
      busy(false);
    }
  };

  let key = null;
  const start = async () => {
    try {
      key = bytes((await api("GET", "/api/v1/push/key")).key);
    } catch (e) {
      if (e.status === 404) return show("unavailable");
      throw e;
    }
    if (Notification.permission === "denied") return show("blocked");
    const reg = await worker();
    let sub = await reg.pushManager.getSubscription();
    if (sub && !sameKey(sub.options.applicationServerKey, key)) {
      // Made with a key the server no longer has: nothing would arrive.
      await sub.unsubscribe();
      sub = null;
    }
    if (!sub || Notification.permission !== "granted") return show("off");
    // Given again: the server may have let it go (gone, or erased with
    // an account that signed in here before).
    await api("POST", "/api/v1/me/push", sub.toJSON());
    show("on");
  };

  on.addEventListener("click", act(async () => {
    const perm = await Notification.requestPermission();
    if (perm !== "granted") return show(perm === "denied" ? "blocked" : "off");
    const reg = await worker();
    const sub = (await reg.pushManager.getSubscription()) ||
      (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }));
    await api("POST", "/api/v1/me/push", sub.toJSON());
    show("on");
  }));
  off.addEventListener("click", act(async () => {
    const reg = await worker();
    const sub = await reg.pushManager.getSubscription();
    if (sub) {
      const endpoint = sub.endpoint;
      await sub.unsubscribe();
      try {
        await api("DELETE", "/api/v1/me/push", { endpoint });
      } catch (e) {
        if (e.status !== 404) throw e;
      }
    }
    show("off");
  }));
  test.addEventListener("click", act(async () => {
    const r = await api("POST", "/api/v1/me/push/test");
    say(r.sent > 0 ? d.testSent : d.testFailed, r.sent === 0);
  }));

  busy(true);
  start().catch((e) => say(e.message || d.failed, true)).finally(() => {
    for (const b of [on, off, test]) b.disabled = false;
  });
})();
