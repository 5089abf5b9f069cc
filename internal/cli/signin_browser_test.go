package cli

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/commune-org/commune/internal/browsertest"
)

// TestFirstOrganizerInBrowser: README's "Starting a real server" in
// headless Chromium, with a virtual authenticator for the device's
// passkeys: the first organizer of a server that sends no email opens
// the link "commune signin-link" printed, signs in with its button,
// adds a passkey on her account page, signs in with it, and acts as an
// organizer (the page of every collective). A browser had no way to
// add a passkey: the API took one, no page offered it, and without a
// passkey session an organizer is a plain member.
func TestFirstOrganizerInBrowser(t *testing.T) {
	exe := browsertest.Chromium(t)
	if testing.Short() {
		t.Skip("drives a browser: not in -short")
	}
	dir := filepath.Join(t.TempDir(), "data")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	base, done, stderr := startServe(t, ctx, dir)
	u, _ := url.Parse(base)
	public := "http://localhost:" + u.Port()
	sheet := writeSheet(t, "alias,language,cell\nCarla,es,9q5cs\n")
	for _, args := range [][]string{{"import", "--data", dir, sheet}, {"token", "--data", dir, "--member", "Carla", "--role", "organizer"}} {
		if code, _, errOut := runCLI(t, "en", args...); code != 0 {
			t.Fatalf("%s: exit %d: %s", args[0], code, errOut)
		}
	}
	code, out, errOut := runCLI(t, "en", "signin-link", "--data", dir, "--member", "Carla", "--public-url", public)
	if code != 0 {
		t.Fatalf("signin-link: exit %d: %s", code, errOut)
	}
	link := strings.TrimSpace(out)

	b := browsertest.Open(t, exe, 412, 915, 3*time.Minute)
	defer b.Close()
	run, text := b.Run, b.Text
	if _, err := chromedp.Call(b.Ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.Ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
		Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21, Transport: webauthn.AuthenticatorTransportInternal,
		HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true}}); err != nil {
		t.Fatal(err)
	}
	session := func() string {
		t.Helper()
		s, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`fetch("/api/v1/login/session").then(r => r.text())`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	run("the link", chromedp.Navigate(link+"?lang=en"), chromedp.WaitVisible(chromedp.CSS(`form[action^="/signin/"] button`)))
	if got := text("main"); !strings.Contains(got, "This link signs in the account Carla, once.") {
		t.Errorf("the link's page: %.500s", got)
	}
	browsertest.Accessible(t, b.Ctx, "the page of a sign-in link")
	run("sign in", chromedp.Click(chromedp.CSS(`form[action^="/signin/"] button`)), chromedp.WaitVisible(chromedp.CSS("#passkey-add")))
	if s := session(); !strings.Contains(s, `"role":"organizer"`) || !strings.Contains(s, `"passkey":false`) {
		t.Errorf("after the link: session %s; want the organizer's, not a passkey's", s)
	}
	browsertest.Accessible(t, b.Ctx, "the account page with its passkeys")
	run("add a passkey", chromedp.Click(chromedp.CSS("#passkey-add")),
		chromedp.Poll[chromedp.Void](`document.getElementById("passkey-status").textContent === "Passkey added."`, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.WaitVisible(chromedp.CSS(`#passkey-signin a`)))
	run("sign in with it", chromedp.Click(chromedp.CSS(`#passkey-signin a`)), chromedp.WaitVisible(chromedp.CSS("#passkey")),
		chromedp.Click(chromedp.CSS("#passkey")))
	// The sign-in page goes to the account page once signed in; an
	// evaluation during the navigation fails, and is tried again.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		ok, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`location.pathname === "/me/account" && document.readyState === "complete" &&
			!!document.getElementById("passkeys")`))
		if err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			where, _ := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
			t.Fatalf("signed in with the passkey: never at the account page; the page: %.1500s", where)
		}
	}
	if got := text("#passkeys"); !strings.Contains(got, "Passkeys of this account: 1") {
		t.Errorf("the account's passkeys: %q", got)
	}
	if s := session(); !strings.Contains(s, `"role":"organizer"`) || !strings.Contains(s, `"passkey":true`) {
		t.Errorf("after the passkey: session %s; want the organizer's passkey session", s)
	}
	run("every collective, as an organizer", chromedp.Navigate(public+"/collectives"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if status, err := chromedp.Run(b.Ctx, chromedp.Evaluate[int](`fetch("/api/v1/world").then(r => r.status)`, chromedp.EvalAwaitPromise)); err != nil || status != 200 {
		t.Errorf("GET /api/v1/world with the passkey session: %d, %v; want 200", status, err)
	}

	b.Close()
	stopServe(t, cancel, done, stderr)
}
