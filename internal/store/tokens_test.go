package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/store/storetest"
)

func TestTokensSQLite(t *testing.T) {
	testTokens(t, Config{DataDir: t.TempDir()})
}

func TestTokensPostgres(t *testing.T) {
	dsn, _ := storetest.Schema(t, storetest.Server(t))
	testTokens(t, Config{PostgresURL: dsn, KeyFile: filepath.Join(t.TempDir(), "key")})
}

func testTokens(t *testing.T, cfg Config) {
	ctx := context.Background()
	s := open(t, cfg)
	m, err := s.CreateMember(ctx, Member{Alias: "ana", Language: "es", Cell: "9q8yy"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateCollective(ctx, Collective{ID: "c-1", Name: "Plant 1", Kind: Workplace}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateCollective(ctx, Collective{ID: "c-2", Name: "Plant 2", Kind: Workplace}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddMembership(ctx, m.ID, "c-1", RoleCoordinator); err != nil {
		t.Fatal(err)
	}
	if err := s.AddMembership(ctx, m.ID, "c-2", RoleMember); err != nil {
		t.Fatal(err)
	}
	hash := strings.Repeat("ab", 32)
	if _, err := s.CreateToken(ctx, Token{Hash: hash, MemberID: m.ID, Role: "coordinator", Collective: "c-1"}); err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	got, err := s.TokenByHash(ctx, hash)
	if err != nil {
		t.Fatalf("TokenByHash: %v", err)
	}
	if got.MemberID != m.ID || got.Role != "coordinator" || got.Collective != "c-1" || got.Created.IsZero() || got.Lapsed {
		t.Errorf("TokenByHash: got %+v, want member %s, coordinator of c-1", got, m.ID)
	}

	bad := []struct {
		name string
		tok  Token
		code Code
	}{
		{"short hash", Token{Hash: "ab", MemberID: m.ID, Role: "member"}, CodeInvalid},
		{"unknown role", Token{Hash: strings.Repeat("cd", 32), MemberID: m.ID, Role: "boss"}, CodeInvalid},
		{"coordinator without collective", Token{Hash: strings.Repeat("cd", 32), MemberID: m.ID, Role: "coordinator"}, CodeInvalid},
		{"unknown member", Token{Hash: strings.Repeat("cd", 32), MemberID: "m-none", Role: "member"}, CodeNotFound},
		{"not a coordinator of it", Token{Hash: strings.Repeat("cd", 32), MemberID: m.ID, Role: "coordinator", Collective: "c-2"}, CodeInvalid},
		{"unknown collective", Token{Hash: strings.Repeat("cd", 32), MemberID: m.ID, Role: "coordinator", Collective: "c-none"}, CodeNotFound},
		{"same hash", Token{Hash: hash, MemberID: m.ID, Role: "member"}, CodeConflict},
	}
	for _, tc := range bad {
		_, err := s.CreateToken(ctx, tc.tok)
		wantCode(t, "CreateToken "+tc.name, err, tc.code)
	}
	_, err = s.TokenByHash(ctx, strings.Repeat("ef", 32))
	wantCode(t, "TokenByHash unknown", err, CodeNotFound)

	// A coordinator no longer: the token lapses.
	if _, err := s.db.ExecContext(ctx, `UPDATE memberships SET role = 'member' WHERE member_id = $1 AND collective_id = 'c-1'`, m.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := s.TokenByHash(ctx, hash); err != nil || !got.Lapsed {
		t.Errorf("TokenByHash after demotion: got %+v, %v; want Lapsed", got, err)
	}
	organizer := strings.Repeat("12", 32)
	if _, err := s.CreateToken(ctx, Token{Hash: organizer, MemberID: m.ID, Role: "organizer"}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.TokenByHash(ctx, organizer); err != nil || got.Lapsed || got.Collective != "" {
		t.Errorf("TokenByHash organizer: got %+v, %v; want no collective, not lapsed", got, err)
	}

	// Deleting the member deletes their tokens.
	if err := s.DeleteMember(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.TokenByHash(ctx, hash)
	wantCode(t, "TokenByHash after DeleteMember", err, CodeNotFound)
}
