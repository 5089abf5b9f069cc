package web

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestImportDirection keeps the layering of DESIGN.md and doc.go: the web
// layer uses the store, auth and the domain, never the command line.
func TestImportDirection(t *testing.T) {
	const module = "github.com/commune-org/commune/"
	allowed := []string{
		module + "internal/store", module + "internal/auth",
		module + "internal/world", module + "internal/plan",
	}
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files (%v)", err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if !strings.Contains(strings.Split(path, "/")[0], ".") {
				continue // the standard library
			}
			if !slices.Contains(allowed, path) {
				t.Errorf("%s imports %q: not allowed (doc.go, DESIGN.md)", f, path)
			}
		}
	}
}
