package web

import (
	"context"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/world"
)

var (
	svgViewBox = regexp.MustCompile(`^<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 (\d+) (\d+)"`)
	svgRun     = regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`)
)

// decodeQRSVG draws an SVG made by qrSVG onto an image, 6 pixels a
// module, and reads it with ZBar's zbarimg (independent of the encoder),
// returning the text.

func decodeQRSVG(t *testing.T, svg string) string {
	t.Helper()
	m := svgViewBox.FindStringSubmatch(svg)
	if m == nil || m[1] != m[2] || !strings.HasSuffix(svg, `"/></svg>`) {
		t.Fatalf("not an SVG of qrSVG's shape: %.120s", svg)
	}
	n, _ := strconv.Atoi(m[1])
	const scale = 6
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	runs := svgRun.FindAllStringSubmatch(svg, -1)
	if len(runs) == 0 {
		t.Fatal("the SVG has no dark module")
	}
	for _, r := range runs {
		x, _ := strconv.Atoi(r[1])
		y, _ := strconv.Atoi(r[2])
		w, _ := strconv.Atoi(r[3])
		if r[3] != r[4] || x+w > n || y >= n {
			t.Fatalf("bad run %q in a %d-module code", r[0], n)
		}
		for py := y * scale; py < (y+1)*scale; py++ {
			for px := x * scale; px < (x+w)*scale; px++ {
				img.SetGray(px, py, color.Gray{})
			}
		}
	}
	// ZBar reads the picture: an independent decoder in wide use. (An
	// earlier version of this test used a Go port of ZXing, which failed
	// on about one code in sixty that ZBar and phones read.)
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		if os.Getenv("COMMUNE_STRICT") != "" {
			t.Fatal("zbarimg is not installed (apt-get install zbar-tools); scripts/test installs it")
		}
		t.Skip("zbarimg is not installed (apt-get install zbar-tools)")
	}
	file := filepath.Join(t.TempDir(), "qr.png")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(zbar, "--raw", "-q", file).Output()
	if err != nil {
		t.Fatalf("zbarimg read nothing: %v", err)
	}
	return strings.TrimSuffix(string(out), "\n")
}

// TestInviteQR: the QR code of a new invite holds its URL.
func TestInviteQR(t *testing.T) {
	e := newOrgEnv(t)
	inv := e.newInvite(t, e.coordA, "c-a", nil)
	if got := decodeQRSVG(t, inv.QRSVG); got != inv.URL {
		t.Errorf("the QR code reads %q, want the invite's URL %q", got, inv.URL)
	}
	// The decoder tells codes apart: another text reads differently.
	other, err := qrSVG("https://commune.example.org/join/" + strings.Repeat("a", 56))
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeQRSVG(t, other); got == inv.URL || !strings.HasSuffix(got, strings.Repeat("a", 56)) {
		t.Errorf("another QR code reads %q", got)
	}
}

// TestCoverage: a coordinator reads their collective's coverage from the
// latest plan run, made by the planner on the example world; the
// numbers are those of the plan's allocations and assignments for the
// collective's members, and no member is named.
func TestCoverage(t *testing.T) {
	e := newOrgEnv(t)
	ctx := context.Background()
	wd, err := world.ReadFile("../../examples/neighbourhood.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.PutWorld(ctx, wd); err != nil {
		t.Fatal(err)
	}
	boyle := e.person(t, "boyle-coordinator", "coordinator", "boyle-heights", "")
	pico := e.person(t, "pico-coordinator", "coordinator", "pico-union", "")
	const path = "/api/v1/collectives/boyle-heights/coverage"
	if r := e.call(t, "GET", path, boyle, "es", nil); r.status != 404 || errorOf(t, r).Message != messagesES[msgNoPlanDone] {
		t.Errorf("coverage before any plan: got %d %s, want 404 no plan in Spanish", r.status, r.body)
	}
	stored, err := e.store.World(ctx)
	if err != nil {
		t.Fatal(err)
	}
	run, p := planStored(t, e.store)

	e.must(t, 403, "GET", path, pico, nil, nil)
	var cov coverageBody
	e.must(t, 200, "GET", path, boyle, nil, &cov)

	// What the plan says of boyle-heights' members, summed here.
	in := map[string]bool{}
	var committed float64
	for _, m := range stored.Members {
		if slices.Contains(m.Collectives, "boyle-heights") {
			in[m.ID] = true
			committed += m.Commitment.Hours
		}
	}
	alloc := map[string]float64{}
	for _, a := range p.Allocations {
		alloc[a.Need] = a.Qty
	}
	want := map[world.Tier]tierCoverage{}
	var needs []string
	for _, n := range stored.Needs {
		if !in[n.Member] {
			continue
		}
		needs = append(needs, n.ID)
		tc := want[n.Tier]
		if tc.Needs == 0 {
			tc.MinCoverage = 1
		}
		tc.Needs++
		tc.Needed += n.Qty
		tc.Met += alloc[n.ID]
		tc.MinCoverage = math.Min(tc.MinCoverage, math.Min(alloc[n.ID]/n.Qty, 1))
		want[n.Tier] = tc
	}
	var assigned float64
	for _, a := range p.Assignments {
		if in[a.Member] {
			assigned += a.Hours
		}
	}
	if cov.PlanRun != run || cov.Members != len(in)+1 || cov.UnplannedNeeds != 0 {
		t.Errorf("coverage: run %d, %d members, %d unplanned; want %d, %d, 0", cov.PlanRun, cov.Members, cov.UnplannedNeeds, run, len(in)+1)
	}
	for tier, w := range want {
		g := cov.Tiers[tier]
		if g.Needs != w.Needs || math.Abs(g.Needed-w.Needed) > 1e-9 || math.Abs(g.Met-w.Met) > 1e-6 || math.Abs(g.MinCoverage-w.MinCoverage) > 1e-6 {
			t.Errorf("tier %s: got %+v, want %+v", tier, g, w)
		}
	}
	if math.Abs(cov.Labor.CommittedHours-committed) > 1e-9 || math.Abs(cov.Labor.AssignedHours-assigned) > 1e-6 || assigned == 0 {
		t.Errorf("labor: got %+v, want %v committed, %v assigned", cov.Labor, committed, assigned)
	}
	var wantShort []string
	for _, sf := range p.Shortfalls {
		if slices.Contains(needs, sf.Need) {
			wantShort = append(wantShort, sf.Need)
		}
	}
	var gotShort []string
	for _, sf := range cov.Shortfalls {
		gotShort = append(gotShort, sf.Need)
		if sf.Reason == "" || sf.Cause.Kind == "" || sf.Missing <= 0 {
			t.Errorf("shortfall without its reason: %+v", sf)
		}
	}
	if !slices.Equal(gotShort, wantShort) {
		t.Errorf("shortfalls: got %v, want %v", gotShort, wantShort)
	}
	r := e.call(t, "GET", path, e.organizer, "", nil)
	for id := range in {
		if strings.Contains(string(r.body), `"`+id+`"`) {
			t.Errorf("the coverage names member %s: %s", id, r.body)
		}
	}
}
