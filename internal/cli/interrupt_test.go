package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestStdinInterrupted: "plan -" and "lp solve -" waiting on a standard
// input that never ends stop on Ctrl-C (or SIGTERM), with exit 130; the
// read went on until the end of the input, so neither signal stopped
// the process (main catches them for the context).
func TestStdinInterrupted(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"plan", "-"}, "commune: interrupted; no file was written\n"},
		{[]string{"lp", "solve", "-"}, "commune: interrupted\n"},
	} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		stdin := os.Stdin
		os.Stdin = r
		w.Write([]byte(`{"format": "commune.world/v1",`)) // and nothing more, for now
		ctx, cancel := context.WithCancel(t.Context())
		var stdout, stderr bytes.Buffer
		done := make(chan int, 1)
		go func() { done <- Run(ctx, Config{Lang: "en"}, c.args, &stdout, &stderr) }()
		time.Sleep(50 * time.Millisecond)
		cancel()
		select {
		case code := <-done:
			if code != exitInterrupted || stderr.String() != c.want {
				t.Errorf("%v: got exit %d, stderr %q; want exit 130 and %q", c.args, code, stderr.String(), c.want)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("%v: still reading standard input 5 s after the interrupt", c.args)
			w.Close() // ends the read
			<-done
		}
		w.Close()
		os.Stdin = stdin
		r.Close()
	}
}

// TestGenInterrupted: gen interrupted (Ctrl-C) writes no world and exits
// 130; it went on, wrote the whole world and exited 0.
func TestGenInterrupted(t *testing.T) {
	out := filepath.Join(t.TempDir(), "world.json")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for lang, want := range map[string]string{"en": "commune: interrupted; no file was written\n", "es": "commune: interrumpido; no se escribió ningún archivo\n"} {
		var stdout, stderr bytes.Buffer
		code := Run(ctx, Config{Lang: lang}, []string{"gen", "--members", "50", "--out", out}, &stdout, &stderr)
		if code != exitInterrupted || stdout.Len() != 0 || stderr.String() != want {
			t.Errorf("%s: got exit %d, stdout %q, stderr %q; want exit 130 and %q", lang, code, stdout.String(), stderr.String(), want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: %s was written", lang, out)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := Run(ctx, Config{Lang: "en"}, []string{"gen", "--members", "50"}, &stdout, &stderr); code != exitInterrupted || stderr.String() != "commune: interrupted\n" {
		t.Errorf("to standard output: got exit %d, stderr %q; want exit 130 and %q", code, stderr.String(), "commune: interrupted\n")
	}
}
