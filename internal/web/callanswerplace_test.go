package web

import (
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/store"
)

// TestCallAnswerPagePlace: the page a notice links to is where a member
// who got a text or an email learns what the notice leaves out, the
// place first of all: a call at a site names the site, a call at a cell
// gives the cell.
func TestCallAnswerPagePlace(t *testing.T) {
	e := newCallEnv(t, store.Config{DataDir: t.TempDir()}, 3)
	for _, tc := range []struct {
		name  string
		place map[string]any
		want  string
	}{
		{"site", map[string]any{"site": "fabrica-norte"}, "Fábrica Norte"},
		{"cell", map[string]any{"cell": "9q5ctr1"}, "9q5ctr1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := map[string]any{"collective": "c-garment", "kind": "raid", "headcount": 1,
				"until": time.Now().Add(time.Hour).Format(time.RFC3339), "message": map[string]string{"es": "Vengan ya", "en": "Come now"}}
			for k, v := range tc.place {
				body[k] = v
			}
			var created callStatus
			e.json(t, "POST", "/api/v1/calls", e.author, body, 201, &created)
			e.json(t, "POST", "/api/v1/calls/"+created.ID+"/verify", e.verifier, nil, 200, nil)
			got := e.drain(t, time.Now())
			m, ok := got[e.emails[0]]
			if !ok {
				t.Fatalf("the nearest member got no message: %v", sortedKeys(got))
			}
			status, page := e.get(t, linkOf(t, m))
			if status != 200 || !strings.Contains(page, tc.want) {
				t.Errorf("answer page: got %d, want the place %q in %.600s", status, tc.want, page)
			}
			if _, err := e.store.CloseCall(t.Context(), created.ID, time.Now()); err != nil {
				t.Fatal(err)
			}
		})
	}
}
