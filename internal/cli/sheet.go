package cli

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/commune-org/commune/internal/geo"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/world"
)

// A sheet is a spreadsheet of members read for commune import. A
// spreadsheet program in a Spanish or French locale exports CSV with
// semicolons and decimal commas, Excel puts a byte-order mark in front,
// and people name columns as they like; the reader takes all of these,
// and checks each cell as the store would, so that a mistake is named by
// the line and the column the organizer sees. Messages name a member's
// line, never their alias, email or phone: the output of a command ends
// up in terminals' scrollback and CI logs.

// The fields of a member in a sheet, as the store names them.
const (
	fieldAlias      = "alias"
	fieldLanguage   = "language"
	fieldPostcode   = "postcode"
	fieldCell       = "cell"
	fieldEmail      = "email"
	fieldPhone      = "phone"
	fieldCollective = "collective"
	fieldSkills     = "skills"
	fieldHours      = "hours"
	fieldMaxKm      = "max_km"
)

// headerNames maps a header, folded (see fold), to its field.
var headerNames = map[string]string{
	"alias": fieldAlias, "apodo": fieldAlias,
	"language": fieldLanguage, "lang": fieldLanguage, "idioma": fieldLanguage, "lengua": fieldLanguage,
	"postcode": fieldPostcode, "postal code": fieldPostcode, "zip": fieldPostcode, "zip code": fieldPostcode,
	"codigo postal": fieldPostcode, "cp": fieldPostcode, "c p": fieldPostcode,
	"cell": fieldCell, "celda": fieldCell, "geohash": fieldCell,
	"email": fieldEmail, "e mail": fieldEmail, "correo": fieldEmail, "correo electronico": fieldEmail,
	"phone": fieldPhone, "telephone": fieldPhone, "telefono": fieldPhone, "tel": fieldPhone, "celular": fieldPhone,
	"collective": fieldCollective, "colectivo": fieldCollective,
	"skills": fieldSkills, "oficios": fieldSkills, "habilidades": fieldSkills,
	"hours": fieldHours, "horas": fieldHours,
	"max km": fieldMaxKm, "km max": fieldMaxKm, "maximo km": fieldMaxKm,
}

// fold lower-cases a header, drops accents of Spanish letters and turns
// '_', '-', '.' and runs of spaces into one space: "Código_Postal" and
// "codigo postal" are one header.
func fold(s string) string {
	r := strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ü", "u", "ñ", "n",
		"_", " ", "-", " ", ".", " ")
	return strings.Join(strings.Fields(r.Replace(strings.ToLower(s))), " ")
}

const (
	msgSheetEmpty     msgKey = "sheet-empty"
	msgSheetColumn    msgKey = "sheet-column"
	msgSheetColTwice  msgKey = "sheet-column-twice"
	msgSheetNoColumn  msgKey = "sheet-no-column"
	msgSheetWidth     msgKey = "sheet-width"
	msgSheetCSV       msgKey = "sheet-csv"
	msgImportRequired msgKey = "import-required"
	msgImportNumber   msgKey = "import-number"
	msgImportLanguage msgKey = "import-language"
	msgImportAlias    msgKey = "import-alias"
	msgImportCell     msgKey = "import-cell"
	msgImportPostcode msgKey = "import-postcode"
	msgImportNoPlace  msgKey = "import-no-place"
	msgImportEmail    msgKey = "import-email"
	msgImportPhone    msgKey = "import-phone"
	msgImportRepeated msgKey = "import-repeated"
	// msgImportSkillTwice is a skill named twice on one line.
	msgImportSkillTwice msgKey = "import-skill-twice"
	msgImportWithSkills msgKey = "import-with-skills"
	msgImportWithHours  msgKey = "import-with-hours"
)

var sheetMessages = map[msgKey][2]string{
	msgSheetEmpty:     {"%s: empty: want a header row and a row a member", "%s: vacío: se espera una fila de títulos y una fila por miembro"},
	msgSheetColumn:    {"%s: line 1: unknown column %q; the columns are %s", "%s: línea 1: columna desconocida %q; las columnas son %s"},
	msgSheetColTwice:  {"%s: line 1: columns %q and %q are the same", "%s: línea 1: las columnas %q y %q son la misma"},
	msgSheetNoColumn:  {"%s: line 1: no column %s", "%s: línea 1: falta la columna %s"},
	msgSheetWidth:     {"%d cells, the header has %d", "%d celdas, la fila de títulos tiene %d"},
	msgSheetCSV:       {"%s: not a CSV file: %v", "%s: no es un archivo CSV: %v"},
	msgImportRequired: {"required", "obligatorio"},
	msgImportNumber:   {"must be a number >= 0, not %q", "debe ser un número >= 0, no %q"},
	msgImportLanguage: {"%q is not a language code such as en or es", "%q no es un código de idioma como es o en"},
	msgImportAlias:    {"must be 1 to 64 characters, without control characters", "debe tener de 1 a 64 caracteres, sin caracteres de control"},
	msgImportCell:     {"%q is not a geohash cell of 4 to 6 characters", "%q no es una celda geohash de 4 a 6 caracteres"},
	msgImportPostcode: {"unknown postcode %q: the table knows the demo areas only (Los Angeles, Tijuana, Mexico City, Manila, Johannesburg); give a cell instead",
		"código postal desconocido %q: la tabla solo conoce las zonas de demostración (Los Ángeles, Tijuana, Ciudad de México, Manila, Johannesburgo); indique una celda"},
	msgImportNoPlace:    {"give a postcode or a cell", "indique un código postal o una celda"},
	msgImportEmail:      {"not an email address", "no es una dirección de correo"},
	msgImportPhone:      {"not a phone number", "no es un número de teléfono"},
	msgImportRepeated:   {"also on line %d", "también está en la línea %d"},
	msgImportSkillTwice: {"%q named twice", "%q aparece dos veces"},
	msgImportWithSkills: {"required with skills", "obligatorio si hay oficios"},
	msgImportWithHours:  {"required with hours", "obligatorio si hay horas"},
}

type sheet struct {
	header    []string
	cols      map[string]int // field -> column
	members   []store.ImportedMember
	errs      []rowError
	postcodes map[string]string
}

// readSheet reads the CSV data of the file name. A sheet that cannot be
// read as a table (no header, an unknown column) is a usage error; a bad
// cell is a rowError in sh.errs, and the row is still read, with a
// placeholder, so that the store checks the rest of it.
func (c *command) readSheet(name string, data []byte) (*sheet, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = separator(data)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, usageError{c.t(msgSheetEmpty, name)}
	}
	if err != nil {
		return nil, usageError{c.t(msgSheetCSV, name, err)}
	}
	pc, err := geo.Postcodes()
	if err != nil {
		return nil, err
	}
	sh := &sheet{cols: make(map[string]int), postcodes: pc}
	for i, h := range header {
		h = strings.TrimSpace(h)
		sh.header = append(sh.header, h)
		f, ok := headerNames[fold(h)]
		if !ok {
			return nil, usageError{c.t(msgSheetColumn, name, h, fieldsText())}
		}
		if j, dup := sh.cols[f]; dup {
			return nil, usageError{c.t(msgSheetColTwice, name, header[j], h)}
		}
		sh.cols[f] = i
	}
	for _, f := range []string{fieldAlias, fieldLanguage} {
		if !sh.hasCol(f) {
			return nil, usageError{c.t(msgSheetNoColumn, name, f)}
		}
	}
	if !sh.hasCol(fieldPostcode) && !sh.hasCol(fieldCell) {
		return nil, usageError{c.t(msgSheetNoColumn, name, fieldPostcode+" / "+fieldCell)}
	}
	aliases := make(map[string]int)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, usageError{c.t(msgSheetCSV, name, err)}
		}
		line, _ := r.FieldPos(0)
		if blank(rec) {
			continue
		}
		if len(rec) > len(header) {
			sh.errs = append(sh.errs, rowError{line: line, col: len(header), header: "", msg: c.t(msgSheetWidth, len(rec), len(header))})
			rec = rec[:len(header)]
		}
		sh.row(c, line, rec, aliases)
	}
	return sh, nil
}

// separator guesses the sheet's separator from its first line: the most
// frequent of comma, semicolon and tab.
func separator(data []byte) rune {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	best, n := ',', bytes.Count(first, []byte(","))
	for _, sep := range []rune{';', '\t'} {
		if k := bytes.Count(first, []byte(string(sep))); k > n {
			best, n = sep, k
		}
	}
	return best
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// row reads one member, adding an error for each bad cell.
func (sh *sheet) row(c *command, line int, rec []string, aliases map[string]int) {
	get := func(f string) string {
		if i, ok := sh.cols[f]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	bad := func(f string, k msgKey, args ...any) {
		sh.errs = append(sh.errs, sh.errorAt(line, f, c.t(k, args...)))
	}
	m := store.ImportedMember{Line: line, Member: store.Member{Alias: get(fieldAlias), Contact: store.Contact{
		Email: get(fieldEmail), Phone: get(fieldPhone)}}, Collective: get(fieldCollective)}

	if a := m.Member.Alias; a == "" {
		bad(fieldAlias, msgImportRequired)
		m.Member.Alias = fmt.Sprintf("line %d", line) // a placeholder for the store's checks
	} else if utf8.RuneCountInString(a) > 64 || !utf8.ValidString(a) || strings.IndexFunc(a, unicode.IsControl) >= 0 {
		bad(fieldAlias, msgImportAlias)
		m.Member.Alias = fmt.Sprintf("line %d", line)
	} else if first, ok := aliases[a]; ok {
		bad(fieldAlias, msgImportRepeated, first)
	} else {
		aliases[a] = line
	}

	m.Member.Language = strings.ToLower(get(fieldLanguage))
	if l := m.Member.Language; l == "" {
		bad(fieldLanguage, msgImportRequired)
	} else if !isLanguage(l) {
		bad(fieldLanguage, msgImportLanguage, l)
	}
	if m.Member.Language == "" || !isLanguage(m.Member.Language) {
		m.Member.Language = "en"
	}

	m.Member.Cell = "s000" // a placeholder: valid, never kept
	switch cell, code := strings.ToLower(get(fieldCell)), get(fieldPostcode); {
	case cell != "":
		if geo.CheckHome(cell) != nil {
			bad(fieldCell, msgImportCell, cell)
		} else {
			m.Member.Cell = cell
		}
	case code != "":
		if pc, ok := sh.postcodes[strings.ReplaceAll(code, " ", "")]; ok {
			m.Member.Cell = pc
		} else {
			bad(fieldPostcode, msgImportPostcode, code)
		}
	case sh.hasCol(fieldCell):
		bad(fieldCell, msgImportNoPlace)
	default:
		bad(fieldPostcode, msgImportNoPlace)
	}

	if e := m.Member.Contact.Email; e != "" && !isEmail(e) {
		bad(fieldEmail, msgImportEmail)
	}
	if p := m.Member.Contact.Phone; p != "" && !isPhone(p) {
		bad(fieldPhone, msgImportPhone)
	}

	var skills []string
	for _, sk := range strings.FieldsFunc(get(fieldSkills), func(r rune) bool { return r == ';' || r == '|' }) {
		if sk = strings.TrimSpace(sk); sk == "" {
			continue
		}
		if containsFold(skills, sk) {
			bad(fieldSkills, msgImportSkillTwice, sk)
			continue
		}
		skills = append(skills, sk)
	}
	hours, okH := sh.number(c, line, fieldHours, get(fieldHours))
	maxKm, _ := sh.number(c, line, fieldMaxKm, get(fieldMaxKm))
	switch {
	case len(skills) > 0 && get(fieldHours) == "":
		bad(fieldHours, msgImportWithSkills)
	case okH && hours > 0 && get(fieldMaxKm) == "":
		bad(fieldMaxKm, msgImportWithHours)
	}
	if len(skills) > 0 || get(fieldHours) != "" || get(fieldMaxKm) != "" {
		m.Commitment = &world.Commitment{Hours: hours, Skills: skills, MaxKm: maxKm}
	}
	sh.members = append(sh.members, m)
}

// number reads a number >= 0, with a decimal point or comma; an empty
// cell is 0.
func (sh *sheet) number(c *command, line int, field, s string) (float64, bool) {
	if s == "" {
		return 0, true
	}
	if !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		sh.errs = append(sh.errs, sh.errorAt(line, field, c.t(msgImportNumber, s)))
		return 0, false
	}
	return x, true
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// isLanguage reports whether s is a two- or three-letter code, as the
// store wants.
func isLanguage(s string) bool {
	if len(s) < 2 || len(s) > 3 {
		return false
	}
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyz") == ""
}

// isEmail is a loose check that catches a phone number or a name typed
// in the email column: one @ with something on both sides, no spaces.
func isEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && domain != "" && !strings.Contains(domain, "@") &&
		strings.IndexFunc(s, unicode.IsSpace) < 0 && len(s) <= 254
}

// isPhone accepts digits with the usual punctuation (+, spaces, dashes,
// dots, parentheses) and 5 to 20 digits.
func isPhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+ -.()", r):
		default:
			return false
		}
	}
	return digits >= 5 && digits <= 20
}
