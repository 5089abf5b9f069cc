package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

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

func TestTokenRevokeSQLite(t *testing.T) {
	testTokenRevoke(t, Config{DataDir: t.TempDir()})
}

func TestTokenRevokePostgres(t *testing.T) {
	dsn, _ := storetest.Schema(t, storetest.Server(t))
	testTokenRevoke(t, Config{PostgresURL: dsn, KeyFile: filepath.Join(t.TempDir(), "key")})
}

// testTokenRevoke lists tokens by their public ids and revokes them: a
// revoked token is found no more, a member reaches only their own, and
// an id that names nothing or cannot be one is told apart.
func testTokenRevoke(t *testing.T, cfg Config) {
	ctx := context.Background()
	s := open(t, cfg)
	ana, err := s.CreateMember(ctx, Member{Alias: "ana", Language: "es", Cell: "9q8yy"})
	if err != nil {
		t.Fatal(err)
	}
	bea, err := s.CreateMember(ctx, Member{Alias: "bea", Language: "en", Cell: "9q8yy"})
	if err != nil {
		t.Fatal(err)
	}
	// Made a second apart, so that "oldest first" is the order made.
	now := time.Date(2030, 5, 1, 10, 0, 0, 0, time.UTC)
	s.now = func() time.Time { now = now.Add(time.Second); return now }
	made := []struct{ hash, member, role string }{
		{strings.Repeat("f0", 32), ana.ID, "member"},
		{strings.Repeat("0a", 32), bea.ID, "member"},
		{strings.Repeat("3c", 32), ana.ID, "organizer"},
	}
	var ids []string
	for _, m := range made {
		tok, err := s.CreateToken(ctx, Token{Hash: m.hash, MemberID: m.member, Role: m.role})
		if err != nil {
			t.Fatal(err)
		}
		if tok.ID != m.hash[:TokenIDLen] {
			t.Errorf("CreateToken: id %q, want the hash's first %d digits %q", tok.ID, TokenIDLen, m.hash[:TokenIDLen])
		}
		ids = append(ids, tok.ID)
	}
	if got, err := s.TokenByHash(ctx, made[0].hash); err != nil || got.ID != ids[0] {
		t.Errorf("TokenByHash: got %+v, %v; want id %s", got, err, ids[0])
	}

	all, err := s.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tk := range all {
		got = append(got, tk.ID+" "+tk.Alias+" "+tk.Role)
		if tk.Hash != "" || tk.Created.IsZero() {
			t.Errorf("Tokens: %+v: want no hash, a creation time", tk)
		}
	}
	want := []string{ids[0] + " ana member", ids[1] + " bea member", ids[2] + " ana organizer"}
	if !slices.Equal(got, want) {
		t.Errorf("Tokens: got %q, want %q", got, want)
	}
	mine, err := s.MemberTokens(ctx, ana.ID)
	if err != nil || len(mine) != 2 || mine[0].ID != ids[0] || mine[1].ID != ids[2] || mine[0].Alias != "ana" {
		t.Errorf("MemberTokens(ana): got %+v, %v; want %s and %s", mine, err, ids[0], ids[2])
	}

	// Bea cannot revoke Ana's token: it is not found, and still works.
	_, err = s.RevokeMemberToken(ctx, bea.ID, ids[0])
	wantCode(t, "RevokeMemberToken of another member's token", err, CodeNotFound)
	if _, err := s.TokenByHash(ctx, made[0].hash); err != nil {
		t.Errorf("TokenByHash after another member tried to revoke it: %v", err)
	}
	gone, err := s.RevokeMemberToken(ctx, ana.ID, ids[0])
	if err != nil {
		t.Fatalf("RevokeMemberToken: %v", err)
	}
	if gone.ID != ids[0] || gone.MemberID != ana.ID || gone.Alias != "ana" || gone.Role != "member" || gone.Created.IsZero() {
		t.Errorf("RevokeMemberToken: got %+v, want ana's member token %s", gone, ids[0])
	}
	_, err = s.TokenByHash(ctx, made[0].hash)
	wantCode(t, "TokenByHash of a revoked token", err, CodeNotFound)
	_, err = s.RevokeToken(ctx, ana.ID, ids[0])
	wantCode(t, "RevokeToken of a revoked token", err, CodeNotFound)
	_, err = s.RevokeToken(ctx, ana.ID, "0123456789ab")
	wantCode(t, "RevokeToken of an unknown id", err, CodeNotFound)
	for _, bad := range []string{"", "xyz", strings.ToUpper(ids[1]), ids[1] + "0", made[1].hash} {
		_, err = s.RevokeToken(ctx, ana.ID, bad)
		wantCode(t, fmt.Sprintf("RevokeToken(%q)", bad), err, CodeInvalid)
	}

	// The organization revokes any member's token: Ana, as an
	// organizer, revokes Bea's.
	gone, err = s.RevokeToken(ctx, ana.ID, ids[1])
	if err != nil || gone.Alias != "bea" || gone.MemberID != bea.ID {
		t.Errorf("RevokeToken of bea's: got %+v, %v", gone, err)
	}
	if all, err := s.Tokens(ctx); err != nil || len(all) != 1 || all[0].ID != ids[2] {
		t.Errorf("Tokens after two revocations: got %+v, %v; want only %s", all, err, ids[2])
	}
	if toks, err := s.MemberTokens(ctx, bea.ID); err != nil || len(toks) != 0 {
		t.Errorf("MemberTokens(bea) after revocation: got %+v, %v; want none", toks, err)
	}
	// And the command line revokes Ana's organizer token.
	if _, err := s.RevokeToken(ctx, "", ids[2]); err != nil {
		t.Fatalf("RevokeToken from the command line: %v", err)
	}

	// The audit log has the three revocations, newest first, and
	// nothing of the refusals: who revoked (a pseudonym, or "cli"),
	// which token, whose it was, and when.
	log, _, err := s.AuditLog(ctx, AuditFilter{}, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{s.Pseudonym(ana.ID): "ana", s.Pseudonym(bea.ID): "bea", AuditCLI: "cli"}
	var rows []string
	for _, e := range log {
		rows = append(rows, fmt.Sprintf("%s %s %s of %s at %s", names[e.Actor], e.Action, e.Token, names[e.Subject], e.At.Format(time.TimeOnly)))
		if e.Collective != "" {
			t.Errorf("the revocation of a member's or organizer's token: collective %q, want none", e.Collective)
		}
	}
	want = []string{
		"cli revoke-token " + ids[2] + " of ana at 10:00:06",
		"ana revoke-token " + ids[1] + " of bea at 10:00:05",
		"ana revoke-token " + ids[0] + " of ana at 10:00:04",
	}
	if !slices.Equal(rows, want) {
		t.Errorf("the audit log after three revocations: got %q, want %q", rows, want)
	}
	for _, e := range log {
		for _, secret := range []string{made[0].hash, made[1].hash, made[2].hash, ana.ID, bea.ID} {
			if strings.Contains(fmt.Sprint(e), secret) {
				t.Errorf("an audit entry holds %q: %+v", secret, e)
			}
		}
	}
	// Whose tokens were revoked, and what Ana revoked.
	for _, tc := range []struct {
		f    AuditFilter
		want []string
	}{
		{AuditFilter{Subject: ana.ID}, []string{ids[2], ids[0]}},
		{AuditFilter{Subject: bea.ID}, []string{ids[1]}},
		{AuditFilter{Member: ana.ID}, []string{ids[1], ids[0]}},
		{AuditFilter{Member: bea.ID}, nil},
		// By pseudonym, as who revoked or as whose token it was.
		{AuditFilter{Person: s.Pseudonym(ana.ID)}, []string{ids[2], ids[1], ids[0]}},
		{AuditFilter{Person: s.Pseudonym(bea.ID)[:PersonDigits]}, []string{ids[1]}},
		{AuditFilter{Person: s.Pseudonym(ana.ID)[:PersonDigits], Action: AuditRevokeToken}, []string{ids[2], ids[1], ids[0]}},
		{AuditFilter{Person: s.Pseudonym(bea.ID)[:PersonDigits], Action: AuditListMembers}, nil},
		{AuditFilter{Person: s.Pseudonym(bea.ID), Member: ana.ID}, []string{ids[1]}},
		{AuditFilter{Person: s.Pseudonym(bea.ID), Member: bea.ID}, nil},
	} {
		log, _, err := s.AuditLog(ctx, tc.f, "", 10)
		var got []string
		for _, e := range log {
			got = append(got, e.Token)
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("AuditLog(%+v): got %q, %v; want %q", tc.f, got, err, tc.want)
		}
	}
}

func TestTokenRevokeCollectiveSQLite(t *testing.T) {
	testTokenRevokeCollective(t, Config{DataDir: t.TempDir()})
}

func TestTokenRevokeCollectivePostgres(t *testing.T) {
	dsn, _ := storetest.Schema(t, storetest.Server(t))
	testTokenRevokeCollective(t, Config{PostgresURL: dsn, KeyFile: filepath.Join(t.TempDir(), "key")})
}

// testTokenRevokeCollective: the revocation of a coordinator's token is
// in the audit log under its collective, beside the reads of its member
// list.
func testTokenRevokeCollective(t *testing.T, cfg Config) {
	ctx := context.Background()
	s := open(t, cfg)
	collectiveWith(t, s, "c-1", 0)
	cora, err := s.CreateMember(ctx, Member{Alias: "cora", Language: "es", Cell: "9q8yy"})
	if err != nil {
		t.Fatal(err)
	}
	m := cora.ID
	if err := s.AddMembership(ctx, m, "c-1", RoleCoordinator); err != nil {
		t.Fatal(err)
	}
	tok, err := s.CreateToken(ctx, Token{Hash: strings.Repeat("c1", 32), MemberID: m, Role: "coordinator", Collective: "c-1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Audit(ctx, m, AuditListMembers, "c-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RevokeMemberToken(ctx, m, tok.ID); err != nil {
		t.Fatal(err)
	}
	log, _, err := s.AuditLog(ctx, AuditFilter{Collective: "c-1"}, "", 10)
	if err != nil || len(log) != 2 {
		t.Fatalf("AuditLog of c-1: got %+v, %v; want a revocation and a read", log, err)
	}
	p := s.Pseudonym(m)
	if e := log[0]; e.Action != AuditRevokeToken || e.Actor != p || e.Subject != p || e.Token != tok.ID {
		t.Errorf("the revocation: got %+v, want %s of %s by and of %s", e, AuditRevokeToken, tok.ID, p)
	}
	if e := log[1]; e.Action != AuditListMembers || e.Subject != "" || e.Token != "" {
		t.Errorf("the read: got %+v, want %s without subject or token", e, AuditListMembers)
	}
}

func TestTokenIDMigrationSQLite(t *testing.T) {
	testTokenIDMigration(t, Config{DataDir: t.TempDir()})
}

func TestTokenIDMigrationPostgres(t *testing.T) {
	dsn, _ := storetest.Schema(t, storetest.Server(t))
	testTokenIDMigration(t, Config{PostgresURL: dsn, KeyFile: filepath.Join(t.TempDir(), "key")})
}

// testTokenIDMigration stores a token in the schema before migration
// 0013 (tokens without ids), migrates, and finds the token working, with
// the id of its hash, which revokes it.
func testTokenIDMigration(t *testing.T, cfg Config) {
	ctx := context.Background()
	old := cfg
	old.migrateTo = 12
	s := open(t, old)
	m, err := s.CreateMember(ctx, Member{Alias: "ana", Language: "es", Cell: "9q8yy"})
	if err != nil {
		t.Fatal(err)
	}
	hash := strings.Repeat("9d", 32)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO tokens (hash, member_id, role, created_at) VALUES ($1, $2, 'organizer', 1900000000)`,
		hash, m.ID); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = open(t, cfg)
	tok, err := s.TokenByHash(ctx, hash)
	if err != nil || tok.ID != hash[:TokenIDLen] || tok.Role != "organizer" || tok.MemberID != m.ID {
		t.Fatalf("TokenByHash after the migration: got %+v, %v; want ana's organizer token with id %s", tok, err, hash[:TokenIDLen])
	}
	if all, err := s.Tokens(ctx); err != nil || len(all) != 1 || all[0].ID != tok.ID {
		t.Errorf("Tokens after the migration: got %+v, %v", all, err)
	}
	// A new token beside it, then the old one revoked by its id.
	if _, err := s.CreateToken(ctx, Token{Hash: strings.Repeat("9e", 32), MemberID: m.ID, Role: "member"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RevokeToken(ctx, "", tok.ID); err != nil {
		t.Fatalf("RevokeToken after the migration: %v", err)
	}
	_, err = s.TokenByHash(ctx, hash)
	wantCode(t, "TokenByHash of the migrated token, revoked", err, CodeNotFound)
}
