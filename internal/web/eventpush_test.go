package web

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/notify"
	"github.com/commune-org/commune/internal/notify/pushtest"
	"github.com/commune-org/commune/internal/store"
)

// TestEventReminderPush: a member who keeps no email but subscribed a
// browser gets an event's reminders by Web Push, decrypted by a push
// service written from RFC 8291: once the day before and once an hour
// before, in their language, opening the event, and naming neither the
// event nor the place on the locked screen.
func TestEventReminderPush(t *testing.T) {
	w := newEventWorld(t, store.Config{DataDir: t.TempDir()}, nil)
	ctx := context.Background()
	pusher := loopbackPusher(t)
	w.srv.opt.Pusher = pusher
	rosa := w.ids["rosa"]
	if err := w.store.SetContact(ctx, rosa, store.Contact{}); err != nil {
		t.Fatal(err)
	}
	push := subscribedTo(t, w.store, rosa, pusher)
	start := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Minute)
	id := w.mayDay(t, start)

	for _, round := range []struct {
		at    time.Time
		title string // "" for none
	}{
		{start.Add(-30 * time.Hour), ""},
		{start.Add(-20 * time.Hour), "Mañana: un evento al que va"},
		{start.Add(-19 * time.Hour), ""}, // sent already
		{start.Add(-30 * time.Minute), "En una hora: un evento al que va"},
	} {
		w.srv.eventRound(ctx, round.at)
		// Each push was answered before eventRound returned.
		var got []pushtest.Message
		for len(push.Messages) > 0 {
			got = append(got, <-push.Messages)
		}
		if round.title == "" {
			if len(got) != 0 {
				t.Errorf("at %s: %d pushes, want none", round.at, len(got))
			}
			continue
		}
		if len(got) != 1 {
			t.Fatalf("at %s: %d pushes, want 1", round.at, len(got))
		}
		var m notify.PushMessage
		if err := json.Unmarshal(got[0].Payload, &m); err != nil {
			t.Fatal(err)
		}
		if m.Title != round.title || !strings.HasSuffix(m.URL, "/events/"+id) || m.ID == "" {
			t.Errorf("at %s: got %+v, want %q opening /events/%s", round.at, m, round.title, id)
		}
		if text := string(got[0].Payload); strings.Contains(text, "Marcha") || strings.Contains(text, "May Day") || strings.Contains(text, "Soto") {
			t.Errorf("at %s: the push names the event or the place: %s", round.at, text)
		}
	}
}
