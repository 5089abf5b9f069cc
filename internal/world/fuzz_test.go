package world

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzRead checks that Read never panics, that whatever it rejects comes
// with messages in both languages, and that whatever it accepts is valid,
// writes, reads back equal, and is read the same way by encoding/json.
func FuzzRead(f *testing.F) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, c := range invalidWorlds {
		if c.over != nil {
			f.Add([]byte(worldText(c.over)))
		} else {
			f.Add([]byte(c.text))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := Read(bytes.NewReader(data))
		if err != nil {
			checkErrors(t, err)
			return
		}
		if err := w.Validate(); err != nil {
			t.Fatalf("Read accepts a world that Validate rejects: %v", err)
		}
		var first bytes.Buffer
		if err := Write(&first, w); err != nil {
			t.Fatalf("Write: %v", err)
		}
		if !json.Valid(first.Bytes()) {
			t.Fatalf("Write gives invalid JSON:\n%s", first.Bytes())
		}
		back, err := Read(bytes.NewReader(first.Bytes()))
		if err != nil {
			t.Fatalf("reading back what Write wrote: %v\n%s", err, first.Bytes())
		}
		if !reflect.DeepEqual(back, w) {
			t.Fatalf("the world read back differs:\n%s", first.Bytes())
		}
		var second bytes.Buffer
		if err := Write(&second, back); err != nil {
			t.Fatalf("Write: %v", err)
		}
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Fatalf("two writes differ:\n%s\n%s", first.Bytes(), second.Bytes())
		}

		// Read is stricter than encoding/json (exact keys, no repeated
		// keys, valid UTF-8, null only where a value may be absent), so
		// encoding/json accepts all it accepts, and reads the same world.
		if !json.Valid(data) {
			t.Fatalf("encoding/json finds the input invalid")
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		var std World
		if err := dec.Decode(&std); err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		if !reflect.DeepEqual(normalize(&std), w) {
			t.Fatalf("encoding/json reads a different world")
		}
	})
}

// checkErrors checks an error of Read on content: Errors, at least one,
// each with a known rule and a complete message in both languages.
func checkErrors(t *testing.T, err error) {
	t.Helper()
	var errs Errors
	if !errors.As(err, &errs) || len(errs) == 0 {
		t.Fatalf("got %v (%T), want Errors", err, err)
	}
	for _, e := range errs {
		if _, ok := rules[e.Rule]; !ok {
			t.Errorf("unknown rule %q", e.Rule)
		}
		// fmt marks a verb without its argument, or an argument without
		// its verb, with "%!"; the path and the quoted values may hold
		// "%!" too, when the input does, so only more of them than those
		// hold is a malformed message.
		quoted := strings.Count(e.Path, "%!") + strings.Count(fmt.Sprint(e.Args...), "%!")
		for _, lang := range []string{"en", "es"} {
			if m := e.Message(lang); strings.Count(m, "%!") > quoted {
				t.Errorf("malformed message: %s", m)
			}
		}
	}
}
