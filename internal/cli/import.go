package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/commune-org/commune/internal/store"
)

// commune import adds members from a spreadsheet export. Organizers keep
// their lists in spreadsheets, in English or Spanish, with columns in
// whatever order the sheet grew; the import takes them as they are (see
// sheet.go), reports every mistake of the sheet at once, each with its
// line and column as the organizer sees them in the spreadsheet, and
// writes all the rows or none, so that fixing the sheet and running the
// import again is always safe.

const (
	msgImportUsage    msgKey = "import-usage"
	msgImportArgs     msgKey = "import-args"
	msgImportRowError msgKey = "import-row-error"
	msgImportLineErr  msgKey = "import-line-error"
	msgImportRefused  msgKey = "import-refused"
	msgImportDry      msgKey = "import-dry"
	msgImportDone     msgKey = "import-done"
	msgImportNoRows   msgKey = "import-no-rows"
	msgImportTaken    msgKey = "import-taken"
	msgImportNoColl   msgKey = "import-no-collective"
	msgImportNoSkill  msgKey = "import-no-skill"
	msgImportAmbig    msgKey = "import-ambiguous"
	msgImportInvalid  msgKey = "import-invalid"
)

var importMessages = map[msgKey][2]string{
	msgImportUsage: {
		`usage: commune import [--data DIR | --db postgres://... --key FILE]
                      [--dry-run] MEMBERS.csv

Adds the members of a spreadsheet exported as CSV (comma, semicolon or tab
separated, UTF-8). The first row names the columns, in any order, in
English or Spanish, whatever their case and accents:

  alias                          required, unique
  language / idioma              required: en, es, ...
  postcode / código postal       or cell / celda (a geohash of 4 to 6
                                 characters); a postcode is turned into
                                 its area's cell and not kept
  email / correo, phone / teléfono   an email belongs to one member
  collective / colectivo         a collective's id or name
  skills / oficios               skill ids or names, separated by ; or |
  hours / horas                  hours a week committed (with skills)
  max_km                         how far from home they will work (with
                                 hours)

Every bad row is reported with its line and column. Nothing is written
when any row is bad, nor with --dry-run; otherwise all the rows are
written in one transaction. With --db, name the server's key file, which
seals the emails and phones: --key FILE, or --data DIR for DIR/key.

Flags:
`,
		`uso: commune import [--data DIR | --db postgres://... --key ARCHIVO]
                    [--dry-run] MIEMBROS.csv

Añade los miembros de una hoja de cálculo exportada como CSV (separada por
comas, puntos y comas o tabuladores, en UTF-8). La primera fila nombra las
columnas, en cualquier orden, en inglés o en español, sin importar
mayúsculas ni acentos:

  alias                          obligatorio, único
  idioma / language              obligatorio: es, en, ...
  código postal / postcode       o celda / cell (un geohash de 4 a 6
                                 caracteres); el código postal se convierte
                                 en la celda de su zona y no se guarda
  correo / email, teléfono / phone   un correo es de un solo miembro
  colectivo / collective         id o nombre de un colectivo
  oficios / skills               ids o nombres de oficios, separados por ; o |
  horas / hours                  horas por semana comprometidas (con oficios)
  max_km                         hasta qué distancia de casa trabajará
                                 (con horas)

Cada fila con errores se informa con su línea y su columna. No se escribe
nada si alguna fila tiene errores, ni con --dry-run; si no, todas las filas
se escriben en una sola transacción. Con --db, indique el archivo de clave
del servidor, que sella correos y teléfonos: --key ARCHIVO, o --data DIR
para DIR/key.

Opciones:
`},
	msgImportArgs: {
		"want exactly one CSV file, got %d arguments",
		"se espera exactamente un archivo CSV, hay %d argumentos"},
	msgImportRowError: {
		"line %d: %s: %s\n",
		"línea %d: %s: %s\n"},
	msgImportLineErr: {
		"line %d: %s\n",
		"línea %d: %s\n"},
	msgImportRefused: {
		"%s: %d error(s) in %d row(s); nothing was written",
		"%s: %d error(es) en %d fila(s); no se escribió nada"},
	msgImportDry: {
		"%d member(s) checked, %d with a commitment, %d in a collective; dry run, nothing written\n",
		"%d miembro(s) revisado(s), %d con compromiso, %d en un colectivo; prueba, no se escribió nada\n"},
	msgImportDone: {
		"%d member(s) imported, %d with a commitment, %d in a collective\n",
		"%d miembro(s) importado(s), %d con compromiso, %d en un colectivo\n"},
	msgImportNoRows: {
		"%s: no members: the file has a header row and nothing else",
		"%s: ningún miembro: el archivo tiene la fila de títulos y nada más"},
	msgImportTaken: {
		"taken by another member",
		"ya es de otro miembro"},
	msgImportNoColl: {
		"no collective has the id or name %q",
		"ningún colectivo tiene el id o el nombre %q"},
	msgImportNoSkill: {
		"no skill has the id or name %q",
		"ningún oficio tiene el id o el nombre %q"},
	msgImportAmbig: {
		"%q names more than one; use the id",
		"%q nombra a más de uno; use el id"},
	msgImportInvalid: {
		"refused by the database: %s",
		"rechazado por la base de datos: %s"},
}

func (c *command) importMembers(ctx context.Context, args []string) error {
	fs := c.flags("import", msgImportUsage)
	sf := c.storeFlags(fs)
	dryRun := fs.Bool("dry-run", false, c.t(msgFlagImportDryRun))
	pos, err := parse(fs, args)
	if err != nil {
		return c.flagError(err)
	}
	if len(pos) != 1 {
		return usageError{c.t(msgImportArgs, len(pos))}
	}
	if err := c.keyNamed(sf); err != nil {
		return err
	}
	name := pos[0]
	if err := c.checkInput(name); err != nil {
		return err
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return c.inputError(name, err)
	}
	sh, err := c.readSheet(name, data)
	if err != nil {
		return err
	}
	if len(sh.members) == 0 {
		return usageError{c.t(msgImportNoRows, name)}
	}
	st, err := c.openStore(ctx, sf.config())
	if err != nil {
		return err
	}
	defer st.Close()

	// With a bad row the store still checks every row (as a dry run), so
	// that a taken alias is reported with a bad number, not after it is
	// fixed.
	done, err := st.ImportMembers(ctx, sh.members, *dryRun || len(sh.errs) > 0)
	var ie *store.ImportError
	if errors.As(err, &ie) {
		sh.addStoreProblems(c, ie.Problems)
	} else if err != nil {
		return err
	}
	if len(sh.errs) > 0 {
		return c.refuse(name, sh.errs)
	}
	committed, joined := 0, 0
	for _, m := range sh.members {
		if m.Commitment != nil {
			committed++
		}
		if m.Collective != "" {
			joined++
		}
	}
	msg := msgImportDone
	if *dryRun {
		msg = msgImportDry
	}
	fmt.Fprint(c.stdout, c.t(msg, len(done), committed, joined))
	return nil
}

// rowError is one mistake of a sheet: the line (1 is the header), the
// column as the sheet names it, and the message in the user's language.
type rowError struct {
	line   int
	col    int // the column's index, to order a line's errors as the sheet does
	field  string
	header string
	msg    string
}

// refuse prints every error, in the sheet's order, and returns the
// usage error that ends the command.
func (c *command) refuse(name string, errs []rowError) error {
	slices.SortStableFunc(errs, func(a, b rowError) int {
		return cmp.Or(cmp.Compare(a.line, b.line), cmp.Compare(a.col, b.col))
	})
	lines := make(map[int]bool)
	for _, e := range errs {
		lines[e.line] = true
		if e.header == "" {
			fmt.Fprint(c.stderr, c.t(msgImportLineErr, e.line, e.msg))
		} else {
			fmt.Fprint(c.stderr, c.t(msgImportRowError, e.line, e.header, e.msg))
		}
	}
	return usageError{c.t(msgImportRefused, name, len(errs), len(lines))}
}

// addStoreProblems adds what the store found, except on a field of a line
// the sheet already found wrong (the store saw a placeholder there).
func (sh *sheet) addStoreProblems(c *command, ps []store.ImportProblem) {
	seen := make(map[string]bool)
	key := func(line int, field string) string { return fmt.Sprint(line, "/", field) }
	for _, e := range sh.errs {
		seen[key(e.line, e.field)] = true
	}
	for _, p := range ps {
		field := p.Field
		switch field {
		case "contact":
			field = fieldEmail
		case "cell":
			if !sh.hasCol(fieldCell) {
				field = fieldPostcode
			}
		}
		if seen[key(p.Line, field)] {
			continue
		}
		var msg string
		switch {
		case p.Kind == store.ProblemTaken:
			msg = c.t(msgImportTaken)
		case p.Kind == store.ProblemRepeated && p.Other > 0:
			msg = c.t(msgImportRepeated, p.Other)
		case p.Kind == store.ProblemRepeated:
			msg = c.t(msgImportSkillTwice, p.Value)
		case p.Kind == store.ProblemUnknown && field == fieldCollective:
			msg = c.t(msgImportNoColl, p.Value)
		case p.Kind == store.ProblemUnknown:
			msg = c.t(msgImportNoSkill, p.Value)
		case p.Kind == store.ProblemAmbiguous:
			msg = c.t(msgImportAmbig, p.Value)
		default:
			msg = c.t(msgImportInvalid, p.Detail)
		}
		sh.errs = append(sh.errs, sh.errorAt(p.Line, field, msg))
	}
}

// errorAt is an error on a field of a line, named by the sheet's header.
func (sh *sheet) errorAt(line int, field, msg string) rowError {
	e := rowError{line: line, field: field, header: field, msg: msg, col: len(sh.header)}
	if i, ok := sh.cols[field]; ok {
		e.col, e.header = i, sh.header[i]
	}
	return e
}

func (sh *sheet) hasCol(field string) bool {
	_, ok := sh.cols[field]
	return ok
}

// fieldsText lists the fields for messages.
func fieldsText() string {
	return strings.Join([]string{fieldAlias, fieldLanguage, fieldPostcode, fieldCell, fieldEmail, fieldPhone,
		fieldCollective, fieldSkills, fieldHours, fieldMaxKm}, ", ")
}
