package cli

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/demo"
	"github.com/commune-org/commune/internal/store"
)

// TestSeedDemo: the demo's database holds its collectives with their
// names, its members with their aliases, its coordinators, the world
// and a done plan; a second start reuses it.
func TestSeedDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("plans the demo world")
	}
	ctx := context.Background()
	dir := t.TempDir()
	var stderr bytes.Buffer
	c := &command{cfg: Config{Lang: "en"}, stdout: &bytes.Buffer{}, stderr: &stderr}
	if err := c.seedDemo(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "creating the demo organization") || !strings.Contains(stderr.String(), "planned in") {
		t.Errorf("stderr: got %q, want the seeding and the plan reported", stderr.String())
	}
	stderr.Reset()
	if err := c.seedDemo(ctx, dir); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "using the demo organization already in") {
		t.Errorf("second start: got %q, want the demo reused", stderr.String())
	}

	st, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d := demo.Build()
	col, err := st.Collective(ctx, "boyle-heights")
	if err != nil || col.Name != "Boyle Heights" || col.Kind != store.Neighbourhood {
		t.Errorf("collective boyle-heights: got %+v, %v", col, err)
	}
	m, err := st.Member(ctx, d.Member)
	if err != nil || m.Alias != d.People[indexOf(d, d.Member)].Alias || !m.CallOptIn {
		t.Errorf("member %s: got %+v, %v; want the demo's alias, asking for calls", d.Member, m, err)
	}
	// How the demo's people take urgent calls (demo/calls.go).
	if set, err := st.MemberCallSettings(ctx, d.Member); err != nil || set.ReachKm != demo.DemoMemberReachKm || len(set.Week) != 0 {
		t.Errorf("the demo's member's call settings: got %+v, %v; want %d km at any time", set, err, demo.DemoMemberReachKm)
	}
	if set, err := st.CollectiveCallSettings(ctx, "roosevelt-hs"); err != nil || len(set.SchoolWeek) != 5 || !set.Verify {
		t.Errorf("a school's call settings: got %+v, %v; want its hours, five days, and calls verified", set, err)
	}
	w, err := st.World(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Members) != len(d.World.Members) || len(w.Needs) != len(d.World.Needs) || len(w.Recipes) != len(d.World.Recipes) {
		t.Errorf("world: got %d members, %d needs, %d recipes; want %d, %d, %d", len(w.Members), len(w.Needs), len(w.Recipes),
			len(d.World.Members), len(d.World.Needs), len(d.World.Recipes))
	}
	ms, _, err := st.CollectiveMembers(ctx, "boyle-heights", "", store.MaxLimit)
	if err != nil {
		t.Fatal(err)
	}
	var coordinator string
	for _, m := range ms {
		if m.Role == store.RoleCoordinator {
			coordinator = m.MemberID
		}
	}
	if coordinator != d.Coordinator {
		t.Errorf("coordinator of boyle-heights: got %q, want %q", coordinator, d.Coordinator)
	}
	if si, err := st.SignIns(ctx, d.Organizer); err != nil || !si.Organizer {
		t.Errorf("the demo's organizer %s: got %+v, %v; want an organizer", d.Organizer, si, err)
	}
	run, err := st.PlanRun(ctx, 1)
	if err != nil || run.Status != store.RunDone {
		t.Errorf("plan run 1: got %+v, %v; want done", run, err)
	}

	// The May Day march, ahead, for the demo's member, who has not
	// answered; Boyle Heights' contingent led by its coordinator.
	events, err := st.Events(ctx, d.Member, time.Now())
	if err != nil || len(events) != 1 || events[0].Starts.Month() != time.May || !events[0].Starts.After(time.Now()) {
		t.Fatalf("the demo member's events: got %+v, %v; want the May Day march ahead", events, err)
	}
	march := events[0]
	if r, err := st.MyRSVP(ctx, march.ID, d.Member); err != nil || r != nil {
		t.Errorf("the demo's member's answer: got %+v, %v; want none yet", r, err)
	}
	if c, err := st.Contingent(ctx, march.ID, "boyle-heights"); err != nil || c.Marshal != d.Coordinator || c.MeetSite != "kitchen-boyle" || !c.MeetAt.Before(march.Starts) {
		t.Errorf("Boyle Heights' contingent: got %+v, %v; want its coordinator at the kitchen before the start", c, err)
	}
	counts, err := st.EventCounts(ctx, march.ID)
	yes := 0
	for _, c := range counts {
		yes += c.Yes
	}
	if err != nil || len(counts) != 6 || yes == 0 {
		t.Errorf("the march's counts: got %+v, %v; want six contingents and some answering yes", counts, err)
	}
	// The newspaper: six articles published, in pairs of translations,
	// in the first edition, and the member's in review.
	published, err := st.Articles(ctx, store.ArticleFilter{State: store.Published})
	if err != nil || len(published) != 6 {
		t.Fatalf("published articles: got %d, %v; want 6", len(published), err)
	}
	for _, a := range published {
		if a.Translation == "" {
			t.Errorf("article %q has no translation", a.Title)
		}
	}
	review, err := st.Articles(ctx, store.ArticleFilter{State: store.Review, Author: d.Member})
	if err != nil || len(review) != 1 {
		t.Errorf("the demo member's articles in review: got %d, %v; want 1", len(review), err)
	}
	editions, err := st.Editions(ctx)
	if err != nil || len(editions) != 1 {
		t.Fatalf("editions: got %+v, %v; want one", editions, err)
	}
	if e, err := st.Edition(ctx, editions[0].ID); err != nil || len(e.Articles) != 6 {
		t.Errorf("the first edition: got %+v, %v; want its six articles", e, err)
	}
	if ok, err := st.IsEditor(ctx, d.Organizer); err != nil || !ok {
		t.Errorf("the demo's organizer an editor: got %v, %v", ok, err)
	}
}

func indexOf(d *demo.Demo, member string) int {
	for i, m := range d.World.Members {
		if m.ID == member {
			return i
		}
	}
	return -1
}

// TestDemoInterrupted: a demo interrupted (Ctrl-C) before its server
// starts, while it creates the organization, says so and exits 130, as
// plan does, and so does serve interrupted while it opens its store;
// they exited 1 with the store's English "context canceled". The
// server itself, stopped so once it serves, shuts down cleanly (exit 0,
// TestServe).
func TestDemoInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, cmd := range []string{"demo", "serve"} {
		for lang, want := range map[string]string{"en": "commune: interrupted\n", "es": "commune: interrumpido\n"} {
			var stdout, stderr bytes.Buffer
			code := Run(ctx, Config{Lang: lang}, []string{cmd, "--data", t.TempDir(), "--addr", "127.0.0.1:0"}, &stdout, &stderr)
			if code != 130 || stdout.Len() != 0 || !strings.HasSuffix(stderr.String(), want) {
				t.Errorf("%s %s: got exit %d, stdout %q, stderr %q; want exit 130 and %q", lang, cmd, code, stdout.String(), stderr.String(), want)
			}
		}
	}
}

// TestDemoInterruptedWhilePlanning: a demo interrupted once its
// organization is stored, while it plans, leaves no data directory, and
// the next start creates and plans the demo whole; it used to find the
// organization and take it, without a plan.
func TestDemoInterruptedWhilePlanning(t *testing.T) {
	if testing.Short() {
		t.Skip("plans the demo world")
	}
	dir := filepath.Join(t.TempDir(), "demo")
	ctx, cancel := context.WithCancel(t.Context())
	demoStored = cancel
	defer func() { demoStored = nil }()
	c := &command{cfg: Config{Lang: "en"}, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	if err := c.seedDemo(ctx, dir); err == nil {
		t.Fatal("a demo interrupted while it plans: no error")
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("after the interruption: %s exists (%v)", dir, err)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".commune-demo-*"))
	if len(left) > 0 {
		t.Errorf("after the interruption: %v left behind", left)
	}

	demoStored = nil
	var stderr bytes.Buffer
	c.stderr = &stderr
	if err := c.seedDemo(t.Context(), dir); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "creating the demo organization in "+dir) || !strings.Contains(stderr.String(), "planned in") {
		t.Errorf("next start: got %q, want the demo created and planned", stderr.String())
	}
	st, err := store.Open(t.Context(), store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if run, err := st.PlanRun(t.Context(), 1); err != nil || run.Status != store.RunDone {
		t.Errorf("plan run 1: got %+v, %v; want done", run, err)
	}
}

// TestDemoRefusesOtherData: commune demo given the data directory of a
// real organization (a mistyped or copied --data) refuses it, in the
// user's language, and writes nothing there. It used to store the demo
// in it, its world replacing the organization's catalog, sites, needs
// and commitments, and then served one-click links signing anyone in
// as its organizer. An organization that has a collective of the demo's
// name is no demo either.
func TestDemoRefusesOtherData(t *testing.T) {
	ctx := context.Background()
	for _, collective := range []string{"taller-norte", "boyle-heights"} {
		dir := t.TempDir()
		st, err := store.Open(ctx, store.Config{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateCollective(ctx, store.Collective{ID: collective, Name: "Taller", Kind: store.Workplace}); err != nil {
			t.Fatal(err)
		}
		m, err := st.CreateMember(ctx, store.Member{Alias: "Rosa", Language: "es", Cell: "9q5cw"})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.AddMembership(ctx, m.ID, collective, store.RoleCoordinator); err != nil {
			t.Fatal(err)
		}
		st.Close()
		for lang, want := range map[string]string{"en": "not the demo's", "es": "no es la de la demostración"} {
			var stderr bytes.Buffer
			c := &command{cfg: Config{Lang: lang}, stdout: &bytes.Buffer{}, stderr: &stderr}
			err := c.seedDemo(ctx, dir)
			var ue usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), dir) {
				t.Errorf("%s, a collective %s: got %v (stderr %q), want a usage error naming %s and saying %q", lang, collective, err, stderr.String(), dir, want)
			}
		}
		st, err = store.Open(ctx, store.Config{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		cols, _, err := st.Collectives(ctx, "", 100)
		if err != nil || len(cols) != 1 || cols[0].ID != collective {
			t.Errorf("a collective %s: after the demo, collectives %v (%v), want only %s", collective, cols, err, collective)
		}
		if _, err := st.Member(ctx, demo.Build().Organizer); store.ErrorCode(err) != store.CodeNotFound {
			t.Errorf("a collective %s: the demo's organizer was stored (%v)", collective, err)
		}
		st.Close()
	}
}

// TestDemoPublicAddress: the demo signs in as its organizer anyone who
// opens its links, so on an address other machines may reach (every
// interface, 0.0.0.0 or ":PORT") it refuses to start, saying why and
// what to do, in the user's language, before it creates anything; with
// --public it starts there, and warns. It started on 0.0.0.0 without a
// word. Loopback addresses, localhost included, need nothing.
func TestDemoPublicAddress(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0"} {
		for lang, want := range map[string]string{
			"en": "other machines may reach this address, and the demo signs in as its organizer, with one click, anyone who opens its links; listen on 127.0.0.1, or add --public",
			"es": "a esta dirección pueden llegar otras máquinas, y la demostración abre con un clic la sesión de su organizadora a cualquiera que abra sus enlaces; escuche en 127.0.0.1, o agregue --public",
		} {
			dir := filepath.Join(t.TempDir(), "demo")
			// A demo that started after all stops at the deadline.
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			var stdout, stderr syncBuffer
			code := Run(ctx, Config{Lang: lang}, []string{"demo", "--data", dir, "--addr", addr}, &stdout, &stderr)
			cancel()
			out, errOut := stdout.String(), stderr.String()
			if code != exitUsage || out != "" || !strings.Contains(errOut, "--addr "+addr+": "+want) {
				t.Errorf("%s, --addr %s: got exit %d, stdout %q, stderr %q; want exit 2 saying %q", lang, addr, code, out, errOut, want)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s, --addr %s: the data directory was made (%v)", lang, addr, err)
			}
		}
	}
	for _, ip := range []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback, net.IPv4(127, 0, 1, 1)} {
		if !loopback(&net.TCPAddr{IP: ip}) {
			t.Errorf("%s: not taken for a loopback address", ip)
		}
	}
	for _, ip := range []net.IP{net.IPv4zero, net.IPv6unspecified, net.IPv4(192, 168, 1, 20)} {
		if loopback(&net.TCPAddr{IP: ip}) {
			t.Errorf("%s: taken for a loopback address", ip)
		}
	}
	if testing.Short() {
		return // the rest plans the demo
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, Config{Lang: "en"}, []string{"demo", "--public", "--data", filepath.Join(t.TempDir(), "demo"), "--addr", "0.0.0.0:0"},
			&stdout, &stderr)
	}()
	for deadline := time.Now().Add(2 * time.Minute); !strings.Contains(stdout.String(), "commune demo is running at"); time.Sleep(20 * time.Millisecond) {
		select {
		case code := <-done:
			t.Fatalf("demo --public exited %d: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo --public did not start: %s", stderr.String())
		}
	}
	if !strings.Contains(stderr.String(), "WARNING: the demo listens on 0.0.0.0:") || !strings.Contains(stderr.String(), "anyone who reaches it can sign in as its organizer") {
		t.Errorf("demo --public: stderr %q, want the warning", stderr.String())
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("demo --public: exit %d after stop", code)
	}
}
