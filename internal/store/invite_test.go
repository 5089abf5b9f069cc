package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// codeHash stands for auth.Hash, which the store does not import.
func codeHash(code string) string {
	h := sha256.Sum256([]byte(code))
	return hex.EncodeToString(h[:])
}

// collectiveWith creates a collective and members m-<prefix>0.. in it,
// and returns their ids.
func collectiveWith(t *testing.T, s *Store, id string, n int) []string {
	t.Helper()
	ctx := context.Background()
	if _, err := s.CreateCollective(ctx, Collective{ID: id, Name: id, Kind: Neighbourhood}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range n {
		m, err := s.CreateMember(ctx, Member{ID: fmt.Sprintf("m-%s-%03d", id, i), Alias: fmt.Sprintf("%s %d", id, i),
			Language: "es", Cell: "9q5cs"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AddMembership(ctx, m.ID, id, RoleMember); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	return ids
}

func testMembershipChanges(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	a := collectiveWith(t, s, "c-a", 3)
	collectiveWith(t, s, "c-b", 1)
	for _, id := range []string{"c-c", "c-d"} {
		if _, err := s.CreateCollective(ctx, Collective{ID: id, Name: id, Kind: School}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddMembership(ctx, a[0], id, RoleCoordinator); err != nil {
			t.Fatal(err)
		}
	}

	name, kind := "Pico-Union Tenants", Workplace
	c, err := s.UpdateCollective(ctx, "c-a", CollectiveChange{Name: &name, Kind: &kind})
	if err != nil || c.Name != name || c.Kind != kind {
		t.Errorf("UpdateCollective: got %+v, %v, want name %q kind %q", c, err, name, kind)
	}
	if got, err := s.Collective(ctx, "c-a"); err != nil || *got != *c {
		t.Errorf("Collective after update: got %+v, %v, want %+v", got, err, c)
	}
	bad, empty := CollectiveKind("factory"), ""
	_, err = s.UpdateCollective(ctx, "c-a", CollectiveChange{Kind: &bad})
	wantCode(t, "UpdateCollective with a bad kind", err, CodeInvalid)
	_, err = s.UpdateCollective(ctx, "c-a", CollectiveChange{Name: &empty})
	wantCode(t, "UpdateCollective with an empty name", err, CodeInvalid)
	_, err = s.UpdateCollective(ctx, "c-9", CollectiveChange{Name: &name})
	wantCode(t, "UpdateCollective of a missing collective", err, CodeNotFound)

	// The collectives of a member, page by page.
	var got []string
	after := ""
	for {
		page, next, err := s.MemberCollectives(ctx, a[0], after, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, mc := range page {
			got = append(got, mc.ID+":"+string(mc.Role))
		}
		if next == "" {
			break
		}
		after = next
	}
	if want := []string{"c-a:member", "c-c:coordinator", "c-d:coordinator"}; !slices.Equal(got, want) {
		t.Errorf("MemberCollectives: got %v, want %v", got, want)
	}

	if role, err := s.MemberRole(ctx, a[0], "c-c"); err != nil || role != RoleCoordinator {
		t.Errorf("MemberRole: got %q, %v, want coordinator", role, err)
	}
	_, err = s.MemberRole(ctx, a[0], "c-b")
	wantCode(t, "MemberRole outside the collective", err, CodeNotFound)

	m, err := s.SetRole(ctx, "c-a", a[1], RoleCoordinator)
	if err != nil || *m != (Membership{MemberID: a[1], Alias: "c-a 1", Role: RoleCoordinator}) {
		t.Errorf("SetRole: got %+v, %v", m, err)
	}
	_, err = s.SetRole(ctx, "c-b", a[1], RoleMember)
	wantCode(t, "SetRole in a collective the member is not in", err, CodeNotFound)
	_, err = s.SetRole(ctx, "c-a", a[1], "organizer")
	wantCode(t, "SetRole to organizer", err, CodeInvalid)

	wantCode(t, "RemoveMembership from another collective", s.RemoveMembership(ctx, "c-b", a[2]), CodeNotFound)
	if err := s.RemoveMembership(ctx, "c-a", a[2]); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "RemoveMembership twice", s.RemoveMembership(ctx, "c-a", a[2]), CodeNotFound)
	page, _, err := s.CollectiveMembers(ctx, "c-a", "", 0)
	if err != nil || len(page) != 2 {
		t.Errorf("members after removal: got %+v, %v, want 2", page, err)
	}
	if _, err := s.Member(ctx, a[2]); err != nil {
		t.Errorf("a member removed from a collective still exists: %v", err)
	}
}

func testInvites(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	a := collectiveWith(t, s, "c-a", 12)
	collectiveWith(t, s, "c-b", 0)
	// The store's clock, moved by the test to expire invites.
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	outsider, err := s.CreateMember(ctx, Member{ID: "m-out", Alias: "outsider", Language: "en", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	week := now.Add(7 * 24 * time.Hour)

	bad := []struct {
		name string
		inv  Invite
		code Code
	}{
		{"short hash", Invite{Collective: "c-a", Role: RoleMember, CodeHash: "abc", CreatedBy: a[0], Expires: week, MaxUses: 1}, CodeInvalid},
		{"organizer role", Invite{Collective: "c-a", Role: "organizer", CodeHash: codeHash("x"), CreatedBy: a[0], Expires: week, MaxUses: 1}, CodeInvalid},
		{"no uses", Invite{Collective: "c-a", Role: RoleMember, CodeHash: codeHash("x"), CreatedBy: a[0], Expires: week, MaxUses: 0}, CodeInvalid},
		{"too many uses", Invite{Collective: "c-a", Role: RoleMember, CodeHash: codeHash("x"), CreatedBy: a[0], Expires: week, MaxUses: MaxInviteUses + 1}, CodeInvalid},
		{"expired already", Invite{Collective: "c-a", Role: RoleMember, CodeHash: codeHash("x"), CreatedBy: a[0], Expires: now, MaxUses: 1}, CodeInvalid},
		{"lives too long", Invite{Collective: "c-a", Role: RoleMember, CodeHash: codeHash("x"), CreatedBy: a[0], Expires: now.Add(MaxInviteLifetime + time.Hour), MaxUses: 1}, CodeInvalid},
		{"missing collective", Invite{Collective: "c-9", Role: RoleMember, CodeHash: codeHash("x"), CreatedBy: a[0], Expires: week, MaxUses: 1}, CodeNotFound},
		{"missing creator", Invite{Collective: "c-a", Role: RoleMember, CodeHash: codeHash("x"), CreatedBy: "m-none", Expires: week, MaxUses: 1}, CodeNotFound},
	}
	for _, tc := range bad {
		_, err := s.CreateInvite(ctx, tc.inv)
		wantCode(t, "CreateInvite: "+tc.name, err, tc.code)
	}
	if invs, _, err := s.Invites(ctx, "c-a", "", 0); err != nil || len(invs) != 0 {
		t.Fatalf("invites after refused ones: got %+v, %v, want none", invs, err)
	}

	two, err := s.CreateInvite(ctx, Invite{Collective: "c-a", Role: RoleMember, CodeHash: codeHash("two"), CreatedBy: a[0], Expires: week, MaxUses: 2})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateInvite(ctx, Invite{Collective: "c-a", Role: RoleMember, CodeHash: codeHash("two"), CreatedBy: a[0], Expires: week, MaxUses: 2})
	wantCode(t, "CreateInvite with a code hash already stored", err, CodeConflict)
	day, err := s.CreateInvite(ctx, Invite{Collective: "c-b", Role: RoleCoordinator, CodeHash: codeHash("day"), CreatedBy: a[0], Expires: now.Add(24 * time.Hour), MaxUses: 5})
	if err != nil {
		t.Fatal(err)
	}

	// Two uses: the outsider and a[1] (of c-a already: refused, no use
	// taken), then b's second member, then a third is refused.
	if inv, err := s.AcceptInvite(ctx, codeHash("two"), outsider.ID); err != nil || inv.Collective != "c-a" || inv.Uses != 1 {
		t.Fatalf("AcceptInvite: got %+v, %v, want c-a with 1 use", inv, err)
	}
	if _, err := s.AcceptInvite(ctx, codeHash("two"), a[1]); !errors.Is(err, ErrAlreadyMember) {
		t.Errorf("AcceptInvite by a member: got %v, want ErrAlreadyMember", err)
	}
	third, err := s.CreateMember(ctx, Member{ID: "m-third", Alias: "third", Language: "en", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	fourth, err := s.CreateMember(ctx, Member{ID: "m-fourth", Alias: "fourth", Language: "en", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcceptInvite(ctx, codeHash("two"), third.ID); err != nil {
		t.Fatalf("second use: %v", err)
	}
	if _, err := s.AcceptInvite(ctx, codeHash("two"), fourth.ID); !errors.Is(err, ErrInviteUsedUp) {
		t.Errorf("third use of an invite of 2: got %v, want ErrInviteUsedUp", err)
	}
	if _, err := s.MemberRole(ctx, fourth.ID, "c-a"); ErrorCode(err) != CodeNotFound {
		t.Errorf("a refused accept added the member: %v", err)
	}
	_, err = s.AcceptInvite(ctx, codeHash("none"), fourth.ID)
	wantCode(t, "AcceptInvite of an unknown code", err, CodeNotFound)

	// The coordinator's invite grants its role until it expires.
	if _, err := s.AcceptInvite(ctx, codeHash("day"), third.ID); err != nil {
		t.Fatal(err)
	}
	if role, err := s.MemberRole(ctx, third.ID, "c-b"); err != nil || role != RoleCoordinator {
		t.Errorf("role from a coordinator's invite: got %q, %v", role, err)
	}
	now = now.Add(24 * time.Hour)
	if _, err := s.AcceptInvite(ctx, codeHash("day"), fourth.ID); !errors.Is(err, ErrInviteExpired) {
		t.Errorf("AcceptInvite at expiry: got %v, want ErrInviteExpired", err)
	}

	invs, _, err := s.Invites(ctx, "c-a", "", 0)
	if err != nil || len(invs) != 1 || invs[0].ID != two.ID || invs[0].Uses != 2 || invs[0].MaxUses != 2 ||
		invs[0].CreatedBy != a[0] || invs[0].CodeHash != "" || !invs[0].Expires.Equal(week) {
		t.Errorf("Invites(c-a): got %+v, %v, want %s with 2 of 2 uses and no hash", invs, err, two.ID)
	}
	wantCode(t, "DeleteInvite through another collective", s.DeleteInvite(ctx, "c-a", day.ID), CodeNotFound)
	if err := s.DeleteInvite(ctx, "c-b", day.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "DeleteInvite twice", s.DeleteInvite(ctx, "c-b", day.ID), CodeNotFound)
	_, _, err = s.Invites(ctx, "c-9", "", 0)
	wantCode(t, "Invites of a missing collective", err, CodeNotFound)

	// Many members accept one invite of 3 uses at once: exactly 3 join.
	many, err := s.CreateInvite(ctx, Invite{Collective: "c-b", Role: RoleMember, CodeHash: codeHash("many"), CreatedBy: a[0],
		Expires: now.Add(time.Hour), MaxUses: 3})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make(chan error, len(a))
	for _, id := range a {
		wg.Go(func() {
			_, err := s.AcceptInvite(ctx, codeHash("many"), id)
			results <- err
		})
	}
	wg.Wait()
	close(results)
	joined := 0
	for err := range results {
		switch {
		case err == nil:
			joined++
		case !errors.Is(err, ErrInviteUsedUp):
			t.Errorf("concurrent accept: %v", err)
		}
	}
	if joined != 3 {
		t.Errorf("concurrent accepts of an invite of 3: %d joined", joined)
	}
	if invs, _, err := s.Invites(ctx, "c-b", "", 0); err != nil || len(invs) != 1 || invs[0].ID != many.ID || invs[0].Uses != 3 {
		t.Errorf("invite after concurrent accepts: got %+v, %v, want 3 uses", invs, err)
	}

	// Pages of invites, without repeats or gaps.
	var want []string
	for i := range 7 {
		inv, err := s.CreateInvite(ctx, Invite{Collective: "c-a", Role: RoleMember, CodeHash: codeHash(fmt.Sprint("p", i)),
			CreatedBy: a[0], Expires: week, MaxUses: 1})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, inv.ID)
	}
	want = append(want, two.ID)
	slices.Sort(want)
	var got []string
	after := ""
	for range 10 {
		page, next, err := s.Invites(ctx, "c-a", after, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, inv := range page {
			got = append(got, inv.ID)
		}
		if next == "" {
			break
		}
		after = next
	}
	if !slices.Equal(got, want) {
		t.Errorf("invites page by page: got %v, want %v", got, want)
	}
}

// testJoin: a person without an account joins through an invite: the
// member and the membership are made together, or neither; the page an
// invite link opens sees whether it can still be used.
func testJoin(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	a := collectiveWith(t, s, "c-a", 1)
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	if _, err := s.CreateInvite(ctx, Invite{Collective: "c-a", Role: RoleMember, CodeHash: codeHash("join"), CreatedBy: a[0],
		Expires: now.Add(time.Hour), MaxUses: 1}); err != nil {
		t.Fatal(err)
	}
	if inv, name, err := s.InviteByCode(ctx, codeHash("join")); err != nil || inv.Collective != "c-a" || name == "" {
		t.Fatalf("InviteByCode: got %+v, %q, %v", inv, name, err)
	}
	if _, _, err := s.InviteByCode(ctx, codeHash("nope")); ErrorCode(err) != CodeNotFound {
		t.Errorf("InviteByCode of an unknown code: got %v, want not found", err)
	}

	// An alias already taken: nothing is written, the use is not counted.
	taken, err := s.Member(ctx, a[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Join(ctx, codeHash("join"), Member{Alias: taken.Alias, Language: "es", Cell: "9q5cs"}); ErrorCode(err) != CodeConflict {
		t.Errorf("Join with a taken alias: got %v, want conflict", err)
	}
	// An email another member has: a conflict that says so, at once
	// (the check of which was taken used to wait, on SQLite, for the one
	// writer connection that its own transaction held).
	if err := s.SetContact(ctx, a[0], Contact{Email: "tomada@example.org"}); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 10*time.Second)
	_, _, err = s.Join(short, codeHash("join"), Member{Alias: "Otra vez", Language: "es", Cell: "9q5cs", Contact: Contact{Email: "Tomada@example.org"}})
	cancel()
	if ErrorCode(err) != CodeConflict || !strings.HasPrefix(ErrorMessage(err), "contact.email") {
		t.Errorf("Join with a taken email: got %v, want a conflict on contact.email", err)
	}
	m, inv, err := s.Join(ctx, codeHash("join"), Member{Alias: "Nueva", Language: "es", Cell: "9q5cs", Contact: Contact{Email: "nueva@example.org"}})
	if err != nil || inv.Uses != 1 {
		t.Fatalf("Join: got %+v, %+v, %v", m, inv, err)
	}
	if role, err := s.MemberRole(ctx, m.ID, "c-a"); err != nil || role != RoleMember {
		t.Errorf("the new member's role: got %q, %v", role, err)
	}
	if by, err := s.MemberByEmail(ctx, "nueva@example.org"); err != nil || by.ID != m.ID {
		t.Errorf("the new member signs in by email: got %+v, %v", by, err)
	}
	// Used up: the next person gets no account at all.
	if _, _, err := s.Join(ctx, codeHash("join"), Member{Alias: "Otra", Language: "es", Cell: "9q5cs"}); !errors.Is(err, ErrInviteUsedUp) {
		t.Errorf("Join of a used-up invite: got %v, want ErrInviteUsedUp", err)
	}
	if _, err := s.MemberByAlias(ctx, "Otra"); ErrorCode(err) != CodeNotFound {
		t.Errorf("a refused Join left a member: %v", err)
	}
	if _, _, err := s.InviteByCode(ctx, codeHash("join")); !errors.Is(err, ErrInviteUsedUp) {
		t.Errorf("InviteByCode of a used-up invite: got %v", err)
	}
}
