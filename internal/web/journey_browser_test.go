package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/browsertest"
	"github.com/commune-org/commune/internal/notify/smtptest"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// The journeys of issue 5, in headless Chromium against the real server
// on a real SQLite file, in English and in Spanish: a person joins by an
// invite, sets their area, commitment and needs; a coordinator plans
// again from their collective's page, watches the run, and reads the
// coverage, the shortfalls and the map; the member then sees their part
// of the plan. Every request any page makes is recorded: none may go to
// another host.

// journeyWords are words each journey looks for, in its language.
var journeyWords = map[string]map[string]string{
	"en": {"join": "Join Boyle Heights", "commitment": "What you give", "needs": "What you need this week",
		"plan": "Plan again now", "done": "Done. The plan is ready.", "coverage": "How the plan covers",
		"short": "What falls short, and why", "receive": "What you receive", "kitchen": "Boyle Heights community kitchen"},
	"es": {"join": "Únete a Boyle Heights", "commitment": "Lo que das", "needs": "Lo que necesitas esta semana",
		"plan": "Planificar de nuevo ahora", "done": "Listo. El plan está hecho.", "coverage": "Cómo cubre el plan",
		"short": "Lo que falta, y por qué", "receive": "Lo que recibes", "kitchen": "Boyle Heights community kitchen"},
}

func TestJourneys(t *testing.T) {
	exe := chromium(t)
	if testing.Short() {
		t.Skip("drives a browser: not in -short")
	}
	for _, lang := range []string{"en", "es"} {
		t.Run(lang, func(t *testing.T) { journey(t, exe, lang) })
	}
}

func journey(t *testing.T, exe, lang string) {
	words := journeyWords[lang]
	bg := context.Background()
	st, err := store.Open(bg, store.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	data, err := os.ReadFile("../../examples/neighbourhood.json")
	if err != nil {
		t.Fatal(err)
	}
	w, err := world.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutWorld(bg, w); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateCollective(bg, "boyle-heights", store.CollectiveChange{Name: ptrTo("Boyle Heights")}); err != nil {
		t.Fatal(err)
	}
	coord, err := st.CreateMember(bg, store.Member{Alias: "Carla", Language: lang, Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddMembership(bg, coord.ID, "boyle-heights", store.RoleCoordinator); err != nil {
		t.Fatal(err)
	}
	code := auth.NewInvite()
	if _, err := st.CreateInvite(bg, store.Invite{Collective: "boyle-heights", Role: store.RoleMember, CodeHash: auth.Hash(code),
		CreatedBy: coord.ID, Expires: time.Now().Add(time.Hour), MaxUses: 5}); err != nil {
		t.Fatal(err)
	}

	// The server, its public URL its own address, so that forms pass
	// the check of their origin.
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	// With a mailer, as a server that signs in by email: the join form
	// asks for an email (emailconfirm.go).
	srv := New(st, slog.New(slog.DiscardHandler), Options{PublicURL: base,
		Mailer: mustMailer(t, smtptest.Start(t, smtptest.Options{}).URL),
		Demo:   &DemoPeople{Coordinator: coord.ID, Collective: "boyle-heights"}})
	hs.Config.Handler = srv.Handler()
	hs.Start()
	defer hs.Close()
	defer srv.Shutdown(bg)

	b := browsertest.Open(t, exe, 412, 915, 5*time.Minute)
	defer b.Close()
	ctx := b.Ctx

	var mu sync.Mutex
	var requests, elsewhere []string
	host := strings.TrimPrefix(base, "http://")
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			defer mu.Unlock()
			requests = append(requests, e.Request.URL)
			if u, err := url.Parse(e.Request.URL); err != nil || (u.Scheme != "data" && u.Host != host) {
				elsewhere = append(elsewhere, e.Request.URL)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	run, text := b.Run, b.Text
	has := func(where, sel, want string) {
		t.Helper()
		if got := text(sel); !strings.Contains(got, want) {
			t.Errorf("%s: %s reads %.300q, want %q", where, sel, got, want)
		}
	}
	// accessible runs axe-core in the page and fails the test on every
	// serious or critical violation.
	axeRun := func(where string) []browsertest.Violation {
		t.Helper()
		return browsertest.Violations(t, ctx, where)
	}
	accessible := func(where string) {
		t.Helper()
		browsertest.Accessible(t, ctx, where)
	}
	call := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	_, err = chromedp.Call(ctx, network.Enable, network.EnableParams{})
	call("network", err)
	_, err = chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": lang}})
	call("the language", err)
	clearCookies := func() {
		t.Helper()
		_, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{})
		call("clear cookies", err)
	}

	// The member: joins, sets area and commitment, says a need.
	run("open the invite", chromedp.Navigate(base+"/join/"+code), chromedp.WaitVisible(chromedp.CSS("#alias")))
	has("the invite", "h1", words["join"])
	// First, that the check can fail: an image with no text is found.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`document.body.appendChild(Object.assign(document.createElement("img"), {id: "canary", src: "data:,"})) && 0`)); err != nil {
		t.Fatal(err)
	}
	if vs := axeRun("the canary"); !slices.ContainsFunc(vs, func(v browsertest.Violation) bool { return v.ID == "image-alt" }) {
		t.Fatalf("axe-core did not find an image without alt text: %+v", vs)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`document.getElementById("canary").remove() || 0`)); err != nil {
		t.Fatal(err)
	}
	accessible("the invite")
	// The home area from a postcode, worked out in the page; then a tap
	// in the middle of the map, which the postcode centred on that area,
	// picks the same area again; the form sends the cell and not the
	// postcode.
	run("the area from a postcode",
		chromedp.SendKeys(chromedp.CSS("#alias"), "Itzel"),
		chromedp.WaitVisible(chromedp.CSS(`.picker[data-state="ready"]`)),
		chromedp.SendKeys(chromedp.CSS("#postcode"), "90033"),
		chromedp.Click(chromedp.CSS("#postcode-find")),
		chromedp.Poll[chromedp.Void](`document.getElementById("cell").value === "9q5cw"`))
	has("the area from a postcode", "#postcode-status", "9q5cw")
	run("the area from the map",
		chromedp.Evaluate[chromedp.Void](`document.getElementById("cell").value = ""`),
		chromedp.Click(chromedp.CSS(".picker svg")),
		chromedp.Poll[chromedp.Void](`document.getElementById("cell").value === "9q5cw" && document.querySelectorAll(".picker .picked rect").length === 1`))
	run("look at the area", chromedp.Evaluate[chromedp.Void](`document.getElementById("postcode").scrollIntoView()`))
	fields, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...new FormData(document.querySelector("form[action^='/join/']")).keys()]`))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(fields)
	if want := []string{"alias", "cell", "csrf", "email", "language"}; !slices.Equal(fields, want) && !slices.Equal(fields, slices.DeleteFunc(want, func(s string) bool { return s == "csrf" })) {
		t.Errorf("the join form sends %v, want %v: no postcode, no position", fields, want)
	}
	run("join",
		chromedp.Click(chromedp.CSS(`main button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#hours")))
	has("after joining", "h1", words["commitment"])
	accessible("the commitment")
	run("commit",
		chromedp.SetValue(chromedp.CSS("#hours"), "10"),
		chromedp.Click(chromedp.CSS(`input[name="skills"][value="cook"]`)),
		chromedp.SetValue(chromedp.CSS("#max_km"), "10"),
		chromedp.Click(chromedp.CSS(`main button[type="submit"]`)),
		// The tabs are on every page of the member: wait for the one
		// of /me, where saving the commitment leads.
		chromedp.WaitVisible(chromedp.CSS(`nav.tabs a[href="/me"][aria-current="page"]`)))
	run("say a need",
		chromedp.Navigate(base+"/me/needs"),
		chromedp.WaitVisible(chromedp.CSS("#product")),
		chromedp.SetValue(chromedp.CSS("#product"), "meal"),
		chromedp.SendKeys(chromedp.CSS("#qty"), "7"),
		chromedp.Click(chromedp.CSS(`input[name="tier"][value="essential"]`)),
		chromedp.Click(chromedp.CSS(`form[action="/me/needs"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/delete"]`)))
	has("the needs", "h1", words["needs"])
	accessible("the needs")
	member, err := st.MemberByAlias(bg, "Itzel")
	if err != nil || member.Cell != "9q5cw" {
		t.Fatalf("the member who joined: got %+v, %v", member, err)
	}

	// The coordinator: plans again, watches the run, reads the page.
	clearCookies()
	run("sign in as the coordinator", chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/demo/coordinator"),
		chromedp.WaitVisible(chromedp.CSS("#planning button")))
	has("the collective's page", "#planning", words["plan"])
	run("plan again", chromedp.Click(chromedp.CSS("#planning button")),
		chromedp.WaitVisible(chromedp.CSS("#run-progress")),
		chromedp.WaitVisible(chromedp.CSS("#run-next a")))
	has("the run's page", "#run-status", words["done"])
	accessible("the run's page")
	run("see the plan", chromedp.Click(chromedp.CSS("#run-next a")),
		chromedp.WaitVisible(chromedp.CSS(`.commune-map[data-state="ready"]`)))
	has("the collective's page", "#coverage", words["coverage"])
	has("the collective's page", "#shortfalls", words["short"])
	counts, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]int](`({
		land: document.querySelectorAll(".commune-map svg path").length,
		sites: document.querySelectorAll(".commune-map svg circle").length,
		meters: document.querySelectorAll("#coverage meter").length})`))
	if err != nil {
		t.Fatal(err)
	}
	if counts["land"] == 0 || counts["sites"] == 0 || counts["meters"] < 3 {
		t.Errorf("the collective's page draws %v: want land, sites and a meter per tier", counts)
	}
	accessible("the collective's page")

	// The member again: their part of the plan.
	srv.opt.Demo.Member = member.ID
	clearCookies()
	run("sign in as the member", chromedp.EmulateViewport(412, 915),
		chromedp.Navigate(base+"/demo/member"),
		chromedp.WaitVisible(chromedp.CSS("#receive")))
	has("the member's page", "#receive", words["receive"])
	has("the member's page", "#receive", words["kitchen"])
	accessible("the member's page")

	mu.Lock()
	defer mu.Unlock()
	if len(elsewhere) > 0 {
		t.Errorf("pages made requests to other hosts: %v", elsewhere)
	}
	if len(requests) < 10 {
		t.Errorf("recorded %d requests: the recording does not work", len(requests))
	}
}
