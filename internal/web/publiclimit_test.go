package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/call"
	"github.com/commune-org/commune/internal/store"
)

// fromClient sends a request for a page to the server's handler as if
// it came from the peer at remote ("198.51.100.7:4444"), in lang; a
// form, if not nil, is its body.
func (e *env) fromClient(t *testing.T, method, target, remote, lang string, form url.Values) response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	if form != nil {
		req = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept-Language", lang)
	req.RemoteAddr = remote
	rec := httptest.NewRecorder()
	e.http.ServeHTTP(rec, req)
	return response{rec.Code, rec.Header(), rec.Body.Bytes()}
}

// stopClock stops the clock of the server's limiters at now, so that a
// test counts exactly what they allow, however slow the machine.
func stopClock(e *env, now time.Time) *time.Time {
	e.srv.login.now = func() time.Time { return now }
	return &now
}

// wantTooMany fails the test unless r is the page that says "too many"
// in Spanish, with Retry-After retry.
func wantTooMany(t *testing.T, what string, r response, retry string) {
	t.Helper()
	if r.status != http.StatusTooManyRequests || !strings.Contains(string(r.body), "Demasiados intentos") ||
		r.header.Get("Retry-After") != retry {
		t.Fatalf("%s: got %d, Retry-After %q, %.300s; want 429 in Spanish, Retry-After %s", what, r.status, r.header.Get("Retry-After"), r.body, retry)
	}
}

// TestJoinLimitPerClient: a union hall joins through one invite from
// one address, page and form each; a script sending the form over and
// over from one address, a new alias each time, is refused (429, in the
// reader's language, with Retry-After) once it has its share, and makes
// no account then; another address still joins, and the first may go
// on after the wait it was told. There was no limit: the script made
// accounts, or tried aliases and emails, as fast as it could send.
func TestJoinLimitPerClient(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	code := inviteTo(t, e, store.Collective{ID: "hall", Name: "Local 11", Kind: store.Workplace}, 1000)
	now := stopClock(e, time.Now())
	const hall, script = "198.51.100.7:40000", "203.0.113.9:50000"
	joined := 0
	join := func(remote string, i int) response {
		t.Helper()
		r := e.fromClient(t, "POST", "/join/"+code, remote, "es", url.Values{"alias": {fmt.Sprintf("socia %03d", i)},
			"language": {"es"}, "cell": {"9q5cs"}})
		if r.status == http.StatusSeeOther {
			joined++
		}
		return r
	}
	// Twenty people in the hall: the page, then the form.
	for i := range 20 {
		if r := e.fromClient(t, "GET", "/join/"+code, hall, "es", nil); r.status != http.StatusOK {
			t.Fatalf("person %d of 20 in the hall opens the invite: got %d %.300s", i+1, r.status, r.body)
		}
		if r := join(hall, i); r.status != http.StatusSeeOther {
			t.Fatalf("person %d of 20 in the hall joins: got %d %.300s", i+1, r.status, r.body)
		}
	}
	burst := e.srv.login.joinPerClient.Burst
	for i := range burst + 50 {
		r := join(script, 100+i)
		if i < burst {
			if r.status != http.StatusSeeOther {
				t.Fatalf("the script's form %d, of %d at once: got %d %.300s, want it served", i+1, burst, r.status, r.body)
			}
			continue
		}
		wantTooMany(t, fmt.Sprintf("the script's form %d, beyond %d at once", i+1, burst), r, "5")
	}
	if want := 20 + burst; joined != want {
		t.Errorf("%d accounts made, want %d: the refused forms made none", joined, want)
	}
	if members, _, err := e.store.CollectiveMembers(ctx, "hall", "", store.MaxLimit); err != nil || len(members) != joined {
		t.Errorf("the collective has %d members (%v), want %d", len(members), err, joined)
	}
	// The page is limited too, and another port is the same client.
	wantTooMany(t, "the script opens the page", e.fromClient(t, "GET", "/join/"+code, "203.0.113.9:50001", "es", nil), "5")
	if r := e.fromClient(t, "GET", "/join/"+code, "192.0.2.44:1", "en", nil); r.status != http.StatusOK {
		t.Errorf("another address opens the invite: got %d %.300s", r.status, r.body)
	}
	if r := e.fromClient(t, "GET", "/join/"+code, script, "en", nil); r.status != http.StatusTooManyRequests ||
		!strings.Contains(string(r.body), "Too many attempts") {
		t.Errorf("the script, in English: got %d %.300s, want 429 in English", r.status, r.body)
	}
	*now = now.Add(5 * time.Second)
	if r := join(script, 999); r.status != http.StatusSeeOther {
		t.Errorf("the script after the wait it was told: got %d %.300s, want it served", r.status, r.body)
	}
	if strings.Contains(e.log.String(), "203.0.113") || strings.Contains(e.log.String(), "198.51.100") {
		t.Errorf("the log holds a client's address: %s", e.log)
	}
}

// TestAnswerLimitPerClient: five members on a picket answer a call, one
// after another, on one shared phone, each opening their link, saying
// they are coming and then that they arrived, and none is refused; a
// script answering over and over through another link from one address
// is refused (429, in the reader's language, with Retry-After) once it
// has its share, and its refused answers change nothing; the members'
// phones elsewhere still answer. There was no limit: the script answered as fast as it
// could send, each answer a write and an event on the call's board.
func TestAnswerLimitPerClient(t *testing.T) {
	e := newCallEnv(t, store.Config{DataDir: t.TempDir()}, 6)
	ctx := context.Background()
	id := e.verifiedCall(t, validCall(time.Now().Add(time.Hour)))
	if n, _, err := e.store.Ring(ctx, id, time.Now(), call.Policy{Factor: 3}, nil); err != nil || n != 6 {
		t.Fatalf("ring: %d, %v; want the 6 members", n, err)
	}
	key, err := e.srv.linkKey()
	if err != nil {
		t.Fatal(err)
	}
	var links []string
	for _, m := range e.members {
		links = append(links, "/calls/answer/"+call.SignLink(key, id, m))
	}
	now := stopClock(e.env, time.Now())
	const phone, script = "198.51.100.7:40000", "203.0.113.9:50000"
	for i, link := range links[1:] {
		for _, answer := range []string{"coming", "arrived"} {
			if r := e.fromClient(t, "GET", link, phone, "es", nil); r.status != http.StatusOK {
				t.Fatalf("member %d opens their link on the shared phone: got %d %.300s", i+1, r.status, r.body)
			}
			if r := e.fromClient(t, "POST", link, phone, "es", url.Values{"answer": {answer}}); r.status != http.StatusSeeOther {
				t.Fatalf("member %d answers %s on the shared phone: got %d %.300s", i+1, answer, r.status, r.body)
			}
		}
	}
	if cc, err := e.store.CallCounts(ctx, id); err != nil || cc.Arrived != 5 {
		t.Fatalf("after the picket answered on one phone: %+v, %v; want 5 arrived", cc, err)
	}

	burst := e.srv.login.answerPerClient.Burst
	for i := range burst + 50 {
		r := e.fromClient(t, "POST", links[0], script, "es", url.Values{"answer": {[]string{"cannot", "coming"}[i%2]}})
		if i < burst {
			if r.status != http.StatusSeeOther {
				t.Fatalf("the script's answer %d, of %d at once: got %d %.300s, want it served", i+1, burst, r.status, r.body)
			}
			continue
		}
		wantTooMany(t, fmt.Sprintf("the script's answer %d, beyond %d at once", i+1, burst), r, "1")
	}
	// Its last answer served was "coming" (burst is even); the refused
	// "cannot"s changed nothing.
	if a, err := e.store.MemberAnswer(ctx, id, e.members[0]); err != nil || a != call.Coming {
		t.Errorf("the answer after the script was refused: got %q, %v; want coming", a, err)
	}
	wantTooMany(t, "the script opens the page", e.fromClient(t, "GET", links[0], "203.0.113.9:1", "es", nil), "1")
	if r := e.fromClient(t, "GET", links[1], "192.0.2.44:1", "en", nil); r.status != http.StatusOK {
		t.Errorf("a member's own phone: got %d %.300s", r.status, r.body)
	}
	if r := e.fromClient(t, "POST", links[1], "[2001:db8:5::1]:1", "en", url.Values{"answer": {"coming"}}); r.status != http.StatusSeeOther {
		t.Errorf("a member's own phone on IPv6: got %d %.300s", r.status, r.body)
	}
	*now = now.Add(time.Second)
	if r := e.fromClient(t, "GET", links[0], script, "es", nil); r.status != http.StatusOK {
		t.Errorf("the script after the wait it was told: got %d %.300s, want it served", r.status, r.body)
	}
	if strings.Contains(e.log.String(), "203.0.113") || strings.Contains(e.log.String(), "198.51.100") {
		t.Errorf("the log holds a client's address: %s", e.log)
	}
}
