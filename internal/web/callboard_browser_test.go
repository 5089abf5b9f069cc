package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/commune-org/commune/internal/browsertest"
	"github.com/commune-org/commune/internal/call"
	"github.com/commune-org/commune/internal/geo"
	"github.com/commune-org/commune/internal/notify"
	"github.com/commune-org/commune/internal/notify/smtptest"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// Issue 6's pages in headless Chromium against the real server on a
// real SQLite file: a coordinator raises a raid call from the form (which
// first says what is wrong, in her language), a second coordinator
// verifies it on the board, the first ring emails a member through a
// real SMTP server, she answers "coming" through the signed link, and
// the board, open all along, counts her without a reload. The form and
// the board are photographed, phone and desktop, in English and
// Spanish, for docs/screenshots.
func TestUrgentCallInBrowser(t *testing.T) {
	exe := chromium(t)
	if testing.Short() {
		t.Skip("drives a browser: not in -short")
	}
	bg := context.Background()
	st, err := store.Open(bg, store.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	mail := smtptest.Start(t, smtptest.Options{})
	mailer, err := notify.NewMailer(mail.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateCollective(bg, store.Collective{ID: "c-garment", Name: "Garment Workers 7", Kind: store.Workplace}); err != nil {
		t.Fatal(err)
	}
	w, err := world.Read(strings.NewReader(callsWorld))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutWorld(bg, w); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, p := range []struct {
		alias, lang string
		role        store.Role
		optIn       bool
	}{
		{"Carla", "en", store.RoleCoordinator, false},
		{"Tomás", "es", store.RoleCoordinator, false},
		{"Rosa", "es", store.RoleMember, true},
	} {
		m, err := st.CreateMember(bg, store.Member{Alias: p.alias, Language: p.lang, Cell: geo.Encode(factoryLat+0.01, factoryLon, 6),
			CallOptIn: p.optIn, Contact: store.Contact{Email: strings.ToLower(p.alias[:4]) + "@example.org"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.AddMembership(bg, m.ID, "c-garment", p.role); err != nil {
			t.Fatal(err)
		}
		if err := st.PutMemberCallSettings(bg, m.ID, store.MemberCallSettings{ReachKm: 100}); err != nil {
			t.Fatal(err)
		}
		ids[p.alias] = m.ID
	}

	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	demo := &DemoPeople{}
	srv := New(st, slog.New(slog.DiscardHandler), Options{PublicURL: base, Mailer: mailer, Demo: demo,
		Calls: CallOptions{Policy: call.Policy{Factor: 3, Interval: time.Minute}}})
	hs.Config.Handler = srv.Handler()
	hs.Start()
	defer hs.Close()
	defer srv.Shutdown(bg)
	defer srv.EndStreams()

	b := browsertest.Open(t, exe, 412, 915, 4*time.Minute)
	defer b.Close()
	ctx, run, text := b.Ctx, b.Run, b.Text
	signIn := func(alias, lang string) {
		t.Helper()
		if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
			t.Fatal(err)
		}
		demo.Member = ids[alias]
		run("sign in as "+alias, chromedp.Navigate(base+"/demo/member"), chromedp.WaitVisible(chromedp.CSS("main")),
			chromedp.Navigate(base+"/calls?lang="+lang), chromedp.WaitVisible(chromedp.CSS("main h1")))
	}
	// accessible runs axe-core in the page and fails the test on every
	// serious or critical violation (as event_browser_test.go does).
	accessible := func(where string) {
		t.Helper()
		browsertest.Accessible(t, ctx, where)
	}
	// settle waits until expr holds in the page, across the navigation
	// a form's post starts (an evaluation during it fails, and is tried
	// again).
	settle := func(what, expr string) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
			if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr)); err == nil && ok {
				return
			}
			time.Sleep(100 * time.Millisecond) // a poll's pace, not a measure
		}
		where, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
		t.Fatalf("%s: never; the page: %.1500s", what, where)
	}
	// photos takes the page on a phone and on a desktop.
	photos := func(name, lang string) {
		t.Helper()
		run("to the top", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
		shot(ctx, t, name+"-phone-"+lang+".png")
		run("a wide window", chromedp.EmulateViewport(1280, 1000))
		shot(ctx, t, name+"-desktop-"+lang+".png")
		run("a phone again", chromedp.EmulateViewport(412, 915))
	}
	// setUntil types the end, two hours from now, in the browser's own
	// time zone, as a person would.
	setUntil := chromedp.Evaluate[chromedp.Void](`(() => { const d = new Date(Date.now() + 2 * 3600e3), p = n => String(n).padStart(2, "0");
		document.querySelector("#until").value = d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + "T" + p(d.getHours()) + ":" + p(d.getMinutes()); })()`)

	// Carla's form first says what is wrong, next to each field, and
	// keeps what she typed.
	signIn("Carla", "en")
	run("the form", chromedp.Click(chromedp.CSS(`a[href="/calls/new?collective=c-garment"]`)), chromedp.WaitVisible(chromedp.CSS("#headcount")),
		chromedp.SetValue(chromedp.CSS("#headcount"), "0"),
		chromedp.SetValue(chromedp.CSS("#message_en"), "Raid at Fábrica Norte, gate 3. Come and witness."),
		chromedp.Click(chromedp.CSS(`form[action="/calls/new"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#headcount-error")))
	for sel, want := range map[string]string{"#headcount-error": "must be 1 to", "#until-error": "give the time", "#kind-error": "Choose what"} {
		if got := text(sel); !strings.Contains(got, want) {
			t.Errorf("%s: got %q, want %q", sel, got, want)
		}
	}
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#message_en"))); !strings.Contains(v, "gate 3") {
		t.Errorf("the form kept message_en %q, want what was typed", v)
	}
	accessible("the form of a new call, with its errors")
	photos("call-new", "en")
	run("raise the call",
		chromedp.Click(chromedp.CSS(`input[name="kind"][value="raid"]`)),
		chromedp.SetValue(chromedp.CSS("#site"), "fabrica-norte"),
		chromedp.SetValue(chromedp.CSS("#headcount"), "1"),
		setUntil,
		chromedp.SetValue(chromedp.CSS("#message_es"), "Redada en la Fábrica Norte, puerta 3. Ven a documentar."),
		chromedp.Click(chromedp.CSS(`form[action="/calls/new"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#board")))
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil || !strings.HasPrefix(href, "/calls/call-") {
		t.Fatalf("after raising: at %q, %v", href, err)
	}
	id := strings.TrimPrefix(href, "/calls/")
	c, err := st.Call(bg, id)
	if err != nil {
		t.Fatal(err)
	}
	// The end was typed in the browser's zone and sent as RFC 3339: two
	// hours from now, to the minute the field holds.
	if d := time.Until(c.Until); d < 110*time.Minute || d > 2*time.Hour {
		t.Errorf("the call ends in %v, want about two hours", d)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#verify").length`)); err != nil || n != 0 {
		t.Errorf("the author sees %d verify buttons (%v), want none", n, err)
	}

	// Tomás finds it waiting and opens its board, which stays open.
	signIn("Tomás", "es")
	if got := text("main"); !strings.Contains(got, "esperan que una persona coordinadora los verifique") {
		t.Errorf("Tomás's list does not say a call waits: %.600s", got)
	}
	run("Tomás's form, in Spanish", chromedp.Navigate(base+"/calls/new?collective=c-garment"), chromedp.WaitVisible(chromedp.CSS("#headcount")))
	// A tap on the map puts the call in the cell around that point, and
	// unsets the site: the middle of the map is the factory.
	run("the form's map", chromedp.SetValue(chromedp.CSS("#site"), "fabrica-norte"),
		chromedp.WaitVisible(chromedp.CSS(`[data-call-picker] [data-commune-map][data-state^="ready"]`)))
	type point struct{ X, Y float64 }
	at, err := chromedp.Run(ctx, chromedp.Evaluate[point](`(() => { const el = document.querySelector("[data-call-picker] .commune-map-svg");
		el.scrollIntoView({block: "center"}); const r = el.getBoundingClientRect(); return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()`))
	if err != nil {
		t.Fatal(err)
	}
	drag(ctx, t, at.X, at.Y, at.X, at.Y)
	settle("a cell picked", `document.querySelector("#cell").value.length === 7`)
	picked, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#cell")))
	site, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#site")))
	if near := geo.Encode(factoryLat, factoryLon, 4); !strings.HasPrefix(picked, near) || site != "" {
		t.Errorf("after a tap on the map: cell %q, site %q; want a cell in %s and no site", picked, site, near)
	}
	accessible("the form of a new call, with its map")
	photos("call-new", "es")
	run("the board", chromedp.Navigate(base+"/calls"), chromedp.Click(chromedp.CSS(`a[href="/calls/`+id+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#verify")))
	// The button posts and the browser loads the board again; the mark
	// tells the old page from the new one.
	run("verify", chromedp.Evaluate[chromedp.Void](`window.beforeVerify = true`), chromedp.Click(chromedp.CSS("#verify")))
	settle("the board after verifying", `!window.beforeVerify && document.readyState === "complete" &&
		document.querySelector('#board [data-field="status"]').textContent === "abierto"`)
	if c, _ := st.Call(bg, id); c.Status != call.Open || c.VerifiedBy != ids["Tomás"] {
		t.Fatalf("after Tomás verified: %s by %q", c.Status, c.VerifiedBy)
	}
	// A mark on the page: a reload would erase it.
	run("mark the page", chromedp.Evaluate[chromedp.Void](`window.notReloaded = true`))

	// The first ring: Rosa, the only one who asked for calls.
	srv.CallTick(bg, time.Now())
	for {
		n, err := srv.Dispatch(bg, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	m := mail.Wait(t)
	if len(m.To) != 1 || m.To[0] != "rosa@example.org" {
		t.Fatalf("the ring emailed %v, want Rosa", m.To)
	}
	run("the board counts the ring", chromedp.Poll[chromedp.Void](`document.querySelector('td[data-count="notified"]').textContent === "1"`,
		chromedp.WithPollingTimeout(20*time.Second)))
	// And says, without a reload, why it reached no more: Carla, Tomás
	// and the world's sewer, who live near, did not ask for calls.
	run("the board says why, live", chromedp.Poll[chromedp.Void](`!document.querySelector('[data-field="why"]').hidden &&
		document.querySelector('[data-why="not_opted_in"]').textContent === "3" &&
		document.querySelector('[data-field="norings"]').hidden`, chromedp.WithPollingTimeout(20*time.Second)))

	// Rosa answers through her link, as her email's button would.
	_, mailText := m.Parsed(t)
	found := regexp.MustCompile(regexp.QuoteMeta(base) + `(/calls/answer/[A-Za-z0-9._~%-]+)`).FindStringSubmatch(mailText)
	if found == nil {
		t.Fatalf("no answer link in %q", mailText)
	}
	link := found[1]
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(base+link, url.Values{"answer": {"coming"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("Rosa's answer: got %d", resp.StatusCode)
	}
	run("the board counts her, live", chromedp.Poll[chromedp.Void](`document.querySelector('strong[data-count="coming"]').textContent === "1" &&
		document.querySelector('[data-rings] tr td:nth-child(4)').textContent === "1"`, chromedp.WithPollingTimeout(20*time.Second)))
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded === true`)); err != nil || !ok {
		t.Errorf("the board was reloaded (%v): want it updated in place", err)
	}
	if got := text("#board"); strings.Contains(got, "Rosa") || strings.Contains(got, "Carla") {
		t.Errorf("the board names people: %.600s", got)
	}
	accessible("the board")
	photos("call-board", "es")

	// Carla's board, in English, the same counts.
	signIn("Carla", "en")
	run("Carla's board", chromedp.Navigate(base+href), chromedp.WaitVisible(chromedp.CSS("#board")),
		chromedp.Poll[chromedp.Void](`document.querySelector('strong[data-count="coming"]').textContent === "1"`, chromedp.WithPollingTimeout(20*time.Second)))
	photos("call-board", "en")
}
