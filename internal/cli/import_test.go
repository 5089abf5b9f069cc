package cli

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/geo"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// importData returns a data directory whose database holds the world of
// examples/neighbourhood.json (skills cook, nurse, print, drive; the
// collectives boyle-heights and pico-union) and the collective c-plant,
// "Planta Uno".
func importData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	w, err := world.ReadFile("../../examples/neighbourhood.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutWorld(ctx, w); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateCollective(ctx, store.Collective{ID: "c-plant", Name: "Planta Uno", Kind: store.Workplace}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func writeSheet(t *testing.T, content string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "members.csv")
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

// exportOf opens the data directory and returns everything about the
// member with the alias, or nil if there is none.
func exportOf(t *testing.T, dir, alias string) *store.Export {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, err := st.MemberByAlias(ctx, alias)
	if store.ErrorCode(err) == store.CodeNotFound {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	e, err := st.Export(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestImport(t *testing.T) {
	tests := []struct {
		name, lang, sheet, want string
	}{
		{"english, commas", "en",
			"alias,language,postcode,email,phone,collective,skills,hours,max_km\n" +
				"Lupe,es,90033,lupe@example.org,+1 213 555 0101,Planta Uno,cook;Driving,7.5,5\n" +
				"Chuy,EN,06000,,,,,,\n",
			"2 member(s) imported, 1 with a commitment, 1 in a collective\n"},
		{"spanish, semicolons, BOM, decimal comma", "es",
			"\uFEFFAlias;Idioma;Código_Postal;Correo;Teléfono;Colectivo;Oficios;Horas;Max KM\n" +
				"Lupe;es;90033;lupe@example.org;+1 213 555 0101;c-plant;Cocina | drive;7,5;5\n" +
				"Chuy;EN;06000;;;;;;\n",
			"2 miembro(s) importado(s), 1 con compromiso, 1 en un colectivo\n"},
	}
	table, err := geo.Postcodes()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := importData(t)
			code, out, errOut := runCLI(t, tc.lang, "import", "--data", dir, writeSheet(t, tc.sheet))
			if code != 0 || out != tc.want {
				t.Fatalf("got exit %d, stdout %q, stderr %q; want 0, %q", code, out, errOut, tc.want)
			}
			lupe := exportOf(t, dir, "Lupe")
			if lupe == nil {
				t.Fatal("Lupe was not imported")
			}
			if want := (store.Contact{Email: "lupe@example.org", Phone: "+1 213 555 0101"}); lupe.Member.Contact != want {
				t.Errorf("Lupe's contact: got %+v, want %+v", lupe.Member.Contact, want)
			}
			if lupe.Member.Cell != table["90033"] || lupe.Member.Language != "es" {
				t.Errorf("Lupe: got cell %q, language %q; want %q, es", lupe.Member.Cell, lupe.Member.Language, table["90033"])
			}
			if len(lupe.Memberships) != 1 || lupe.Memberships[0].CollectiveID != "c-plant" {
				t.Errorf("Lupe's memberships: got %+v, want c-plant", lupe.Memberships)
			}
			want := world.Commitment{Hours: 7.5, Skills: []string{"cook", "drive"}, MaxKm: 5}
			if lupe.Commitment == nil || !reflect.DeepEqual(*lupe.Commitment, want) {
				t.Errorf("Lupe's commitment: got %+v, want %+v", lupe.Commitment, want)
			}
			chuy := exportOf(t, dir, "Chuy")
			if chuy == nil || chuy.Member.Language != "en" || chuy.Member.Cell != table["06000"] || chuy.Commitment != nil ||
				len(chuy.Memberships) != 0 || chuy.Member.Contact != (store.Contact{}) {
				t.Errorf("Chuy: got %+v, want language en, cell %q, nothing else", chuy, table["06000"])
			}
		})
	}
}

func TestImportRefused(t *testing.T) {
	const header = "alias,language,postcode,cell,email,phone,collective,skills,hours,max_km\n"
	tests := []struct {
		name, lang, sheet string
		dryRun            bool
		want              []string // stderr lines, in order
	}{
		{"every bad row, in the sheet's order", "en", header +
			"Lupe,es,90033,,lupe@example.org,,c-plant,cook,8,5\n" +
			"Tere,es,99999,,not-an-email,abc,nowhere,weld,-2,\n" +
			",es,2001,,,,,,,\n" +
			"Lupe,en,,,,,,cook,,\n" +
			"m-01,es,,9q5,,,,,,\n" +
			"Rosa,es,1000,,,,,cook;Cooking,4,x\n" +
			"Sol,es,1000,,LUPE@example.org,,,,,\n",
			false, []string{
				`line 3: postcode: unknown postcode "99999": the table knows the demo areas only (Los Angeles, Tijuana, Mexico City, Manila, Johannesburg); give a cell instead`,
				`line 3: email: not an email address`,
				`line 3: phone: not a phone number`,
				`line 3: collective: no collective has the id or name "nowhere"`,
				`line 3: skills: no skill has the id or name "weld"`,
				`line 3: hours: must be a number >= 0, not "-2"`,
				`line 4: alias: required`,
				`line 5: alias: also on line 2`,
				`line 5: cell: give a postcode or a cell`,
				`line 5: hours: required with skills`,
				`line 6: alias: taken by another member`,
				`line 6: cell: "9q5" is not a geohash cell of 4 to 6 characters`,
				`line 7: skills: "Cooking" named twice`,
				`line 7: max_km: must be a number >= 0, not "x"`,
				`line 8: email: also on line 2`,
				`commune: ` + "%s" + `: 15 error(s) in 6 row(s); nothing was written`,
			}},
		{"hours without max_km, in Spanish", "es", "alias;idioma;celda;horas\nLupe;es;9q5cs;8\n", false, []string{
			`línea 2: max_km: obligatorio si hay horas`,
			`commune: %s: 1 error(es) en 1 fila(s); no se escribió nada`,
		}},
		{"a dry run reports as a run does", "en", header + "Lupe,es,90033,,,,c-9,,,\n", true, []string{
			`line 2: collective: no collective has the id or name "c-9"`,
			`commune: %s: 1 error(s) in 1 row(s); nothing was written`,
		}},
		{"a row longer than the header", "en", "alias,language,cell\nLupe,es,9q5cs,extra\n", false, []string{
			`line 2: 4 cells, the header has 3`,
			`commune: %s: 1 error(s) in 1 row(s); nothing was written`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := importData(t)
			name := writeSheet(t, tc.sheet)
			args := []string{"import", "--data", dir, name}
			if tc.dryRun {
				args = append(args, "--dry-run")
			}
			code, out, errOut := runCLI(t, tc.lang, args...)
			want := strings.Replace(strings.Join(tc.want, "\n"), "%s", name, 1) + "\n"
			if code != exitUsage || out != "" || errOut != want {
				t.Errorf("got exit %d, stdout %q, stderr:\n%s\nwant exit %d, no stdout, stderr:\n%s", code, out, errOut, exitUsage, want)
			}
			for _, alias := range []string{"Lupe", "Tere", "Rosa", "Sol"} {
				if e := exportOf(t, dir, alias); e != nil {
					t.Errorf("%s was imported from a refused sheet", alias)
				}
			}
		})
	}
}

func TestImportSheetErrors(t *testing.T) {
	tests := []struct{ name, lang, sheet, want string }{
		{"empty", "en", "", "empty: want a header row"},
		{"header only", "es", "alias,idioma,celda\n", "ningún miembro"},
		{"unknown column", "en", "alias,language,cell,notes\nLupe,es,9q5cs,x\n", `unknown column "notes"`},
		{"same column twice", "es", "alias,idioma,lengua,celda\n", `las columnas "idioma" y "lengua" son la misma`},
		{"no place column", "en", "alias,language\nLupe,es\n", "no column postcode / cell"},
		{"no alias column", "en", "language,cell\nes,9q5cs\n", "no column alias"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			code, out, errOut := runCLI(t, tc.lang, "import", "--data", dir, writeSheet(t, tc.sheet))
			if code != exitUsage || out != "" || !strings.Contains(errOut, tc.want) {
				t.Errorf("got exit %d, stdout %q, stderr %q; want exit %d, stderr with %q", code, out, errOut, exitUsage, tc.want)
			}
		})
	}
}

func TestImportDryRun(t *testing.T) {
	dir := importData(t)
	sheet := writeSheet(t, "alias,language,cell,skills,hours,max_km\nLupe,es,9q5cs,cook,8,5\n")
	code, out, errOut := runCLI(t, "en", "import", "--dry-run", "--data", dir, sheet)
	if want := "1 member(s) checked, 1 with a commitment, 0 in a collective; dry run, nothing written\n"; code != 0 || out != want {
		t.Fatalf("got exit %d, stdout %q, stderr %q; want 0, %q", code, out, errOut, want)
	}
	if exportOf(t, dir, "Lupe") != nil {
		t.Error("a dry run imported Lupe")
	}
	// The same sheet without --dry-run imports.
	if code, _, errOut := runCLI(t, "en", "import", "--data", dir, sheet); code != 0 {
		t.Fatalf("import: exit %d: %s", code, errOut)
	}
	if exportOf(t, dir, "Lupe") == nil {
		t.Error("Lupe was not imported")
	}
}

// TestImportUnreadable: a sheet that is missing or a directory is named
// with the reason in the user's language, before any database is opened.
func TestImportUnreadable(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	for _, c := range []struct{ lang, name, want string }{
		{"es", filepath.Join(dir, "none.csv"), "commune: " + filepath.Join(dir, "none.csv") + ": no existe el archivo\n"},
		{"en", dir, "commune: " + dir + ": is a directory; want a file\n"},
	} {
		code, out, errOut := runCLI(t, c.lang, "import", "--data", data, c.name)
		if code != exitUsage || out != "" || errOut != c.want {
			t.Errorf("%s import %s: got exit %d, stdout %q, stderr %q; want exit 2 and %q", c.lang, c.name, code, out, errOut, c.want)
		}
	}
	if _, err := os.Stat(data); err == nil {
		t.Errorf("%s was created for a sheet that could not be read", data)
	}
}
