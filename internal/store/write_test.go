package store

import (
	"context"
	"database/sql"
	"testing"
	"time"
)

// testWritePanic: a panic in the function of a write transaction goes
// on up to the caller (write does not recover it), and the transaction
// is rolled back on the way: what it wrote is gone, and the next write
// of the same row neither waits for the writer connection (SQLite has
// one) nor for the row's lock (PostgreSQL). The server recovers panics
// of requests and background work and goes on; a transaction left
// open would stop every later write.
func testWritePanic(t *testing.T, fresh func(t *testing.T) Config) {
	s := open(t, fresh(t))
	ctx := context.Background()
	insert := func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO collectives (id, name, kind, created_at) VALUES ('garment', 'Garment', 'workplace', 0)`)
		return err
	}
	func() {
		defer func() {
			if v := recover(); v != "broke" {
				t.Errorf("write: recovered %v, want the panic of its function", v)
			}
		}()
		s.write(ctx, "panic", func(tx *sql.Tx) error {
			if err := insert(tx); err != nil {
				t.Error(err)
			}
			panic("broke")
		})
	}()
	_, err := s.Collective(ctx, "garment")
	wantCode(t, "the collective written before the panic", err, CodeNotFound)
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.write(wctx, "after the panic", insert); err != nil {
		t.Fatalf("a write after the panic: %v", err)
	}
	if _, err := s.Collective(ctx, "garment"); err != nil {
		t.Errorf("the collective written after the panic: %v", err)
	}
}
