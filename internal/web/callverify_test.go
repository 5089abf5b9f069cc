package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/call"
	"github.com/commune-org/commune/internal/store"
)

// TestCallVerifyRequest: an unverified call asks, through the outbox
// and a real SMTP server, the collective's other coordinators and the
// organizers to verify it, once, in their language, with a link to the
// board and nothing of the call in the message; its author is not
// asked, and no member is reached before it is verified. A request still
// due when the call is verified is given up.
func TestCallVerifyRequest(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db database) {
		e := newCallEnv(t, db.cfg, 3)
		ctx := context.Background()
		reviewer := func(alias, lang, email string, organizer bool) {
			m, err := e.store.CreateMember(ctx, store.Member{Alias: alias, Language: lang, Cell: "9q5cs", Contact: store.Contact{Email: email}})
			if err != nil {
				t.Fatal(err)
			}
			if organizer {
				err = e.store.SetOrganizer(ctx, m.ID, true)
			} else {
				err = e.store.AddMembership(ctx, m.ID, "c-garment", store.RoleCoordinator)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		reviewer("coordinadora tres", "es", "tres@example.org", false)
		reviewer("organizer", "en", "org@example.org", true)

		var created callStatus
		e.json(t, "POST", "/api/v1/calls", e.author, validCall(time.Now().Add(2*time.Hour)), 201, &created)
		if created.Status != call.Unverified {
			t.Fatalf("created: %+v", created)
		}
		got := e.drain(t, time.Now())
		if keys := sortedKeys(got); !slices.Equal(keys, []string{"org@example.org", "tres@example.org"}) {
			t.Fatalf("asked to verify: %v, want the other coordinator and the organizer who have an address", keys)
		}
		for to, subject := range map[string]string{"tres@example.org": "Un llamado urgente espera verificación", "org@example.org": "An urgent call waits for verification"} {
			h, body := got[to].Parsed(t)
			if h["Subject"] != subject {
				t.Errorf("%s: subject %q, want %q", to, h["Subject"], subject)
			}
			if !strings.Contains(body, "https://commune.example.org/calls/"+created.ID) || strings.Contains(body, "/calls/answer/") {
				t.Errorf("%s: body %q, want the board's link and no answer link", to, body)
			}
			if strings.Contains(body, "Fábrica") || strings.Contains(body, "Redada") || strings.Contains(body, "Raid") {
				t.Errorf("%s: body %q tells of the call", to, body)
			}
		}
		if again := e.drain(t, time.Now()); len(again) != 0 {
			t.Errorf("asked again: %v", sortedKeys(again))
		}
		if cc, _ := e.store.CallCounts(ctx, created.ID); cc.Targeted != 0 || cc.Notified != 0 {
			t.Errorf("the board of the unverified call: %+v, want nobody targeted or notified", cc)
		}

		// Verified at once, the requests not yet sent are given up; the
		// ring reaches members only.
		var second callStatus
		e.json(t, "POST", "/api/v1/calls", e.author, validCall(time.Now().Add(2*time.Hour)), 201, &second)
		if n, err := e.store.AskVerify(ctx, time.Now(), []string{"email"}); err != nil || n != 3 {
			t.Fatalf("AskVerify: %d, %v; want 3 rows (two coordinators and the organizer)", n, err)
		}
		r := e.do(t, "POST", "/api/v1/calls/"+second.ID+"/verify", e.verifier, "en", nil)
		if r.status != http.StatusOK {
			t.Fatalf("verify: %d %s", r.status, r.body)
		}
		got = e.drain(t, time.Now())
		if keys := sortedKeys(got); !slices.Equal(keys, e.emails) {
			t.Errorf("after the verification: emailed %v, want the members %v only", keys, e.emails)
		}
		box, err := e.store.Outbox(ctx, second.ID)
		if err != nil {
			t.Fatal(err)
		}
		given := 0
		for _, row := range box {
			if row.Verify && row.Sent.IsZero() && row.ErrorClass == "call-over" {
				given++
			}
		}
		if given != 3 {
			t.Errorf("requests given up after the verification: %d, want 3; outbox %+v", given, box)
		}
	})
}
