package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/store/storetest"
)

// The conformance suite runs on SQLite always, on a real file, and on
// PostgreSQL when COMMUNE_TEST_POSTGRES holds a URL (scripts/test starts a
// private server and sets it). With COMMUNE_STRICT set and no URL, the
// PostgreSQL run fails instead of skipping.

func TestSQLite(t *testing.T) {
	testStore(t, func(t *testing.T) Config {
		return Config{DataDir: t.TempDir()}
	})
}

func TestPostgres(t *testing.T) {
	base := storetest.Server(t)
	testStore(t, func(t *testing.T) Config {
		dsn, _ := storetest.Schema(t, base)
		return Config{PostgresURL: dsn, KeyFile: filepath.Join(t.TempDir(), "key")}
	})
}

// testStore runs every test of the store on databases made by fresh: each
// call gives the Config of a new, empty database (a Config rather than a
// Store, so that a test can close the store and open the same database
// again).
func testStore(t *testing.T, fresh func(t *testing.T) Config) {
	tests := []struct {
		name string
		run  func(t *testing.T, fresh func(t *testing.T) Config)
	}{
		{"Migrations", testMigrations},
		{"Schema", testSchema},
		{"ConcurrentWrites", testConcurrentWrites},
		{"WritePanic", testWritePanic},
		{"Collectives", testCollectives},
		{"Members", testMembers},
		{"Memberships", testMemberships},
		{"ContactSealed", testContactSealed},
		{"RotateKey", testRotateKey},
		{"PlanRuns", testPlanRuns},
		{"WorldRoundTrip", testWorldRoundTrip},
		{"WorldReplace", testWorldReplace},
		{"WorldInvalid", testWorldInvalid},
		{"Catalog", testCatalog},
		{"DeleteMember", testDeleteMember},
		{"Export", testExport},
		{"MembershipChanges", testMembershipChanges},
		{"Invites", testInvites},
		{"Join", testJoin},
		{"Audit", testAudit},
		{"AuditTokensMigration", testAuditTokensMigration},
		{"AuditWholeReads", testAuditWholeReads},
		{"Coverage", testCoverage},
		{"Sessions", testSessions},
		{"LoginCodes", testLoginCodes},
		{"EmailIndex", testEmailIndex},
		{"EmailConfirmations", testEmailConfirmations},
		{"EmailConfirmPhoneKept", testEmailConfirmPhoneKept},
		{"Credentials", testCredentials},
		{"UpdateMember", testUpdateMember},
		{"Profile", testProfile},
		{"Needs", testNeeds},
		{"Commitment", testCommitment},
		{"LatestPlan", testLatestPlan},
		{"ImportMembers", testImportMembers},
		{"SiteEdits", testSiteEdits},
		{"CatalogEdits", testCatalogEdits},
		{"Push", testPush},
		{"CallSettings", testCallSettings},
		{"CallLifecycle", testCallLifecycle},
		{"CallRings", testCallRings},
		{"CallUnreached", testCallUnreached},
		{"SignInLinks", testSignInLinks},
		{"Outbox", testOutbox},
		{"CallPurge", testCallPurge},
		{"CallErase", testCallErase},
		{"CallKeysMigration", testCallKeysMigration},
		{"CallLists", testCallLists},
		{"Events", testEvents},
		{"News", testNews},
		{"Circulation", testCirculation},
		{"Editions", testEditions},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, fresh) })
	}
}

// open opens the database of cfg and closes it when the test ends.
func open(t *testing.T, cfg Config) *Store {
	t.Helper()
	s, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// wantCode fails the test unless err carries the code.
func wantCode(t *testing.T, what string, err error, code Code) {
	t.Helper()
	if got := ErrorCode(err); got != code {
		t.Errorf("%s: got code %q (%v), want %q", what, got, err, code)
	}
}

// tables returns the names of the store's tables, sorted.
func tables(t *testing.T, s *Store) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if s.dialect == postgresDialect {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
	}
	rows, err := s.read.Query(q)
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}

// dump returns every row of every table, each as the text of its values,
// sorted: two dumps are equal when the database holds the same data.
func dump(t *testing.T, s *Store) map[string][]string {
	t.Helper()
	out := make(map[string][]string)
	for _, table := range tables(t, s) {
		out[table] = rowsOf(t, s, table)
	}
	return out
}

func rowsOf(t *testing.T, s *Store, table string) []string {
	t.Helper()
	rows, err := s.read.Query("SELECT * FROM " + table)
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		var b strings.Builder
		for i, v := range vals {
			if i > 0 {
				b.WriteString(" | ")
			}
			fmt.Fprintf(&b, "%s=", cols[i])
			switch v := v.(type) {
			case []byte:
				fmt.Fprintf(&b, "%q", v)
			default:
				fmt.Fprintf(&b, "%v", v)
			}
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	slices.Sort(out)
	return out
}

func TestErrorCode(t *testing.T) {
	base := Errorf(CodeNotFound, "member %q not found", "m-1")
	tests := []struct {
		err  error
		want Code
	}{
		{nil, ""},
		{errors.New("disk on fire"), CodeInternal},
		{base, CodeNotFound},
		{fmt.Errorf("web: %w", base), CodeNotFound},
		{&Error{Code: CodeInvalid, Message: "world", Err: errors.New("needs[3].qty: must be > 0")}, CodeInvalid},
	}
	for _, tc := range tests {
		if got := ErrorCode(tc.err); got != tc.want {
			t.Errorf("ErrorCode(%v): got %q, want %q", tc.err, got, tc.want)
		}
	}
	if got, want := ErrorMessage(errors.New("secret detail")), "internal error"; got != want {
		t.Errorf("ErrorMessage of an internal error: got %q, want %q", got, want)
	}
	if got, want := ErrorMessage(fmt.Errorf("x: %w", base)), `member "m-1" not found`; got != want {
		t.Errorf("ErrorMessage: got %q, want %q", got, want)
	}
}

func TestOpenConfig(t *testing.T) {
	_, err := Open(context.Background(), Config{PostgresURL: "postgres://127.0.0.1:1/x"})
	wantCode(t, "Open without a key location", err, CodeInvalid)
	_, err = Open(context.Background(), Config{KeyFile: filepath.Join(t.TempDir(), "key")})
	wantCode(t, "Open without a database", err, CodeInvalid)
	// A server that cannot be reached is unavailable, not a bug.
	_, err = Open(context.Background(), Config{PostgresURL: "postgres://commune@127.0.0.1:1/x?connect_timeout=2",
		KeyFile: filepath.Join(t.TempDir(), "key")})
	wantCode(t, "Open of an unreachable PostgreSQL", err, CodeUnavailable)
}
