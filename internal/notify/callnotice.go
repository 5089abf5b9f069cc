package notify

// CallNotice is the notification of an urgent call to one member: the
// link that opens it (signed, so that one tap answers without signing
// in), an idempotency id that is the same on every attempt so that the
// receiver can drop a repeat, and the member's language. Each channel
// says it with the texts of calltext.go (Email, SMS, Push), which say
// nothing else: where, what and how many are behind the link.
//
// A notice with Verify set asks a coordinator or an organizer to verify
// a call another raised; its link opens the call's board, behind a
// sign-in, where they verify or close it.
type CallNotice struct {
	ID     string
	Lang   string // "es" for Spanish, English otherwise
	Link   string
	Verify bool
}
