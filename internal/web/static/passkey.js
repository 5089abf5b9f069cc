// Adding a passkey on the account page: the server's options
// (POST /api/v1/login/passkey/register/begin), the browser's ceremony
// (navigator.credentials.create: a discoverable credential, verified by
// the device's fingerprint, face or PIN), and its answer to the server
// (register/finish). Signing in with it is the sign-in page's (login.js).
// Words come from the data- attributes, in the page's language.
"use strict";

(() => {
  const root = document.getElementById("passkeys");
  const button = document.getElementById("passkey-add");
  if (!root || !button) return;
  const d = root.dataset;
  const status = document.getElementById("passkey-status");
  const say = (text, bad) => {
    status.textContent = text;
    status.classList.toggle("bad", !!bad);
  };
  if (!window.PublicKeyCredential) {
    button.disabled = true;
    say(d.nopasskey);
    return;
  }
  // WebAuthn's JSON carries binary fields in base64url.
  const b64 = {
    decode: (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)),
    encode: (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""),
  };
  // The API answers errors in the page's language.
  const post = async (url, body) => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": d.csrf, "Accept-Language": document.documentElement.lang },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    let data = null;
    try { data = await res.json(); } catch (e) { /* an empty answer */ }
    if (!res.ok) throw new Error((data && data.error && data.error.message) || d.failed);
    return data;
  };
  button.addEventListener("click", async () => {
    say(d.busy);
    button.disabled = true;
    try {
      const opts = await post("/api/v1/login/passkey/register/begin", {});
      const pk = opts.publicKey;
      pk.challenge = b64.decode(pk.challenge);
      pk.user.id = b64.decode(pk.user.id);
      (pk.excludeCredentials || []).forEach((c) => { c.id = b64.decode(c.id); });
      const cred = await navigator.credentials.create({ publicKey: pk });
      const r = cred.response;
      await post("/api/v1/login/passkey/register/finish", {
        id: cred.id,
        rawId: b64.encode(cred.rawId),
        type: cred.type,
        response: {
          clientDataJSON: b64.encode(r.clientDataJSON),
          attestationObject: b64.encode(r.attestationObject),
          transports: r.getTransports ? r.getTransports() : [],
        },
      });
      say(d.added);
      const next = document.getElementById("passkey-signin");
      if (next) next.hidden = false;
    } catch (e) {
      say(e.message || d.failed, true);
    } finally {
      button.disabled = false;
    }
  });
})();
