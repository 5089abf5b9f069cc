// Package auth holds who may do what, and the secrets that prove who one
// is: roles and the one place that checks them, API tokens and session
// identifiers (random, stored only as hashes), one-time codes for first
// login and recovery, CSRF tokens for forms, and rate limits for the
// login and code endpoints.
//
// It keeps no state of its own beyond the in-memory rate limiter: the
// store keeps hashes, the web layer keeps cookies. It depends on the
// standard library only (passkeys, through go-webauthn, live beside it in
// the web layer), and never logs a secret or a person.
package auth
