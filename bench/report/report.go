// Package report writes benchmark results into markdown files, each in
// its own section between <!-- NAME:begin --> and <!-- NAME:end -->, so
// that several benchmarks share one document without overwriting each
// other.
package report

import (
	"os"
	"strings"
)

// Splice replaces the text between <!-- name:begin --> and
// <!-- name:end --> in the file at path, or appends a section with the
// markers when there is none.
func Splice(path, name, text string) error {
	begin, end := "<!-- "+name+":begin -->", "<!-- "+name+":end -->"
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	s := string(old)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	block := begin + "\n" + text + end
	if i >= 0 && j > i {
		s = s[:i] + block + s[j+len(end):]
	} else {
		s += "\n" + block + "\n"
	}
	return os.WriteFile(path, []byte(s), 0o644)
}
