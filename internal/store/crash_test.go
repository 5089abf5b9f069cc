package store

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestCrashSQLite kills a process with SIGKILL while it writes members
// from eight goroutines, then checks that every write it reported done
// is in the database, contact and all, and that the file is sound: WAL
// with synchronous=NORMAL loses no committed transaction when the
// process dies.
func TestCrashSQLite(t *testing.T) {
	if dir := os.Getenv("COMMUNE_STORE_CRASH_CHILD"); dir != "" {
		crashChild(dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashSQLite$", "-test.count=1")
	cmd.Env = append(os.Environ(), "COMMUNE_STORE_CRASH_CHILD="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	const want = 400
	var acked []string
	sc := bufio.NewScanner(out)
	for len(acked) < want && sc.Scan() {
		if id, ok := strings.CutPrefix(sc.Text(), "done "); ok {
			acked = append(acked, id)
		}
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no deferred Close, no checkpoint
		t.Fatal(err)
	}
	cmd.Wait()
	if len(acked) < want {
		t.Fatalf("the writer reported %d writes before it stopped, want %d", len(acked), want)
	}
	s := open(t, Config{DataDir: dir})
	ctx := context.Background()
	var check string
	if err := s.db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check after the kill: %q, %v", check, err)
	}
	for _, id := range acked {
		m, err := s.Member(ctx, id)
		if err != nil {
			t.Errorf("write %s was reported done but is lost: %v", id, err)
			continue
		}
		if m.Contact.Phone != "+1 555 "+id {
			t.Errorf("member %s: contact %+v", id, m.Contact)
		}
	}
}

// crashChild writes members until it is killed, printing "done ID" after
// each write that returned; it gives up after a minute in case its parent
// is gone.
func crashChild(dir string) {
	s, err := Open(context.Background(), Config{DataDir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go func() {
		time.Sleep(time.Minute)
		os.Exit(2)
	}()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				id := fmt.Sprintf("m-%d-%d", g, i)
				_, err := s.CreateMember(context.Background(), Member{ID: id, Alias: id, Language: "en", Cell: "9q5cs",
					Contact: Contact{Phone: "+1 555 " + id}})
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				mu.Lock()
				fmt.Printf("done %s\n", id)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}
