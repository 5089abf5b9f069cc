package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/commune-org/commune/internal/geo"
	"github.com/commune-org/commune/internal/store"
)

//go:generate go run icon_gen.go

// The static assets (styles, scripts, icons, the map's land shapes) are
// embedded in the binary and served under names that carry a hash of
// their content, "/static/app.3f2a9c1d0b7e.css", so that a browser may
// keep them forever and still never use a stale one: a new content is a
// new name. Nothing is loaded from any other host.
//
// static/land-50m.json is Natural Earth's 1:50m land, as TopoJSON, copied
// unchanged from the npm package world-atlas 2.0.2 (its licence and
// Natural Earth's terms are in land-50m.LICENSE). It holds land only: no
// country, hence no border is ever drawn. 1:50m rather than 1:110m
// because coordinators zoom to a city: at 1:110m the coast from Malibu to
// Long Beach is 3 points, with no Santa Monica Bay and no Palos Verdes;
// 1:50m has 11 there and draws both. It is 545 kB, 174 kB gzipped, loaded
// once and cached for a year.

//go:embed static
var staticFS embed.FS

// asset is one embedded file.
type asset struct {
	name   string // its path under static/: "app.css"
	hashed string // its name with the hash: "app.3f2a9c1d0b7e.css"
	body   []byte
	ctype  string
}

// assets are the embedded files by name and by hashed name.
type assets struct {
	byName   map[string]*asset
	byHashed map[string]*asset
}

// loadAssets reads every file under static/ in fsys.
func loadAssets(fsys fs.FS) (*assets, error) {
	a := &assets{byName: map[string]*asset{}, byHashed: map[string]*asset{}}
	err := fs.WalkDir(fsys, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		a.add(strings.TrimPrefix(p, "static/"), body)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: static assets: %w", err)
	}
	// The postcode table, for the pages where a member picks their home
	// area: the browser looks the postcode up and sends only the cell.
	pc, err := geo.Postcodes()
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(pc)
	if err != nil {
		return nil, err
	}
	a.add("postcodes.json", body)
	return a, nil
}

// add keeps body as the asset name, under a name with its hash.
func (a *assets) add(name string, body []byte) {
	sum := sha256.Sum256(body)
	ext := path.Ext(name)
	hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
	ctype := mime.TypeByExtension(ext)
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	if ext == ".json" || ext == ".webmanifest" {
		ctype = "application/json"
	}
	as := &asset{name: name, hashed: hashed, body: body, ctype: ctype}
	a.byName[name], a.byHashed[hashed] = as, as
}

// workerPolicy is the content security policy of the service worker:
// what it fetches, imports or shows comes from this host only.
const workerPolicy = "default-src 'self'; object-src 'none'; base-uri 'none'"

// url returns the URL of the asset with the name. An unknown name is a
// mistake in a template, caught by the tests that render every page.
func (a *assets) url(name string) (string, error) {
	as, ok := a.byName[name]
	if !ok {
		return "", fmt.Errorf("web: no static asset %q", name)
	}
	return "/static/" + as.hashed, nil
}

// serveStatic answers GET /static/{file}: only hashed names are served,
// with a year of caching.
func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) error {
	as, ok := s.ui.assets.byHashed[r.PathValue("file")]
	if !ok {
		return errorf(store.CodeNotFound, msgNotFound)
	}
	h := w.Header()
	h.Set("Content-Type", as.ctype)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(as.body)
	return nil
}

// serveWorker answers GET /sw.js: the service worker must be served from
// the root to control every page, and under a fixed name, so it is not
// cached: the browser checks it on each visit and so learns of new
// assets. A worker does not inherit the pages' content security policy
// but gets the one its script is served with (CSP Level 3, "Initialize
// a global object's CSP list"): without one, its fetches and
// importScripts could reach any host.
func (s *Server) serveWorker(w http.ResponseWriter, r *http.Request) error {
	as := s.ui.assets.byName["sw.js"]
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Content-Security-Policy", workerPolicy)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	// The worker is told the hashed names of the assets to keep for
	// offline use in a prelude, so that its bytes change whenever an
	// asset does and the browser installs the new worker.
	fmt.Fprintf(w, "const ASSETS = %s;\n", s.ui.offlineAssets())
	w.Write(as.body)
	return nil
}
