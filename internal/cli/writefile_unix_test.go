//go:build unix

package cli

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestWriteFileDevice: writing a plan to what is not a regular file (here
// a named pipe, as /dev/null or a terminal would be) writes through it
// and leaves it what it was; renaming a temporary file over it, as for a
// regular file, would have replaced /dev/null itself for every program
// on the machine.
func TestWriteFileDevice(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- "open: " + err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	if err := writeFile(fifo, func(w io.Writer) error {
		_, err := io.WriteString(w, "plan\n")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "plan\n" {
			t.Errorf("read from the pipe %q, want %q", s, "plan\n")
		}
	case <-time.After(time.Minute): // nothing came through the pipe
		t.Fatal("nothing was written to the pipe")
	}
	fi, err := os.Lstat(fifo)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the pipe is now %v, want a named pipe still", fi.Mode())
	}
	entries, err := os.ReadDir(filepath.Dir(fifo))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("%d entries beside the pipe, want none: %v", len(entries)-1, entries)
	}
	if err := writeFile(filepath.Dir(fifo), func(io.Writer) error { return nil }); err == nil {
		t.Error("writing over a directory: no error")
	}
}
