//go:build unix

package store

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestDatabaseFilesPrivate: the SQLite database and its WAL and shared
// memory files are readable by their owner only, also in a data
// directory that existed before with the usual 0755 (made by an
// operator, a package or a container volume) and under the usual umask
// 022. They hold every alias, cell and membership: another account on
// the machine must not read them.
func TestDatabaseFilesPrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateMember(ctx, Member{Alias: "ana", Language: "es", Cell: "9q5cw"}); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		for _, name := range []string{DBFile, DBFile + "-wal", DBFile + "-shm", "key", "key-audit"} {
			fi, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Errorf("%s: %s: %v", when, name, err)
				continue
			}
			if perm := fi.Mode().Perm(); perm&0o077 != 0 {
				t.Errorf("%s: %s: mode %v, want no access for group or others", when, name, perm)
			}
		}
	}
	check("new database")
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	// A database an earlier version left readable by all is made
	// private when it is opened.
	if err := os.Chmod(filepath.Join(dir, DBFile), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err = Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.CreateMember(ctx, Member{Alias: "bea", Language: "en", Cell: "9q5cw"}); err != nil {
		t.Fatal(err)
	}
	check("database of an earlier version")
}
