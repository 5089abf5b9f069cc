package store

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/plan"
)

func testMigrations(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	cfg := fresh(t)
	ms, err := loadMigrations(sqliteDialect)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := loadMigrations(postgresDialect)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != len(pg) || ms[len(ms)-1].version != pg[len(pg)-1].version {
		t.Fatalf("sqlite has %d migrations, postgres %d: each needs the same numbers", len(ms), len(pg))
	}
	last := ms[len(ms)-1].version
	for i := range 2 {
		s, err := Open(ctx, cfg)
		if err != nil {
			t.Fatalf("open %d: %v", i+1, err)
		}
		// Applying them once more on an open store changes nothing either.
		if err := s.migrate(ctx, 0); err != nil {
			t.Errorf("open %d: migrate again: %v", i+1, err)
		}
		v, err := s.SchemaVersion(ctx)
		if err != nil || v != last {
			t.Errorf("open %d: SchemaVersion: got %d, %v, want %d", i+1, v, err, last)
		}
		var n int
		if err := s.read.QueryRow(`SELECT COUNT(*) FROM schema_version`).Scan(&n); err != nil || n != len(ms) {
			t.Errorf("open %d: schema_version has %d rows (%v), want %d", i+1, n, err, len(ms))
		}
		if err := s.Close(); err != nil {
			t.Errorf("close %d: %v", i+1, err)
		}
	}
}

func testCollectives(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	kinds := []CollectiveKind{Workplace, School, Neighbourhood, OtherKind, Workplace}
	var ids []string
	for i, k := range kinds {
		c, err := s.CreateCollective(ctx, Collective{ID: "c-" + string(rune('a'+i)), Name: "Collective " + string(rune('A'+i)), Kind: k})
		if err != nil {
			t.Fatalf("CreateCollective %d: %v", i, err)
		}
		ids = append(ids, c.ID)
		got, err := s.Collective(ctx, c.ID)
		if err != nil {
			t.Fatalf("Collective(%q): %v", c.ID, err)
		}
		if *got != *c {
			t.Errorf("Collective(%q): got %+v, want %+v", c.ID, got, c)
		}
	}
	random, err := s.CreateCollective(ctx, Collective{Name: "Escuela Roosevelt", Kind: School})
	if err != nil {
		t.Fatalf("CreateCollective without id: %v", err)
	}
	if !strings.HasPrefix(random.ID, "c-") || checkID("id", random.ID) != nil {
		t.Errorf("random id %q", random.ID)
	}
	ids = append(ids, random.ID)

	_, err = s.CreateCollective(ctx, Collective{ID: "c-a", Name: "again", Kind: School})
	wantCode(t, "duplicate id", err, CodeConflict)
	for _, bad := range []Collective{
		{ID: "c-x", Name: "x", Kind: "factory"},
		{ID: "C X", Name: "x", Kind: School},
		{ID: "c-y", Name: "", Kind: School},
		{ID: "c-z", Name: " padded", Kind: School},
	} {
		_, err := s.CreateCollective(ctx, bad)
		wantCode(t, "CreateCollective "+bad.ID, err, CodeInvalid)
	}
	_, err = s.Collective(ctx, "c-missing")
	wantCode(t, "Collective of a missing id", err, CodeNotFound)

	// Pages of 2 list every collective once, in a stable order.
	var seen []string
	after := ""
	for pages := 0; ; pages++ {
		if pages > len(ids) {
			t.Fatal("paging does not end")
		}
		cs, next, err := s.Collectives(ctx, after, 2)
		if err != nil {
			t.Fatalf("Collectives(%q, 2): %v", after, err)
		}
		if len(cs) > 2 {
			t.Fatalf("page of %d, want at most 2", len(cs))
		}
		for _, c := range cs {
			seen = append(seen, c.ID)
		}
		if next == "" {
			break
		}
		after = next
	}
	all, next, err := s.Collectives(ctx, "", 0)
	if err != nil || next != "" {
		t.Fatalf("Collectives all: next %q, %v", next, err)
	}
	var allIDs []string
	for _, c := range all {
		allIDs = append(allIDs, c.ID)
	}
	if !slices.Equal(seen, allIDs) {
		t.Errorf("pages of 2 gave %v, one page %v", seen, allIDs)
	}
	slices.Sort(ids)
	got := slices.Clone(allIDs)
	slices.Sort(got)
	if !slices.Equal(got, ids) {
		t.Errorf("listed %v, want %v", got, ids)
	}
	_, _, err = s.Collectives(ctx, "", MaxLimit+1)
	wantCode(t, "limit too large", err, CodeInvalid)
}

func testMembers(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	in := Member{ID: "m-rosa", Alias: "Rosa", Language: "es", Cell: "9q5cs",
		Contact: Contact{Phone: "+1 213 555 0147", Email: "rosa@example.org"}, CallOptIn: true}
	m, err := s.CreateMember(ctx, in)
	if err != nil {
		t.Fatalf("CreateMember: %v", err)
	}
	got, err := s.Member(ctx, m.ID)
	if err != nil {
		t.Fatalf("Member: %v", err)
	}
	if *got != *m {
		t.Errorf("Member: got %+v, want %+v", got, m)
	}
	if got, err := s.MemberByAlias(ctx, "Rosa"); err != nil || *got != *m {
		t.Errorf("MemberByAlias: got %+v, %v, want %+v", got, err, m)
	}
	_, err = s.MemberByAlias(ctx, "Nobody")
	wantCode(t, "MemberByAlias of a missing alias", err, CodeNotFound)
	if err != nil && strings.Contains(err.Error(), "Nobody") {
		t.Errorf("error %q names the alias", err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
	quiet, err := s.CreateMember(ctx, Member{Alias: "Quiet one", Language: "en", Cell: "9q5c"})
	if err != nil {
		t.Fatalf("CreateMember without contact or id: %v", err)
	}
	if got, err := s.Member(ctx, quiet.ID); err != nil || *got != *quiet {
		t.Errorf("Member without contact: got %+v, %v, want %+v", got, err, quiet)
	}

	_, err = s.CreateMember(ctx, Member{ID: "m-other", Alias: "Rosa", Language: "es", Cell: "9q5cs"})
	wantCode(t, "taken alias", err, CodeConflict)
	for name, bad := range map[string]Member{
		"cell too precise": {Alias: "a", Language: "es", Cell: "9q5csxyz"},
		"cell too coarse":  {Alias: "b", Language: "es", Cell: "9q5"},
		"cell not geohash": {Alias: "c", Language: "es", Cell: "9qa5"},
		"no language":      {Alias: "d", Cell: "9q5cs"},
		"no alias":         {Language: "es", Cell: "9q5cs"},
		"bad id":           {ID: "M 1", Alias: "e", Language: "es", Cell: "9q5cs"},
	} {
		_, err := s.CreateMember(ctx, bad)
		wantCode(t, name, err, CodeInvalid)
	}

	if err := s.DeleteMember(ctx, m.ID); err != nil {
		t.Fatalf("DeleteMember: %v", err)
	}
	_, err = s.Member(ctx, m.ID)
	wantCode(t, "Member after delete", err, CodeNotFound)
	wantCode(t, "DeleteMember twice", s.DeleteMember(ctx, m.ID), CodeNotFound)
	var n int
	if err := s.read.QueryRow(`SELECT COUNT(*) FROM members WHERE id = $1`, m.ID).Scan(&n); err != nil || n != 0 {
		t.Errorf("rows of a deleted member: %d (%v), want 0", n, err)
	}
	// The alias is free again.
	if _, err := s.CreateMember(ctx, in); err != nil {
		t.Errorf("CreateMember after delete: %v", err)
	}
}

func testMemberships(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	for _, id := range []string{"c-1", "c-2"} {
		if _, err := s.CreateCollective(ctx, Collective{ID: id, Name: id, Kind: Workplace}); err != nil {
			t.Fatal(err)
		}
	}
	var want []Membership
	for i := range 5 {
		m, err := s.CreateMember(ctx, Member{ID: "m-" + string(rune('a'+i)), Alias: "alias " + string(rune('a'+i)),
			Language: "en", Cell: "9q5cs"})
		if err != nil {
			t.Fatal(err)
		}
		role := RoleMember
		if i == 3 {
			role = RoleCoordinator
		}
		if err := s.AddMembership(ctx, m.ID, "c-1", role); err != nil {
			t.Fatalf("AddMembership(%s): %v", m.ID, err)
		}
		want = append(want, Membership{MemberID: m.ID, Alias: m.Alias, Role: role})
	}
	if err := s.AddMembership(ctx, "m-a", "c-2", RoleMember); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "AddMembership twice", s.AddMembership(ctx, "m-a", "c-1", RoleMember), CodeConflict)
	wantCode(t, "AddMembership to a missing collective", s.AddMembership(ctx, "m-a", "c-9", RoleMember), CodeNotFound)
	wantCode(t, "AddMembership of a missing member", s.AddMembership(ctx, "m-z", "c-1", RoleMember), CodeNotFound)
	wantCode(t, "AddMembership with a bad role", s.AddMembership(ctx, "m-b", "c-2", "organizer"), CodeInvalid)

	var got []Membership
	after := ""
	for range 10 {
		page, next, err := s.CollectiveMembers(ctx, "c-1", after, 2)
		if err != nil {
			t.Fatalf("CollectiveMembers: %v", err)
		}
		got = append(got, page...)
		if next == "" {
			break
		}
		after = next
	}
	if !slices.Equal(got, want) {
		t.Errorf("members of c-1: got %+v, want %+v", got, want)
	}
	if page, _, err := s.CollectiveMembers(ctx, "c-2", "", 0); err != nil || len(page) != 1 || page[0].MemberID != "m-a" {
		t.Errorf("members of c-2: got %+v, %v, want m-a", page, err)
	}
	_, _, err := s.CollectiveMembers(ctx, "c-9", "", 0)
	wantCode(t, "members of a missing collective", err, CodeNotFound)
}

// Known contact details, searched for in the raw database.
var (
	knownPhone = "+52 55 5555 0199"
	knownEmail = "marisol.organiza@example.net"
)

func testContactSealed(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	cfg := fresh(t)
	s, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.CreateMember(ctx, Member{ID: "m-marisol", Alias: "Marisol", Language: "es", Cell: "9g3qr",
		Contact: Contact{Phone: knownPhone, Email: knownEmail}})
	if err != nil {
		t.Fatal(err)
	}
	// Everything the database holds, as PostgreSQL's dump would show it.
	for table, rows := range dump(t, s) {
		for _, r := range rows {
			if strings.Contains(r, knownPhone) || strings.Contains(r, knownEmail) {
				t.Errorf("table %s holds a contact in clear: %s", table, r)
			}
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if cfg.PostgresURL == "" {
		// The raw file, and the WAL if Close left one.
		for _, name := range []string{DBFile, DBFile + "-wal", DBFile + "-journal"} {
			data, err := os.ReadFile(filepath.Join(cfg.DataDir, name))
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if name == DBFile && !bytes.Contains(data, []byte("Marisol")) {
				t.Errorf("%s does not hold the member's alias: the search looks in the wrong place", name)
			}
			for _, secret := range []string{knownPhone, knownEmail, "marisol.organiza", "5555 0199"} {
				if bytes.Contains(data, []byte(secret)) {
					t.Errorf("%s holds %q in clear", name, secret)
				}
			}
		}
	}
	keyPath := cfg.KeyFile
	if keyPath == "" {
		keyPath = filepath.Join(cfg.DataDir, "key")
	}
	fi, err := os.Stat(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 || fi.Size() != keySize {
		t.Errorf("key file: mode %v, %d bytes, want 0600 and %d", fi.Mode().Perm(), fi.Size(), keySize)
	}
	// Reopened with the same key, the contact opens again.
	s = open(t, cfg)
	if got, err := s.Member(ctx, m.ID); err != nil || got.Contact != m.Contact {
		t.Errorf("contact after reopening: got %+v, %v, want %+v", got, err, m.Contact)
	}
	s.Close()
	// Without the key file, Open refuses rather than make a new key
	// under which the stored contacts would never open.
	hidden := keyPath + ".hidden"
	if err := os.Rename(keyPath, hidden); err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, cfg)
	wantCode(t, "Open without the key file", err, CodeUnavailable)
	if err := os.Rename(hidden, keyPath); err != nil {
		t.Fatal(err)
	}
}

func sealedContacts(t *testing.T, s *Store) map[string][]byte {
	t.Helper()
	rows, err := s.read.Query(`SELECT id, contact FROM members WHERE contact IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := make(map[string][]byte)
	for rows.Next() {
		var id string
		var sealed []byte
		if err := rows.Scan(&id, &sealed); err != nil {
			t.Fatal(err)
		}
		out[id] = sealed
	}
	return out
}

func testRotateKey(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	cfg := fresh(t)
	s := open(t, cfg)
	want := map[string]Contact{}
	for i := range 20 {
		c := Contact{Phone: "+1 213 555 01" + string(rune('0'+i/10)) + string(rune('0'+i%10))}
		if i%3 == 0 {
			c.Email = "member" + string(rune('a'+i)) + "@example.org"
		}
		m, err := s.CreateMember(ctx, Member{Alias: "member " + string(rune('a'+i)), Language: "en", Cell: "9q5cs", Contact: c})
		if err != nil {
			t.Fatal(err)
		}
		want[m.ID] = c
	}
	keyPath := cfg.KeyFile
	if keyPath == "" {
		keyPath = filepath.Join(cfg.DataDir, "key")
	}
	oldKey, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	before := sealedContacts(t, s)
	if err := s.RotateKey(ctx); err != nil {
		t.Fatalf("RotateKey: %v", err)
	}
	after := sealedContacts(t, s)
	for id, c := range want {
		if bytes.Equal(before[id], after[id]) {
			t.Errorf("member %s: sealed contact unchanged by RotateKey", id)
		}
		if got, err := s.Member(ctx, id); err != nil || got.Contact != c {
			t.Errorf("member %s after RotateKey: got %+v, %v, want %+v", id, got, err, c)
		}
		// The old key no longer opens it.
		aead, _ := newAEAD(oldKey)
		if _, err := unseal(aead, id, after[id]); err == nil {
			t.Errorf("member %s: the old key opens the new sealed contact", id)
		}
	}
	newKey, err := os.ReadFile(keyPath)
	if err != nil || bytes.Equal(newKey, oldKey) || len(newKey) != keySize {
		t.Errorf("key file after RotateKey: %d bytes, %v, same as before %v", len(newKey), err, bytes.Equal(newKey, oldKey))
	}
	if fi, err := os.Stat(keyPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode after RotateKey: %v, %v", fi.Mode().Perm(), err)
	}
	if _, err := os.Stat(keyPath + ".new"); !os.IsNotExist(err) {
		t.Errorf("RotateKey left %s.new: %v", keyPath, err)
	}
	s.Close()
	s = open(t, cfg)
	for id, c := range want {
		if got, err := s.Member(ctx, id); err != nil || got.Contact != c {
			t.Errorf("member %s after reopening: got %+v, %v, want %+v", id, got, err, c)
		}
	}

	// A rotation cut short after the commit, before the rename: Open
	// finds the ".new" key opens the contacts and puts it in place.
	s.Close()
	s2, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	current, _ := os.ReadFile(keyPath)
	if err := s2.RotateKey(ctx); err != nil {
		t.Fatal(err)
	}
	s2.Close()
	rotated, _ := os.ReadFile(keyPath)
	if err := os.WriteFile(keyPath+".new", rotated, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, current, 0o600); err != nil {
		t.Fatal(err)
	}
	s = open(t, cfg)
	for id, c := range want {
		if got, err := s.Member(ctx, id); err != nil || got.Contact != c {
			t.Errorf("member %s after an interrupted rotation: got %+v, %v, want %+v", id, got, err, c)
		}
	}
	if _, err := os.Stat(keyPath + ".new"); !os.IsNotExist(err) {
		t.Errorf("Open left %s.new: %v", keyPath, err)
	}
}

// smallPlan is a plan as the planner writes it, about the members and
// needs given.
func smallPlan(member, need string) *plan.Plan {
	return &plan.Plan{
		Format: plan.Format,
		World:  plan.Counts{Members: 2, Sites: 1, Products: 1, Recipes: 1, Needs: 2},
		Status: "optimal",
		Labor:  plan.LaborSummary{CommittedHours: 12, AssignedHours: 9},
		Assignments: []plan.Assignment{
			{Member: member, Site: "kitchen-boyle", Skill: "cook", Hours: 6},
			{Member: "m-other", Site: "kitchen-boyle", Skill: "cook", Hours: 3},
		},
		Flows: []plan.Flow{
			{Product: "meal", From: "kitchen-boyle", ToNeed: need, Qty: 14, Km: 1.2},
			{Product: "meal", From: "kitchen-boyle", ToNeed: "n-other", Qty: 7, Km: 0.4},
		},
		Allocations: []plan.Allocation{{Need: need, Qty: 14}, {Need: "n-other", Qty: 7}},
		LaborValues: map[string]float64{"meal": 0.06},
		Solver:      plan.SolverInfo{Name: "builtin"},
	}
}

func testPlanRuns(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	id, err := s.CreatePlanRun(ctx)
	if err != nil {
		t.Fatalf("CreatePlanRun: %v", err)
	}
	r, err := s.PlanRun(ctx, id)
	if err != nil || r.Status != RunQueued || r.Progress != 0 || r.Plan != nil || r.Error != "" {
		t.Fatalf("new run: got %+v, %v, want queued", r, err)
	}
	if err := s.SetPlanRunProgress(ctx, id, 0.25); err != nil {
		t.Fatal(err)
	}
	if r, err := s.PlanRun(ctx, id); err != nil || r.Status != RunRunning || r.Progress != 0.25 {
		t.Errorf("after progress: got %+v, %v, want running at 0.25", r, err)
	}
	wantCode(t, "progress 2", s.SetPlanRunProgress(ctx, id, 2), CodeInvalid)
	p := smallPlan("m-0001", "n-0001")
	if err := s.FinishPlanRun(ctx, id, p); err != nil {
		t.Fatalf("FinishPlanRun: %v", err)
	}
	r, err = s.PlanRun(ctx, id)
	if err != nil || r.Status != RunDone || r.Progress != 1 {
		t.Fatalf("finished run: got %+v, %v", r, err)
	}
	want, _ := plan.Marshal(p)
	if !bytes.Equal(r.Plan, want) {
		t.Errorf("stored plan:\n%s\nwant\n%s", r.Plan, want)
	}
	if !json.Valid(r.Plan) {
		t.Errorf("stored plan is not JSON")
	}
	wantCode(t, "progress on a done run", s.SetPlanRunProgress(ctx, id, 0.5), CodeConflict)
	wantCode(t, "finishing twice", s.FinishPlanRun(ctx, id, p), CodeConflict)

	id2, err := s.CreatePlanRun(ctx)
	if err != nil || id2 == id {
		t.Fatalf("second run: id %d, %v (first %d)", id2, err, id)
	}
	if err := s.FailPlanRun(ctx, id2, "world: invalid"); err != nil {
		t.Fatal(err)
	}
	if r, err := s.PlanRun(ctx, id2); err != nil || r.Status != RunFailed || r.Error != "world: invalid" || r.Plan != nil {
		t.Errorf("failed run: got %+v, %v", r, err)
	}
	_, err = s.PlanRun(ctx, 9999)
	wantCode(t, "missing run", err, CodeNotFound)

	// A server that starts fails the runs the last one left unfinished.
	queued, _ := s.CreatePlanRun(ctx)
	running, _ := s.CreatePlanRun(ctx)
	if err := s.SetPlanRunProgress(ctx, running, 0.5); err != nil {
		t.Fatal(err)
	}
	if n, err := s.FailUnfinishedPlanRuns(ctx, "interrupted"); err != nil || n != 2 {
		t.Errorf("FailUnfinishedPlanRuns: %d, %v, want 2", n, err)
	}
	for _, id := range []int64{queued, running} {
		if r, err := s.PlanRun(ctx, id); err != nil || r.Status != RunFailed || r.Error != "interrupted" {
			t.Errorf("run %d after FailUnfinishedPlanRuns: %+v, %v", id, r, err)
		}
	}
	if r, err := s.PlanRun(ctx, id); err != nil || r.Status != RunDone {
		t.Errorf("done run after FailUnfinishedPlanRuns: %+v, %v", r, err)
	}
	wantCode(t, "progress of a missing run", s.SetPlanRunProgress(ctx, 9999, 0.5), CodeNotFound)
}
