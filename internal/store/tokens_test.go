package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTokensSQLite(t *testing.T) {
	testTokens(t, Config{DataDir: t.TempDir()})
}

func TestTokensPostgres(t *testing.T) {
	base := os.Getenv("COMMUNE_TEST_POSTGRES")
	if base == "" {
		t.Skip("COMMUNE_TEST_POSTGRES is empty")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	testTokens(t, Config{PostgresURL: freshSchema(t, admin, base), KeyFile: filepath.Join(t.TempDir(), "key")})
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
	hash := strings.Repeat("ab", 32)
	if _, err := s.CreateToken(ctx, Token{Hash: hash, MemberID: m.ID, Role: "coordinator", Collective: "c-1"}); err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	got, err := s.TokenByHash(ctx, hash)
	if err != nil {
		t.Fatalf("TokenByHash: %v", err)
	}
	if got.MemberID != m.ID || got.Role != "coordinator" || got.Collective != "c-1" || got.Created.IsZero() {
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
		{"unknown collective", Token{Hash: strings.Repeat("cd", 32), MemberID: m.ID, Role: "coordinator", Collective: "c-none"}, CodeNotFound},
		{"same hash", Token{Hash: hash, MemberID: m.ID, Role: "member"}, CodeConflict},
	}
	for _, tc := range bad {
		_, err := s.CreateToken(ctx, tc.tok)
		wantCode(t, "CreateToken "+tc.name, err, tc.code)
	}
	_, err = s.TokenByHash(ctx, strings.Repeat("ef", 32))
	wantCode(t, "TokenByHash unknown", err, CodeNotFound)

	// Deleting the member deletes their tokens.
	if err := s.DeleteMember(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.TokenByHash(ctx, hash)
	wantCode(t, "TokenByHash after DeleteMember", err, CodeNotFound)
}
