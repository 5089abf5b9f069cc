package plan

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportDirection keeps the layering of DESIGN.md, for every package
// below the command line, in one table: the planner and the domain know
// nothing of storage or HTTP; the store uses the domain's types and its
// two database drivers, nothing that serves requests; the web layer uses
// the store, auth, the domain (urgent calls included), notify and a QR
// encoder, never the command line;
// auth uses the standard library only. (lp keeps its own test: it is public and must
// import nothing of the project.)
func TestImportDirection(t *testing.T) {
	const module = "github.com/commune-org/commune/"
	allowed := map[string][]string{
		".":        {module + "internal/world", module + "internal/geo", module + "lp"},
		"../world": {module + "internal/geo"},
		"../geo":   {},
		"../demo":  {module + "internal/world", module + "internal/geo", module + "internal/call"},
		"../call":  {module + "internal/geo"},
		"../auth":  {},
		"../store": {module + "internal/world", module + "internal/geo", module + "internal/plan", module + "internal/call",
			"modernc.org/sqlite", "modernc.org/sqlite/lib",
			"github.com/jackc/pgx/v5/stdlib", "github.com/jackc/pgx/v5/pgconn"},
		"../web": {module + "internal/store", module + "internal/auth", module + "internal/world", module + "internal/plan",
			"github.com/skip2/go-qrcode",                                                                // invites' QR codes
			"github.com/yuin/goldmark", "github.com/yuin/goldmark/ast", "github.com/yuin/goldmark/text", // articles in Markdown
			"github.com/yuin/goldmark/extension", "github.com/yuin/goldmark/extension/ast", "github.com/yuin/goldmark/renderer/html",
			"github.com/microcosm-cc/bluemonday", // and sanitized
			"github.com/go-pdf/fpdf",             // editions as PDF
			module + "internal/geo", module + "internal/call",
			module + "internal/notify", "github.com/go-webauthn/webauthn/webauthn", "github.com/go-webauthn/webauthn/protocol"},
		"../notify": {},
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
					if path == a {
						continue imports
					}
				}
				t.Errorf("%s imports %q: not allowed (DESIGN.md, direction of dependencies)", f, path)
			}
		}
	}
}
