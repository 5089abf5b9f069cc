// Package web is commune's HTTP layer: the JSON API under /api/v1, the
// health check, the OpenAPI document, and the middleware that logs
// requests and tells who is asking.
//
// Every handler returns an error, and errors become responses in one
// place (writeError): a store.Error code gives the status, and the body
// is {"error": {"code": ..., "message": ...}} in the language the
// request's Accept-Language prefers (English or Spanish). Who may do
// what is decided only by auth.Allow.
//
// Planning runs (plans.go) are worked on in the background, one at a
// time, under a context of the server's own that Shutdown cancels; a run
// stopped that way is marked failed before Shutdown returns.
//
// The member's own routes (/api/v1/me, me.go) take no member id: the
// member is always the caller, so no request there can reach another
// member's data. Request bodies are checked field by field before
// anything is stored (body.go).
//
// Requests are logged with their method, route pattern, status and
// duration, never with an IP address, a body, a query string or a
// header, since members include undocumented workers.
//
// Collectives, their members and invites, coverage and the audit log
// (collectives.go, invites.go, reports.go) keep a coordinator inside their
// collectives: rights are checked on the collective named in the path,
// and every object under it is looked up within that collective.
//
// Who asks is an API token (Bearer) or a browser session cookie
// (session.go), opened with a one-time code sent by email or with a
// passkey (login.go, passkey.go). A session's roles are read from the
// database at each request; a cookie request that changes something must
// carry the session's CSRF token. The login endpoints are rate-limited,
// per client too (client.go: by an HMAC of the address, in memory only),
// and never tell whether an email belongs to a member; nor do the
// invite page, the account page and PATCH /api/v1/me, which attach an
// email only once a link sent to it is opened (emailconfirm.go). The
// invite page and a call's answer page are limited per client.
//
// Urgent calls (calls.go, callpage.go, callwork.go): the API, the live
// board (server-sent events), the one-tap answer page of a notice's
// signed link, and the background work that rings members, delivers the
// outbox through the channels and purges calls whose retention is over.
// The work lives here, not in internal/call or internal/notify, because
// it joins them with the store, which they must not import.
//
// It may import internal/store, internal/auth, internal/world,
// internal/plan, internal/geo, internal/call, internal/notify, go-webauthn, a QR encoder
// (github.com/skip2/go-qrcode, for invites) and the standard library.
// It must never import internal/cli: the command line starts the
// server, not the reverse.
package web
