package plan

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportDirection keeps the layering of DESIGN.md: the planner and
// the domain know nothing of storage or HTTP. plan may import world, geo
// and lp; world only geo; geo nothing of the project.
func TestImportDirection(t *testing.T) {
	const module = "github.com/commune-org/commune/"
	allowed := map[string][]string{
		".":        {"internal/world", "internal/geo", "lp"},
		"../world": {"internal/geo"},
		"../geo":   {},
	}
	for dir, ok := range allowed {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", dir, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
		imports:
			for _, imp := range ast.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				first := strings.Split(path, "/")[0]
				if !strings.Contains(first, ".") {
					continue // the standard library
				}
				for _, a := range ok {
					if path == module+a {
						continue imports
					}
				}
				t.Errorf("%s imports %q: not allowed (DESIGN.md, direction of dependencies)", f, path)
			}
		}
	}
}
