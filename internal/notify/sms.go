package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// SMS sends text messages through an HTTP gateway that takes a
// Twilio-style form post, given by a URL with the account's credentials
// as its user information:
//
//	https://ACCOUNT:TOKEN@api.twilio.com/2010-04-01/Accounts/ACCOUNT/Messages.json
//
// Each message is a POST of the form fields To, From and Body, with
// basic authentication taken from the URL. The credentials go in the
// Authorization header only; the URL kept for requests and errors has
// none.
type SMS struct {
	endpoint string // the URL without user information
	host     string
	user     string
	pass     string
	from     string

	// Client sends the requests; nil uses one that follows no redirect.
	Client *http.Client
	// Timeout bounds one delivery; 0 means 30 s.
	Timeout time.Duration

	now func() time.Time
}

// NewSMS returns a gateway client for the URL (https, or http to a
// loopback host for tests) that sends from the number or sender name
// from.
func NewSMS(rawURL, from string) (*SMS, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, errors.New("notify: sms gateway url: not a URL")
	}
	if u.Host == "" {
		return nil, errors.New("notify: sms gateway url: no host")
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return nil, fmt.Errorf("notify: sms gateway url: scheme %q, want https (http only to a loopback host)", u.Scheme)
	}
	s := &SMS{host: u.Host, now: time.Now}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
		u.User = nil
	}
	s.endpoint = u.String()
	switch {
	case from == "":
		return nil, errors.New("notify: sms: no sender number")
	case strings.HasPrefix(from, "+"):
		if s.from, err = e164(from); err != nil {
			return nil, fmt.Errorf("notify: sms: sender: %w", err)
		}
	case isSenderName(from):
		s.from = from
	default:
		return nil, fmt.Errorf("notify: sms: sender %q: want a number in international form (+ and 8 to 15 digits) or a name of 1 to 11 letters and digits", from)
	}
	return s, nil
}

// isSenderName says whether from is an alphanumeric sender id, which
// some countries allow instead of a number: 1 to 11 ASCII letters,
// digits and spaces, at least one letter.
func isSenderName(from string) bool {
	if len(from) > 11 || strings.Trim(from, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ") != "" {
		return false
	}
	return strings.ContainsFunc(from, func(r rune) bool { return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' })
}

// e164 returns a phone number as members may write it ("+52 55 1234
// 5678", "0052-55-1234-5678") in the international form gateways take:
// a plus and 8 to 15 digits. A number without a country code cannot be
// sent to, since the gateway cannot know the country. Errors never
// repeat the number.
func e164(phone string) (string, error) {
	digits := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '(', ')':
			return -1
		}
		return r
	}, phone)
	if rest, ok := strings.CutPrefix(digits, "00"); ok {
		digits = "+" + rest
	}
	rest, ok := strings.CutPrefix(digits, "+")
	if !ok {
		return "", errors.New("the number has no country code (+ or 00)")
	}
	if len(rest) < 8 || len(rest) > 15 || strings.Trim(rest, "0123456789") != "" || rest[0] == '0' {
		return "", errors.New("the number is not a plus and 8 to 15 digits")
	}
	return digits, nil
}

// Send posts body to the phone number to. The id is the message's
// idempotency id, the same for every attempt to deliver one message;
// it goes in the Idempotency-Key header and Twilio's
// I-Twilio-Idempotency-Token, so that a gateway that knows them sends a
// repeat only once (a text message carries no id a phone could use).
//
// It fails with a *DeliveryError: 408, 429 and 5xx answers are
// retryable, with the gateway's Retry-After; other 4xx answers are
// permanent. Neither the number nor the credentials appear in it.
func (s *SMS) Send(ctx context.Context, to, body, id string) error {
	num, err := e164(to)
	if err != nil {
		return permanent("sms", 0, "recipient: %v", err)
	}
	if body == "" {
		return permanent("sms", 0, "empty message")
	}
	form := url.Values{"To": {num}, "From": {s.from}, "Body": {body}}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return permanent("sms", 0, "request to %s: cannot be made", s.host)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if s.user != "" || s.pass != "" {
		req.SetBasicAuth(s.user, s.pass)
	}
	if id != "" {
		req.Header.Set("Idempotency-Key", id)
		req.Header.Set("I-Twilio-Idempotency-Token", id)
	}
	client := s.Client
	if client == nil {
		client = noRedirects()
	}
	resp, err := client.Do(req)
	if err != nil {
		return transportError("sms", s.host, err, s.pass, num)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	return answerError("sms", s.host, resp, s.now())
}
