package cli

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/browsertest"
	"github.com/commune-org/commune/internal/demo"
	"github.com/commune-org/commune/internal/notify"
	"github.com/commune-org/commune/internal/notify/smtptest"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/web"
)

// TestPageTour walks the main pages of the demo organization in
// headless Chromium, as a visitor, a member, a coordinator and an
// organizer, at a phone's width and a desk's, in English and in
// Spanish. On each it checks that nothing is loaded from another host
// and that axe-core finds no serious or critical accessibility problem,
// and it takes a screenshot, docs/screenshots/PAGE-WIDTH-LANG.png, which
// the README links (written by scripts/screenshots only,
// browsertest.Screenshot).
func TestPageTour(t *testing.T) {
	exe := browsertest.Chromium(t)
	if testing.Short() {
		t.Skip("plans the demo and drives a browser: not in -short")
	}
	ctx := context.Background()
	dir := t.TempDir()
	c := &command{cfg: Config{Lang: "en"}, stdout: &strings.Builder{}, stderr: &strings.Builder{}}
	if err := c.seedDemo(ctx, dir); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d := demo.Build()
	code := auth.NewInvite()
	if _, err := st.CreateInvite(ctx, store.Invite{Collective: "boyle-heights", Role: store.RoleMember, CodeHash: auth.Hash(code),
		CreatedBy: d.Coordinator, Expires: time.Now().Add(time.Hour), MaxUses: 5}); err != nil {
		t.Fatal(err)
	}
	// A script's token, for the organizers' page of tokens to list; its
	// secret is fixed so that its id, and the screenshot, are too.
	if _, err := st.CreateToken(ctx, store.Token{Hash: auth.Hash(auth.TokenPrefix + "page-tour"), MemberID: d.Coordinator, Role: "coordinator",
		Collective: "boyle-heights"}); err != nil {
		t.Fatal(err)
	}
	// Revocations of API tokens, for the organizers' page of the audit
	// log, one of each kind: an organizer's of a coordinator's token, a
	// member's of their own, and one from the command line (by ""). The
	// tour shows the revocations only, since its own visits read member
	// lists; the secrets are fixed so that the ids are too (the times
	// are the tour's).
	var revoked []string
	for i, r := range []struct{ by, member, role, collective string }{
		{d.Organizer, d.Coordinator, "coordinator", "boyle-heights"}, {d.Member, d.Member, "member", ""}, {"", d.Member, "member", ""},
	} {
		tok, err := st.CreateToken(ctx, store.Token{Hash: auth.Hash(auth.TokenPrefix + "page-tour-revoked-" + strconv.Itoa(i)), MemberID: r.member,
			Role: r.role, Collective: r.collective})
		if err != nil {
			t.Fatal(err)
		}
		if r.by == r.member {
			_, err = st.RevokeMemberToken(ctx, r.member, tok.ID)
		} else {
			_, err = st.RevokeToken(ctx, r.by, tok.ID)
		}
		if err != nil {
			t.Fatal(err)
		}
		revoked = append(revoked, tok.ID)
	}
	// The demo member's code in the audit log, for the page of one
	// person's entries: hers are two of the revocations above, of her
	// own token by herself and of another by the command line.
	person := st.Pseudonym(d.Member)[:store.PersonDigits]
	// An address the coordinator gave, which waits for confirmation,
	// for her account page to show it with the word that it waits and
	// the button that sends the link again. Hers, not the member's,
	// whose account page the tour shows as it is without one.
	if err := st.PutEmailConfirmation(ctx, store.EmailConfirmation{MemberID: d.Coordinator, Hash: auth.Hash(auth.NewEmailConfirm()),
		Email: "coordinator@example.org", Expires: time.Now().Add(store.EmailConfirmTTL)}, time.Now()); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	// With a mailer, as a server that signs in by email: the join page
	// asks for an email (web/emailconfirm.go).
	mailer, err := notify.NewMailer(smtptest.Start(t, smtptest.Options{}).URL)
	if err != nil {
		t.Fatal(err)
	}
	srv := web.New(st, slog.New(slog.DiscardHandler), web.Options{PublicURL: base, Mailer: mailer,
		Demo: &web.DemoPeople{Member: d.Member, Coordinator: d.Coordinator, Organizer: d.Organizer, Collective: "boyle-heights"}})
	hs.Config.Handler = srv.Handler()
	hs.Start()
	defer hs.Close()
	defer srv.Shutdown(ctx)

	// Who sees which pages: "" is a visitor, else the demo link.
	tour := []struct {
		who   string
		pages []tourPage
	}{
		{"", []tourPage{{"home", "/", "", nil}, {"login", "/login", "", nil}, {"join", "/join/" + code, "", nil}}},
		{"member", []tourPage{{"me", "/me", "", nil}, {"needs", "/me/needs", "", nil}, {"commitment", "/me/commitment", "", nil},
			{"account", "/me/account", "", nil}}},
		{"coordinator", []tourPage{{"collective", "/collectives/boyle-heights", `.commune-map[data-state="ready"]`, nil},
			{"sites", "/collectives/boyle-heights/sites", "", nil},
			// The demo's paper: Boyle Heights's copies, from the Pico-Union
			// press, which the plan uses.
			{"circulation", "/circulation", "", []string{"Boyle Heights", "Pico-Union print shop"}},
			{"account-email", "/me/account", "", nil}}},
		{"organizer", []tourPage{{"collectives", "/collectives", "", nil}, {"catalog", "/catalog", "", nil}, {"growth", "/growth", "", nil},
			// An organizer reads every collective's copies (Alexandra is
			// in Johannesburg), and every press.
			{"circulation-all", "/circulation", "", []string{"Pico-Union print shop", "Valenzuela print shop", "Alexandra"}},
			{"tokens", "/tokens", "", nil},
			{"audit", "/audit?action=revoke-token", "", append(revoked, "Boyle Heights")},
			{"audit-person", "/audit?person=" + person, "", []string{person, revoked[1], revoked[2]}}}},
	}
	// Words of the interface that tell a page from the one it varies
	// (the same path), by page and language: the tour's pages show them
	// in its language.
	said := map[string]map[string][]string{
		"account-email": {"en": {"Waiting for confirmation", "Send the link again"}, "es": {"Falta confirmarlo", "Enviar el enlace otra vez"}},
		"audit-person":  {"en": {"Only the entries of"}, "es": {"Solo las entradas de"}},
	}
	widths := []struct {
		name string
		w, h int64
	}{{"phone", 412, 915}, {"desktop", 1280, 900}}

	for _, lang := range []string{"en", "es"} {
		t.Run(lang, func(t *testing.T) {
			opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox)
			actx, cancel := chromedp.NewExecAllocator(ctx, opts...)
			defer cancel()
			bctx, cancel := chromedp.NewContext(actx)
			defer cancel()
			bctx, cancel = context.WithTimeout(bctx, 5*time.Minute)
			defer cancel()
			host := strings.TrimPrefix(base, "http://")
			var mu sync.Mutex
			var elsewhere []string
			if err := chromedp.Listen(bctx, func(ev any) {
				if e, ok := ev.(*network.EventRequestWillBeSent); ok {
					if u, err := url.Parse(e.Request.URL); err != nil || (u.Scheme != "data" && u.Host != host) {
						mu.Lock()
						elsewhere = append(elsewhere, e.Request.URL)
						mu.Unlock()
					}
				}
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Call(bctx, network.Enable, network.EnableParams{}); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Call(bctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": lang}}); err != nil {
				t.Fatal(err)
			}
			for _, part := range tour {
				if _, err := chromedp.Call(bctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
					t.Fatal(err)
				}
				if part.who != "" {
					if _, err := chromedp.Run(bctx, chromedp.Navigate(base+"/demo/"+part.who)); err != nil {
						t.Fatalf("sign in as the demo %s: %v", part.who, err)
					}
				}
				for _, pg := range part.pages {
					for _, wd := range widths {
						name := pg.name + "-" + wd.name + "-" + lang + ".png"
						start := time.Now()
						actions := []chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(wd.w, wd.h), chromedp.Navigate(base + pg.path),
							chromedp.WaitVisible(chromedp.CSS("main"))}
						if pg.ready != "" {
							actions = append(actions, chromedp.WaitVisible(chromedp.CSS(pg.ready)))
						}
						if err := chromedp.Do(bctx, actions...); err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						where, err := chromedp.Run(bctx, chromedp.Evaluate[string](`location.pathname`))
						if err != nil || where != strings.SplitN(pg.path, "?", 2)[0] {
							t.Errorf("%s: the browser is at %q, want %q (%v)", name, where, pg.path, err)
						}
						if want := append(slices.Clip(pg.want), said[pg.name][lang]...); len(want) > 0 {
							text, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.body.innerText`))
							if err != nil {
								t.Fatal(err)
							}
							for _, w := range want {
								if !strings.Contains(text, w) {
									t.Errorf("%s: the page does not show %q", name, w)
								}
							}
						}
						browsertest.Accessible(t, bctx, name)
						browsertest.Screenshot(t, bctx, name)
						t.Logf("%s: %.1f s", name, time.Since(start).Seconds())
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if len(elsewhere) > 0 {
				t.Errorf("pages made requests to other hosts: %v", elsewhere)
			}
		})
	}
}

// tourPage is one page of the tour: its name in the screenshot's file
// name, its path, and what to wait for beyond the page itself.
type tourPage struct {
	name, path, ready string
	// want is text the page must show, in every language: names from
	// the demo organization, ids and codes. The words of the interface
	// it must show are in the tour's said, by language.
	want []string
}
