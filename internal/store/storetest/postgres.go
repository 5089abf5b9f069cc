// Package storetest gives tests of any package a PostgreSQL database of
// their own: a fresh schema on the server named by COMMUNE_TEST_POSTGRES
// (which scripts/test starts), dropped after the test. It is for tests
// only; it imports nothing of the project.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// Server returns the URL in COMMUNE_TEST_POSTGRES. Without one the test
// is skipped, or fails when COMMUNE_STRICT is set (as scripts/test sets
// it), so that CI cannot pass without PostgreSQL.
func Server(t testing.TB) string {
	t.Helper()
	base := os.Getenv("COMMUNE_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("COMMUNE_STRICT") != "" {
			t.Fatal("COMMUNE_TEST_POSTGRES is empty and COMMUNE_STRICT is set: this test must run on PostgreSQL")
		}
		t.Skip("COMMUNE_TEST_POSTGRES is empty: set it to a PostgreSQL URL to run this test on PostgreSQL")
	}
	return base
}

// Schema creates a schema of its own on the server at base, dropped
// after the test, and returns a URL whose connections use it and the
// schema's name, so that tests sharing a server never see each other's
// tables.
func Schema(t testing.TB, base string) (dsn, schema string) {
	t.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 8)
	rand.Read(b)
	schema = "test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("COMMUNE_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema) // pgx sends unknown parameters as run-time settings
	u.RawQuery = q.Encode()
	return u.String(), schema
}
