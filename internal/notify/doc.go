// Package notify delivers messages to members through their channels,
// and says what those messages say in each language:
//
//   - email over SMTP (Mailer): one-time login codes, urgent calls;
//   - Web Push (Pusher): a message encrypted for the member's browser
//     (RFC 8291, aes128gcm of RFC 8188) and signed with the server's
//     VAPID key (RFC 8292, VAPIDKey, kept in a key file);
//   - SMS through an HTTP gateway that takes a Twilio-style form post.
//
// The durable outbox of urgent calls (in the database, outside this
// package) feeds them. Every Send takes the message's idempotency id, the
// same for every attempt at one message, and hands it to the receiver
// in the channel's own way: an email's Message-ID derives from it; a
// push payload carries it (CallPush puts it in the JSON, and the Topic
// header is a hash of it); an SMS gateway gets it as Idempotency-Key.
//
// Every Send fails with a *DeliveryError, and Retryable(err) tells a
// dispatcher what to do:
//
//   - retry, after the receiver's Retry-After when it gave one: a
//     connection that failed or timed out, an SMTP reply 4xx, an HTTP
//     answer 408, 429 or 5xx;
//   - give up: an SMTP reply 5xx, any other HTTP 4xx, a message or an
//     address that cannot be sent (invalid subscription, phone number
//     without country code, payload too large);
//   - a push subscription that answers 404 or 410 is gone for good:
//     errors.Is(err, ErrGone), and the caller deletes it.
//
// A push endpoint is whatever the subscriber sent; the Pusher connects
// only to public addresses (AllowLoopback lets tests reach pushtest), so
// a subscription cannot make the server post inside its own network.
//
// Errors hold no address, phone number, push endpoint path, key or
// credential, and no text of the receiver's answer (servers repeat the
// address they refuse), so they may be logged as they are.
//
// The texts of an urgent call (CallEmail, CallSMS, CallPush) say only
// that there is an urgent call near the member and carry the signed
// link; the details are behind it.
//
// It knows how to reach an address and what a message says in each
// language, nothing about who a member is: callers pass an address and a
// language. It must never import internal/store or internal/web (the
// web layer uses it, not the reverse), and it never logs an address or a
// message, since members include undocumented workers.
package notify
