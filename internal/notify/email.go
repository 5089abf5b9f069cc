package notify

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"net/url"
	"strings"
	"time"
)

// Mailer sends email through one SMTP server (a relay of the
// organization, or of its mail provider), given by a URL:
//
//	smtp://host[:port][?from=commune@example.org]
//	smtp://user:password@host:port
//
// The port defaults to 25. When the server offers STARTTLS the
// connection is upgraded before anything else is said, and the server's
// certificate must be valid for host: a login code read on the way is a
// way into an account. Credentials are sent only over TLS or to a server
// on the same machine (net/smtp's PlainAuth refuses otherwise).
//
// A Mailer is safe for concurrent use. It keeps connections open for
// the next messages (smtppool.go); Close ends them.
type Mailer struct {
	addr string // host:port
	host string
	user string
	pass string
	auth bool
	from string

	// TLS is the client configuration for STARTTLS; nil verifies the
	// server against the system's roots. Tests set their own roots.
	TLS *tls.Config
	// Timeout bounds one delivery, from waiting for a connection to
	// the server's answer to the message; 0 means 30 s.
	Timeout time.Duration

	// The connections kept open (smtppool.go). Set these before the
	// first Send. MaxConns bounds the connections open at once (0: 20);
	// a Send waits for one when all are busy. MaxMessages is how many
	// messages one connection carries before it is closed (0: 100, or
	// less if the server says so with LIMITS MAILMAX). IdleTimeout is
	// how long an unused connection stays open (0: 30 s).
	MaxConns    int
	MaxMessages int
	IdleTimeout time.Duration

	pool pool
}

// NewMailer returns a mailer for the SMTP URL. The sender is the from
// parameter of the URL, or commune@ the server's host name.
func NewMailer(rawURL string) (*Mailer, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Parse's error quotes the whole URL, password included, and
		// this one may end up on the server's standard error: only the
		// reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("notify: smtp url: %w", err)
	}
	if u.Scheme != "smtp" {
		return nil, fmt.Errorf("notify: smtp url: scheme %q, want smtp", u.Scheme)
	}
	host := u.Hostname()
	if host == "" {
		return nil, errors.New("notify: smtp url: no host")
	}
	port := u.Port()
	if port == "" {
		port = "25"
	}
	m := &Mailer{addr: net.JoinHostPort(host, port), host: host}
	if u.User != nil {
		m.auth = true
		m.user = u.User.Username()
		m.pass, _ = u.User.Password()
	}
	m.from = u.Query().Get("from")
	if m.from == "" {
		domain := host
		if net.ParseIP(host) != nil {
			domain = "localhost"
		}
		m.from = "commune@" + domain
	}
	if _, err := mail.ParseAddress(m.from); err != nil {
		return nil, fmt.Errorf("notify: smtp url: from: %w", err)
	}
	return m, nil
}

// Email is one message to one address, in plain text.
type Email struct {
	To      string
	Subject string
	Body    string
	// ID, when set, is the message's idempotency id: every attempt to
	// deliver it carries the same Message-ID, derived from ID, so that
	// a receiver can drop repeats. Empty gives a random Message-ID.
	ID string
}

// Send delivers e. Errors name the step that failed, never the address;
// they are *DeliveryError: an SMTP reply 4xx and a failed connection
// are retryable, a reply 5xx and a bad message are not.
func (m *Mailer) Send(ctx context.Context, e Email) error {
	to, err := mail.ParseAddress(e.To)
	if err != nil {
		return permanent("email", 0, "recipient is not an address")
	}
	if strings.ContainsAny(e.Subject, "\r\n") {
		return permanent("email", 0, "subject holds a line break")
	}
	msg, err := m.message(to.Address, e)
	if err != nil {
		return err
	}
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return m.deliver(ctx, to.Address, msg)
}

// MessageID is the left part of the Message-ID of an email whose
// idempotency id is id: a hash of it, so that any id makes a valid
// Message-ID and every attempt carries the same one.
func MessageID(id string) string {
	sum := sha256.Sum256([]byte("commune email/v1 " + id))
	return hex.EncodeToString(sum[:16])
}

// message is e as RFC 5322 text: UTF-8, the subject encoded as RFC 2047
// words and the body quoted-printable, so that Spanish arrives intact
// through any relay.
func (m *Mailer) message(to string, e Email) ([]byte, error) {
	id := make([]byte, 16)
	rand.Read(id)
	msgID := hex.EncodeToString(id)
	if e.ID != "" {
		msgID = MessageID(e.ID)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\n", (&mail.Address{Name: "commune", Address: m.from}).String())
	fmt.Fprintf(&b, "To: %s\r\n", (&mail.Address{Address: to}).String())
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", e.Subject))
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", msgID, domainOf(m.from))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(e.Body, "\n", "\r\n"))); err != nil {
		return nil, permanent("email", 0, "body: %v", err)
	}
	if err := qp.Close(); err != nil {
		return nil, permanent("email", 0, "body: %v", err)
	}
	return []byte(b.String()), nil
}

// stepError reports the failure of an SMTP step. A server's reply often
// repeats the address it refuses ("550 <rosa@example.org>: no such
// user"), and errors end up in logs: of a reply only its code is kept.
// A reply 4xx is a transient refusal (RFC 5321 section 4.2.1: the same
// command may work later), 5xx a permanent one; anything else (the
// connection broke, timed out, TLS failed) is retryable.
func stepError(step string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) {
		return &DeliveryError{Channel: "email", Status: te.Code, Retry: te.Code < 500,
			Err: fmt.Errorf("notify: email: %s: the server answered %d", step, te.Code)}
	}
	return &DeliveryError{Channel: "email", Retry: true, Err: fmt.Errorf("notify: email: %s: %w", step, err)}
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return "localhost"
}

// LoginCodeEmail is the email that carries a one-time login code to to,
// in lang ("es" for Spanish, English otherwise). It says only the code
// and how long it lasts: an email may be read over a shoulder or by
// whoever runs the mail server, so it names neither the organization's
// business nor the member.
func LoginCodeEmail(to, lang, code string, ttl time.Duration) Email {
	minutes := int(ttl.Round(time.Minute) / time.Minute)
	if lang == "es" {
		return Email{To: to, Subject: "Su código de commune",
			Body: fmt.Sprintf("Su código para entrar: %s\nSirve durante %d minutos.\n", code, minutes)}
	}
	return Email{To: to, Subject: "Your commune code",
		Body: fmt.Sprintf("Your code to sign in: %s\nIt works for %d minutes.\n", code, minutes)}
}
