package notify

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DeliveryError is how every channel's Send fails: the Mailer's, the
// Pusher's and the SMS gateway's. A dispatcher needs one thing from an
// error, whether sending the same message again may work, and Retry says
// it; After is how long the receiver asked to wait first (an HTTP
// Retry-After), 0 when it did not say.
//
// The message never holds an address, a phone number, a push endpoint's
// path or a key, so it can be logged as it is.
type DeliveryError struct {
	// Channel is "email", "push" or "sms".
	Channel string
	// Status is the receiver's answer: an HTTP status or an SMTP reply
	// code; 0 when there was none (the message was refused before it
	// was sent, or the connection failed).
	Status int
	// Retry says whether the same message may be delivered later.
	Retry bool
	// After is how long the receiver asked to wait before a retry.
	After time.Duration
	// Err says what happened; errors.Is(err, ErrGone) looks through it.
	Err error
}

func (e *DeliveryError) Error() string {
	if e.Err == nil {
		return "notify: " + e.Channel + ": delivery failed"
	}
	return e.Err.Error()
}
func (e *DeliveryError) Unwrap() error { return e.Err }

// Retryable says whether a delivery that failed with err may succeed if
// tried again, and after how long the receiver asked the sender to wait
// (0: it did not ask; the caller picks its own backoff). An error that
// is not a *DeliveryError is taken as retryable: a dispatcher that gives
// up on an error it does not know loses a message, one that retries with
// a backoff and a bound on attempts does not.
func Retryable(err error) (retry bool, after time.Duration) {
	if err == nil {
		return false, 0
	}
	var de *DeliveryError
	if errors.As(err, &de) {
		return de.Retry, de.After
	}
	return true, 0
}

// permanent is a failure that sending the same message again cannot
// mend: a bad address, a refused credential, a payload too large.
func permanent(channel string, status int, format string, args ...any) *DeliveryError {
	return &DeliveryError{Channel: channel, Status: status, Err: fmt.Errorf("notify: "+channel+": "+format, args...)}
}

// answerError classifies an HTTP answer of a push service or an SMS
// gateway that is not a success: 408, 429 and 5xx are retryable, with
// the Retry-After the receiver gave; any other status is permanent. The
// response body is never read into the error: gateways repeat the
// number they refused.
func answerError(channel, host string, resp *http.Response, now time.Time) *DeliveryError {
	code := resp.StatusCode
	switch {
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		after := retryAfter(resp.Header.Get("Retry-After"), now)
		msg := fmt.Sprintf("notify: %s: %s answered %d", channel, host, code)
		if after > 0 {
			msg += fmt.Sprintf(", retry after %s", after)
		}
		return &DeliveryError{Channel: channel, Status: code, Retry: true, After: after, Err: errors.New(msg)}
	default:
		return permanent(channel, code, "%s answered %d", host, code)
	}
}

// maxRetryAfter bounds what a receiver can ask for: a day, after which
// an urgent call is over anyway.
const maxRetryAfter = 24 * time.Hour

// retryAfter reads a Retry-After value (RFC 9110 section 10.2.3): a
// number of seconds or an HTTP date, which counts from now. Anything
// else, or a time already past, is 0.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if strings.Trim(v, "0123456789") == "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n > uint64(maxRetryAfter/time.Second) { // only too large a number fails
			return maxRetryAfter
		}
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}

// transportError is a request that got no answer: a refused connection,
// a timeout, a TLS failure. It is retryable. net/http's *url.Error
// repeats the whole URL, push endpoint token included, so the error
// keeps only the host and what went wrong below HTTP, with every
// secret the caller names cut out of it.
func transportError(channel, host string, err error, secrets ...string) *DeliveryError {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	for _, s := range secrets {
		if len(s) >= 8 { // shorter ones are no secret, and would cut "/" out of everything
			msg = strings.ReplaceAll(msg, s, "…")
		}
	}
	return &DeliveryError{Channel: channel, Retry: true,
		Err: &redacted{msg: fmt.Sprintf("notify: %s: post to %s: %s", channel, host, msg), err: err}}
}

// redacted is an error whose text was cleaned of secrets but which
// still unwraps to its cause, so errors.Is(err, context.Canceled) holds.
type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }
