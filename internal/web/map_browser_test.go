package web

import (
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/commune-org/commune/internal/browsertest"
	"github.com/commune-org/commune/internal/demo"
	"github.com/commune-org/commune/internal/geo"
	"github.com/commune-org/commune/internal/plan"
)

// chromium returns the path of a Chromium or Chrome to drive. Without
// one the browser tests skip, unless COMMUNE_STRICT=1 (scripts/test
// sets it, and installs Debian's chromium), where they fail.
func chromium(t *testing.T) string {
	t.Helper()
	return browsertest.Chromium(t)
}

// mapPage is the smallest page that embeds the map as the real pages
// will: the script and style from /static/, the words in data-word-*,
// the data inline (html/template writes it as JSON, escaped for a
// script element).
var mapPage = template.Must(template.New("map").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<link rel="stylesheet" href="/static/map.css">
<style>body{margin:0;background:#f6f7f8} .commune-map{height:100vh;border:0;border-radius:0}</style>
</head><body>
<main><div class="commune-map" data-commune-map data-land="/static/land-50m.json" data-lang="{{.Lang}}" {{.Words}}>
<script type="application/json">{{.Data}}</script></div></main>
<script src="/static/map.js"></script>
</body></html>`))

var mapWordsEN = map[string]string{
	"title": "The plan on the map", "legend": "Legend", "desc": "Sites, what flows between them and to homes, and how well needs are met.",
	"zoom-in": "Zoom in", "zoom-out": "Zoom out", "fit": "Show everything",
	"kind-workplace": "Workplace", "kind-school": "School", "kind-neighborhood": "Neighbourhood",
	"kind-depot": "Depot", "kind-other": "Other site",
	"flow-sites": "Goods between sites", "flow-homes": "Deliveries to homes",
	"needs-met": "Needs met", "needs": "needs", "output": "Makes", "home-area": "Home area",
	"tier-essential": "Essential", "tier-basic": "Basic", "tier-wanted": "Wanted",
}

var mapWordsES = map[string]string{
	"title": "El plan en el mapa", "legend": "Leyenda", "desc": "Los sitios, lo que va entre ellos y a los hogares, y cuánto se cubren las necesidades.",
	"zoom-in": "Acercar", "zoom-out": "Alejar", "fit": "Mostrar todo",
	"kind-workplace": "Centro de trabajo", "kind-school": "Escuela", "kind-neighborhood": "Barrio",
	"kind-depot": "Almacén", "kind-other": "Otro sitio",
	"flow-sites": "Bienes entre sitios", "flow-homes": "Entregas a hogares",
	"needs-met": "Necesidades cubiertas", "needs": "necesidades", "output": "Produce", "home-area": "Zona",
	"tier-essential": "Esenciales", "tier-basic": "Básicas", "tier-wanted": "Deseadas",
}

// wordAttrs writes the words as data-word-* attributes. html/template
// refuses attribute names made in a template when they hold a dash
// (data-word-{{$k}} becomes data-word-ZgotmplZ), so they are made here,
// from fixed keys, with the values escaped.
func wordAttrs(words map[string]string) template.HTMLAttr {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(words)) {
		fmt.Fprintf(&b, ` data-word-%s="%s"`, k, template.HTMLEscapeString(words[k]))
	}
	return template.HTMLAttr(b.String())
}

// demoMap plans the demo organization once for the browser tests: the
// world at the scale the map must handle, Los Angeles to Manila to
// Johannesburg.
var demoMap = sync.OnceValues(func() (mapData, error) {
	d := demo.Build()
	p, err := plan.Make(context.Background(), d.World, plan.Options{})
	if err != nil {
		return mapData{}, err
	}
	return mapView(d.World, p, ""), nil
})

// TestMapInBrowser loads the map in headless Chromium, checks that it
// draws what the data holds, zooms with the button, the wheel and a drag,
// and saves screenshots of the world and of Los Angeles for
// docs/screenshots. Every request the page makes must go to the server.
func TestMapInBrowser(t *testing.T) {
	exe := chromium(t)
	if testing.Short() {
		t.Skip("plans the demo organization and drives a browser: not in -short")
	}
	data, err := demoMap()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(mustSub(staticFS, "static"))))
	mux.HandleFunc("GET /{lang}", func(w http.ResponseWriter, r *http.Request) {
		lang, words := "en", mapWordsEN
		if r.PathValue("lang") == "es" {
			lang, words = "es", mapWordsES
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		page := map[string]any{"Lang": lang, "Title": words["title"], "Words": wordAttrs(words), "Data": data}
		if err := mapPage.Execute(w, page); err != nil {
			t.Error(err)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")

	b := browsertest.Open(t, exe, 1280, 800, 2*time.Minute)
	defer b.Close()
	ctx := b.Ctx

	var mu sync.Mutex
	var elsewhere []string
	listen := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			u, err := url.Parse(e.Request.URL)
			if err != nil || (u.Scheme != "data" && u.Host != host) {
				mu.Lock()
				elsewhere = append(elsewhere, e.Request.URL)
				mu.Unlock()
			}
		}
	})
	if listen != nil {
		t.Fatal(listen)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/en"),
		chromedp.WaitVisible(chromedp.CSS(`.commune-map[data-state="ready"]`)),
	); err != nil {
		t.Fatal(err)
	}
	counts, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]int](`(() => {
			const n = s => document.querySelectorAll(s).length;
			return {land: n(".commune-map-svg .land path"), landCopies: n(".commune-map-svg .land use"),
				sites: n(".commune-map-svg .site-dot"), rings: n(".commune-map-svg .site-need"),
				flows: n(".commune-map-svg .flow"), covers: n(".commune-map-svg .cover"),
				titles: n(".commune-map-svg .site-dot > title"), svgTitle: n(".commune-map-svg > title"),
				svgDesc: n(".commune-map-svg > desc"), legend: n(".commune-map-legend .row")};
		})()`))
	if err != nil {
		t.Fatal(err)
	}
	siteNeeds, cells := 0, 0
	for _, c := range data.Coverage {
		if c.Site != "" {
			siteNeeds++
		} else {
			cells++
		}
	}
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"land paths", counts["land"], 1},
		{"land copies across the antimeridian", counts["landCopies"], 3},
		{"site circles", counts["sites"], len(data.Sites)},
		{"site tooltips", counts["titles"], len(data.Sites)},
		{"coverage rings of sites", counts["rings"], siteNeeds},
		{"flow lines", counts["flows"], len(data.Flows)},
		{"svg title", counts["svgTitle"], 1},
		{"svg desc", counts["svgDesc"], 1},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %d, want %d", c.what, c.got, c.want)
		}
	}
	if n := counts["covers"]; n < 1 || n > cells {
		t.Errorf("coverage markers at world scale: got %d, want 1 to %d (the home cells, merged)", n, cells)
	}
	if len(data.Flows) < 10 || len(data.Sites) < 10 {
		t.Fatalf("the demo's map has %d sites and %d flows: too few to test the map with", len(data.Sites), len(data.Flows))
	}
	shot(ctx, t, "map-world.png")

	// The + button halves the width of the view, about its centre.
	before := viewBox(ctx, t)
	click(ctx, t, ".commune-map-zoom-in")
	// The map redraws on its next animation frame: wait for it.
	after := changedViewBox(ctx, t, before)
	if r := after[2] / before[2]; math.Abs(r-0.5) > 1e-6 {
		t.Errorf("+ button: view width went from %g to %g, ratio %g, want 0.5", before[2], after[2], r)
	}
	if cx, cx0 := after[0]+after[2]/2, before[0]+before[2]/2; math.Abs(cx-cx0) > 1e-6*before[2] {
		t.Errorf("+ button: view centre moved from %g to %g", cx0, cx)
	}
	click(ctx, t, ".commune-map-zoom-out")
	// The wheel zooms in; a drag moves the view right by what the mouse
	// went left.
	if err := chromedp.Do(ctx, chromedp.MouseEvent(chromedp.MouseWheel, 640, 400, func(p *input.DispatchMouseEventParams) {
		// The protocol wants both deltas and cdproto omits a zero one.
		p.DeltaX, p.DeltaY = 0.001, -300
	})); err != nil {
		t.Fatal(err)
	}
	wheeled := changedViewBox(ctx, t, before)
	if wheeled[2] >= before[2] {
		t.Errorf("wheel up: view width went from %g to %g, want smaller", before[2], wheeled[2])
	}
	drag(ctx, t, 700, 400, 600, 400)
	dragged := changedViewBox(ctx, t, wheeled)
	if dx, want := dragged[0]-wheeled[0], 100*wheeled[2]/1280; math.Abs(dx-want) > 0.02*want {
		t.Errorf("drag 100 px left: view moved by %g, want %g", dx, want)
	}
	// Two fingers moving apart from 80 to 160 px zoom in twice.
	pinch(ctx, t, 640, 400, 40, 80)
	pinched := changedViewBox(ctx, t, dragged)
	if r := pinched[2] / dragged[2]; math.Abs(r-0.5) > 0.01 {
		t.Errorf("pinch from 80 to 160 px: view width went from %g to %g, ratio %g, want 0.5", dragged[2], pinched[2], r)
	}

	// Los Angeles: kitchens, clinics and factories a few kilometres apart
	// must be told apart.
	type circle struct {
		ID      string
		X, Y, R float64
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](`document.querySelector(".commune-map").communeMap.fitBounds(33.97, -118.33, 34.09, -118.17)`)); err != nil {
		t.Fatal(err)
	}
	circles, err := chromedp.Run(ctx, chromedp.Evaluate[[]circle](`[...document.querySelectorAll(".commune-map-svg .site")].map(g => {
			const r = g.querySelector(".site-dot").getBoundingClientRect();
			return {id: g.dataset.site, x: r.x + r.width / 2, y: r.y + r.height / 2, r: r.width / 2};
		}).filter(c => c.x > 0 && c.x < innerWidth && c.y > 0 && c.y < innerHeight)`))
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]mapSite{}
	for _, s := range data.Sites {
		pos[s.ID] = s
	}
	pairs := 0
	for i, a := range circles {
		for _, b := range circles[i+1:] {
			km := geo.Distance(pos[a.ID].Lat, pos[a.ID].Lon, pos[b.ID].Lat, pos[b.ID].Lon)
			if km < 2 {
				continue
			}
			pairs++
			if d := math.Hypot(a.X-b.X, a.Y-b.Y); d <= a.R+b.R {
				t.Errorf("Los Angeles: %s and %s are %.1f km apart but their circles overlap (%.0f px apart, radii %.0f and %.0f)", a.ID, b.ID, km, d, a.R, b.R)
			}
		}
	}
	if len(circles) < 8 || pairs < 10 {
		t.Errorf("Los Angeles view: %d sites, %d pairs 2 km apart or more, want at least 8 and 10", len(circles), pairs)
	}
	labels, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".commune-map-svg .labels")).display`))
	if err != nil {
		t.Fatal(err)
	}
	if labels == "none" {
		t.Errorf("Los Angeles view: the sites' names are hidden, want them shown at a city's scale")
	}
	shot(ctx, t, "map-la.png")

	// In Spanish, every word of the legend and the buttons is the page's.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/es"),
		chromedp.WaitVisible(chromedp.CSS(`.commune-map[data-state="ready"]`)),
	); err != nil {
		t.Fatal(err)
	}
	words, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[
		document.querySelector(".commune-map-legend").innerText,
		document.querySelector(".commune-map-zoom-in").getAttribute("aria-label"),
		document.querySelector(".commune-map-svg > title").textContent,
		document.querySelector(".commune-map-svg .site-dot > title").textContent]`))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(words, "\n")
	for _, want := range []string{"Leyenda", "Centro de trabajo", "Entregas a hogares", "Necesidades cubiertas", "Acercar", "El plan en el mapa"} {
		if !strings.Contains(text, want) {
			t.Errorf("Spanish page: %q is not shown; the map says:\n%s", want, text)
		}
	}
	if strings.Contains(text, "kind-") || strings.Contains(text, "needs-met") {
		t.Errorf("Spanish page: a word's key is shown instead of the word:\n%s", text)
	}

	// On a phone the legend starts folded, leaving the map to the eye.
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 760),
		chromedp.Navigate(srv.URL+"/es"),
		chromedp.WaitVisible(chromedp.CSS(`.commune-map[data-state="ready"]`)),
	); err != nil {
		t.Fatal(err)
	}
	open, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector(".commune-map-legend").open`))
	if err != nil {
		t.Fatal(err)
	}
	if open {
		t.Errorf("phone: the legend is open, want it folded")
	}
	shot(ctx, t, "map-phone-es.png")

	mu.Lock()
	defer mu.Unlock()
	if len(elsewhere) > 0 {
		t.Errorf("the page asked other hosts than %s: %v", host, elsewhere)
	}
}

// viewBox reads the map's viewBox: x, y, width, height.
func viewBox(ctx context.Context, t *testing.T) [4]float64 {
	t.Helper()
	a, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(".commune-map-svg"), "viewBox"))
	if err != nil {
		t.Fatal(err)
	}
	s := a.Value
	var v [4]float64
	f := strings.Fields(s)
	if len(f) != 4 {
		t.Fatalf("viewBox %q: want four numbers", s)
	}
	for i := range v {
		x, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			t.Fatalf("viewBox %q: %v", s, err)
		}
		v[i] = x
	}
	return v
}

// changedViewBox waits for the viewBox to differ from old and settle:
// the browser hands wheel and mouse events to the page on its own time,
// after the protocol command returns. It gives up after a few seconds
// and returns what it has, for the caller to report.
func changedViewBox(ctx context.Context, t *testing.T, old [4]float64) [4]float64 {
	t.Helper()
	v := viewBox(ctx, t)
	for i := 0; i < 100 && v == old; i++ {
		time.Sleep(30 * time.Millisecond)
		v = viewBox(ctx, t)
	}
	for i := 0; i < 100; i++ { // settled: the same twice in a row
		time.Sleep(30 * time.Millisecond)
		w := viewBox(ctx, t)
		if w == v {
			break
		}
		v = w
	}
	return v
}

func click(ctx context.Context, t *testing.T, sel string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
}

// drag presses the mouse at x0,y0, moves it to x1,y1 in steps, releases.
func drag(ctx context.Context, t *testing.T, x0, y0, x1, y1 float64) {
	t.Helper()
	held := func(p *input.DispatchMouseEventParams) { p.Button, p.Buttons = input.MouseButtonLeft, 1 }
	acts := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(chromedp.MousePressed, x0, y0, held)}
	for i := 1; i <= 5; i++ {
		f := float64(i) / 5
		acts = append(acts, chromedp.MouseEvent(chromedp.MouseMoved, x0+f*(x1-x0), y0+f*(y1-y0), held))
	}
	acts = append(acts, chromedp.MouseEvent(chromedp.MouseReleased, x1, y1, chromedp.ButtonLeft))
	if err := chromedp.Do(ctx, acts...); err != nil {
		t.Fatalf("drag: %v", err)
	}
}

// pinch touches two fingers r0 px left and right of x,y and moves them
// apart to r1 px, in steps, as a phone's pinch does.
func pinch(ctx context.Context, t *testing.T, x, y, r0, r1 float64) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{Enabled: true, MaxTouchPoints: 2}); err != nil {
		t.Fatal(err)
	}
	points := func(r float64) []*input.TouchPoint {
		return []*input.TouchPoint{{X: x - r, Y: y, ID: new(0.0)}, {X: x + r, Y: y, ID: new(1.0)}}
	}
	steps := []input.DispatchTouchEventParams{{Type: input.DispatchTouchEventTypeTouchStart, TouchPoints: points(r0)}}
	for i := 1; i <= 8; i++ {
		steps = append(steps, input.DispatchTouchEventParams{Type: input.DispatchTouchEventTypeTouchMove, TouchPoints: points(r0 + float64(i)/8*(r1-r0))})
	}
	steps = append(steps, input.DispatchTouchEventParams{Type: input.DispatchTouchEventTypeTouchEnd, TouchPoints: []*input.TouchPoint{}})
	for _, p := range steps {
		if _, err := chromedp.Call(ctx, input.DispatchTouchEvent, p); err != nil {
			t.Fatalf("pinch: %v", err)
		}
	}
}

// shot saves the window as docs/screenshots/name, when the run is
// for screenshots (browsertest.Screenshot).
func shot(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	browsertest.Screenshot(t, ctx, name)
}

// mustSub is fs.Sub for the test page, which serves the embedded assets
// under their own names.
func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return sub
}
