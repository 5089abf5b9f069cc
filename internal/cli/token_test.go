package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
)

// newData returns a data directory whose database holds the member ana,
// coordinator of the collective c-1.
func newData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, err := st.CreateMember(ctx, store.Member{Alias: "ana", Language: "es", Cell: "9q8yy"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateCollective(ctx, store.Collective{ID: "c-1", Name: "Plant", Kind: store.Workplace}); err != nil {
		t.Fatal(err)
	}
	if err := st.AddMembership(ctx, m.ID, "c-1", store.RoleCoordinator); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestToken(t *testing.T) {
	dir := newData(t)
	code, out, errOut := runCLI(t, "en", "token", "--data", dir, "--member", "ana", "--role", "coordinator", "--collective", "c-1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	tok := strings.TrimSpace(out)
	if err := auth.CheckFormat(tok, auth.TokenPrefix); err != nil {
		t.Fatalf("stdout %q: %v", out, err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got, err := st.TokenByHash(ctx, auth.Hash(tok))
	if err != nil {
		t.Fatalf("TokenByHash: %v", err)
	}
	if got.Role != "coordinator" || got.Collective != "c-1" {
		t.Errorf("stored token: got %+v, want coordinator of c-1", got)
	}
	if strings.Contains(errOut, tok) {
		t.Errorf("stderr repeats the token: %q", errOut)
	}
}

func TestTokenErrors(t *testing.T) {
	dir := newData(t)
	tests := []struct {
		name, lang string
		args       []string
		code       int
		want       string
	}{
		{"no role", "en", []string{"--member", "ana"}, exitUsage, "want --member and --role"},
		{"bad role", "es", []string{"--member", "ana", "--role", "boss"}, exitUsage, "rol desconocido"},
		{"coordinator without collective", "en", []string{"--member", "ana", "--role", "coordinator"}, exitUsage, "needs --collective"},
		{"member with collective", "en", []string{"--member", "ana", "--role", "member", "--collective", "c-1"}, exitUsage, "only a coordinator"},
		{"unknown member", "es", []string{"--member", "nadie", "--role", "member"}, exitFailure, `ningún miembro tiene el alias "nadie"`},
		{"unknown collective", "en", []string{"--member", "ana", "--role", "coordinator", "--collective", "c-9"}, exitFailure, "c-9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.lang, append([]string{"token", "--data", dir}, tc.args...)...)
			if code != tc.code || out != "" || !strings.Contains(errOut, tc.want) {
				t.Errorf("got exit %d, stdout %q, stderr %q; want exit %d, no stdout, stderr with %q", code, out, errOut, tc.code, tc.want)
			}
		})
	}
}
