package store

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/store/storetest"
	"github.com/commune-org/commune/internal/world"
)

func readWorld(t *testing.T, name string) *world.World {
	t.Helper()
	w, err := world.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func genWorld(t *testing.T, opt world.GenOptions) *world.World {
	t.Helper()
	w, err := world.Generate(opt)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func worldBytes(t *testing.T, w *world.World) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := world.Write(&b, w); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// checkWorld fails unless the store's world is w: byte for byte through
// world.Write, and equal to what world.Read gives from those bytes.
func checkWorld(t *testing.T, s *Store, w *world.World) {
	t.Helper()
	got, err := s.World(context.Background())
	if err != nil {
		t.Fatalf("World: %v", err)
	}
	want := worldBytes(t, w)
	gotBytes := worldBytes(t, got)
	if !bytes.Equal(gotBytes, want) {
		t.Fatalf("World differs from the world put:\n%s", firstDiff(gotBytes, want))
	}
	read, err := world.Read(bytes.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, read) {
		t.Errorf("World is not deeply equal to the world read from its file:\ngot  %+v\nwant %+v", got, read)
	}
}

func firstDiff(got, want []byte) string {
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(gl), len(wl)) {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			return "line " + strconv.Itoa(i+1) + ":\ngot  " + g + "\nwant " + w
		}
	}
	return "same lines"
}

func testWorldRoundTrip(t *testing.T, fresh func(t *testing.T) Config) {
	worlds := []struct {
		name string
		w    func(t *testing.T) *world.World
	}{
		{"neighbourhood", func(t *testing.T) *world.World { return readWorld(t, "../../examples/neighbourhood.json") }},
		{"generated", func(t *testing.T) *world.World {
			return genWorld(t, world.GenOptions{Members: 300, Sites: 15, Products: 30, Skills: 10, Seed: 4})
		}},
		{"generated world area", func(t *testing.T) *world.World {
			return genWorld(t, world.GenOptions{Members: 200, Sites: 12, Products: 25, Skills: 8, Seed: 9, Area: "world"})
		}},
		{"edge", func(t *testing.T) *world.World {
			// The edge world's strings, but for the NUL that PutWorld refuses
			// (see WorldInvalid).
			w := readWorld(t, "../world/testdata/edge.json")
			for i := range w.Sites {
				w.Sites[i].Name = strings.ReplaceAll(w.Sites[i].Name, "\x00", "")
			}
			return w
		}},
		{"empty", func(t *testing.T) *world.World { return &world.World{Format: world.Format} }},
	}
	for _, tc := range worlds {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			cfg := fresh(t)
			s := open(t, cfg)
			w := tc.w(t)
			if err := w.Validate(); err != nil {
				t.Fatalf("the test world is invalid: %v", err)
			}
			before := worldBytes(t, w)
			if err := s.PutWorld(ctx, w); err != nil {
				t.Fatalf("PutWorld: %v", err)
			}
			if !bytes.Equal(worldBytes(t, w), before) {
				t.Fatal("PutWorld changed its argument")
			}
			checkWorld(t, s, w)
			// Put again: the same world replaces itself.
			if err := s.PutWorld(ctx, w); err != nil {
				t.Fatalf("PutWorld again: %v", err)
			}
			checkWorld(t, s, w)
			// And it is still there after reopening.
			s.Close()
			checkWorld(t, open(t, cfg), w)
		})
	}
}

func testWorldReplace(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	// A member with an account, a coordinator of a collective the first
	// world also names.
	if _, err := s.CreateCollective(ctx, Collective{ID: "boyle-heights", Name: "Boyle Heights", Kind: Neighbourhood}); err != nil {
		t.Fatal(err)
	}
	first := readWorld(t, "../../examples/neighbourhood.json")
	m := first.Members[0]
	if _, err := s.CreateMember(ctx, Member{ID: m.ID, Alias: "Lupe", Language: "es", Cell: "9q5c",
		Contact: Contact{Phone: knownPhone}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddMembership(ctx, m.ID, "boyle-heights", RoleCoordinator); err != nil {
		t.Fatal(err)
	}
	if err := s.PutWorld(ctx, first); err != nil {
		t.Fatalf("PutWorld: %v", err)
	}
	checkWorld(t, s, first)
	got, err := s.Member(ctx, m.ID)
	if err != nil || got.Alias != "Lupe" || got.Cell != m.Cell || got.Contact.Phone != knownPhone {
		t.Errorf("member after PutWorld: got %+v, %v: want alias and contact kept, cell %s", got, err, m.Cell)
	}
	roles := func(collective string) map[string]Role {
		t.Helper()
		page, _, err := s.CollectiveMembers(ctx, collective, "", MaxLimit)
		if err != nil {
			t.Fatal(err)
		}
		out := make(map[string]Role)
		for _, ms := range page {
			out[ms.MemberID] = ms.Role
		}
		return out
	}
	if r := roles("boyle-heights")[m.ID]; r != RoleCoordinator {
		t.Errorf("role after PutWorld: got %q, want coordinator kept", r)
	}
	// A world that moves the coordinator and another member to
	// pico-union: the member leaves boyle-heights, the coordinator stays
	// its coordinator, listed after the world's collectives.
	moved := readWorld(t, "../../examples/neighbourhood.json")
	other := moved.Members[1].ID
	moved.Members[0].Collectives = []string{"pico-union"}
	moved.Members[1].Collectives = []string{"pico-union"}
	if err := s.PutWorld(ctx, moved); err != nil {
		t.Fatalf("PutWorld moved: %v", err)
	}
	bh, pu := roles("boyle-heights"), roles("pico-union")
	if bh[m.ID] != RoleCoordinator || pu[m.ID] != RoleMember {
		t.Errorf("coordinator after the move: boyle-heights %q, pico-union %q; want coordinator, member", bh[m.ID], pu[m.ID])
	}
	if _, in := bh[other]; in || pu[other] != RoleMember {
		t.Errorf("member after the move: in boyle-heights %v, pico-union %q; want out, member", in, pu[other])
	}
	got2, err := s.World(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c := got2.Members[0].Collectives; !reflect.DeepEqual(c, []string{"pico-union", "boyle-heights"}) {
		t.Errorf("coordinator's collectives in the world: got %q, want pico-union, boyle-heights", c)
	}
	moved.Members[0].Collectives = append(moved.Members[0].Collectives, "boyle-heights")
	checkWorld(t, s, moved)

	// A second, different world replaces the first entirely; the members
	// of the first stay, without commitment or needs.
	second := genWorld(t, world.GenOptions{Members: 50, Sites: 5, Products: 12, Skills: 5, Seed: 2})
	if err := s.PutWorld(ctx, second); err != nil {
		t.Fatalf("PutWorld second: %v", err)
	}
	checkWorld(t, s, second)
	if _, err := s.Member(ctx, m.ID); err != nil {
		t.Errorf("member of the first world after the second: %v", err)
	}
}

func testWorldInvalid(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	good := readWorld(t, "../../examples/neighbourhood.json")
	if err := s.PutWorld(ctx, good); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateMember(ctx, Member{ID: "m-taken", Alias: "m-9999", Language: "en", Cell: "9q5cs"}); err != nil {
		t.Fatal(err)
	}
	before := dump(t, s)

	breakers := []struct {
		name, field string
		breakIt     func(w *world.World)
	}{
		{"unknown product", "needs[0].product", func(w *world.World) { w.Needs[0].Product = "mael" }},
		{"zero quantity", ".qty", func(w *world.World) { w.Needs[len(w.Needs)-1].Qty = 0 }},
		{"fine cell", "members[0].cell", func(w *world.World) { w.Members[0].Cell = "9q5csxyzw" }},
		{"duplicate site", ".id", func(w *world.World) { w.Sites = append(w.Sites, w.Sites[0]) }},
		{"wrong format", "format", func(w *world.World) { w.Format = "commune.world/v0" }},
		{"unknown skill", "members[0].commitment.skills", func(w *world.World) {
			w.Members[0].Commitment.Skills = append(w.Members[0].Commitment.Skills, "juggle")
		}},
		{"NUL in a name", "sites[1]", func(w *world.World) { w.Sites[1].Name += "\x00" }},
		{"need without who", "needs[0]", func(w *world.World) { w.Needs[0].Member, w.Needs[0].Site = "", "" }},
	}
	for _, tc := range breakers {
		w := genWorld(t, world.GenOptions{Members: 40, Sites: 5, Products: 10, Skills: 5, Seed: 3})
		tc.breakIt(w)
		err := s.PutWorld(ctx, w)
		wantCode(t, tc.name, err, CodeInvalid)
		if err != nil && !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: error %q does not name %s", tc.name, err, tc.field)
		}
	}
	wantCode(t, "nil world", s.PutWorld(ctx, nil), CodeInvalid)

	// Valid, but a member's id is another member's alias: the database
	// refuses it half-way, and the transaction leaves nothing behind.
	w := genWorld(t, world.GenOptions{Members: 40, Sites: 5, Products: 10, Skills: 5, Seed: 3})
	last := &w.Members[len(w.Members)-1]
	for i := range w.Needs {
		if w.Needs[i].Member == last.ID {
			w.Needs[i].Member = "m-9999"
		}
	}
	last.ID = "m-9999"
	if err := w.Validate(); err != nil {
		t.Fatalf("world meant to be valid: %v", err)
	}
	wantCode(t, "member id that is another's alias", s.PutWorld(ctx, w), CodeConflict)

	after := dump(t, s)
	for table, rows := range before {
		if !equalRows(rows, after[table]) {
			t.Errorf("table %s changed by a refused PutWorld:\nbefore %q\nafter  %q", table, rows, after[table])
		}
	}
	checkWorld(t, s, good)
}

func equalRows(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func testDeleteMember(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	cfg := fresh(t)
	s := open(t, cfg)
	w := readWorld(t, "../../examples/neighbourhood.json")
	victim := w.Members[0]
	if len(victim.Collectives) == 0 || len(victim.Commitment.Skills) == 0 {
		t.Fatalf("the example's first member should have collectives and skills: %+v", victim)
	}
	var needID string
	for _, n := range w.Needs {
		if n.Member == victim.ID {
			needID = n.ID
			break
		}
	}
	if needID == "" {
		t.Fatalf("the example's first member has no need")
	}
	if _, err := s.CreateMember(ctx, Member{ID: victim.ID, Alias: "Rosa Elvira", Language: "es", Cell: victim.Cell,
		Contact: Contact{Phone: knownPhone, Email: knownEmail}, CallOptIn: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutWorld(ctx, w); err != nil {
		t.Fatal(err)
	}
	id, err := s.CreatePlanRun(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishPlanRun(ctx, id, smallPlan(victim.ID, needID)); err != nil {
		t.Fatal(err)
	}
	others := len(rowsOf(t, s, "members")) - 1

	if err := s.DeleteMember(ctx, victim.ID); err != nil {
		t.Fatalf("DeleteMember: %v", err)
	}
	// Walk every row of every table: nothing may name the member, their
	// alias or their need, nor hold their contact.
	marks := []string{`"` + victim.ID + `"`, "=" + victim.ID + " ", "=" + victim.ID + "\x00", "Rosa Elvira",
		`"` + needID + `"`, "=" + needID + " ", knownPhone, knownEmail}
	for table, rows := range dump(t, s) {
		for _, r := range rows {
			r += "\x00"
			for _, m := range marks {
				if strings.Contains(r, m) {
					t.Errorf("table %s still refers to the deleted member (%q): %s", table, m, r)
				}
			}
		}
	}
	if n := len(rowsOf(t, s, "members")); n != others {
		t.Errorf("members left: %d, want %d", n, others)
	}
	// The stored plan keeps everyone else.
	r, err := s.PlanRun(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(r.Plan, []byte(`"m-other"`)) || !bytes.Contains(r.Plan, []byte(`"n-other"`)) {
		t.Errorf("scrubbed plan lost the other member:\n%s", r.Plan)
	}
	// The world no longer has them.
	got, err := s.World(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Members) != len(w.Members)-1 {
		t.Errorf("world members: got %d, want %d", len(got.Members), len(w.Members)-1)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("world after deleting a member is invalid: %v", err)
	}

	// Nor can they be read back from the free pages of the SQLite file.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if cfg.PostgresURL == "" {
		for _, name := range []string{DBFile, DBFile + "-wal"} {
			data, err := os.ReadFile(filepath.Join(cfg.DataDir, name))
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(data, []byte("Rosa Elvira")) {
				t.Errorf("%s still holds the deleted member's alias", name)
			}
		}
	}
}

// BenchmarkPutWorld puts and reads back a generated world of 10,000
// members, on SQLite and, when COMMUNE_TEST_POSTGRES is set, PostgreSQL.
func BenchmarkPutWorld(b *testing.B) {
	w, err := world.Generate(world.GenOptions{Members: 10000, Sites: 120, Products: 60, Skills: 20, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, cfg Config) {
		s, err := Open(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		for b.Loop() {
			if err := s.PutWorld(context.Background(), w); err != nil {
				b.Fatal(err)
			}
			if _, err := s.World(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("sqlite", func(b *testing.B) { run(b, Config{DataDir: b.TempDir()}) })
	if base := os.Getenv("COMMUNE_TEST_POSTGRES"); base != "" {
		b.Run("postgres", func(b *testing.B) {
			dsn, _ := storetest.Schema(b, base)
			run(b, Config{PostgresURL: dsn, KeyFile: filepath.Join(b.TempDir(), "key")})
		})
	}
}

func testExport(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	w := readWorld(t, "../../examples/neighbourhood.json")
	wm := w.Members[4]
	m, err := s.CreateMember(ctx, Member{ID: wm.ID, Alias: "Chayo", Language: "es", Cell: wm.Cell,
		Contact: Contact{Email: knownEmail}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutWorld(ctx, w); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateCollective(ctx, Collective{ID: "garment-7", Name: "Garment workers 7", Kind: Workplace}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddMembership(ctx, m.ID, "garment-7", RoleCoordinator); err != nil {
		t.Fatal(err)
	}
	e, err := s.Export(ctx, m.ID)
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	if e.Member != *m {
		t.Errorf("Export member: got %+v, want %+v", e.Member, *m)
	}
	var want []MemberOf
	for _, c := range wm.Collectives {
		want = append(want, MemberOf{CollectiveID: c, Name: c, Kind: OtherKind, Role: RoleMember})
	}
	want = append(want, MemberOf{CollectiveID: "garment-7", Name: "Garment workers 7", Kind: Workplace, Role: RoleCoordinator})
	if !reflect.DeepEqual(e.Memberships, want) {
		t.Errorf("Export memberships: got %+v, want %+v", e.Memberships, want)
	}
	if e.Commitment == nil || !reflect.DeepEqual(*e.Commitment, wm.Commitment) {
		t.Errorf("Export commitment: got %+v, want %+v", e.Commitment, wm.Commitment)
	}
	var needs []world.Need
	for _, n := range w.Needs {
		if n.Member == wm.ID {
			needs = append(needs, n)
		}
	}
	if len(needs) == 0 || !reflect.DeepEqual(e.Needs, needs) {
		t.Errorf("Export needs: got %+v, want %+v", e.Needs, needs)
	}

	lone, err := s.CreateMember(ctx, Member{Alias: "New here", Language: "en", Cell: "9q5c"})
	if err != nil {
		t.Fatal(err)
	}
	if e, err := s.Export(ctx, lone.ID); err != nil || e.Commitment != nil || e.Needs != nil || e.Memberships != nil {
		t.Errorf("Export of a new member: got %+v, %v, want only the member", e, err)
	}
	_, err = s.Export(ctx, "m-nobody")
	wantCode(t, "Export of a missing member", err, CodeNotFound)
}

// testCatalog: the catalog is the world's skills, products and sites, in
// its order, and empty before any world.
func testCatalog(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	c, err := s.Catalog(ctx)
	if err != nil || len(c.Skills)+len(c.Products)+len(c.Sites) != 0 {
		t.Fatalf("Catalog of an empty store: got %+v, %v", c, err)
	}
	w := readWorld(t, "../../examples/neighbourhood.json")
	if err := s.PutWorld(ctx, w); err != nil {
		t.Fatal(err)
	}
	if c, err = s.Catalog(ctx); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Skills, w.Skills) || !reflect.DeepEqual(c.Products, w.Products) || !reflect.DeepEqual(c.Sites, w.Sites) {
		t.Errorf("Catalog: got %+v, want the world's skills, products and sites", c)
	}
}
