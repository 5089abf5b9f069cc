package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// What an erasure (DeleteMember) or a purge (PurgeCalls, PurgeEvents)
// deletes must be gone from the files of a running server, not only
// from its tables. On SQLite, secure_delete zeroes the space a row
// leaves in the database file, but in WAL mode a transaction first
// appends every page it changes to commune.db-wal, and a checkpoint
// copies the newest pages into the database without erasing the log:
// the frames written while a row still existed (when it was inserted,
// or any later change to its page) stay readable in the -wal file until
// later writes happen to overwrite them, which on a quiet server may
// take days. So after such a deletion the store checkpoints the whole
// log into the database, where the rows are zeroes, and truncates the
// log to nothing (forget).
//
// A TRUNCATE checkpoint waits for the readers of the log to finish,
// and holds the one writer connection meanwhile: it waits forgetWait at
// most, not busyTimeout, so that an urgent call's ring never waits
// long behind it. One that could not finish leaves pendingForget set,
// and the next purge (the server runs one every few seconds) tries
// again. On PostgreSQL deleted rows stay in the table files until
// VACUUM reuses their space (see doc.go): nothing is done here.

// forget checkpoints the SQLite write-ahead log into the database and
// truncates it, so that it keeps nothing of what was deleted; it marks
// the work pending until a checkpoint completes.
func (s *Store) forget(ctx context.Context) error {
	if s.dialect != sqliteDialect {
		return nil
	}
	s.pendingForget.Store(true)
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: truncate the write-ahead log: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, forgetWait.Milliseconds())); err != nil {
		return fmt.Errorf("store: truncate the write-ahead log: %w", err)
	}
	var busy, logged, moved int
	err = conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logged, &moved)
	// The connection is the writer's, and keeps its own wait for what
	// follows; with ctx ended, a fresh one.
	if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA busy_timeout = %d`, busyTimeout.Milliseconds())); rerr != nil && err == nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("store: truncate the write-ahead log: %w", err)
	}
	if busy != 0 {
		return errors.New("store: truncate the write-ahead log: readers kept it busy; tried again at the next purge")
	}
	s.pendingForget.Store(false)
	return nil
}

// forgetWait is how long forget waits for the readers of the log.
const forgetWait = 250 * time.Millisecond
