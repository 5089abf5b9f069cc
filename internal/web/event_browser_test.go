package web

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // America/Los_Angeles, on a machine without the zone files

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/commune-org/commune/internal/browsertest"
	"github.com/commune-org/commune/internal/notify"
	"github.com/commune-org/commune/internal/notify/smtptest"
	"github.com/commune-org/commune/internal/store"
)

// Acceptance item 1 of issue 7, in headless Chromium against the real
// server on a real SQLite file: the garment workers' coordinator creates
// a May Day march inviting their collective and a school's; each
// coordinator sets their contingent's meeting point and marshal; a
// member of each answers, and sees their own contingent's meeting point
// and not the other's, nor the other's names; one checks in with the
// QR code's link; the reminders of the day before and the hour before
// reach a real SMTP server; seven days after the end (the clock moved)
// no answer or check-in row remains. The event's page is photographed
// in English and Spanish for docs/screenshots. The browser is in Los
// Angeles' time zone: the times typed are read there, and the pages show
// them there.
func TestEventsInBrowser(t *testing.T) {
	exe := chromium(t)
	if testing.Short() {
		t.Skip("drives a browser: not in -short")
	}
	bg := context.Background()
	dir := t.TempDir()
	st, err := store.Open(bg, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	mail := smtptest.Start(t, smtptest.Options{})
	mailer, err := notify.NewMailer(mail.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []store.Collective{{ID: "garment", Name: "Garment Workers 7", Kind: store.Workplace}, {ID: "school", Name: "Roosevelt High", Kind: store.School}} {
		if _, err := st.CreateCollective(bg, c); err != nil {
			t.Fatal(err)
		}
	}
	ids := map[string]string{}
	for _, p := range []struct {
		alias, collective, lang string
		role                    store.Role
	}{
		{"Carla", "garment", "en", store.RoleCoordinator},
		{"Rosa", "garment", "es", store.RoleMember},
		{"Tomás", "school", "es", store.RoleCoordinator},
		{"Beto", "school", "en", store.RoleMember},
	} {
		m, err := st.CreateMember(bg, store.Member{Alias: p.alias, Language: p.lang, Cell: "9q5cs",
			Contact: store.Contact{Email: strings.ToLower(p.alias[:4]) + "@example.org"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.AddMembership(bg, m.ID, p.collective, p.role); err != nil {
			t.Fatal(err)
		}
		ids[p.alias] = m.ID
	}

	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	demo := &DemoPeople{}
	srv := New(st, slog.New(slog.DiscardHandler), Options{PublicURL: base, Mailer: mailer, Demo: demo})
	hs.Config.Handler = srv.Handler()
	hs.Start()
	defer hs.Close()
	defer srv.Shutdown(bg)

	b := browsertest.Open(t, exe, 412, 915, 5*time.Minute)
	defer b.Close()
	ctx, run := b.Ctx, b.Run
	body := func() string { return b.Text("main") }
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: la.String()}); err != nil {
		t.Fatal(err)
	}
	// accessible runs axe-core in the page and fails the test on every
	// serious or critical violation (as journey_browser_test.go does).
	accessible := func(where string) {
		t.Helper()
		browsertest.Accessible(t, ctx, where)
	}
	// signIn opens a session as the person, with a passkey (demo.go);
	// each signs in with their own language.
	signIn := func(alias, lang string) {
		t.Helper()
		if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
			t.Fatal(err)
		}
		demo.Member = ids[alias]
		run("sign in as "+alias, chromedp.Navigate(base+"/demo/member"), chromedp.WaitVisible(chromedp.CSS("main")),
			chromedp.Navigate(base+"/events?lang="+lang), chromedp.WaitVisible(chromedp.CSS("main h1")))
	}

	// Carla creates the march; the form first says what is wrong.
	start := time.Now().Add(40 * time.Minute).UTC().Truncate(time.Minute)
	end := start.Add(4 * time.Hour)
	signIn("Carla", "en")
	run("the form of a new event", chromedp.Click(chromedp.CSS(`a[href="/events/new"]`)), chromedp.WaitVisible(chromedp.CSS("#title_en")),
		chromedp.SendKeys(chromedp.CSS("#title_en"), "May Day march"),
		chromedp.Click(chromedp.CSS(`form[action="/events/new"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#title_es-error")))
	accessible("the form of a new event, with its errors")
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#title_en"))); v != "May Day march" {
		t.Errorf("the form kept title_en %q, want what was typed", v)
	}
	run("create the march",
		chromedp.SendKeys(chromedp.CSS("#title_es"), "Marcha del Primero de Mayo"),
		chromedp.SetValue(chromedp.CSS("#description_en"), "Workers of every trade and every country, together."),
		chromedp.SetValue(chromedp.CSS("#description_es"), "Trabajadores de todos los oficios y de todos los países, juntos."),
		chromedp.SetValue(chromedp.CSS("#starts"), start.In(la).Format(inputLayout)),
		chromedp.SetValue(chromedp.CSS("#ends"), end.In(la).Format(inputLayout)),
		chromedp.SetValue(chromedp.CSS("#cell"), "9q5c"),
		chromedp.Click(chromedp.CSS(`input[name="collectives"][value="garment"]`)),
		chromedp.Click(chromedp.CSS(`input[name="collectives"][value="school"]`)),
		chromedp.Click(chromedp.CSS(`form[action="/events/new"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#counts")))
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil || !strings.HasPrefix(href, "/events/e-") {
		t.Fatalf("after creating: at %q, %v", href, err)
	}
	eventURL := base + href
	id := strings.TrimPrefix(href, "/events/")
	// The times typed in Los Angeles, stored as instants, shown there.
	if e, err := st.Event(bg, id); err != nil || !e.Starts.Equal(start) || !e.Ends.Equal(end) {
		t.Errorf("the march as stored: got %+v, %v; want from %v to %v", e, err, start, end)
	}
	if local := start.In(la).Format(timeLayout); !strings.Contains(body(), local) {
		t.Errorf("the event's page lacks its start in Los Angeles, %s:\n%s", local, body())
	}

	// Each coordinator sets their contingent.
	setContingent := func(collective, place, marshal string) {
		t.Helper()
		run("the contingent of "+collective, chromedp.Navigate(eventURL+"/contingents/"+collective), chromedp.WaitVisible(chromedp.CSS("#meet_note")),
			chromedp.SetValue(chromedp.CSS("#meet_cell"), "9q5cs"),
			chromedp.SetValue(chromedp.CSS("#meet_note"), place),
			chromedp.SetValue(chromedp.CSS("#meet_at"), start.Add(-30*time.Minute).In(la).Format(inputLayout)),
			chromedp.SetValue(chromedp.CSS("#marshal"), marshal),
			chromedp.Click(chromedp.CSS(`#meeting button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS("#meeting .ok")))
		accessible("the contingent of " + collective)
		// Stored as the instant, and shown again in Los Angeles.
		if c, err := st.Contingent(bg, id, collective); err != nil || !c.MeetAt.Equal(start.Add(-30*time.Minute)) {
			t.Errorf("the contingent of %s as stored: got %+v, %v; want to meet at %v", collective, c, err, start.Add(-30*time.Minute))
		}
		if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#meet_at"))); v != start.Add(-30*time.Minute).In(la).Format(inputLayout) {
			t.Errorf("the contingent of %s: the form shows the meeting at %q, want %q, in Los Angeles", collective, v, start.Add(-30*time.Minute).In(la).Format(inputLayout))
		}
	}
	setContingent("garment", "corner of 1st and Soto", "Rosa")
	signIn("Tomás", "es")
	setContingent("school", "Roosevelt High gate, Mott St", "Beto")

	// Rosa and Beto answer; each sees their own meeting point only.
	answer := func(alias, lang, choice, own, other string) {
		t.Helper()
		signIn(alias, lang)
		run(alias+" answers", chromedp.Navigate(eventURL), chromedp.WaitVisible(chromedp.CSS("#rsvp")),
			chromedp.Click(chromedp.CSS(`input[name="answer"][value="`+choice+`"]`)),
			chromedp.Click(chromedp.CSS(`#rsvp button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS("#rsvp strong")))
		page := body()
		if !strings.Contains(page, own) {
			t.Errorf("%s's event page lacks their meeting point %q: %.800s", alias, own, page)
		}
		for _, hidden := range []string{other, "Carla", "Tomás"} {
			if strings.Contains(page, hidden) {
				t.Errorf("%s's event page shows %q", alias, hidden)
			}
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`window.scrollTo(0, 0) || 0`)); err != nil {
			t.Fatal(err)
		}
		accessible(alias + "'s event page")
		shot(ctx, t, "event-phone-"+lang+".png")
		run("a wide window", chromedp.EmulateViewport(1280, 1100))
		shot(ctx, t, "event-desktop-"+lang+".png")
		run("a phone again", chromedp.EmulateViewport(412, 915))
	}
	answer("Rosa", "es", "yes", "corner of 1st and Soto", "Roosevelt High gate")
	answer("Beto", "en", "maybe", "Roosevelt High gate", "1st and Soto")
	if page := body(); strings.Contains(page, "Rosa") {
		t.Errorf("Beto sees the name of the other collective's marshal")
	}

	// Carla sees her collective's names, not the school's, and the QR
	// code; Rosa checks in with its link.
	signIn("Carla", "en")
	run("Carla's contingent page", chromedp.Navigate(eventURL+"/contingents/garment"), chromedp.WaitVisible(chromedp.CSS("#checkin svg")))
	page := body()
	if !strings.Contains(page, "Rosa") || strings.Contains(page, "Beto") {
		t.Errorf("Carla's contingent page: want Rosa and not Beto: %.800s", page)
	}
	link, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#checkin .link a").href`))
	if err != nil || !strings.Contains(link, "/checkin?t=") {
		t.Fatalf("the check-in link: %q, %v", link, err)
	}
	run("Carla may not read the school's names", chromedp.Navigate(eventURL+"/contingents/school"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if page := body(); strings.Contains(page, "Beto") {
		t.Errorf("Carla reads the school's names")
	}
	signIn("Rosa", "es")
	run("Rosa checks in", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`main button[type="submit"]`)),
		chromedp.Click(chromedp.CSS(`main button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS("#checked-in")))
	accessible("the check-in page")
	if ok, err := st.CheckedIn(bg, id, ids["Rosa"]); !ok || err != nil {
		t.Errorf("Rosa checked in: got %v, %v", ok, err)
	}

	// The reminders, the day before and the hour before, to Rosa (yes)
	// and Beto (maybe), each in their language.
	want := map[string]bool{
		"rosa@example.org Mañana: Marcha del Primero de Mayo": true, "beto@example.org Tomorrow: May Day march": true,
		"rosa@example.org En una hora: Marcha del Primero de Mayo": true, "beto@example.org In an hour: May Day march": true,
	}
	for _, at := range []time.Time{start.Add(-20 * time.Hour), start.Add(-50 * time.Minute)} {
		srv.eventRound(bg, at)
		srv.eventRound(bg, at) // a second round sends nothing again
	}
	for range len(want) {
		m := mail.Wait(t)
		h, text := m.Parsed(t)
		key := m.To[0] + " " + h["Subject"]
		if !want[key] {
			t.Errorf("unexpected reminder %q", key)
		}
		delete(want, key)
		if !strings.Contains(text, eventURL) {
			t.Errorf("reminder %q lacks the link %s", key, eventURL)
		}
	}
	select {
	case m := <-mail.Messages:
		t.Errorf("a reminder too many, to %v", m.To)
	default:
	}

	// Seven days after the end: no answer or check-in row remains, and
	// the counts do.
	srv.eventRound(bg, end.Add(store.EventRetention))
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, store.DBFile)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, table := range []string{"event_rsvps", "event_checkins", "event_reminders"} {
		var n int
		if err := raw.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s seven days after: %d rows (%v), want 0", table, n, err)
		}
	}
	counts, err := st.EventCounts(bg, id)
	if err != nil || len(counts) != 2 || counts[0].Yes != 1 || counts[0].CheckedIn != 1 || counts[1].Maybe != 1 {
		t.Errorf("counts seven days after: got %+v, %v", counts, err)
	}
}
