package cli

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/call"
	"github.com/commune-org/commune/internal/geo"
	"github.com/commune-org/commune/internal/notify/smtptest"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// TestCallCrashDelivery is acceptance 3 of issue 6: "commune serve" is
// killed with SIGKILL while it emails a call of 10,000 recipients; once
// it runs again, every recipient has been emailed, and all the messages
// one recipient got carry one idempotency id (the Message-ID), so that
// a receiver dropping repeats keeps exactly one: none lost. Repeats can
// only be the rows the killed process had claimed, which come back when
// their lease (a minute) runs out.
func TestCallCrashDelivery(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 emails and a lease of a minute: not in -short")
	}
	bin := buildCommune(t)
	eachBackend(t, func(t *testing.T, b backend) {
		const n = 10000
		recipients := seedCall(t, b.cfg, n)
		mailSrv := smtptest.Start(t, smtptest.Options{})
		// Every message, by recipient: the Message-IDs they got.
		var mu sync.Mutex
		got := map[string][]string{}
		total := 0
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			for {
				select {
				case m := <-mailSrv.Messages:
					msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
					id := ""
					if err == nil {
						id = msg.Header.Get("Message-Id")
					}
					mu.Lock()
					for _, to := range m.To {
						got[to] = append(got[to], id)
					}
					total++
					mu.Unlock()
				case <-stop:
					return
				}
			}
		})
		defer func() { close(stop); wg.Wait() }()
		counts := func() (int, int) {
			mu.Lock()
			defer mu.Unlock()
			return total, len(got)
		}
		wait := func(what string, limit time.Duration, ok func(total, people int) bool) {
			t.Helper()
			for deadline := time.Now().Add(limit); ; time.Sleep(20 * time.Millisecond) {
				if ok(counts()) {
					return
				}
				if time.Now().After(deadline) { // a guard against a hang
					total, people := counts()
					t.Fatalf("%s: after %s, %d messages to %d recipients", what, limit, total, people)
				}
			}
		}

		args := append(b.args, "--smtp", mailSrv.URL)
		p := startProcess(t, bin, args...)
		wait("delivery under way", 2*time.Minute, func(total, _ int) bool { return total >= 1500 })
		if err := p.kill(); err != nil {
			t.Fatal(err)
		}
		atKill, _ := counts()
		if atKill >= n {
			t.Fatalf("all %d messages were sent before the kill: the test proves nothing", atKill)
		}
		p = startProcess(t, bin, args...)
		wait("delivery after the restart", 4*time.Minute, func(_, people int) bool { return people >= n })
		p.stop(t)

		mu.Lock()
		defer mu.Unlock()
		ids := map[string]string{}
		repeats := 0
		for _, to := range recipients {
			ms := got[to]
			if len(ms) == 0 {
				t.Errorf("%s got no message", to)
				continue
			}
			for _, id := range ms {
				if id == "" || id != ms[0] {
					t.Errorf("%s got messages with Message-IDs %v, want one id", to, ms)
					break
				}
			}
			if other, dup := ids[ms[0]]; dup {
				t.Errorf("%s and %s share the Message-ID %s", to, other, ms[0])
			}
			ids[ms[0]] = to
			repeats += len(ms) - 1
		}
		if len(got) != n {
			t.Errorf("messages went to %d addresses, want %d", len(got), n)
		}
		// Only rows claimed when the process died may go twice: at most
		// a batch.
		if repeats > 200 {
			t.Errorf("%d repeats, more than one batch of claimed rows", repeats)
		}
		t.Logf("%d messages at the kill, %d in all, %d repeats (dropped by their id)", atKill, total, repeats)
	})
}

// seedCall makes a collective with a factory, n members within a few
// kilometres who opted in to calls, and an open call there whose first
// ring reaches all of them; it returns their emails.
func seedCall(t *testing.T, cfg store.Config, n int) []string {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.CreateCollective(ctx, store.Collective{ID: "c-garment", Name: "Garment 7", Kind: store.Workplace}); err != nil {
		t.Fatal(err)
	}
	w, err := world.Read(strings.NewReader(`{"format": "commune.world/v1", "period": "week",
  "skills": [{"id": "sew", "name": {"en": "Sewing", "es": "Costura"}}],
  "products": [{"id": "shirt", "name": {"en": "Shirt", "es": "Camisa"}, "unit": "shirt", "kind": "good"}],
  "sites": [{"id": "fabrica-norte", "name": "Fábrica Norte", "kind": "workplace", "lat": 34.0407, "lon": -118.2468, "collective": "c-garment"}],
  "recipes": [{"id": "sew-shirts", "site": "fabrica-norte", "outputs": {"shirt": 4}, "labor": {"sew": 1}}],
  "members": [{"id": "w-sewer", "cell": "9q5cs", "collectives": ["c-garment"], "commitment": {"hours": 4, "skills": ["sew"], "max_km": 10}}],
  "needs": [{"id": "need-shirt", "member": "w-sewer", "product": "shirt", "qty": 1, "tier": "basic"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutWorld(ctx, w); err != nil {
		t.Fatal(err)
	}
	var in []store.ImportedMember
	var emails []string
	for i := range n {
		lat := 34.0407 + float64(i%100-50)*0.0004
		lon := -118.2468 + float64(i/100-50)*0.0004
		email := fmt.Sprintf("m%05d@example.org", i)
		in = append(in, store.ImportedMember{Line: i + 1, Member: store.Member{Alias: fmt.Sprintf("m%05d", i), Language: "es",
			Cell: geo.Encode(lat, lon, 6), CallOptIn: true, Contact: store.Contact{Email: email}}})
		emails = append(emails, email)
	}
	if _, err := st.ImportMembers(ctx, in, false); err != nil {
		t.Fatal(err)
	}
	author, err := st.CreateMember(ctx, store.Member{Alias: "coordinator", Language: "es", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutCollectiveCallSettings(ctx, "c-garment", store.CollectiveCallSettings{Verify: false}); err != nil {
		t.Fatal(err)
	}
	_, err = st.CreateCall(ctx, store.NewCall{Collective: "c-garment", Author: author.ID, Request: call.Request{
		Site: "fabrica-norte", Kind: call.Raid, Headcount: (n + 2) / 3, Until: time.Now().Add(time.Hour),
		Message: call.Message{ES: "Redada"}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return emails
}
