// Package notify delivers messages to members through their channels:
// for now email over SMTP (one-time login codes); web push and an SMS
// gateway belong here too, and the durable outbox of urgent calls will
// feed them.
//
// It knows how to reach an address and what a message says in each
// language, nothing about who a member is: callers pass an address and a
// language. It must never import internal/store or internal/web (the
// web layer uses it, not the reverse), and it never logs an address or a
// message, since members include undocumented workers.
package notify
