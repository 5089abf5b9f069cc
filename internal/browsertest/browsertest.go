// Package browsertest gives the browser tests of commune what they share:
// finding Chromium, and checking a page's accessibility with axe-core
// (vendored here, from npm, never served to anyone). It is used by tests
// only, and depends on nothing of the project.
package browsertest

import (
	"context"
	_ "embed"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium returns the path of a Chromium on PATH. Without one the test
// is skipped, or fails under COMMUNE_STRICT=1: the test command
// installs it (apt-get install chromium).
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium found on PATH (tried chromium, chromium-browser, google-chrome, headless-shell): install it with apt-get install chromium, as scripts/test does"
	if os.Getenv("COMMUNE_STRICT") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

//go:embed axe.min.js
var axe string

// Violation is a problem axe-core found: its rule, how bad, what it
// asks, and on how many elements.
type Violation struct {
	ID, Impact, Help string
	Nodes            int
}

// Violations runs axe-core in the page of ctx and returns its serious and
// critical violations.
func Violations(t testing.TB, ctx context.Context, where string) []Violation {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](axe+";0")); err != nil {
		t.Fatalf("%s: inject axe-core: %v", where, err)
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]Violation](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
		r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
			.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe-core: %v", where, err)
	}
	return vs
}

// Accessible fails the test on every serious or critical violation
// axe-core finds in the page of ctx.
func Accessible(t testing.TB, ctx context.Context, where string) {
	t.Helper()
	for _, v := range Violations(t, ctx, where) {
		t.Errorf("%s: accessibility, %s: %s (%s, %d elements)", where, v.Impact, v.Help, v.ID, v.Nodes)
	}
}

// Browser is a headless Chromium opened for one test: one tab, whose
// actions run in Ctx until the test's time limit.
type Browser struct {
	Ctx    context.Context
	t      testing.TB
	cancel []context.CancelFunc
}

// Open starts the Chromium at exe (see Chromium) headless, with a window
// of width by height pixels, for at most limit. Close it when done,
// before stopping the server it reads from: a page may hold a stream
// open.
func Open(t testing.TB, exe string, width, height int, limit time.Duration) *Browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.WindowSize(width, height))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelLimit := context.WithTimeout(ctx, limit)
	return &Browser{Ctx: ctx, t: t, cancel: []context.CancelFunc{cancelLimit, cancelTab, cancelAlloc}}
}

// Close closes the tab and stops the browser.
func (b *Browser) Close() {
	for _, c := range b.cancel {
		c()
	}
}

// Run does actions as one step of a test, named what, within a minute;
// if they fail, the test fails with the address and the text of the page
// where they stopped.
func (b *Browser) Run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		where, _ := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
		b.t.Fatalf("%s: %v; the page: %.1500s", what, err, where)
	}
}

// Text returns the text of the first element sel selects.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.Ctx, chromedp.Text[string](sel))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// Screenshot captures the page of ctx and, when COMMUNE_SCREENSHOTS is
// set (scripts/screenshots sets it), writes it to docs/screenshots/name
// for the README. A plain test run captures it without writing it: some
// pages show the time of the run (the audit log, the call board, an
// event), and a test run should leave the tree as it found it.
func Screenshot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if os.Getenv("COMMUNE_SCREENSHOTS") == "" {
		return
	}
	dir, err := screenshotDir()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("saved %s", filepath.Join(dir, name))
}

// screenshotDir finds docs/screenshots in the module the test runs in:
// the first directory up from the working directory with a go.mod.
func screenshotDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(dir, "docs", "screenshots")
			return d, os.MkdirAll(d, 0o755)
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", errors.New("browsertest: no go.mod above the working directory")
		}
		dir = up
	}
}
