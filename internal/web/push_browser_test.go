package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/chromedp"

	"github.com/commune-org/commune/internal/browsertest"
	"github.com/commune-org/commune/internal/notify"
	"github.com/commune-org/commune/internal/notify/pushtest"
	"github.com/commune-org/commune/internal/store"
)

// TestPushInBrowser drives the account page's push button and the
// service worker's push handler in headless Chromium, in Spanish.
//
// Headless Chromium has no push service to subscribe with: its
// PushManager.subscribe needs the browser vendor's, and here its promise
// never settles (Chromium 156: no answer in three minutes). So
// the test makes the subscription at pushtest, as a browser
// would at its vendor's, and hands it to the page's PushManager in place
// of the one the browser cannot make: push.js, the server, the
// encryption and pushtest's decryption are real. The service worker's
// part is driven as Chromium's DevTools deliver a push message to it,
// and what it shows is read back from registration.getNotifications().
func TestPushInBrowser(t *testing.T) {
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
	m, err := st.CreateMember(bg, store.Member{Alias: "Lupe", Language: "es", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	pusher := loopbackPusher(t)
	ps := pushtest.Start(t)

	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	srv := New(st, slog.New(slog.DiscardHandler), Options{PublicURL: base, Demo: &DemoPeople{Member: m.ID}, Pusher: pusher})
	hs.Config.Handler = srv.Handler()
	hs.Start()
	defer hs.Close()
	defer srv.Shutdown(bg)

	b := browsertest.Open(t, exe, 412, 915, 3*time.Minute)
	defer b.Close()
	ctx, do := b.Ctx, b.Run
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": "es"}}); err != nil {
		t.Fatal(err)
	}
	// The member allows notifications, as they would at the prompt.
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
		Permission: &cdpbrowser.PermissionDescriptor{Name: "notifications"}, Setting: cdpbrowser.PermissionSettingGranted, Origin: base}); err != nil {
		t.Fatal(err)
	}

	do("sign in", chromedp.Navigate(base+"/demo/member"))
	do("the account page", chromedp.Navigate(base+"/me/account"),
		chromedp.Poll[chromedp.Void](`document.getElementById("push").dataset.state === "off"`, chromedp.WithPollingTimeout(30*time.Second)))
	if got := eval(`document.getElementById("push-status").textContent + " | " + document.getElementById("push-on").textContent + " | " + document.getElementById("push-on").hidden`); got != "Los llamados urgentes no llegan a este teléfono. | Recibir llamados urgentes en este teléfono | false" {
		t.Errorf("before subscribing: got %q", got)
	}

	// The subscription pushtest makes, handed to push.js by the page's
	// PushManager; it remembers the key it was asked to subscribe with.
	sub := ps.NewSubscription(t, pusher.PublicKey())
	subJSON, _ := json.Marshal(string(sub.JSON()))
	do("a PushManager that subscribes at pushtest", chromedp.Evaluate[chromedp.Void](`(() => {
  const json = JSON.parse(`+string(subJSON)+`);
  let current = null;
  const make = (key) => ({ endpoint: json.endpoint, options: { applicationServerKey: key },
    toJSON: () => json, unsubscribe: async () => { current = null; return true; } });
  PushManager.prototype.subscribe = async function (o) {
    const k = new Uint8Array(o.applicationServerKey);
    window.askedKey = btoa(String.fromCharCode(...k)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    current = make(k.buffer);
    return current;
  };
  PushManager.prototype.getSubscription = async function () { return current; };
})()`))
	do("get urgent calls", chromedp.Click(chromedp.CSS("#push-on")),
		chromedp.Poll[chromedp.Void](`document.getElementById("push").dataset.state === "on"`, chromedp.WithPollingTimeout(30*time.Second)))
	if got := eval(`window.askedKey`); got != pusher.PublicKey() {
		t.Errorf("push.js subscribed with key %q, want the server's %q", got, pusher.PublicKey())
	}
	subs, err := st.PushSubscriptions(bg, m.ID)
	if err != nil || len(subs) != 1 || subs[0].Endpoint != sub.Endpoint || subs[0].Auth != sub.Auth || subs[0].P256dh != sub.P256dh {
		t.Fatalf("subscriptions after the button: got %+v, %v, want pushtest's", subs, err)
	}
	if got := eval(`document.getElementById("push-status").textContent + " | " + document.getElementById("push-off").hidden + " | " + document.getElementById("push-on").hidden`); got != "Los llamados urgentes llegan a este teléfono. | false | true" {
		t.Errorf("after subscribing: got %q", got)
	}

	// The test button: the server sends, pushtest decrypts, in Spanish.
	do("send a test", chromedp.Click(chromedp.CSS("#push-test")),
		chromedp.Poll[chromedp.Void](`document.getElementById("push-status").textContent === "`+srv.ui.t("es", "push.test.sent")+`"`, chromedp.WithPollingTimeout(30*time.Second)))
	var pm notify.PushMessage
	if err := json.Unmarshal(ps.Wait(t).Payload, &pm); err != nil || pm.Title != messagesES[msgPushTestTitle] || pm.Body != messagesES[msgPushTestBody] {
		t.Errorf("test push: got %+v, %v, want the Spanish test message", pm, err)
	}

	// Off: the subscription is taken back from the server.
	do("stop them", chromedp.Click(chromedp.CSS("#push-off")),
		chromedp.Poll[chromedp.Void](`document.getElementById("push").dataset.state === "off"`, chromedp.WithPollingTimeout(30*time.Second)))
	if subs, err := st.PushSubscriptions(bg, m.ID); err != nil || len(subs) != 0 {
		t.Errorf("subscriptions after stopping: got %d, %v, want none", len(subs), err)
	}

	// The service worker shows what is pushed to it: an urgent call's
	// payload, as the outbox sends it, delivered twice and then another.
	var mu sync.Mutex
	var regID serviceworker.RegistrationID
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*serviceworker.EventWorkerRegistrationUpdated); ok {
			mu.Lock()
			defer mu.Unlock()
			for _, r := range e.Registrations {
				if r.ScopeURL == base+"/" && !r.IsDeleted {
					regID = r.RegistrationID
				}
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, serviceworker.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		mu.Lock()
		id := regID
		mu.Unlock()
		if id != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no service worker registration for the site")
		}
	}
	deliver := func(payload []byte) {
		t.Helper()
		mu.Lock()
		id := regID
		mu.Unlock()
		if _, err := chromedp.Call(ctx, serviceworker.DeliverPushMessage, serviceworker.DeliverPushMessageParams{
			Origin: base, RegistrationID: id, Data: string(payload)}); err != nil {
			t.Fatalf("deliver push: %v", err)
		}
	}
	shown := `navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => JSON.stringify(ns.map(n => [n.tag, n.title, n.body, n.data.url])))`
	link := base + "/calls/c-1/answer?sig=abc"
	deliver(notify.CallPush("es", link, "call-1/m-lupe/push"))
	deliver(notify.CallPush("es", link, "call-1/m-lupe/push"))
	deliver(notify.CallPush("es", link, "call-2/m-lupe/push"))
	want := `[["call-1/m-lupe/push","Llamado urgente cerca de usted","Abra para verlo y responder.","` + link + `"],` +
		`["call-2/m-lupe/push","Llamado urgente cerca de usted","Abra para verlo y responder.","` + link + `"]]`
	var got string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if got = eval(shown); got == want || time.Now().After(deadline) {
			break
		}
	}
	if got != want {
		t.Errorf("notifications shown: got %s, want %s (a repeat replaces, not stacks)", got, want)
	}
}
