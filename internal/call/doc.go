// Package call is the logic of urgent calls: a raid, a picket or a
// disaster reported at a place; verified by a second coordinator or an
// organizer before it reaches anyone else (unless the collective turned
// verification off); the members it reaches, nearest first, in rings
// that grow while too few have answered "coming"; the answers; and the
// signed links that let a member answer with one tap, without signing
// in.
//
// It decides; it does not store or send. The store keeps calls, their
// recipients and answers (and deletes them when the retention is over),
// internal/notify delivers, and the web layer serves the API and the
// live board. Who may create, verify or close a call is decided by
// auth.Allow, like everything else; this package adds only what is
// particular to calls, such as that nobody verifies their own call.
//
// It imports internal/geo and the standard library only.
package call
