package store

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/world"
)

// testImportMembers runs in the conformance suite: an import with any
// problem writes nothing and names every problem with its line; a dry run
// writes nothing; a good import writes members, contacts, memberships and
// commitments, skills named by id or by a translated name.
func testImportMembers(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	if err := s.PutWorld(ctx, readWorld(t, "../../examples/neighbourhood.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateCollective(ctx, Collective{ID: "c-plant", Name: "Planta Uno", Kind: Workplace}); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		t.Helper()
		var n int
		if err := s.read.QueryRow(`SELECT (SELECT COUNT(*) FROM members) + (SELECT COUNT(*) FROM memberships) + (SELECT COUNT(*) FROM commitments)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	commit := func(hours float64, skills ...string) *world.Commitment {
		return &world.Commitment{Hours: hours, Skills: skills, MaxKm: 5}
	}
	member := func(alias, cell string, c Contact) Member {
		return Member{Alias: alias, Language: "es", Cell: cell, Contact: c}
	}

	if _, err := s.CreateMember(ctx, member("Rosa", "9q5cs", Contact{Email: "rosa@example.org"})); err != nil {
		t.Fatal(err)
	}
	before := count()
	bad := []ImportedMember{
		{Line: 2, Member: member("Lupe", "9q5cs", Contact{Phone: "+1 213 555 0101", Email: "lupe@example.org"}), Collective: "planta uno", Commitment: commit(8, "cook")},
		{Line: 3, Member: member("m-01", "9q5cs", Contact{}), Collective: "boyle-heights"},
		{Line: 4, Member: member("Lupe", "9q5ct", Contact{}), Collective: "c-nowhere"},
		{Line: 5, Member: member("Chuy", "9q5", Contact{}), Commitment: commit(4, "Cocina", "cook", "weld")},
		{Line: 6, Member: member("Tere", "9q5cs", Contact{Email: " Lupe@Example.org"}), Commitment: &world.Commitment{Hours: -1, MaxKm: 3}},
		{Line: 7, Member: member("Sol", "9q5cs", Contact{Email: "ROSA@example.org"})},
	}
	_, err := s.ImportMembers(ctx, bad, false)
	wantCode(t, "bad import", err, CodeInvalid)
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("bad import: got %v, want an *ImportError", err)
	}
	type problem struct {
		line  int
		field string
		kind  ProblemKind
		other int
	}
	var got []problem
	for _, p := range ie.Problems {
		got = append(got, problem{p.Line, p.Field, p.Kind, p.Other})
		if strings.Contains(p.Value, "@") || strings.Contains(p.Value, "Lupe") {
			t.Errorf("problem %+v names an email or an alias", p)
		}
	}
	want := []problem{
		{4, "alias", ProblemRepeated, 2},
		{5, "cell", ProblemInvalid, 0},
		{6, "hours", ProblemInvalid, 0},
		{6, "email", ProblemRepeated, 2},
		{7, "email", ProblemTaken, 0},
		{3, "alias", ProblemTaken, 0},
		{4, "collective", ProblemUnknown, 0},
		{5, "skills", ProblemRepeated, 0},
		{5, "skills", ProblemUnknown, 0},
	}
	sortProblems := func(ps []problem) {
		slices.SortFunc(ps, func(a, b problem) int {
			if a.line != b.line {
				return a.line - b.line
			}
			if a.field != b.field {
				if a.field < b.field {
					return -1
				}
				return 1
			}
			if a.kind < b.kind {
				return -1
			}
			if a.kind > b.kind {
				return 1
			}
			return 0
		})
	}
	sortProblems(got)
	sortProblems(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\ngot  %v\nwant %v", got, want)
	}
	if n := count(); n != before {
		t.Errorf("rows after a refused import: got %d, want %d", n, before)
	}

	good := []ImportedMember{
		{Line: 2, Member: member("Lupe", "9q5cs", Contact{Phone: "+1 213 555 0101", Email: "lupe@example.org"}),
			Collective: "planta uno", Commitment: commit(8, "Cocina", "drive")},
		{Line: 3, Member: member("Chuy", "9q5ct", Contact{}), Collective: "boyle-heights"},
	}
	dry, err := s.ImportMembers(ctx, good, true)
	if err != nil || len(dry) != 2 {
		t.Fatalf("dry run: got %d members, %v; want 2, nil", len(dry), err)
	}
	if n := count(); n != before {
		t.Errorf("rows after a dry run: got %d, want %d", n, before)
	}

	done, err := s.ImportMembers(ctx, good, false)
	if err != nil {
		t.Fatalf("ImportMembers: %v", err)
	}
	if m, err := s.MemberByEmail(ctx, "LUPE@example.org"); err != nil || m.ID != done[0].ID {
		t.Errorf("MemberByEmail after the import: got %+v, %v, want %s (the email is indexed for sign-in)", m, err, done[0].ID)
	}
	if n := count(); n != before+5 {
		t.Errorf("rows after the import: got %d, want %d (2 members, 2 memberships, 1 commitment)", n, before+5)
	}
	lupe, err := s.Export(ctx, done[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if lupe.Member.Alias != "Lupe" || lupe.Member.Contact != good[0].Member.Contact {
		t.Errorf("Lupe: got %+v, want alias Lupe and contact %+v", lupe.Member, good[0].Member.Contact)
	}
	if len(lupe.Memberships) != 1 || lupe.Memberships[0].CollectiveID != "c-plant" || lupe.Memberships[0].Role != RoleMember {
		t.Errorf("Lupe's memberships: got %+v, want member of c-plant", lupe.Memberships)
	}
	if wantC := (world.Commitment{Hours: 8, Skills: []string{"cook", "drive"}, MaxKm: 5}); lupe.Commitment == nil ||
		!reflect.DeepEqual(*lupe.Commitment, wantC) {
		t.Errorf("Lupe's commitment: got %+v, want %+v", lupe.Commitment, wantC)
	}
	chuy, err := s.Export(ctx, done[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if chuy.Commitment != nil || len(chuy.Memberships) != 1 || chuy.Memberships[0].CollectiveID != "boyle-heights" {
		t.Errorf("Chuy: got commitment %+v, memberships %+v; want none, boyle-heights", chuy.Commitment, chuy.Memberships)
	}
	// The world now counts Lupe, who committed, last; it stays valid.
	w, err := s.World(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Validate(); err != nil {
		t.Errorf("world after the import: %v", err)
	}
	if last := w.Members[len(w.Members)-1]; last.ID != done[0].ID {
		t.Errorf("last world member: got %q, want %q", last.ID, done[0].ID)
	}
	// Importing the same sheet again finds both aliases taken.
	_, err = s.ImportMembers(ctx, good, false)
	if !errors.As(err, &ie) || len(ie.Problems) != 3 || ie.Problems[0].Kind != ProblemTaken {
		t.Errorf("second import: got %v, want the two aliases and the email taken", err)
	}
}
