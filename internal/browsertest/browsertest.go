// Package browsertest gives the browser tests of commune what they share:
// finding Chromium, and checking a page's accessibility with axe-core
// (vendored here, from npm, never served to anyone). It is used by tests
// only, and depends on nothing of the project.
package browsertest

import (
	"context"
	_ "embed"
	"os"
	"os/exec"
	"testing"

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
