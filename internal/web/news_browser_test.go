package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/commune-org/commune/internal/browsertest"
	"github.com/commune-org/commune/internal/store"
)

// xssHook runs in every document before its own scripts: it replaces
// the dialogs with functions that record their calls, and turns
// window.__xss into a setter that records, in window.__xssHits, which
// nothing on the page can replace. A payload that runs calls one of
// them; one that reaches the real dialogs anyway is caught by the
// Page.javascriptDialogOpening listener.
const xssHook = `(() => {
  const hits = [];
  Object.defineProperty(window, "__xssHits", {value: hits, writable: false, configurable: false});
  for (const f of ["alert", "confirm", "prompt", "print"]) {
    Object.defineProperty(window, f, {value: (...a) => { hits.push(f + ":" + String(a[0])); }, writable: false, configurable: false});
  }
  Object.defineProperty(window, "__xss", {get() { return undefined; }, set(v) { hits.push("__xss:" + String(v)); }, configurable: false});
})();`

// settle waits until the document has loaded and two frames and a
// task have passed, so that handlers of errors and loads have run, then
// returns what the hook recorded.
const settle = `new Promise(done => {
  const after = () => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => done(window.__xssHits.slice()), 50)));
  if (document.readyState === "complete") after(); else addEventListener("load", after);
})`

// The canaries are the test's own pages, not commune's, served with
// commune's content security policy: their scripts run only if the CSP
// is bypassed. The first opens a dialog, before the hook is installed,
// which the listener must see; the second must be seen by the hook.
const (
	canaryDialog = `<!doctype html><html><head><title>canary</title></head><body>
<script>alert("canary-dialog");</script>
</body></html>`
	canaryPage = `<!doctype html><html><head><title>canary</title></head><body>
<img src="/missing.png" onerror="alert('canary-handler')">
<script>window.__xss = "canary-script";</script>
</body></html>`
)

// TestXSSInBrowser (issue 7, acceptance item 3): in headless Chromium,
// with the pages' content security policy bypassed so that the
// sanitizer alone is tested, each payload of testdata/xss published as
// an article is opened, in its page, in the list and in an edition's
// print view, and none runs. First, the hook proves it sees scripts
// that do run, on a canary page of the test's own.
func TestXSSInBrowser(t *testing.T) {
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
	payloads := xssPayloads(t)
	ids := publishPayloads(t, st, payloads)
	ed, err := st.CreateEdition(bg, store.Edition{Number: 1, Title: "XSS", Date: "2027-05-01", Articles: ids})
	if err != nil {
		t.Fatal(err)
	}

	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	srv := New(st, slog.New(slog.DiscardHandler), Options{PublicURL: base})
	mux := http.NewServeMux()
	for path, body := range map[string]string{"GET /canary": canaryPage, "GET /canary-dialog": canaryDialog} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			pageHeaders(w.Header())
			w.Write([]byte(body))
		})
	}
	mux.Handle("/", srv.Handler())
	hs.Config.Handler = mux
	hs.Start()
	defer hs.Close()
	defer srv.Shutdown(bg)

	b := browsertest.Open(t, exe, 1000, 800, 3*time.Minute)
	defer b.Close()
	ctx := b.Ctx

	// Every dialog that opens is reported here and dismissed.
	// Events subscribes when called, here, before anything opens; the
	// loop reads in its own goroutine, since a dialog blocks the page.
	dialogs := make(chan string, 256)
	opening := chromedp.Events(ctx, cdppage.JavascriptDialogOpening)
	go func() {
		for ev, err := range opening {
			if err != nil {
				return
			}
			dialogs <- ev.Message
			go chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	takeDialogs := func() []string {
		var d []string
		for {
			select {
			case m := <-dialogs:
				d = append(d, m)
			default:
				return d
			}
		}
	}
	if _, err := chromedp.Call(ctx, cdppage.SetBypassCSP, cdppage.SetBypassCSPParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	// The first canary: the listener sees a dialog.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/canary-dialog")); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-dialogs:
		if m != "canary-dialog" {
			t.Fatalf("canary: dialog %q, want canary-dialog", m)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("canary: no dialog reported: the listener cannot see one")
	}

	if _, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: xssHook}); err != nil {
		t.Fatal(err)
	}
	open := func(path string) []string {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(base+path)); err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		hits, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](settle, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: read the hook: %v", path, err)
		}
		return hits
	}

	// The second canary: the hook sees a handler and a script that run.
	hits := open("/canary")
	for _, want := range []string{"alert:canary-handler", "__xss:canary-script"} {
		if !strings.Contains(strings.Join(hits, " "), want) {
			t.Fatalf("canary: the hook recorded %v, want %q: it cannot see what runs", hits, want)
		}
	}

	pages := []string{"/news", "/news/editions/" + ed.ID + "/print"}
	for _, id := range ids {
		pages = append(pages, "/news/"+id)
	}
	for i, p := range pages {
		if hits := open(p); len(hits) > 0 {
			what := p
			if i >= 2 {
				what = p + " (payload " + payloads[i-2] + ")"
			}
			t.Errorf("%s: ran: %v", what, hits)
		}
		if d := takeDialogs(); len(d) > 0 {
			t.Errorf("%s: dialogs opened: %v", p, d)
		}
	}
}

// TestEditionPrintScreenshots (issue 7, acceptance item 5): the print
// view of an edition as it comes out on paper (print media), in both
// languages, for docs/screenshots.
func TestEditionPrintScreenshots(t *testing.T) {
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
	ed := sampleEdition(t, st)

	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	srv := New(st, slog.New(slog.DiscardHandler), Options{PublicURL: base})
	hs.Config.Handler = srv.Handler()
	hs.Start()
	defer hs.Close()
	defer srv.Shutdown(bg)

	b := browsertest.Open(t, exe, 1000, 1400, 2*time.Minute)
	defer b.Close()
	ctx := b.Ctx
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ lang, masthead string }{{"en", "The workers' newspaper"}, {"es", "El periódico obrero"}} {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/news/editions/"+ed+"/print?lang="+tc.lang),
			chromedp.WaitVisible(chromedp.CSS(".masthead"))); err != nil {
			t.Fatal(err)
		}
		text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, tc.masthead) {
			t.Errorf("print view in %s lacks %q", tc.lang, tc.masthead)
		}
		// On paper there is no navigation.
		shown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector("header.top")).display !== "none"`))
		if err != nil || shown {
			t.Errorf("print view in %s: the site's header shows on paper (%v)", tc.lang, err)
		}
		// A screenshot has no pages, so it shows none of the page
		// margins (@page); give the body the same, for the picture.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.body.style.padding = "15mm 12mm", true)`)); err != nil {
			t.Fatal(err)
		}
		shot(ctx, t, "edition-print-"+tc.lang+".png")
	}
}

// sampleEdition stores two articles, each in both languages, and an
// edition of them, and returns its id.
func sampleEdition(t *testing.T, st *store.Store) string {
	t.Helper()
	ctx := context.Background()
	m, err := st.CreateMember(ctx, store.Member{Alias: "Rosa L.", Language: "es", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	articles := []struct{ lang, title, body string }{
		{"es", "Primero de Mayo: todas a la calle", "Este **Primero de Mayo** salimos juntas, desde cada fábrica, escuela y barrio.\n\n" +
			"Nos reunimos a las 10 en el parque. Cada colectivo tiene su punto de encuentro y su responsable de contingente.\n\n" +
			"> Nadie es ilegal. Lo que producimos es de todas.\n\n- Trae agua y gorra.\n- Ven con tu colectivo.\n- Si ves una redada, avisa con una llamada urgente."},
		{"en", "May Day: everyone out", "This **May Day** we go out together, from every factory, school and neighbourhood.\n\n" +
			"We meet at 10 in the park. Each collective has its meeting point and its contingent marshal.\n\n" +
			"> No one is illegal. What we make belongs to all of us.\n\n- Bring water and a hat.\n- Come with your collective.\n- If you see a raid, send an urgent call."},
		{"es", "La cocina comunitaria da 1.200 comidas", "La cocina de Boyle Heights ya sirve **1.200 comidas** a la semana, gracias a 40 compañeras que dan de 4 a 12 horas.\n\n" +
			"El plan de esta semana cubre todas las necesidades esenciales del barrio. Faltan manos los martes: apúntate en tu compromiso."},
		{"en", "The community kitchen serves 1,200 meals", "The Boyle Heights kitchen now serves **1,200 meals** a week, thanks to 40 comrades who give 4 to 12 hours.\n\n" +
			"This week's plan covers every essential need of the neighbourhood. Hands are short on Tuesdays: sign up in your commitment."},
	}
	var ids []string
	for _, a := range articles {
		made, err := st.CreateArticle(ctx, store.Article{Author: m.ID, Language: a.lang, Title: a.title, Body: a.body})
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range []store.ArticleState{store.Review, store.Published} {
			if _, err := st.SetArticleState(ctx, made.ID, to); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, made.ID)
	}
	for i := 0; i < len(ids); i += 2 {
		if err := st.LinkTranslation(ctx, ids[i], ids[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	e, err := st.CreateEdition(ctx, store.Edition{Number: 12, Title: "Primero de Mayo · May Day", Date: "2027-04-24", Articles: ids})
	if err != nil {
		t.Fatal(err)
	}
	return e.ID
}
