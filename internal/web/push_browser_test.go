package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/backgroundservice"
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
// and what it shows is read back from registration.getNotifications()
// once Chromium reports the push events ended.
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
	//
	// DevTools answers a delivery at once, whatever becomes of it: a push
	// to a registration that has no active worker yet is dropped
	// unreported. So the pushes go to the registration once its worker is
	// activated (push.js has waited for an active one already, through
	// navigator.serviceWorker.ready), and the test waits until Chromium,
	// recording for the BackgroundService domain, reports all three push
	// events ended. Only then does it read what was shown, and once: a
	// getNotifications() that runs while a notification is stored but not
	// yet on display deletes it from Chromium's notification database for
	// good (DoReadAllNotificationDataForServiceWorkerRegistration, in
	// content/browser/notifications/platform_notification_context_impl.cc,
	// keeps only what the platform reports displayed or what was made after
	// the read began). The test used to read every 100 ms while the worker
	// was showing the pushes, and once, under load, it saw none ("got []").
	var mu sync.Mutex
	var regID serviceworker.RegistrationID
	var ended []string // the status of each push event Chromium reported ended
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *serviceworker.EventWorkerVersionUpdated:
			for _, v := range e.Versions {
				if v.ScriptURL == base+"/sw.js" && v.Status == serviceworker.VersionStatusActivated {
					regID = v.RegistrationID
				}
			}
		case *backgroundservice.EventBackgroundServiceEventReceived:
			if b := e.BackgroundServiceEvent; b.EventName == "Push event completed" && b.ServiceWorkerRegistrationID == regID {
				status := ""
				for _, m := range b.EventMetadata {
					if m.Key == "Status" {
						status = m.Value
					}
				}
				ended = append(ended, status)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	push := backgroundservice.ServiceNamePushMessaging
	if _, err := chromedp.Call(ctx, backgroundservice.StartObserving, backgroundservice.StartObservingParams{Service: push}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, backgroundservice.SetRecording, backgroundservice.SetRecordingParams{ShouldRecord: true, Service: push}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, serviceworker.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	// within30s reports whether ok became true within 30 seconds.
	within30s := func(ok func() bool) bool {
		for deadline := time.Now().Add(30 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				return false
			}
		}
		return true
	}
	if !within30s(func() bool { mu.Lock(); defer mu.Unlock(); return regID != "" }) {
		t.Fatal("no activated service worker for the site")
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
	if !within30s(func() bool { mu.Lock(); defer mu.Unlock(); return len(ended) >= 3 }) {
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("push events ended: got %d %q, want 3 (a push that finds no active worker is dropped unreported)", len(ended), ended)
	}
	mu.Lock()
	for _, status := range ended {
		if status != "Success" {
			t.Errorf("push event ended %q, want Success", status)
		}
	}
	mu.Unlock()
	if got := eval(shown); got != want {
		t.Errorf("notifications shown: got %s, want %s (a repeat replaces, not stacks)", got, want)
	}
}
