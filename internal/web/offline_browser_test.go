package web

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/commune-org/commune/internal/browsertest"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// TestOfflineInBrowser: in headless Chromium, a member who has opened
// their page once reads their assignment and what they receive with the
// network cut off (the service worker keeps the page); a page they never
// kept is not there offline, which shows the network really is off; and
// after they sign out, their page is gone from the phone.
func TestOfflineInBrowser(t *testing.T) {
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
	putExample(t, st)
	m, err := st.CreateMember(bg, store.Member{Alias: "Lupe", Language: "es", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutCommitment(bg, m.ID, world.Commitment{Hours: 12, Skills: []string{"cook"}, MaxKm: 8}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddNeed(bg, m.ID, world.Need{Product: "meal", Qty: 7, Tier: world.Essential}); err != nil {
		t.Fatal(err)
	}
	planStored(t, st)

	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	srv := New(st, slog.New(slog.DiscardHandler), Options{PublicURL: base, Demo: &DemoPeople{Member: m.ID}})
	hs.Config.Handler = srv.Handler()
	hs.Start()
	defer hs.Close()
	defer srv.Shutdown(bg)

	b := browsertest.Open(t, exe, 412, 915, 3*time.Minute)
	defer b.Close()
	ctx, do := b.Ctx, b.Run
	offline := func(off bool) {
		t.Helper()
		// Every request is cut, the service worker's own included.
		if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			EmulateOfflineServiceWorker: &off,
			MatchedNetworkConditions:    []*network.Conditions{{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}}}); err != nil {
			t.Fatal(err)
		}
	}
	body := func() string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": "es"}}); err != nil {
		t.Fatal(err)
	}

	// Online: sign in, and let the service worker take the page.
	do("sign in", chromedp.Navigate(base+"/demo/member"), chromedp.WaitVisible(chromedp.CSS("#receive")))
	do("the service worker", chromedp.Poll[chromedp.Void](`navigator.serviceWorker.controller !== null`, chromedp.WithPollingTimeout(30*time.Second)))
	do("open the page again", chromedp.Navigate(base+"/me"), chromedp.WaitVisible(chromedp.CSS("#receive")))
	// The copy is written as the answer comes; wait until it is there.
	do("the copy", chromedp.Poll[chromedp.Void](`caches.keys().then(ks => Promise.all(ks.map(k => caches.open(k).then(c => c.match("/me", {ignoreVary: true}))))).then(hits => hits.some(h => h))`,
		chromedp.WithPollingTimeout(30*time.Second)))

	offline(true)
	do("the page offline", chromedp.Navigate(base+"/me"), chromedp.WaitVisible(chromedp.CSS("#receive")))
	got := body()
	for _, want := range []string{"Lo que recibes", "Comida", "Boyle Heights community kitchen", "Tu trabajo"} {
		if !strings.Contains(got, want) {
			t.Errorf("/me offline lacks %q: %.600s", want, got)
		}
	}
	shot(ctx, t, "me-offline-phone-es.png")
	// A page never kept is not there: the network is really off.
	if _, err := chromedp.Run(ctx, chromedp.Navigate(base+"/me/needs")); err == nil {
		if strings.Contains(body(), "Lo que necesitas") {
			t.Errorf("/me/needs, never kept, shows offline: the network is not off")
		}
	}

	// Online again: sign out; the copy is gone, offline nothing shows.
	offline(false)
	do("back online", chromedp.Navigate(base+"/me"), chromedp.WaitVisible(chromedp.CSS("form.signout button")))
	// Signed out, the first page offers to sign in.
	do("sign out", chromedp.Click(chromedp.CSS("form.signout button")), chromedp.WaitVisible(chromedp.CSS(`main a.button[href="/login"]`)))
	// The first page, signed out, registers the worker again, which
	// keeps the assets; the member's page must not be among what it keeps.
	// The browser clears what the server asks it to forget in the
	// background: give it a few seconds.
	copies := `caches.keys().then(ks => Promise.all(ks.map(k => caches.open(k).then(c => c.match("/me", {ignoreVary: true}))))).then(hits => hits.filter(h => h).length)`
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](copies+`.then(n => n === 0)`, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		left, _ := chromedp.Run(ctx, chromedp.Evaluate[int](copies, chromedp.EvalAwaitPromise))
		t.Errorf("after signing out, %d copies of /me remain ten seconds later, want none (%v)", left, err)
	}
	offline(true)
	if _, err := chromedp.Run(ctx, chromedp.Navigate(base+"/me")); err == nil && strings.Contains(body(), "Lo que recibes") {
		t.Errorf("after signing out, the member's page still shows offline")
	}
}
