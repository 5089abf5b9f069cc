// What the sign-in page (login.js) and the account page's passkeys
// (passkey.js) share, as window.commune: base64url for WebAuthn's binary
// fields, a status line, and a JSON POST whose errors carry the API's
// message, in the page's language.
"use strict";

window.commune = window.commune || {};

// WebAuthn's JSON carries binary fields in base64url.
window.commune.b64 = {
  decode: (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)),
  encode: (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""),
};

// status returns a function that writes text into the element el, marked
// bad or not.
window.commune.status = (el) => (text, bad) => {
  el.textContent = text;
  el.classList.toggle("bad", !!bad);
};

// postJSON posts body to url as JSON, with the headers given besides,
// and returns the answer's JSON (null when empty); an error answer
// throws its message, or failed.
window.commune.postJSON = async (url, body, headers, failed) => {
  const res = await fetch(url, {
    method: "POST",
    headers: Object.assign({ "Content-Type": "application/json" }, headers || {}),
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  let data = null;
  try { data = await res.json(); } catch (e) { /* an empty answer */ }
  if (!res.ok) throw new Error((data && data.error && data.error.message) || failed);
  return data;
};
