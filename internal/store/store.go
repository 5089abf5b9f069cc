package store

import (
	"context"
	"crypto/cipher"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Config says where the database and the key file are.
//
// With PostgresURL empty, the database is the SQLite file commune.db in
// DataDir, which is created (mode 0700) if missing. With PostgresURL set,
// PostgreSQL holds the data and DataDir is used only for the key.
//
// The key that seals contact details is never in the database: it is the
// file KeyFile, or DataDir/key when KeyFile is empty, created with mode
// 0600 and 32 random bytes on first open. Losing it loses every contact
// (the rest of the data stays readable); keep a copy apart from database
// backups, since together they reveal the contacts. Beside it, the file
// of the same name with "-audit" appended holds the key of the audit
// log's pseudonyms (audit.go), created likewise.
type Config struct {
	DataDir     string
	PostgresURL string
	KeyFile     string

	// migrateTo, if not 0, stops the migrations after that version: the
	// tests of a migration write rows in the schema before it.
	migrateTo int
}

// DBFile is the name of the SQLite database in the data directory.
const DBFile = "commune.db"

// busyTimeout is how long an SQLite connection waits for a lock held by
// another process (a command run beside the server) before failing.
const busyTimeout = 5 * time.Second

type dialect int

const (
	sqliteDialect dialect = iota
	postgresDialect
)

func (d dialect) String() string {
	if d == postgresDialect {
		return "postgres"
	}
	return "sqlite"
}

// Store is the database. Its methods are safe for concurrent use.
type Store struct {
	dialect dialect
	// db takes every write. On SQLite it has one connection, so writers
	// queue in Go instead of failing on a busy database; read is a pool
	// of read-only connections, which WAL lets run beside the writer. On
	// PostgreSQL both are the same pool.
	db   *sql.DB
	read *sql.DB

	keyPath string
	// keyMu is held for reading while a contact is sealed or opened and
	// for writing while RotateKey replaces the key, so that no contact is
	// written under a key that is being retired.
	keyMu sync.RWMutex
	aead  cipher.AEAD
	// auditKey makes the audit log's pseudonyms (audit.go).
	auditKey []byte
	key      []byte // the sealing key itself, from which Key and emailIndex derive theirs
	// stmts holds the statements of the hottest queries (a token's
	// lookup, a new need), prepared once per pool (see stmt).
	stmts sync.Map // stmtKey -> *sql.Stmt
	// pendingForget says that rows were deleted whose old pages the
	// SQLite write-ahead log may still hold (forget.go).
	pendingForget atomic.Bool

	now func() time.Time
}

// Open opens the database described by cfg, applies the migrations it
// lacks, and loads (or creates) the key.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	s := &Store{now: time.Now}
	switch {
	case cfg.KeyFile != "":
		s.keyPath = cfg.KeyFile
	case cfg.DataDir != "":
		s.keyPath = filepath.Join(cfg.DataDir, "key")
	default:
		return nil, Errorf(CodeInvalid, "store: open: no data directory or key file for the encryption key")
	}
	if cfg.PostgresURL == "" && cfg.DataDir == "" {
		return nil, Errorf(CodeInvalid, "store: open: no data directory for the SQLite database and no PostgreSQL URL")
	}
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("store: open: %w", err)
		}
	}
	var err error
	if cfg.PostgresURL != "" {
		err = s.openPostgres(ctx, cfg.PostgresURL)
	} else {
		err = s.openSQLite(ctx, filepath.Join(cfg.DataDir, DBFile))
	}
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx, cfg.migrateTo); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.loadKey(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.loadAuditKey(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) openSQLite(ctx context.Context, path string) error {
	s.dialect = sqliteDialect
	if err := privateFiles(path); err != nil {
		return fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	// NORMAL in WAL mode loses no committed transaction when the process
	// dies, only (possibly) the last ones when the machine loses power.
	q.Add("_pragma", "synchronous(NORMAL)")
	// Deleted rows are overwritten with zeros, so that a deleted member
	// cannot be read back from the free pages of a seized file.
	q.Add("_pragma", "secure_delete(ON)")
	base := "file:" + path + "?"
	// The writer's page cache holds 64 MiB (on demand; SQLite's default
	// is 2 MiB): a ring of 100,000 writes about 30 MiB of table and index
	// pages in one transaction, and a smaller cache spills dirty pages to
	// the WAL mid-transaction and reads them back, which was half the
	// time of writing such a ring.
	wq := url.Values{}
	wq.Add("_pragma", "cache_size(-65536)")
	// A statement that may fail halfway inside a transaction (a
	// multi-row INSERT) keeps the pages it changes in a statement
	// journal, a temporary file by default: in memory instead, the
	// journal of a ring of 100,000 costs no system calls.
	wq.Add("_pragma", "temp_store(MEMORY)")
	w, err := sql.Open("sqlite", base+q.Encode()+"&"+wq.Encode()+"&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// The writer connection creates the file and switches it to WAL
	// before any reader opens it.
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	q.Add("_pragma", "query_only(1)")
	r, err := sql.Open("sqlite", base+q.Encode())
	if err != nil {
		w.Close()
		return fmt.Errorf("store: open sqlite %s for reading: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	s.db, s.read = w, r
	return nil
}

// privateFiles makes the SQLite database at path, and the WAL and shared
// memory files beside it, readable by their owner only: the database is
// created empty with mode 0600 before SQLite opens it (SQLite makes its
// files 0644 less the umask, and its WAL and shared memory files take
// the database's mode), and files left group- or world-readable by an
// earlier version lose those bits. Open makes a missing data directory
// 0700, but one that existed (made by an operator, a package or a
// container volume) is often 0755, and the database holds every alias,
// cell and membership.
func privateFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(name)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			if err := os.Chmod(name, perm&^0o077); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Store) openPostgres(ctx context.Context, dsn string) error {
	s.dialect = postgresDialect
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("store: open postgres: %w", err)
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return &Error{Code: CodeUnavailable, Message: "store: open postgres", Err: err}
	}
	s.db, s.read = db, db
	return nil
}

// stmtKey names a statement prepared on a pool.
type stmtKey struct {
	db    *sql.DB
	query string
}

// stmt returns query prepared on db. database/sql keeps no cache of its
// own, and parsing a query took a quarter of the server's CPU in the
// load benchmark; a *sql.Stmt is parsed once on each connection of the
// pool that runs it.
func (s *Store) stmt(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	key := stmtKey{db, query}
	if st, ok := s.stmts.Load(key); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.LoadOrStore(key, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// writeStmts returns the queries prepared on the writer, for a write to
// bind to its transaction (tx.StmtContext). They must be asked for
// before the write begins: on SQLite the writer has one connection, which
// a transaction holds.
func (s *Store) writeStmts(ctx context.Context, queries ...string) ([]*sql.Stmt, error) {
	sts := make([]*sql.Stmt, len(queries))
	for i, q := range queries {
		st, err := s.stmt(ctx, s.db, q)
		if err != nil {
			return nil, err
		}
		sts[i] = st
	}
	return sts, nil
}

// Close closes the database. On SQLite the WAL is checkpointed into the
// database file when the last connection closes.
func (s *Store) Close() error {
	var errs []error
	s.stmts.Range(func(k, st any) bool {
		errs = append(errs, st.(*sql.Stmt).Close())
		return true
	})
	if s.read != nil && s.read != s.db {
		errs = append(errs, s.read.Close())
	}
	if s.db != nil {
		errs = append(errs, s.db.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Empty reports whether the database holds no member and no
// collective: a new database, not yet an organization's.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT CASE WHEN EXISTS (SELECT 1 FROM members)
	OR EXISTS (SELECT 1 FROM collectives) THEN 1 ELSE 0 END`).Scan(&n); err != nil {
		return false, fmt.Errorf("store: empty: %w", err)
	}
	return n == 0, nil
}

// Ping checks that the database answers, for health checks.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return &Error{Code: CodeUnavailable, Message: "store: ping", Err: err}
	}
	return nil
}

// write runs fn in a transaction on the writer and commits it if fn
// returns nil; otherwise nothing fn did is kept. If fn panics, the
// transaction is rolled back as the panic goes on up: the server
// recovers panics of requests and of its background work and goes on,
// and a transaction left open would hold the one writer connection for
// good, every later write waiting for it. write does not recover: it
// cannot know what its caller was doing, and whether to go on is the
// caller's choice. (The deferred Rollback does nothing once the
// transaction committed.)
func (s *Store) write(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %s: begin: %w", what, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: %s: commit: %w", what, err)
	}
	return nil
}

// snapshot runs fn in a read-only transaction that sees one consistent
// state of the database.
func (s *Store) snapshot(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.dialect == postgresDialect {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.read.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("store: %s: begin: %w", what, err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// isUnique reports whether err is the violation of a unique or primary
// key constraint, on either database.
func isUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}
