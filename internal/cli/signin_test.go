package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFirstOrganizer walks the way of README's "Starting a real server"
// to the first organizer's browser session, on a server that sends no
// email: serve a new data directory; import the organizer; make them
// one with a token; print a sign-in link; open it (which signs no one
// in), press its button, and be signed in as the organizer, with a
// code's session (organizers act as such with a passkey only). Without
// signin-link, nothing could open that session.
func TestFirstOrganizer(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	base, done, stderr := startServe(t, ctx, dir)
	u, _ := url.Parse(base)
	public := "http://localhost:" + u.Port() // the server's own public URL without --public-url

	sheet := writeSheet(t, "alias,language,cell\nCarla,es,9q5cs\n")
	if code, _, errOut := runCLI(t, "en", "import", "--data", dir, sheet); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, "en", "token", "--data", dir, "--member", "Carla", "--role", "organizer"); code != 0 {
		t.Fatalf("token: exit %d: %s", code, errOut)
	}
	// The usage and the errors, in both languages.
	for _, tc := range []struct {
		lang string
		args []string
		want string
	}{
		{"en", []string{"--data", dir}, "want --member and no arguments"},
		{"es", []string{"--data", dir, "--member", "Carla", "extra"}, "se espera --member y ningún argumento"},
		{"es", []string{"--data", dir, "--member", "Carla", "--public-url", "localhost"}, "--public-url: se espera una URL http o https"},
		{"en", []string{"--data", dir, "--member", "Nadie"}, "members are added from a spreadsheet: commune import --data " + dir},
		{"es", []string{"--data", filepath.Join(dir, "none"), "--member", "Carla"}, filepath.Join(dir, "none")},
	} {
		code, out, errOut := runCLI(t, tc.lang, append([]string{"signin-link"}, tc.args...)...)
		if code == 0 || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s signin-link %v: got exit %d, stdout %q, stderr %q; want a failure saying %q", tc.lang, tc.args, code, out, errOut, tc.want)
		}
	}
	if code, _, errOut := runCLI(t, "es", "signin-link", "-h"); code != 0 || !strings.Contains(errOut, "uso: commune signin-link") {
		t.Errorf("signin-link -h in Spanish: exit %d, %q", code, errOut)
	}

	code, out, errOut := runCLI(t, "es", "signin-link", "--data", dir, "--member", "Carla", "--public-url", public)
	link := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(link, public+"/signin/cml_") || !strings.Contains(errOut, "enlace de entrada para el miembro Carla") {
		t.Fatalf("signin-link: exit %d, stdout %q, stderr %q; want the link on stdout, said in Spanish", code, out, errOut)
	}

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := c.Get(path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, page := get(link); code != http.StatusOK || !strings.Contains(page, "Carla") {
		t.Fatalf("the link's page: got %d %.500s", code, page)
	}
	if code, _ := get(public + "/api/v1/login/session"); code != http.StatusUnauthorized {
		t.Errorf("opening the link signed in: session %d, want 401", code)
	}
	req, _ := http.NewRequest("POST", link, strings.NewReader(""))
	req.Header.Set("Origin", public)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/me/account" {
		t.Fatalf("the link's button: got %d to %q, want 303 to /me/account", resp.StatusCode, resp.Header.Get("Location"))
	}
	code, body := get(public + "/api/v1/login/session")
	var s struct {
		Member, Role string
		Passkey      bool
	}
	if err := json.Unmarshal([]byte(body), &s); code != http.StatusOK || err != nil || s.Role != "organizer" || s.Passkey {
		t.Errorf("the session: got %d %s; want the organizer's, not a passkey's", code, body)
	}
	if code, page := get(public + "/me/account"); code != http.StatusOK || !strings.Contains(page, `value="Carla"`) {
		t.Errorf("the account page: got %d %.300s", code, page)
	}
	if code, _ := get(link); code != http.StatusGone {
		t.Errorf("the link once used: got %d, want 410", code)
	}

	stopServe(t, cancel, done, stderr)
	if strings.Contains(stderr.String(), strings.TrimPrefix(link, public+"/signin/")) {
		t.Errorf("the log holds the link's secret")
	}
}

// TestReadmeStartingServer: the README opens with the demo and the
// tests, then says how a real server gets its first organizer, with the
// commands TestFirstOrganizer and TestFirstOrganizerInBrowser run.
func TestReadmeStartingServer(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	first := strings.Index(doc, "```sh\n")
	if first < 0 || !strings.HasPrefix(doc[first:], "```sh\ngo run ./cmd/commune demo\n./scripts/test\n```") {
		t.Errorf("the README's first commands are no longer the demo and the tests")
	}
	start := strings.Index(doc, "## Starting a real server")
	if start < 0 || start < first || strings.Index(doc, "## What is here") < start {
		t.Fatalf("the README has no section \"Starting a real server\" after its first commands")
	}
	section := doc[start:strings.Index(doc, "## What is here")]
	for _, want := range []string{
		"./commune serve --data ./commune-data",
		"printf 'alias,language,cell\\nCarla,es,9q5cs\\n' > organizers.csv",
		"./commune import --data ./commune-data organizers.csv",
		"./commune token --data ./commune-data --member Carla --role organizer",
		"./commune signin-link --data ./commune-data --member Carla",
		"adds a passkey", "--smtp",
	} {
		if !strings.Contains(section, want) {
			t.Errorf("the README's \"Starting a real server\" lacks %q", want)
		}
	}
}
