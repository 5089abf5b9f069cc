// Adding a passkey on the account page: the server's options
// (POST /api/v1/login/passkey/register/begin), the browser's ceremony
// (navigator.credentials.create: a discoverable credential, verified by
// the device's fingerprint, face or PIN), and its answer to the server
// (register/finish). Signing in with it is the sign-in page's (login.js).
// Words come from the data- attributes, in the page's language; the
// helpers from webauthn.js.
"use strict";

(() => {
  const root = document.getElementById("passkeys");
  const button = document.getElementById("passkey-add");
  if (!root || !button) return;
  const d = root.dataset;
  const status = document.getElementById("passkey-status");
  const { b64, postJSON } = window.commune;
  const say = window.commune.status(status);
  if (!window.PublicKeyCredential) {
    button.disabled = true;
    say(d.nopasskey);
    return;
  }
  // The API answers errors in the page's language.
  const post = (url, body) =>
    postJSON(url, body, { "X-CSRF-Token": d.csrf, "Accept-Language": document.documentElement.lang }, d.failed);
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
