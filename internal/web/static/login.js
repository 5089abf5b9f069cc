// The sign-in page: a passkey (WebAuthn, discoverable, so no name is
// typed) or a six-digit code sent by email. Words come from the page's
// data- attributes, in the reader's language; the helpers from
// webauthn.js.
"use strict";

(() => {
  const root = document.getElementById("login");
  if (!root) return;
  const status = document.getElementById("login-status");
  const { b64, postJSON } = window.commune;
  const say = window.commune.status(status);
  const next = () => {
    const n = root.dataset.next;
    // Only a path on this site: never a link elsewhere.
    location.assign(n && n.startsWith("/") && !n.startsWith("//") && !n.startsWith("/\\") ? n : "/");
  };
  const post = (url, body) => postJSON(url, body, {}, root.dataset.failed);

  // Email codes, when the server sends email (the page has the form).
  const request = document.getElementById("code-request");
  const verify = document.getElementById("code-verify");
  let email = "";
  if (request && verify) request.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    email = document.getElementById("email").value.trim();
    say(root.dataset.busy);
    try {
      await post("/api/v1/login/code", { email });
      say(root.dataset.sent);
      verify.hidden = false;
      document.getElementById("code").focus();
    } catch (e) {
      say(e.message, true);
    }
  });
  if (request && verify) verify.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const code = document.getElementById("code").value.trim();
    say(root.dataset.busy);
    try {
      await post("/api/v1/login/code/verify", { email, code });
      next();
    } catch (e) {
      say(e.message, true);
    }
  });

  // Passkeys.
  const button = document.getElementById("passkey");
  if (!window.PublicKeyCredential) {
    button.disabled = true;
    say(root.dataset.nopasskey);
    return;
  }
  button.addEventListener("click", async () => {
    say(root.dataset.busy);
    try {
      const opts = await post("/api/v1/login/passkey/begin", {});
      const pk = opts.publicKey;
      pk.challenge = b64.decode(pk.challenge);
      (pk.allowCredentials || []).forEach((c) => { c.id = b64.decode(c.id); });
      const cred = await navigator.credentials.get({ publicKey: pk });
      const r = cred.response;
      await post("/api/v1/login/passkey/finish", {
        id: cred.id,
        rawId: b64.encode(cred.rawId),
        type: cred.type,
        response: {
          clientDataJSON: b64.encode(r.clientDataJSON),
          authenticatorData: b64.encode(r.authenticatorData),
          signature: b64.encode(r.signature),
          userHandle: r.userHandle ? b64.encode(r.userHandle) : null,
        },
      });
      next();
    } catch (e) {
      say(e.message || root.dataset.failed, true);
    }
  });
})();
