package store

import (
	"bytes"
	"context"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/world"
)

func ptr[T any](v T) *T { return &v }

func testUpdateMember(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	m, err := s.CreateMember(ctx, Member{ID: "m-lupe", Alias: "Lupe", Language: "es", Cell: "9q5cs",
		Contact: Contact{Phone: "+1 213 555 0101"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateMember(ctx, Member{ID: "m-tono", Alias: "Toño", Language: "es", Cell: "9q5cs"}); err != nil {
		t.Fatal(err)
	}
	before := sealedContacts(t, s)["m-lupe"]

	// Only what is given changes.
	got, err := s.UpdateMember(ctx, m.ID, MemberChange{CallOptIn: ptr(true), Cell: ptr("9q5c")})
	if err != nil {
		t.Fatalf("UpdateMember: %v", err)
	}
	want := *m
	want.CallOptIn, want.Cell = true, "9q5c"
	if *got != want {
		t.Errorf("UpdateMember: got %+v, want %+v", got, want)
	}
	if !bytes.Equal(sealedContacts(t, s)["m-lupe"], before) {
		t.Errorf("a change without contact changed the sealed contact")
	}
	// A new contact is sealed afresh and opens.
	c := Contact{Email: knownEmail, Phone: knownPhone}
	got, err = s.UpdateMember(ctx, m.ID, MemberChange{Contact: &c, Alias: ptr("Lupita"), Language: ptr("en")})
	if err != nil {
		t.Fatalf("UpdateMember contact: %v", err)
	}
	want.Contact, want.Alias, want.Language = c, "Lupita", "en"
	if *got != want {
		t.Errorf("UpdateMember contact: got %+v, want %+v", got, want)
	}
	if read, err := s.Member(ctx, m.ID); err != nil || *read != want {
		t.Errorf("Member after UpdateMember: got %+v, %v, want %+v", read, err, want)
	}
	for table, rows := range dump(t, s) {
		for _, r := range rows {
			if bytes.Contains([]byte(r), []byte(knownPhone)) || bytes.Contains([]byte(r), []byte(knownEmail)) {
				t.Errorf("table %s holds the new contact in clear: %s", table, r)
			}
		}
	}
	// The new email signs in (its index follows the contact); after
	// it is removed, nothing does.
	if by, err := s.MemberByEmail(ctx, knownEmail); err != nil || by.ID != m.ID {
		t.Errorf("MemberByEmail(new email): got %+v, %v, want %s", by, err, m.ID)
	}
	// An empty contact removes it.
	got, err = s.UpdateMember(ctx, m.ID, MemberChange{Contact: &Contact{}})
	if _, err := s.MemberByEmail(ctx, knownEmail); ErrorCode(err) != CodeNotFound {
		t.Errorf("MemberByEmail after the contact is removed: got %v, want not found", err)
	}
	if err != nil || got.Contact != (Contact{}) {
		t.Errorf("UpdateMember with an empty contact: got %+v, %v", got, err)
	}
	if _, ok := sealedContacts(t, s)["m-lupe"]; ok {
		t.Errorf("an empty contact left a sealed value")
	}

	// Bad changes are refused whole: nothing of them is written.
	stored, _ := s.Member(ctx, m.ID)
	long := string(bytes.Repeat([]byte("x"), maxContactLen+1))
	for name, tc := range map[string]struct {
		ch   MemberChange
		code Code
	}{
		"alias taken":      {MemberChange{Alias: ptr("Toño"), CallOptIn: ptr(false)}, CodeConflict},
		"empty alias":      {MemberChange{Alias: ptr(""), CallOptIn: ptr(false)}, CodeInvalid},
		"padded alias":     {MemberChange{Alias: ptr(" Lupe"), CallOptIn: ptr(false)}, CodeInvalid},
		"bad language":     {MemberChange{Language: ptr("Spanish"), CallOptIn: ptr(false)}, CodeInvalid},
		"cell too precise": {MemberChange{Cell: ptr("9q5csxyz"), CallOptIn: ptr(false)}, CodeInvalid},
		"long email":       {MemberChange{Contact: &Contact{Email: long}, CallOptIn: ptr(false)}, CodeInvalid},
	} {
		_, err := s.UpdateMember(ctx, m.ID, tc.ch)
		wantCode(t, name, err, tc.code)
		if after, _ := s.Member(ctx, m.ID); *after != *stored {
			t.Errorf("%s: member changed to %+v", name, after)
		}
	}
	_, err = s.UpdateMember(ctx, "m-nobody", MemberChange{CallOptIn: ptr(true)})
	wantCode(t, "UpdateMember of a missing member", err, CodeNotFound)

	// A member a world made has no language, and may still change.
	w := readWorld(t, "../../examples/neighbourhood.json")
	if err := s.PutWorld(ctx, w); err != nil {
		t.Fatal(err)
	}
	if got, err := s.UpdateMember(ctx, w.Members[0].ID, MemberChange{CallOptIn: ptr(true)}); err != nil || !got.CallOptIn {
		t.Errorf("UpdateMember of a world's member: %+v, %v", got, err)
	}
}

func testNeeds(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	w := readWorld(t, "../../examples/neighbourhood.json")
	if err := s.PutWorld(ctx, w); err != nil {
		t.Fatal(err)
	}
	m, err := s.CreateMember(ctx, Member{ID: "m-new", Alias: "New", Language: "es", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	var want []world.Need
	for i, tier := range []world.Tier{world.Essential, world.Basic, world.Wanted, world.Essential, world.Basic} {
		n, err := s.AddNeed(ctx, m.ID, world.Need{Product: w.Products[i].ID, Qty: float64(i) + 0.5, Tier: tier})
		if err != nil {
			t.Fatalf("AddNeed %d: %v", i, err)
		}
		if checkID("id", n.ID) != nil || n.Member != m.ID || n.Product != w.Products[i].ID {
			t.Errorf("AddNeed %d: got %+v", i, n)
		}
		want = append(want, *n)
	}
	// Pages of 2, in the order they were added.
	var got []world.Need
	after := ""
	for pages := 0; ; pages++ {
		if pages > len(want) {
			t.Fatal("paging does not end")
		}
		page, next, err := s.MemberNeeds(ctx, m.ID, after, 2)
		if err != nil {
			t.Fatalf("MemberNeeds(%q): %v", after, err)
		}
		got = append(got, page...)
		if next == "" {
			break
		}
		after = next
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("MemberNeeds: got %+v, want %+v", got, want)
	}
	// The world now holds the member (with an empty commitment) and
	// their needs after everyone else's, and is valid.
	wd, err := s.World(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := wd.Validate(); err != nil {
		t.Errorf("world after AddNeed: %v", err)
	}
	if last := wd.Members[len(wd.Members)-1]; last.ID != m.ID || last.Commitment.Hours != 0 {
		t.Errorf("world's last member: got %+v, want %s with no hours", last, m.ID)
	}
	if tail := wd.Needs[len(wd.Needs)-len(want):]; !reflect.DeepEqual(tail, want) {
		t.Errorf("world's last needs: got %+v, want %+v", tail, want)
	}

	// Bad needs are refused, naming the field, and nothing is added.
	for name, tc := range map[string]struct {
		n     world.Need
		field string
	}{
		"zero qty":        {world.Need{Product: "rice", Qty: 0, Tier: world.Basic}, "qty: must be > 0"},
		"negative qty":    {world.Need{Product: "rice", Qty: -2, Tier: world.Basic}, "qty: must be > 0"},
		"NaN qty":         {world.Need{Product: "rice", Qty: math.NaN(), Tier: world.Basic}, "qty: must be a finite number"},
		"bad tier":        {world.Need{Product: "rice", Qty: 1, Tier: "urgent"}, `tier: "urgent" is not one of essential, basic, wanted`},
		"no product":      {world.Need{Qty: 1, Tier: world.Basic}, "product: must be 1 to 64 characters, got 0"},
		"unknown product": {world.Need{Product: "caviar", Qty: 1, Tier: world.Basic}, `product: unknown product "caviar"`},
	} {
		_, err := s.AddNeed(ctx, m.ID, tc.n)
		wantCode(t, name, err, CodeInvalid)
		if err != nil && ErrorMessage(err) != tc.field {
			t.Errorf("%s: got message %q, want %q", name, ErrorMessage(err), tc.field)
		}
	}
	if page, _, _ := s.MemberNeeds(ctx, m.ID, "", 0); len(page) != len(want) {
		t.Errorf("needs after bad AddNeeds: %d, want %d", len(page), len(want))
	}
	_, err = s.AddNeed(ctx, "m-nobody", world.Need{Product: "rice", Qty: 1, Tier: world.Basic})
	wantCode(t, "AddNeed of a missing member", err, CodeNotFound)

	// Only one's own needs can be deleted.
	other := w.Needs[0]
	wantCode(t, "DeleteNeed of another member's need", s.DeleteNeed(ctx, m.ID, other.ID), CodeNotFound)
	wantCode(t, "DeleteNeed of a missing need", s.DeleteNeed(ctx, m.ID, "n-missing"), CodeNotFound)
	if err := s.DeleteNeed(ctx, m.ID, want[1].ID); err != nil {
		t.Fatalf("DeleteNeed: %v", err)
	}
	page, next, err := s.MemberNeeds(ctx, m.ID, "", 0)
	if err != nil || next != "" || !reflect.DeepEqual(page, slices.Delete(slices.Clone(want), 1, 2)) {
		t.Errorf("needs after DeleteNeed: got %+v, %q, %v", page, next, err)
	}
	if others, _, _ := s.MemberNeeds(ctx, other.Member, "", 0); !slices.ContainsFunc(others, func(n world.Need) bool { return n.ID == other.ID }) {
		t.Errorf("the other member's need %s is gone", other.ID)
	}
	for _, bad := range []string{"x", "1", "-1.n-a", "1.N A", "a.n-1"} {
		_, _, err := s.MemberNeeds(ctx, m.ID, bad, 0)
		wantCode(t, "cursor "+bad, err, CodeInvalid)
	}
	_, _, err = s.MemberNeeds(ctx, "m-nobody", "", 0)
	wantCode(t, "MemberNeeds of a missing member", err, CodeNotFound)
}

func testCommitment(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	w := readWorld(t, "../../examples/neighbourhood.json")
	if err := s.PutWorld(ctx, w); err != nil {
		t.Fatal(err)
	}
	m, err := s.CreateMember(ctx, Member{ID: "m-new", Alias: "New", Language: "es", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := s.Commitment(ctx, m.ID); err != nil || !reflect.DeepEqual(*c, world.Commitment{}) {
		t.Errorf("Commitment of a new member: got %+v, %v, want the empty one", c, err)
	}
	want := world.Commitment{Hours: 10, Skills: []string{"nurse", "cook"}, MaxKm: 4.5}
	if err := s.PutCommitment(ctx, m.ID, want); err != nil {
		t.Fatalf("PutCommitment: %v", err)
	}
	if c, err := s.Commitment(ctx, m.ID); err != nil || !reflect.DeepEqual(*c, want) {
		t.Errorf("Commitment: got %+v, %v, want %+v", c, err, want)
	}
	wd, err := s.World(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if last := wd.Members[len(wd.Members)-1]; last.ID != m.ID || !reflect.DeepEqual(last.Commitment, want) {
		t.Errorf("world's last member: got %+v, want %s committing %+v", last, m.ID, want)
	}
	// A second put replaces, keeping the member's place in the world.
	want = world.Commitment{Hours: 0, Skills: []string{"drive"}, MaxKm: 0}
	if err := s.PutCommitment(ctx, m.ID, want); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Commitment(ctx, m.ID); !reflect.DeepEqual(*c, want) {
		t.Errorf("Commitment after a second put: got %+v, want %+v", c, want)
	}
	wd2, _ := s.World(ctx)
	if len(wd2.Members) != len(wd.Members) || wd2.Members[len(wd2.Members)-1].ID != m.ID {
		t.Errorf("a second put moved or added the member in the world")
	}
	first := w.Members[0]
	for name, tc := range map[string]struct {
		c   world.Commitment
		msg string
	}{
		"negative hours":  {world.Commitment{Hours: -1}, "hours: must be >= 0"},
		"infinite hours":  {world.Commitment{Hours: math.Inf(1)}, "hours: must be a finite number"},
		"negative max_km": {world.Commitment{MaxKm: -3}, "max_km: must be >= 0"},
		"a week's hours":  {world.Commitment{Hours: 169}, "hours: must be at most 168"},
		"huge hours":      {world.Commitment{Hours: 1e15}, "hours: must be at most 168"},
		"huge max_km":     {world.Commitment{MaxKm: 1e10}, "max_km: must be at most 1e+09"},
		"unknown skill":   {world.Commitment{Skills: []string{"cook", "juggle"}}, `skills[1]: unknown skill "juggle"`},
		"repeated skill":  {world.Commitment{Skills: []string{"cook", "cook"}}, `skills[1]: "cook" is listed twice`},
		"bad skill id":    {world.Commitment{Skills: []string{"Cook"}}, `skills[0]: "Cook" must be made of a-z, 0-9 and '-'`},
	} {
		err := s.PutCommitment(ctx, first.ID, tc.c)
		wantCode(t, name, err, CodeInvalid)
		if err != nil && ErrorMessage(err) != tc.msg {
			t.Errorf("%s: got message %q, want %q", name, ErrorMessage(err), tc.msg)
		}
		if c, _ := s.Commitment(ctx, first.ID); !reflect.DeepEqual(*c, first.Commitment) {
			t.Errorf("%s: commitment changed to %+v", name, c)
		}
	}
	wantCode(t, "PutCommitment of a missing member", s.PutCommitment(ctx, "m-nobody", want), CodeNotFound)
	_, err = s.Commitment(ctx, "m-nobody")
	wantCode(t, "Commitment of a missing member", err, CodeNotFound)
}

func testLatestPlan(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	_, err := s.LatestPlan(ctx)
	wantCode(t, "LatestPlan without runs", err, CodeNotFound)
	var done []int64
	for i := range 3 {
		id, err := s.CreatePlanRun(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if i == 2 { // the newest run is still queued
			break
		}
		if err := s.FinishPlanRun(ctx, id, smallPlan("m-0001", "n-0001")); err != nil {
			t.Fatal(err)
		}
		done = append(done, id)
	}
	r, err := s.LatestPlan(ctx)
	if err != nil || r.ID != done[1] || r.Status != RunDone || len(r.Plan) == 0 {
		t.Errorf("LatestPlan: got %+v, %v, want run %d, done", r, err, done[1])
	}
	if ids, err := s.DonePlanRuns(ctx); err != nil || !slices.Equal(ids, done) {
		t.Errorf("DonePlanRuns: got %v, %v, want %v", ids, err, done)
	}
}

func testProfile(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	m, err := s.CreateMember(ctx, Member{ID: "m-ana", Alias: "Ana", Language: "es", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []Collective{{ID: "c-b", Name: "School B", Kind: School}, {ID: "c-a", Name: "Plant A", Kind: Workplace}} {
		if _, err := s.CreateCollective(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddMembership(ctx, m.ID, "c-b", RoleCoordinator); err != nil {
		t.Fatal(err)
	}
	if err := s.AddMembership(ctx, m.ID, "c-a", RoleMember); err != nil {
		t.Fatal(err)
	}
	p, err := s.Profile(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []MemberOf{{"c-b", "School B", School, RoleCoordinator}, {"c-a", "Plant A", Workplace, RoleMember}}
	if p.Member != *m || !reflect.DeepEqual(p.Memberships, want) {
		t.Errorf("Profile: got %+v, want %+v in %+v", p, *m, want)
	}
	_, err = s.Profile(ctx, "m-nobody")
	wantCode(t, "Profile of a missing member", err, CodeNotFound)

	if toks, err := s.MemberTokens(ctx, m.ID); err != nil || len(toks) != 0 {
		t.Errorf("MemberTokens without tokens: %+v, %v", toks, err)
	}
	for _, tk := range []Token{{Hash: strings.Repeat("a", 64), Role: "member"}, {Hash: strings.Repeat("b", 64), Role: "coordinator", Collective: "c-b"}} {
		tk.MemberID = m.ID
		if _, err := s.CreateToken(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	toks, err := s.MemberTokens(ctx, m.ID)
	if err != nil || len(toks) != 2 || toks[0].Role != "member" || toks[1].Collective != "c-b" || toks[0].Hash != "" || toks[0].Created.IsZero() {
		t.Errorf("MemberTokens: got %+v, %v, want the member's two, without hashes", toks, err)
	}
}

// BenchmarkAddNeed adds needs to a world of 10,000 members, on SQLite.
func BenchmarkAddNeed(b *testing.B) {
	w, err := world.Generate(world.GenOptions{Members: 10000, Sites: 120, Products: 60, Skills: 20, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.PutWorld(ctx, w); err != nil {
		b.Fatal(err)
	}
	member, product := w.Members[0].ID, w.Products[0].ID
	for b.Loop() {
		if _, err := s.AddNeed(ctx, member, world.Need{Product: product, Qty: 1, Tier: world.Basic}); err != nil {
			b.Fatal(err)
		}
	}
}
