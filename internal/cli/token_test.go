package cli

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/store/storetest"
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

// TestTokenListRevoke: --list shows every token by its id, or a
// member's; --revoke ends one by its id or by the token itself, and the
// database finds it no more.
func TestTokenListRevoke(t *testing.T) {
	dir := newData(t)
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateMember(ctx, store.Member{Alias: "bea", Language: "en", Cell: "9q8yy"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	newToken := func(args ...string) string {
		t.Helper()
		code, out, errOut := runCLI(t, "en", append([]string{"token", "--data", dir}, args...)...)
		if code != 0 {
			t.Fatalf("token %v: exit %d: %s", args, code, errOut)
		}
		return strings.TrimSpace(out)
	}
	anas := newToken("--member", "ana", "--role", "coordinator", "--collective", "c-1")
	beas := newToken("--member", "bea", "--role", "member")
	anaID, beaID := auth.Hash(anas)[:store.TokenIDLen], auth.Hash(beas)[:store.TokenIDLen]

	code, out, errOut := runCLI(t, "en", "token", "--data", dir, "--list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || strings.Join(strings.Fields(lines[0]), " ") != "ID MEMBER ROLE COLLECTIVE CREATED" {
		t.Fatalf("--list: got exit %d, stdout %q, stderr %q; want a header and two tokens", code, out, errOut)
	}
	// Made in the same second, the two come in the order of their ids.
	rows := map[string]bool{}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		rows[strings.Join(f[:4], " ")] = len(f) == 7 && f[6] == "UTC"
	}
	for _, want := range []string{anaID + " ana coordinator c-1", beaID + " bea member -"} {
		if !rows[want] {
			t.Errorf("--list: no line %q with its date in UTC: %q", want, out)
		}
	}
	if strings.Contains(out, anas) || strings.Contains(out, beas) || strings.Contains(out, auth.Hash(anas)) {
		t.Errorf("--list shows a token or its whole hash: %q", out)
	}
	code, out, _ = runCLI(t, "es", "token", "--data", dir, "--list", "--member", "bea")
	if code != 0 || !strings.HasPrefix(out, "ID") || !strings.Contains(out, "MIEMBRO") || !strings.Contains(out, beaID) || strings.Contains(out, anaID) {
		t.Errorf("--list --member bea in Spanish: got exit %d, %q; want only bea's token, under a Spanish header", code, out)
	}

	// Bea's by its id, in upper case as someone may copy it.
	code, out, errOut = runCLI(t, "en", "token", "--data", dir, "--revoke", strings.ToUpper(beaID))
	if code != 0 || out != "token "+beaID+" of member bea (member) revoked: it no longer works\n" {
		t.Errorf("--revoke %s: got exit %d, stdout %q, stderr %q", beaID, code, out, errOut)
	}
	// Ana's by the token itself, as when it leaked.
	code, out, errOut = runCLI(t, "es", "token", "--data", dir, "--revoke", anas)
	if code != 0 || out != "token "+anaID+" del miembro ana (coordinator) anulado: ya no sirve\n" {
		t.Errorf("--revoke cmt_...: got exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	st, err = store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, tok := range []string{anas, beas} {
		if _, err := st.TokenByHash(ctx, auth.Hash(tok)); store.ErrorCode(err) != store.CodeNotFound {
			t.Errorf("TokenByHash of a revoked token: got %v, want not found", err)
		}
	}
	// The audit log says the command line revoked both, and whose they were.
	log, _, err := st.AuditLog(ctx, store.AuditFilter{}, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range log {
		got = append(got, e.Actor+" "+e.Action+" "+e.Token+" "+e.Collective)
	}
	if want := []string{"cli revoke-token " + anaID + " c-1", "cli revoke-token " + beaID + " "}; !slices.Equal(got, want) {
		t.Errorf("the audit log after two revocations: got %q, want %q", got, want)
	}
	if beaM, err := st.MemberByAlias(ctx, "bea"); err != nil || len(log) != 2 || log[1].Subject != st.Pseudonym(beaM.ID) {
		t.Errorf("the revocation of bea's token: got %+v, %v; want her pseudonym as its subject", log, err)
	}
	code, out, errOut = runCLI(t, "en", "token", "--data", dir, "--list")
	if code != 0 || out != "" || errOut != "no API tokens\n" {
		t.Errorf("--list with none left: got exit %d, stdout %q, stderr %q", code, out, errOut)
	}

	tests := []struct {
		name, lang string
		args       []string
		code       int
		want       string
	}{
		{"not an id", "en", []string{"--revoke", "zzz"}, exitUsage, `"zzz" is not a token id: want the 12 hex digits that --list shows`},
		{"unknown id", "es", []string{"--revoke", "0123456789ab"}, exitFailure, `ningún token tiene el id "0123456789ab"`},
		{"revoked again", "en", []string{"--revoke", beaID}, exitFailure, "no token has the id"},
		{"revoked token again", "en", []string{"--revoke", anas}, exitFailure, "this token is not in the database"},
		{"list with a role", "en", []string{"--list", "--role", "member"}, exitUsage, "--list takes no other flag than --member"},
		{"revoke with a member", "es", []string{"--revoke", beaID, "--member", "ana"}, exitUsage, "--revoke admite el id de un token"},
		{"list of nobody", "en", []string{"--list", "--member", "nadie"}, exitFailure, `no member has the alias "nadie"`},
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

// TestStoreKeyNamed: with --db and neither --key nor --data, token,
// import and rotate-key stop before they touch anything, saying why in
// the user's language: they used to make ./commune-data/key (and its
// audit key) in the directory they were run from when nothing was sealed
// yet, a secret the server never reads. The URL here leads nowhere; the
// commands must not get as far as trying it.
func TestStoreKeyNamed(t *testing.T) {
	sheet := writeSheet(t, "alias,language,cell\nlupe,es,9q5cs\n")
	cwd := t.TempDir()
	t.Chdir(cwd)
	const url = "postgres://commune@127.0.0.1:1/none?connect_timeout=1"
	for _, c := range []struct {
		lang string
		args []string
		want string
	}{
		{"en", []string{"token", "--db", url, "--member", "ana", "--role", "member"}, "commune: with --db, name the server's key file: --key FILE, or --data DIR for DIR/key"},
		{"es", []string{"token", "--db", url, "--list"}, "commune: con --db, indique el archivo de clave del servidor: --key ARCHIVO, o --data DIR para DIR/key"},
		{"en", []string{"token", "--db", url, "--revoke", "0123456789ab"}, "commune: with --db, name the server's key file"},
		{"es", []string{"import", "--db", url, sheet}, "commune: con --db, indique el archivo de clave del servidor"},
		{"en", []string{"rotate-key", "--db", url}, "commune: with --db, name the server's key file"},
	} {
		code, out, errOut := runCLI(t, c.lang, c.args...)
		if code != exitUsage || out != "" || !strings.HasPrefix(errOut, c.want) {
			t.Errorf("%s: got exit %d, stdout %q, stderr %q; want exit %d and %q", strings.Join(c.args, " "), code, out, errOut, exitUsage, c.want)
		}
		if left, _ := os.ReadDir(cwd); len(left) != 0 {
			t.Fatalf("%s left %v in the working directory", strings.Join(c.args, " "), left)
		}
	}
}

// TestStoreKeyNamedPostgres: on a real PostgreSQL whose database holds
// nothing sealed, token and import without a key file named make none
// in the working directory; with --key they work, and the key is made
// there and only there.
func TestStoreKeyNamedPostgres(t *testing.T) {
	dsn, _ := storetest.Schema(t, storetest.Server(t))
	ctx := context.Background()
	key := filepath.Join(t.TempDir(), "key")
	st, err := store.Open(ctx, store.Config{PostgresURL: dsn, KeyFile: filepath.Join(t.TempDir(), "other")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateMember(ctx, store.Member{Alias: "ana", Language: "es", Cell: "9q8yy"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	sheet := writeSheet(t, "alias,language,cell\nlupe,es,9q5cs\n")
	cwd := t.TempDir()
	t.Chdir(cwd)
	empty := func(what string) {
		t.Helper()
		if left, _ := os.ReadDir(cwd); len(left) != 0 {
			t.Fatalf("%s left %v in the working directory", what, left)
		}
	}
	if code, _, errOut := runCLI(t, "en", "token", "--db", dsn, "--member", "ana", "--role", "member"); code != exitUsage {
		t.Errorf("token --db without a key: got exit %d (%s), want %d", code, errOut, exitUsage)
	}
	empty("token --db without a key")
	if code, _, errOut := runCLI(t, "en", "import", "--db", dsn, sheet); code != exitUsage {
		t.Errorf("import --db without a key: got exit %d (%s), want %d", code, errOut, exitUsage)
	}
	empty("import --db without a key")

	code, out, errOut := runCLI(t, "en", "token", "--db", dsn, "--key", key, "--member", "ana", "--role", "member")
	if code != 0 || auth.CheckFormat(strings.TrimSpace(out), auth.TokenPrefix) != nil {
		t.Fatalf("token --db --key: got exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, "en", "import", "--db", dsn, "--key", key, sheet); code != 0 {
		t.Fatalf("import --db --key: got exit %d, stderr %q", code, errOut)
	}
	empty("token and import --db --key")
	if _, err := os.Stat(key); err != nil {
		t.Errorf("the key named by --key: %v", err)
	}
}

// TestTokenNewServer: on a new server nobody is a member yet, and the
// organizer's first token is refused; the refusal says how members are
// added, with the flags of the store at hand, in the user's language.
// It said only that no member has the alias. Imported, the member gets
// their token.
func TestTokenNewServer(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fresh data")
	st, err := store.Open(context.Background(), store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	for lang, want := range map[string]string{
		"en": `no member has the alias "Carla"; members are added from a spreadsheet: commune import --data '` + dir + `' members.csv`,
		"es": `ningún miembro tiene el alias "Carla"; los miembros se añaden desde una hoja de cálculo: commune import --data '` + dir + `' miembros.csv`,
	} {
		code, out, errOut := runCLI(t, lang, "token", "--data", dir, "--member", "Carla", "--role", "organizer")
		if code != exitFailure || out != "" || !strings.Contains(errOut, want) {
			t.Errorf("%s: got exit %d, stdout %q, stderr %q; want exit 1 saying %q", lang, code, out, errOut, want)
		}
	}
	sheet := writeSheet(t, "alias,language,cell\nCarla,es,9q5cs\n")
	if code, _, errOut := runCLI(t, "en", "import", "--data", dir, sheet); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errOut)
	}
	if code, out, errOut := runCLI(t, "en", "token", "--data", dir, "--member", "Carla", "--role", "organizer"); code != 0 || !strings.HasPrefix(out, "cmt_") {
		t.Errorf("token after the import: exit %d, %q, %s", code, out, errOut)
	}
}
