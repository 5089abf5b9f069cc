package store

import (
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenWrongKey: a key file that does not open the database's sealed
// contacts is refused when the store opens, naming the file. With
// PostgreSQL the key is wherever --data or --key says, not beside the
// data: "commune import --db ..." run from another directory found
// there a key made by an earlier command, or any other, and sealed the
// new members' contacts under it, which the server's key never opens
// again (and the server's own open found nothing wrong).
func TestOpenWrongKey(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateMember(ctx, Member{Alias: "rosa", Language: "es", Cell: "9q5cw",
		Contact: Contact{Email: "rosa@example.org"}}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	other := filepath.Join(t.TempDir(), "key")
	wrong := make([]byte, keySize)
	rand.Read(wrong)
	if err := os.WriteFile(other, wrong, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err = Open(ctx, Config{DataDir: dir, KeyFile: other})
	if err == nil {
		defer st.Close()
		_, cerr := st.CreateMember(ctx, Member{Alias: "ana", Language: "es", Cell: "9q5cw", Contact: Contact{Email: "ana@example.org"}})
		t.Fatalf("open with a key that opens no contact: no error (a member's contact then sealed under it: %v)", cerr)
	}
	if !strings.Contains(err.Error(), other) || ErrorCode(err) != CodeUnavailable {
		t.Errorf("open with the wrong key: got %v (code %s), want an unavailable error naming %s", err, ErrorCode(err), other)
	}
	// The right key still opens it.
	st, err = Open(ctx, Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
}
