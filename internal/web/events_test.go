package web

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/notify"
	"github.com/commune-org/commune/internal/notify/smtptest"
	"github.com/commune-org/commune/internal/store"
)

// coordinators, in the authorization table, lets in any coordinator and
// the organizers (the form of a new event).
const coordinators who = organizers + 100

// authzEvents are the events made for the authorization test's
// fixtures: an event of A under way, and one of B.
var authzEvents sync.Map // *fixture -> [2]string

// fixtureEvents makes, once per fixture, an event inviting A under way
// (plain member of A answered yes; coordinator of A is its marshal) and
// one inviting only B.
func fixtureEvents(f *fixture) [2]string {
	if ids, ok := authzEvents.Load(f); ok {
		return ids.([2]string)
	}
	ctx := context.Background()
	now := time.Now()
	var ids [2]string
	for i, c := range []string{collectiveA, collectiveB} {
		by := f.ids[coordA]
		if c == collectiveB {
			by = f.ids[coordB]
		}
		e, err := f.store.CreateEvent(ctx, store.Event{TitleEN: "May Day", TitleES: "Primero de Mayo", Starts: now.Add(-time.Hour),
			Ends: now.Add(3 * time.Hour), Cell: "9q5c", Collectives: []string{c}, CreatedBy: by})
		if err != nil {
			panic(err)
		}
		ids[i] = e.ID
	}
	if _, err := f.store.SetRSVP(ctx, ids[0], plainA, "", store.AnswerYes); err != nil {
		panic(err)
	}
	if _, err := f.store.SetContingent(ctx, store.Contingent{Event: ids[0], Collective: collectiveA, MeetCell: "9q5cs",
		MarshalAlias: "coordinator-of-A"}); err != nil {
		panic(err)
	}
	authzEvents.Store(f, ids)
	return ids
}

func eventPath(rest string) func(*fixture) string {
	return func(f *fixture) string { return "/api/v1/events/" + fixtureEvents(f)[0] + rest }
}

func foreignEventPath(rest string) func(*fixture) string {
	return func(f *fixture) string { return "/api/v1/events/" + fixtureEvents(f)[1] + rest }
}

func eventPage(rest string) func(*fixture) string {
	return func(f *fixture) string { return "/events/" + fixtureEvents(f)[0] + rest }
}

func foreignEventPage(rest string) func(*fixture) string {
	return func(f *fixture) string { return "/events/" + fixtureEvents(f)[1] + rest }
}

// eventWorld is two collectives of a May Day march and their people:
// a coordinator and two members each, one of whom speaks Spanish.
type eventWorld struct {
	*env
	tokens map[string]string // by alias
	ids    map[string]string // by alias
}

// newEventWorld makes the collectives "garment" and "school" on a
// server whose mailer (may be nil) sends reminders.
func newEventWorld(t *testing.T, cfg store.Config, mailer *notify.Mailer) *eventWorld {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var log bytes.Buffer
	srv := New(st, slog.New(slog.NewJSONHandler(&log, nil)), Options{Mailer: mailer})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	})
	w := &eventWorld{env: &env{store: st, srv: srv, http: srv.Handler(), log: &log}, tokens: map[string]string{}, ids: map[string]string{}}
	for _, c := range []string{"garment", "school"} {
		if _, err := st.CreateCollective(ctx, store.Collective{ID: c, Name: strings.ToUpper(c[:1]) + c[1:], Kind: store.Workplace}); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []struct {
		alias, collective, lang string
		role                    auth.Role
	}{
		{"coord-garment", "garment", "en", auth.Coordinator},
		{"rosa", "garment", "es", auth.Member},
		{"ana", "garment", "en", auth.Member},
		{"coord-school", "school", "es", auth.Coordinator},
		{"beto", "school", "es", auth.Member},
		{"outsider", "", "en", auth.Member},
	} {
		m, err := st.CreateMember(ctx, store.Member{Alias: p.alias, Language: p.lang, Cell: "9q5cs",
			Contact: store.Contact{Email: p.alias + "@example.org"}})
		if err != nil {
			t.Fatal(err)
		}
		tok := store.Token{MemberID: m.ID, Role: string(p.role)}
		if p.collective != "" {
			role := store.RoleMember
			if p.role == auth.Coordinator {
				role, tok.Collective = store.RoleCoordinator, p.collective
			}
			if err := st.AddMembership(ctx, m.ID, p.collective, role); err != nil {
				t.Fatal(err)
			}
		}
		secret := auth.NewToken()
		tok.Hash = auth.Hash(secret)
		if _, err := st.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		w.tokens[p.alias], w.ids[p.alias] = secret, m.ID
	}
	return w
}

// mayDay creates, as the garment coordinator, a march inviting both
// collectives that starts at start, and the answers and contingents of
// both: rosa yes, ana maybe, beto yes; each contingent with its meeting
// point and marshal.
func (w *eventWorld) mayDay(t *testing.T, start time.Time) string {
	t.Helper()
	var e eventBody
	w.json(t, "POST", "/api/v1/events", w.tokens["coord-garment"], map[string]any{
		"title":       map[string]string{"en": "May Day march", "es": "Marcha del Primero de Mayo"},
		"description": map[string]string{"en": "All together.\nBring water.", "es": "Todos juntos.\r\nTraigan agua."},
		"starts_at":   start, "ends_at": start.Add(4 * time.Hour), "cell": "9q5c",
		"collectives": []string{"garment", "school"},
	}, 201, &e)
	for alias, answer := range map[string]string{"rosa": "maybe", "ana": "maybe", "beto": "yes"} {
		w.json(t, "PUT", "/api/v1/events/"+e.ID+"/rsvp", w.tokens[alias], map[string]string{"answer": answer}, 200, nil)
	}
	// An answer can change.
	w.json(t, "PUT", "/api/v1/events/"+e.ID+"/rsvp", w.tokens["rosa"], map[string]string{"answer": "yes"}, 200, nil)
	w.json(t, "PUT", "/api/v1/events/"+e.ID+"/contingents/garment", w.tokens["coord-garment"], map[string]any{
		"meet_cell": "9q5cs", "meet_note": "corner of 1st and Soto", "meet_at": start.Add(-time.Hour), "marshal": "rosa"}, 200, nil)
	w.json(t, "PUT", "/api/v1/events/"+e.ID+"/contingents/school", w.tokens["coord-school"], map[string]any{
		"meet_cell": "9q5cg", "meet_note": "Roosevelt High gate", "marshal": "beto"}, 200, nil)
	return e.ID
}

func TestEventAPI(t *testing.T) {
	w := newEventWorld(t, store.Config{DataDir: t.TempDir()}, nil)
	start := time.Now().Add(30 * time.Minute).UTC().Truncate(time.Second)
	id := w.mayDay(t, start)
	ev := "/api/v1/events/" + id

	// Each member sees the counts of both, and their own contingent's
	// meeting point only.
	var got eventBody
	w.json(t, "GET", ev, w.tokens["ana"], nil, 200, &got)
	if len(got.Counts) != 2 || got.Counts[0] != (countBody{"garment", "Garment", 1, 1, 0, 0}) || got.Counts[1] != (countBody{"school", "School", 1, 0, 0, 0}) {
		t.Errorf("counts: got %+v", got.Counts)
	}
	if got.RSVP == nil || got.RSVP.Answer != "maybe" {
		t.Errorf("ana's answer: got %+v, want maybe", got.RSVP)
	}
	if len(got.Contingents) != 1 || got.Contingents[0].MeetNote != "corner of 1st and Soto" || got.Contingents[0].Marshal != "rosa" {
		t.Errorf("ana's contingents: got %+v, want garment's only", got.Contingents)
	}
	w.json(t, "GET", ev, w.tokens["beto"], nil, 200, &got)
	if len(got.Contingents) != 1 || got.Contingents[0].MeetNote != "Roosevelt High gate" {
		t.Errorf("beto's contingents: got %+v, want school's only", got.Contingents)
	}
	for _, tc := range []struct {
		method, target, who string
		body                any
		want                int
	}{
		{"GET", ev, "outsider", nil, 403},
		{"PUT", ev + "/rsvp", "outsider", map[string]string{"answer": "yes"}, 403},
		{"PUT", ev + "/rsvp", "ana", map[string]string{"answer": "perhaps"}, 400},
		{"PUT", ev + "/rsvp", "ana", map[string]string{"answer": "yes", "collective": "school"}, 400},
		{"GET", ev + "/contingents/garment", "ana", nil, 403},
		{"GET", ev + "/contingents/garment", "coord-school", nil, 403},
		{"PUT", ev + "/contingents/school", "coord-garment", map[string]string{"meet_note": "x"}, 403},
		{"PUT", ev + "/contingents/garment", "coord-garment", map[string]string{"marshal": "beto"}, 400},
		{"PUT", ev + "/contingents/garment", "coord-garment", map[string]string{"meet_cell": "9q5cs2k"}, 400},
		{"GET", ev + "/checkin-link", "ana", nil, 403},
		{"POST", "/api/v1/events", "coord-school", map[string]any{"title": map[string]string{"en": "x", "es": "x"},
			"starts_at": start, "ends_at": start.Add(time.Hour), "cell": "9q5c", "collectives": []string{"garment"}}, 403},
		{"POST", "/api/v1/events", "ana", map[string]any{"title": map[string]string{"en": "x", "es": "x"},
			"starts_at": start, "ends_at": start.Add(time.Hour), "cell": "9q5c", "collectives": []string{"garment"}}, 403},
	} {
		w.json(t, tc.method, tc.target, w.tokens[tc.who], tc.body, tc.want, nil)
	}

	// The coordinator sees the names of their own collective, and the
	// read is in the audit log.
	var c contingentBody
	w.json(t, "GET", ev+"/contingents/garment", w.tokens["coord-garment"], nil, 200, &c)
	var names []string
	for _, r := range c.RSVPs {
		names = append(names, r.Alias+":"+r.Answer)
	}
	if strings.Join(names, ",") != "ana:maybe,rosa:yes" {
		t.Errorf("names of garment: got %v, want ana:maybe, rosa:yes", names)
	}
	log, _, err := w.store.AuditLog(context.Background(), store.AuditFilter{Member: w.ids["coord-garment"]}, "", 10)
	if err != nil || len(log) != 1 || log[0].Action != store.AuditEventRSVPs || log[0].Collective != "garment" {
		t.Errorf("audit log: got %+v, %v, want one read of garment's answers", log, err)
	}

	// Check-in with the coordinator's link; a forged one fails.
	var link map[string]string
	w.json(t, "GET", ev+"/checkin-link", w.tokens["coord-garment"], nil, 200, &link)
	if !strings.HasPrefix(link["qr_svg"], "<svg") {
		t.Errorf("qr_svg: got %.40q", link["qr_svg"])
	}
	u, err := url.Parse(link["url"])
	if err != nil || u.Path != "/events/"+id+"/checkin" {
		t.Fatalf("check-in url: got %q, %v", link["url"], err)
	}
	token := u.Query().Get("t")
	w.json(t, "POST", ev+"/checkin", w.tokens["rosa"], map[string]string{"token": token + "x"}, 400, nil)
	w.json(t, "POST", ev+"/checkin", w.tokens["rosa"], map[string]string{"token": token}, 200, nil)
	w.json(t, "POST", ev+"/checkin", w.tokens["beto"], map[string]string{"token": token}, 200, nil)
	w.json(t, "GET", ev, w.tokens["rosa"], nil, 200, &got)
	if got.Counts[0].CheckedIn != 1 || got.Counts[1].CheckedIn != 1 || !got.RSVP.CheckedIn {
		t.Errorf("after check-in: got %+v, %+v", got.Counts, got.RSVP)
	}
	// Rosa's export holds her answer, her check-in and her marshal role.
	var export struct{ Events []myEventBody }
	w.json(t, "GET", "/api/v1/me/export", w.tokens["rosa"], nil, 200, &export)
	if len(export.Events) != 2 || export.Events[0].Answer != "marshal" || export.Events[1].Answer != "yes" || !export.Events[1].CheckedIn {
		t.Errorf("rosa's export: got %+v, want marshal, and yes checked in", export.Events)
	}
	var list struct{ Events []eventBody }
	w.json(t, "GET", "/api/v1/events", w.tokens["beto"], nil, 200, &list)
	if len(list.Events) != 1 || list.Events[0].ID != id {
		t.Errorf("beto's events: got %+v", list.Events)
	}
	w.json(t, "GET", "/api/v1/events", w.tokens["outsider"], nil, 200, &list)
	if len(list.Events) != 0 {
		t.Errorf("outsider's events: got %+v, want none", list.Events)
	}
}

// TestEventAPIPostcode: a place sent to the API as a postcode, as on the
// pages (cellinput.go): one of the server's table is its cell; another
// is refused; digits that are land as a cell are taken with
// cell_not_postcode. So for a contingent's meeting point.
func TestEventAPIPostcode(t *testing.T) {
	w := newEventWorld(t, store.Config{DataDir: t.TempDir()}, nil)
	start := time.Now().Add(30 * time.Minute).UTC().Truncate(time.Second)
	id := w.mayDay(t, start)
	ev := "/api/v1/events/" + id
	newEvent := func(cell string, sure bool) map[string]any {
		return map[string]any{"title": map[string]string{"en": "x", "es": "x"}, "starts_at": start, "ends_at": start.Add(time.Hour),
			"cell": cell, "cell_not_postcode": sure, "collectives": []string{"school"}}
	}
	var made eventBody
	w.json(t, "POST", "/api/v1/events", w.tokens["coord-school"], newEvent("90033", false), 201, &made)
	if made.Cell != "9q5cw" {
		t.Errorf("an event at 90033 by the API: got cell %q, want 9q5cw", made.Cell)
	}
	for _, tc := range []struct {
		cell, want string
	}{{"90210", "looks like a postcode"}, {"6839", "an area in Argentina"}} {
		if r := w.json(t, "POST", "/api/v1/events", w.tokens["coord-school"], newEvent(tc.cell, false), 400, nil); !strings.Contains(string(r.body), tc.want) {
			t.Errorf("an event at %s by the API: got %s, want %q", tc.cell, r.body, tc.want)
		}
	}
	w.json(t, "POST", "/api/v1/events", w.tokens["coord-school"], newEvent("6839", true), 201, &made)
	w.json(t, "PUT", ev+"/contingents/garment", w.tokens["coord-garment"], map[string]string{"meet_cell": "90033"}, 200, nil)
	if c, err := w.store.Contingent(context.Background(), id, "garment"); err != nil || c.MeetCell != "9q5cw" {
		t.Errorf("a contingent meeting at 90033 by the API: got %+v, %v", c, err)
	}
}

func TestEventReminders(t *testing.T) {
	mail := smtptest.Start(t, smtptest.Options{})
	m, err := notify.NewMailer(mail.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg := store.Config{DataDir: t.TempDir()}
	w := newEventWorld(t, cfg, m)
	start := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Minute)
	id := w.mayDay(t, start)
	ctx := context.Background()
	// Rosa chose Tijuana's time zone for her urgent calls: her
	// reminders say the start there; the others', in UTC.
	if err := w.store.PutMemberCallSettings(ctx, w.ids["rosa"], store.MemberCallSettings{ReachKm: 5, TZ: "America/Tijuana"}); err != nil {
		t.Fatal(err)
	}
	tijuana, err := time.LoadLocation("America/Tijuana")
	if err != nil {
		t.Fatal(err)
	}
	when := map[string]string{
		"rosa@example.org": "empieza a las " + start.In(tijuana).Format("2006-01-02 15:04 MST") + " (America/Tijuana).",
		"ana@example.org":  "starts at " + start.Format("2006-01-02 15:04") + " UTC.",
		"beto@example.org": "empieza a las " + start.Format("2006-01-02 15:04") + " UTC.",
	}

	for _, round := range []struct {
		at      time.Time
		subject map[string]string // by recipient
	}{
		{start.Add(-30 * time.Hour), nil},
		{start.Add(-20 * time.Hour), map[string]string{
			"rosa@example.org": "Mañana: Marcha del Primero de Mayo",
			"ana@example.org":  "Tomorrow: May Day march",
			"beto@example.org": "Mañana: Marcha del Primero de Mayo",
		}},
		{start.Add(-19 * time.Hour), nil}, // sent already
		{start.Add(-30 * time.Minute), map[string]string{
			"rosa@example.org": "En una hora: Marcha del Primero de Mayo",
			"ana@example.org":  "In an hour: May Day march",
			"beto@example.org": "En una hora: Marcha del Primero de Mayo",
		}},
	} {
		w.srv.eventRound(ctx, round.at)
		got := map[string]string{}
		for range round.subject {
			msg := mail.Wait(t)
			h, body := msg.Parsed(t)
			got[msg.To[0]] = h["Subject"]
			if !strings.Contains(body, "/events/"+id) {
				t.Errorf("reminder to %s: no link to the event in %q", msg.To[0], body)
			}
			if !strings.Contains(body, when[msg.To[0]]) {
				t.Errorf("reminder to %s: no %q in %q", msg.To[0], when[msg.To[0]], body)
			}
			if strings.Contains(body, "1st and Soto") || strings.Contains(body, "9q5c") {
				t.Errorf("reminder to %s names the place: %q", msg.To[0], body)
			}
		}
		for to, want := range round.subject {
			if got[to] != want {
				t.Errorf("round at %v: subject to %s: got %q, want %q", round.at, to, got[to], want)
			}
		}
		select {
		case extra := <-mail.Messages:
			t.Errorf("round at %v: an extra message to %v", round.at, extra.To)
		default:
		}
	}
	// A restart sends nothing again: a new server on the same database.
	w2 := newEventWorldOn(t, cfg, m)
	w2.srv.eventRound(ctx, start.Add(-20*time.Minute))
	select {
	case extra := <-mail.Messages:
		t.Errorf("after a restart: a message to %v", extra.To)
	default:
	}
}

// newEventWorldOn is a second server on the database of cfg.
func newEventWorldOn(t *testing.T, cfg store.Config, mailer *notify.Mailer) *env {
	t.Helper()
	st, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := New(st, slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil)), Options{Mailer: mailer})
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	return &env{store: st, srv: srv, http: srv.Handler()}
}

// TestEventPurgeLeavesNoRow: seven days after the event, no row of any
// table names a member for the event (the tables are read from the
// database itself), and the counts remain; a member who erased their
// account before is gone from the event at once.
func TestEventPurgeLeavesNoRow(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db database) {
		w := newEventWorld(t, db.cfg, nil)
		start := time.Now().Add(30 * time.Minute).UTC().Truncate(time.Second)
		id := w.mayDay(t, start)
		ctx := context.Background()
		var link map[string]string
		w.json(t, "GET", "/api/v1/events/"+id+"/checkin-link", w.tokens["coord-school"], nil, 200, &link)
		u, _ := url.Parse(link["url"])
		for _, who := range []string{"rosa", "ana", "beto"} {
			w.json(t, "POST", "/api/v1/events/"+id+"/checkin", w.tokens[who], map[string]string{"token": u.Query().Get("t")}, 200, nil)
		}
		// ana erases herself: her answer and check-in go at once.
		w.json(t, "DELETE", "/api/v1/me", w.tokens["ana"], nil, 204, nil)
		for _, table := range []string{"event_rsvps", "event_checkins"} {
			var n int
			if err := db.raw.QueryRow(`SELECT COUNT(*) FROM `+table+` WHERE member_id = $1`, w.ids["ana"]).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s after ana's erasure: %d rows (%v), want 0", table, n, err)
			}
		}
		for _, f := range findMarks(t, db, map[string][]byte{"ana's id": []byte(w.ids["ana"])}) {
			t.Errorf("after ana's erasure: %s", f)
		}
		var n int
		if err := db.raw.QueryRow(`SELECT COUNT(*) FROM event_rsvps`).Scan(&n); err != nil || n != 2 {
			t.Fatalf("answers before the purge: %d (%v), want 2", n, err)
		}

		end := start.Add(4 * time.Hour)
		w.srv.eventRound(ctx, end.Add(store.EventRetention-time.Minute))
		if err := db.raw.QueryRow(`SELECT COUNT(*) FROM event_rsvps`).Scan(&n); err != nil || n != 2 {
			t.Errorf("answers a minute before seven days: %d (%v), want 2", n, err)
		}
		w.srv.eventRound(ctx, end.Add(store.EventRetention))
		marks := map[string][]byte{}
		for alias, mid := range w.ids {
			marks[alias] = []byte(mid)
		}
		for _, f := range rowsNaming(t, db, id, marks) {
			t.Errorf("after the purge, a row of the event names a member: %s", f)
		}
		for _, table := range []string{"event_rsvps", "event_checkins", "event_reminders"} {
			if err := db.raw.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s after the purge: %d rows (%v), want 0", table, n, err)
			}
		}
		var got eventBody
		w.json(t, "GET", "/api/v1/events/"+id, w.tokens["beto"], nil, 200, &got)
		want := []countBody{{"garment", "Garment", 1, 0, 0, 1}, {"school", "School", 1, 0, 0, 1}}
		if !got.Purged || fmt.Sprint(got.Counts) != fmt.Sprint(want) {
			t.Errorf("after the purge: purged %v, counts %+v, want %+v", got.Purged, got.Counts, want)
		}
	})
}

// rowsNaming returns "table.column: mark" for every row that holds the
// event's id in one column and a mark in another.
func rowsNaming(t *testing.T, db database, eventID string, marks map[string][]byte) []string {
	t.Helper()
	var found []string
	for _, table := range tablesOf(t, db) {
		rows, err := db.raw.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("read %s: %v", table, err)
			}
			texts := make([][]byte, len(vals))
			ofEvent := false
			for i, v := range vals {
				switch v := v.(type) {
				case nil:
				case []byte:
					texts[i] = v
				case string:
					texts[i] = []byte(v)
				default:
					texts[i] = fmt.Append(nil, v)
				}
				ofEvent = ofEvent || bytes.Contains(texts[i], []byte(eventID))
			}
			// Rows of the event tables name no member at all after the
			// purge, whichever event they are of.
			if !ofEvent && !strings.HasPrefix(table, "event") {
				continue
			}
			for i, b := range texts {
				for name, m := range marks {
					if bytes.Contains(b, m) {
						found = append(found, table+"."+cols[i]+": "+name)
					}
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		rows.Close()
	}
	return found
}

func TestEventPages(t *testing.T) {
	w := newEventWorld(t, store.Config{DataDir: t.TempDir()}, nil)
	start := time.Now().Add(30 * time.Minute).UTC().Truncate(time.Second)
	id := w.mayDay(t, start)
	form := func(method, target, who, lang, body string) response {
		t.Helper()
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+w.tokens[who])
		req.Header.Set("Accept-Language", lang)
		if body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := httptest.NewRecorder()
		w.http.ServeHTTP(rec, req)
		return response{rec.Code, rec.Header(), rec.Body.Bytes()}
	}
	for _, tc := range []struct {
		name, method, target, who, lang, body string
		status                                int
		has, hasNot                           []string
	}{
		{"list", "GET", "/events", "rosa", "es", "", 200, []string{"Marcha del Primero de Mayo"}, nil},
		{"event es", "GET", "/events/" + id, "rosa", "es", "", 200,
			[]string{"Punto de encuentro", "corner of 1st and Soto", "Responsable", "Garment", "School", "<p class=\"description\">Traigan agua.</p>"},
			[]string{"Roosevelt High gate", "beto"}},
		{"event en", "GET", "/events/" + id, "beto", "en", "", 200,
			[]string{"Meeting point", "Roosevelt High gate"}, []string{"1st and Soto", "rosa"}},
		{"names", "GET", "/events/" + id + "/contingents/garment", "coord-garment", "en", "", 200,
			[]string{"rosa", "ana", "<svg", "/checkin?t="}, []string{"beto"}},
		{"names of another", "GET", "/events/" + id + "/contingents/garment", "coord-school", "en", "", 403, nil, nil},
		{"outsider", "GET", "/events/" + id, "outsider", "en", "", 403, nil, nil},
		{"new form", "GET", "/events/new", "coord-school", "es", "", 200, []string{"Colectivos invitados"}, nil},
		{"new, member", "GET", "/events/new", "ana", "en", "", 403, nil, nil},
		{"new, wrong", "POST", "/events/new", "coord-school", "es",
			"title_en=Picket&starts=2030-05-01T10:00&ends=2030-05-01T09:00&cell=9q5c2k7&collectives=school", 422,
			[]string{`value="Picket"`, "Obligatorio.", "Debe ser después del inicio.", "Una zona es una celda geohash"}, nil},
		{"new, not theirs", "POST", "/events/new", "coord-school", "en",
			"title_en=Picket&title_es=Piquete&starts=2030-05-01T10:00&ends=2030-05-01T12:00&cell=9q5c&collectives=garment", 403,
			[]string{"You can only create an event that invites a collective you coordinate."}, nil},
		{"new", "POST", "/events/new", "coord-school", "en",
			"title_en=Picket&title_es=Piquete&starts=2030-05-01T10:00&ends=2030-05-01T12:00&cell=9q5c&collectives=school", 303, nil, nil},
		{"rsvp, none", "POST", "/events/" + id + "/rsvp", "ana", "es", "", 422, []string{"Elige sí, quizás o no."}, nil},
		{"rsvp", "POST", "/events/" + id + "/rsvp", "ana", "es", "answer=no", 303, nil, nil},
		{"contingent, bad marshal", "POST", "/events/" + id + "/contingents/garment", "coord-garment", "es",
			"meet_note=esquina&marshal=beto", 422, []string{"Ningún miembro de este colectivo tiene ese alias.", `value="esquina"`}, nil},
		{"contingent", "POST", "/events/" + id + "/contingents/garment", "coord-garment", "en", "meet_note=Soto+station&marshal=ana", 303, nil, nil},
		{"check-in, bad code", "GET", "/events/" + id + "/checkin?t=k1.x.y", "ana", "en", "", 200, []string{"This is not the check-in code"}, []string{"I am here"}},
	} {
		r := form(tc.method, tc.target, tc.who, tc.lang, tc.body)
		if r.status != tc.status {
			t.Errorf("%s: got %d, want %d: %.400s", tc.name, r.status, tc.status, r.body)
			continue
		}
		for _, s := range tc.has {
			if !bytes.Contains(r.body, []byte(s)) {
				t.Errorf("%s: the page lacks %q", tc.name, s)
			}
		}
		for _, s := range tc.hasNot {
			if bytes.Contains(r.body, []byte(s)) {
				t.Errorf("%s: the page shows %q", tc.name, s)
			}
		}
	}
	// A time typed in the reader's own time zone comes as the instant
	// in name_rfc3339 (app.js), read before the field; without it the
	// field is read in UTC. The pages write each time in UTC, in a time
	// element app.js rewrites in the reader's time zone.
	for _, tc := range []struct {
		body  string
		start time.Time
	}{
		{"starts=2030-05-01T10:00&starts_rfc3339=2030-05-01T10:00:00-07:00&ends=2030-05-01T12:00&ends_rfc3339=2030-05-01T12:00:00-07:00",
			time.Date(2030, 5, 1, 17, 0, 0, 0, time.UTC)},
		{"starts=2030-05-01T10:00&ends=2030-05-01T12:00", time.Date(2030, 5, 1, 10, 0, 0, 0, time.UTC)},
	} {
		r := form("POST", "/events/new", "coord-school", "en", "title_en=Teach-in&title_es=Clase+abierta&cell=9q5c&collectives=school&"+tc.body)
		loc := r.header.Get("Location")
		if r.status != 303 || !strings.HasPrefix(loc, "/events/e-") {
			t.Fatalf("new event, %s: got %d, Location %q: %.300s", tc.body, r.status, loc, r.body)
		}
		e, err := w.store.Event(context.Background(), strings.TrimPrefix(loc, "/events/"))
		if err != nil || !e.Starts.Equal(tc.start) || !e.Ends.Equal(tc.start.Add(2*time.Hour)) {
			t.Errorf("new event, %s: got %+v, %v; want from %v for 2 hours", tc.body, e, err, tc.start)
		}
		page := form("GET", loc, "coord-school", "en", "")
		if want := `<time datetime="` + tc.start.Format(time.RFC3339) + `" data-local>` + tc.start.Format(timeLayout) + ` UTC</time>`; !bytes.Contains(page.body, []byte(want)) {
			t.Errorf("the event's page lacks %s: %.600s", want, page.body)
		}
	}
	r := form("POST", "/events/new", "coord-school", "en", "title_en=Teach-in&title_es=Clase+abierta&cell=9q5c&collectives=school&starts=2030-05-01T10:00&starts_rfc3339=10am&ends=2030-05-01T12:00")
	if r.status != 422 || !bytes.Contains(r.body, []byte(`id="starts-error"`)) {
		t.Errorf("new event, a bad instant: got %d: %.300s", r.status, r.body)
	}

	// A place typed as a postcode: one of the server's table is its cell
	// (90033, Boyle Heights: 9q5cw); another is refused, in the sea as
	// a cell; digits that are land as a cell (6839, Trelew) are taken
	// once the box says so. So for the contingent's meeting point.
	base := "title_en=Teach-in&title_es=Clase+abierta&collectives=school&starts=2030-05-01T10:00&ends=2030-05-01T12:00&"
	r = form("POST", "/events/new", "coord-school", "en", base+"cell=90033")
	if e, err := w.store.Event(context.Background(), strings.TrimPrefix(r.header.Get("Location"), "/events/")); r.status != 303 || err != nil || e.Cell != "9q5cw" {
		t.Errorf("an event at 90033: got %d, %+v, %v; want its cell 9q5cw", r.status, e, err)
	}
	r = form("POST", "/events/new", "coord-school", "en", base+"cell=90210")
	if r.status != 422 || !bytes.Contains(r.body, []byte("looks like a postcode")) || bytes.Contains(r.body, []byte(`name="cell_not_postcode"`)) {
		t.Errorf("an event at 90210: got %d: %.600s", r.status, r.body)
	}
	r = form("POST", "/events/new", "coord-school", "es", base+"cell=6839")
	if r.status != 422 || !bytes.Contains(r.body, []byte("es una zona de Argentina")) || !bytes.Contains(r.body, []byte(`name="cell_not_postcode" value="6839"`)) {
		t.Errorf("an event at 6839: got %d: %.600s", r.status, r.body)
	}
	r = form("POST", "/events/new", "coord-school", "es", base+"cell=6839&cell_not_postcode=6839")
	if e, err := w.store.Event(context.Background(), strings.TrimPrefix(r.header.Get("Location"), "/events/")); r.status != 303 || err != nil || e.Cell != "6839" {
		t.Errorf("an event at 6839, confirmed: got %d, %+v, %v", r.status, e, err)
	}
	r = form("POST", "/events/"+id+"/contingents/garment", "coord-garment", "en", "meet_cell=90033&meet_note=Soto+station")
	if c, err := w.store.Contingent(context.Background(), id, "garment"); r.status != 303 || err != nil || c.MeetCell != "9q5cw" {
		t.Errorf("a contingent meeting at 90033: got %d, %+v, %v; want the cell 9q5cw", r.status, c, err)
	}
	r = form("POST", "/events/"+id+"/contingents/garment", "coord-garment", "en", "meet_cell=90210")
	if r.status != 422 || !bytes.Contains(r.body, []byte("looks like a postcode")) {
		t.Errorf("a contingent meeting at 90210: got %d: %.600s", r.status, r.body)
	}

	// The check-in page, opened from the QR code, checks in.
	tok := w.srv.checkinToken(id)
	r = form("GET", "/events/"+id+"/checkin?t="+url.QueryEscape(tok), "beto", "es", "")
	if r.status != 200 || !bytes.Contains(r.body, []byte("Estoy aquí")) {
		t.Fatalf("check-in page: got %d %.300s", r.status, r.body)
	}
	r = form("POST", "/events/"+id+"/checkin", "beto", "es", "t="+url.QueryEscape(tok))
	if r.status != 200 || !bytes.Contains(r.body, []byte("Quedaste registrado")) {
		t.Errorf("check in: got %d %.300s", r.status, r.body)
	}
	if ok, err := w.store.CheckedIn(context.Background(), id, w.ids["beto"]); !ok || err != nil {
		t.Errorf("beto checked in: got %v, %v", ok, err)
	}
}
