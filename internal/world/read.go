package world

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Read decodes a world file and validates it. When anything is wrong it
// returns no world and Errors listing every problem at once: unknown
// fields, values of the wrong type, missing fields and every rule of
// Validate, each with its path. Malformed JSON is the exception: it gives
// a single error with its line and column, since nothing after it can be
// trusted.
//
// Keys are matched exactly (case matters), and a key given twice in one
// object is an error. null stands for an absent optional field or an
// empty list or map; anywhere else it is an error. Empty lists and maps
// are read as nil, so that a world read back from Write is equal to the
// one written. Other errors are those of reading r.
func Read(r io.Reader) (*World, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, fmt.Errorf("world: read: %w", err)
	}
	return decode(data)
}

// ReadFile reads and validates the world file called name, like Read.
// Problems with the content are returned as Errors, unwrapped, so that a
// caller can print them one per line after the file name.
func ReadFile(name string) (*World, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("world: %w", err)
	}
	return decode(data)
}

// readAll is io.ReadAll, but doubling its buffer: io.ReadAll grows by
// append, which for large slices adds only a quarter each time and so
// copies a 150 MB world many times over.
func readAll(r io.Reader) ([]byte, error) {
	size := 64 << 10
	if l, ok := r.(interface{ Len() int }); ok {
		size = l.Len() + 1 // bytes.Reader, strings.Reader, bytes.Buffer
	}
	b := make([]byte, 0, size)
	for {
		if len(b) == cap(b) {
			b = slices.Grow(b, cap(b))
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		switch {
		case err == io.EOF:
			return b, nil
		case err != nil:
			return nil, err
		}
	}
}

func decode(data []byte) (*World, error) {
	d := decoder{data: data, sizes: listSizes(data)}
	w := new(World)
	if err := d.document(w); err != nil {
		return nil, Errors{err}
	}
	// The reader's errors are where values are missing or could not be
	// read; what Validate would say about those places (or about
	// references into a list that could not be read) is a consequence,
	// not news.
	broken := make(map[string]bool, len(d.errs))
	for _, e := range d.errs {
		broken[e.Path] = true
	}
	v := validator{w: w, broken: broken}
	v.run()
	errs := d.errs
	for _, e := range v.errs {
		if !underBroken(e.Path, broken) {
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		sortErrors(errs)
		return nil, errs
	}
	return w, nil
}

// underBroken reports whether path or one of its ancestors (up to the
// whole document, "") is in broken. Ancestors end before a '.' or '['
// outside the quotes of a key, so a long key full of dots costs no more
// than its length.
func underBroken(path string, broken map[string]bool) bool {
	if broken[""] || broken[path] {
		return true
	}
	quoted := false
	for i := 0; i < len(path); i++ {
		switch c := path[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case !quoted && (c == '.' || c == '[') && broken[path[:i]]:
			return true
		}
	}
	return false
}

// sortErrors orders errors by the part of the world they are about and
// the element within it, and otherwise keeps the order they were found in.
func sortErrors(errs Errors) {
	slices.SortStableFunc(errs, func(a, b *FieldError) int {
		sa, ia := place(a.Path)
		sb, ib := place(b.Path)
		return cmp.Or(cmp.Compare(sa, sb), cmp.Compare(ia, ib))
	})
}

// place is the rank of the field of the world a path starts with (-1 for
// the whole document) and the index of the element it is in (-1 if none).
func place(path string) (field, index int) {
	if path == "" {
		return -1, -1
	}
	end := strings.IndexAny(path, ".[")
	if end < 0 {
		end = len(path)
	}
	field = slices.Index(worldSchema.keys, path[:end])
	if field < 0 {
		return len(worldSchema.keys), -1
	}
	index = -1
	rest := path[end:]
	if j := strings.IndexByte(rest, ']'); strings.HasPrefix(rest, "[") && j > 0 {
		if n, err := strconv.Atoi(rest[1:j]); err == nil {
			index = n
		}
	}
	return field, index
}

// A schema lists the keys of a JSON object that decodes into a struct.
type schema struct {
	keys     []string
	required uint16 // bit i: keys[i] must be present
}

func (s *schema) find(key []byte) int {
	for i, k := range s.keys {
		if string(key) == k {
			return i
		}
	}
	return -1
}

// fields makes a schema of keys in order; a key ending in "?" is optional.
func fields(keys ...string) schema {
	var s schema
	for i, k := range keys {
		if optional, ok := strings.CutSuffix(k, "?"); ok {
			k = optional
		} else {
			s.required |= 1 << i
		}
		s.keys = append(s.keys, k)
	}
	return s
}

// The schemas of world v1, in the order of world.go and of Write.
var (
	worldSchema      = fields("format", "period?", "skills", "products", "sites", "recipes", "stocks?", "members", "needs")
	skillSchema      = fields("id", "name")
	productSchema    = fields("id", "name", "unit", "kind", "transport_cost?", "reach_km?")
	siteSchema       = fields("id", "name", "kind", "lat", "lon", "collective?")
	recipeSchema     = fields("id", "site", "outputs", "inputs?", "labor?", "max_runs?")
	stockSchema      = fields("site", "product", "qty")
	memberSchema     = fields("id", "cell", "collectives?", "commitment")
	commitmentSchema = fields("hours", "skills", "max_km")
	needSchema       = fields("id", "member?", "site?", "product", "qty", "tier")
)

func (d *decoder) world(w *World) {
	d.object(&worldSchema, func(i int) {
		switch i {
		case 0:
			w.Format = d.str()
		case 1:
			w.Period = d.str()
		case 2:
			elements(d, &w.Skills, i, func(s *Skill) {
				d.object(&skillSchema, func(i int) {
					switch i {
					case 0:
						s.ID = d.str()
					case 1:
						s.Name = d.names()
					}
				})
			})
		case 3:
			elements(d, &w.Products, i, d.product)
		case 4:
			elements(d, &w.Sites, i, d.site)
		case 5:
			elements(d, &w.Recipes, i, d.recipe)
		case 6:
			elements(d, &w.Stocks, i, func(s *Stock) {
				d.object(&stockSchema, func(i int) {
					switch i {
					case 0:
						s.Site = d.word()
					case 1:
						s.Product = d.word()
					case 2:
						s.Qty = d.num()
					}
				})
			})
		case 7:
			elements(d, &w.Members, i, d.member)
		case 8:
			elements(d, &w.Needs, i, d.need)
		}
	})
}

// elements reads the list of field i of the world into *s, allocated at
// once for as many elements as listSizes counted.
func elements[T any](d *decoder, s *[]T, i int, elem func(*T)) {
	if n := d.sizes[i]; n > 0 {
		*s = make([]T, 0, n)
	}
	d.list(func() {
		var zero T
		*s = append(*s, zero)
		elem(&(*s)[len(*s)-1])
	})
	if len(*s) == 0 {
		*s = nil
	}
}

// listSizes counts the elements of the lists of the world in data, so
// that each list is allocated once. Growing a list of a million members
// by append copies it over and over into fresh memory, and costs far more
// than this scan. It checks nothing: on malformed input the counts are
// merely wrong, and only elements that begin a value are counted, so no
// input gets more than it holds.
func listSizes(data []byte) (sizes [9]int) {
	depth := 0
	field := -1      // the field of the world whose value is being read
	wantKey := false // at depth 1, after '{' or ','
	inList := false  // at depth 2, within the array that is field's value
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '"':
			j := i + 1
			for j < len(data) && data[j] != '"' {
				if data[j] == '\\' {
					j++
				}
				j++
			}
			if depth == 1 && wantKey {
				field = slices.Index(worldSchema.keys, string(data[i+1:min(j, len(data))]))
				wantKey = false
			}
			i = j
		case '{', '[':
			depth++
			switch depth {
			case 1:
				wantKey = c == '{'
			case 2:
				inList = c == '[' && field >= 0
				if inList && startsValue(data, i+1) {
					sizes[field]++
				}
			}
		case '}', ']':
			depth--
		case ',':
			switch {
			case depth == 1:
				wantKey = true
			case depth == 2 && inList && startsValue(data, i+1):
				sizes[field]++
			}
		}
	}
	return sizes
}

// startsValue reports whether a value, rather than a comma or a closing
// bracket, comes next after white space from data[i].
func startsValue(data []byte, i int) bool {
	for ; i < len(data); i++ {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
		case ',', ']', '}':
			return false
		default:
			return true
		}
	}
	return false
}

func (d *decoder) product(p *Product) {
	d.object(&productSchema, func(i int) {
		switch i {
		case 0:
			p.ID = d.str()
		case 1:
			p.Name = d.names()
		case 2:
			p.Unit = d.str()
		case 3:
			p.Kind = ProductKind(d.word())
		case 4:
			p.TransportCost = d.optNum()
		case 5:
			p.ReachKm = d.num()
		}
	})
}

func (d *decoder) site(s *Site) {
	d.object(&siteSchema, func(i int) {
		switch i {
		case 0:
			s.ID = d.str()
		case 1:
			s.Name = d.str()
		case 2:
			s.Kind = SiteKind(d.word())
		case 3:
			s.Lat = d.num()
		case 4:
			s.Lon = d.num()
		case 5:
			s.Collective = d.word()
		}
	})
}

func (d *decoder) recipe(r *Recipe) {
	d.object(&recipeSchema, func(i int) {
		switch i {
		case 0:
			r.ID = d.str()
		case 1:
			r.Site = d.word()
		case 2:
			r.Outputs = d.amounts()
		case 3:
			r.Inputs = d.amounts()
		case 4:
			r.Labor = d.amounts()
		case 5:
			r.MaxRuns = d.optNum()
		}
	})
}

func (d *decoder) member(m *Member) {
	d.object(&memberSchema, func(i int) {
		switch i {
		case 0:
			m.ID = d.str()
		case 1:
			m.Cell = d.word()
		case 2:
			m.Collectives = d.strs()
		case 3:
			c := &m.Commitment
			d.object(&commitmentSchema, func(i int) {
				switch i {
				case 0:
					c.Hours = d.num()
				case 1:
					c.Skills = d.strs()
				case 2:
					c.MaxKm = d.num()
				}
			})
		}
	})
}

func (d *decoder) need(n *Need) {
	d.object(&needSchema, func(i int) {
		switch i {
		case 0:
			n.ID = d.str()
		case 1:
			n.Member = d.str()
		case 2:
			n.Site = d.word()
		case 3:
			n.Product = d.word()
		case 4:
			n.Qty = d.num()
		case 5:
			n.Tier = Tier(d.word())
		}
	})
}

// decoder reads one JSON document into a World, following the schemas
// above. It keeps the path of the value it is reading so that every
// problem names its place; problems with the values are collected in
// errs and reading goes on, while malformed JSON stops it (see fail).
type decoder struct {
	data []byte
	pos  int
	path []segment
	errs Errors
	buf  []byte // unescaped strings
	kbuf []byte // unescaped keys

	sizes  [9]int            // of the lists of the world, by listSizes
	words  map[string]string // see word
	strBuf []string          // see strs
}

// A segment of a path is a key, or an index when key is empty.
type segment struct {
	key   string
	index int
}

func (d *decoder) pathString() string {
	p := ""
	for _, s := range d.path {
		if s.key == "" && s.index >= 0 {
			p += "[" + strconv.Itoa(s.index) + "]"
		} else {
			p = keyPath(p, s.key)
		}
	}
	return p
}

func (d *decoder) push(key string, index int) { d.path = append(d.path, segment{key, index}) }
func (d *decoder) pop()                       { d.path = d.path[:len(d.path)-1] }

// add records a problem with the value being read.
func (d *decoder) add(rule string, args ...any) {
	d.errs = append(d.errs, &FieldError{Path: d.pathString(), Rule: rule, Args: args})
}

// syntaxError carries the one error of malformed JSON from fail to
// document, through the decoder's recursion.
type syntaxError struct{ err *FieldError }

// document reads the whole input into w and returns the syntax error, if
// any; the problems with values are left in d.errs.
func (d *decoder) document(w *World) (err *FieldError) {
	defer func() {
		if r := recover(); r != nil {
			s, ok := r.(syntaxError)
			if !ok {
				panic(r)
			}
			err = s.err
		}
	}()
	d.world(w)
	if d.space(); d.pos < len(d.data) {
		d.fail(phraseTrailing)
	}
	return nil
}

// fail stops reading at malformed JSON, with the problem at d.pos.
func (d *decoder) fail(problem phrase) {
	line, col := d.lineCol()
	panic(syntaxError{&FieldError{Path: d.pathString(), Rule: ruleSyntax, Args: []any{line, col, problem}}})
}

// unexpected stops reading at the byte at d.pos, where want was expected.
func (d *decoder) unexpected(want phrase) {
	if d.pos >= len(d.data) {
		d.fail(phraseEnd)
	}
	r, size := utf8.DecodeRune(d.data[d.pos:])
	if r == utf8.RuneError && size == 1 {
		d.fail(phraseUTF8)
	}
	line, col := d.lineCol()
	panic(syntaxError{&FieldError{Path: d.pathString(), Rule: ruleSyntaxChar, Args: []any{line, col, strconv.QuoteRune(r), want}}})
}

// lineCol is the position of d.pos counted from 1, columns in characters.
func (d *decoder) lineCol() (line, col int) {
	before := d.data[:d.pos]
	start := bytes.LastIndexByte(before, '\n') + 1
	return bytes.Count(before, []byte{'\n'}) + 1, utf8.RuneCount(before[start:]) + 1
}

// space skips white space and returns the next byte, 0 at the end.
func (d *decoder) space() byte {
	for ; d.pos < len(d.data); d.pos++ {
		switch c := d.data[d.pos]; c {
		case ' ', '\t', '\n', '\r':
		default:
			return c
		}
	}
	return 0
}

// mismatch reports that the value at d.pos is not of the type wanted, and
// skips it.
func (d *decoder) mismatch(want phrase) {
	var got phrase
	switch d.space() {
	case '{':
		got = phraseObject
	case '[':
		got = phraseArray
	case '"':
		got = phraseString
	case 't':
		got = "true"
	case 'f':
		got = "false"
	case 'n':
		got = "null"
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		got = phraseNumber
	default:
		d.unexpected(phraseValue)
	}
	// Record the error only once the value is known to be well formed,
	// so that "true" is not reported for "tru".
	d.skip()
	d.add(ruleType, want, got)
}

// object reads an object described by s, calling field with the index
// of each known key, the decoder positioned at its value and the key on
// the path; field must read the value. Unknown and repeated keys are
// reported and skipped, missing required keys reported.
func (d *decoder) object(s *schema, field func(i int)) {
	if d.space() != '{' {
		d.mismatch(phraseObject)
		return
	}
	d.pos++
	var seen uint16
	if d.space() == '}' {
		d.pos++
	} else {
		for {
			key := d.key(&d.kbuf)
			i := s.find(key)
			switch {
			case i < 0:
				d.push(string(key), -1)
				d.add(ruleUnknownField)
				d.skip()
				d.pop()
			case seen&(1<<i) != 0:
				d.push(s.keys[i], -1)
				d.add(ruleDuplicateKey)
				d.skip()
				d.pop()
			default:
				seen |= 1 << i
				d.push(s.keys[i], -1)
				field(i)
				d.pop()
			}
			if d.next('}') {
				break
			}
		}
	}
	if missing := s.required &^ seen; missing != 0 {
		for i, k := range s.keys {
			if missing&(1<<i) != 0 {
				d.push(k, -1)
				d.add(ruleRequired)
				d.pop()
			}
		}
	}
}

// key reads an object key and the colon after it. The key is in the
// input or in *buf, valid until the next key is read.
func (d *decoder) key(buf *[]byte) []byte {
	if d.space() != '"' {
		d.unexpected(phraseString)
	}
	key := d.quoted(buf)
	if d.space() != ':' {
		d.unexpected(phraseColon)
	}
	d.pos++
	return key
}

// next reads the comma or the closing bracket after an element of an
// object or array and reports whether it was the closing bracket.
func (d *decoder) next(end byte) bool {
	switch d.space() {
	case ',':
		d.pos++
		return false
	case end:
		d.pos++
		return true
	}
	if end == '}' {
		d.unexpected(phraseInObj)
	}
	d.unexpected(phraseInArray)
	return false
}

// null reads a null if there is one there.
func (d *decoder) null() bool {
	if d.space() != 'n' {
		return false
	}
	d.literal("null")
	return true
}

// list reads an array (or null), calling elem for each element with its
// index on the path; elem must read the element.
func (d *decoder) list(elem func()) {
	if d.null() {
		return
	}
	if d.space() != '[' {
		d.mismatch(phraseArray)
		return
	}
	d.pos++
	if d.space() == ']' {
		d.pos++
		return
	}
	for i := 0; ; i++ {
		d.push("", i)
		elem()
		d.pop()
		if d.next(']') {
			return
		}
	}
}

// str reads a string; "" when the value is not one.
func (d *decoder) str() string {
	if d.space() != '"' {
		d.mismatch(phraseString)
		return ""
	}
	return string(d.quoted(&d.buf))
}

// word reads a string that is likely to recur, such as a product id in a
// need or a member's cell, and shares one copy of it: a million members
// and their needs then take a few hundred distinct strings, not millions.
func (d *decoder) word() string {
	if d.space() != '"' {
		d.mismatch(phraseString)
		return ""
	}
	b := d.quoted(&d.buf)
	if s, ok := d.words[string(b)]; ok {
		return s
	}
	s := string(b)
	if d.words == nil {
		d.words = make(map[string]string)
	}
	if len(d.words) < maxWords {
		d.words[s] = s
	}
	return s
}

// maxWords bounds the strings word keeps, whatever the input.
const maxWords = 1 << 16

// strs reads an array of words; nil when empty.
func (d *decoder) strs() []string {
	d.strBuf = d.strBuf[:0]
	d.list(func() { d.strBuf = append(d.strBuf, d.word()) })
	if len(d.strBuf) == 0 {
		return nil
	}
	return slices.Clone(d.strBuf)
}

// names reads an object of strings; nil when empty.
func (d *decoder) names() Names {
	var n Names
	d.entries(func(k string) {
		if n == nil {
			n = make(Names, 2)
		}
		n[k] = d.str()
	})
	return n
}

// amounts reads an object of numbers; nil when empty.
func (d *decoder) amounts() map[string]float64 {
	var m map[string]float64
	d.entries(func(k string) {
		if m == nil {
			m = make(map[string]float64, 4)
		}
		m[k] = d.num()
	})
	return m
}

// entries reads an object whose keys are data (a map) or null, calling
// value with each new key, on the path; value must read the value.
func (d *decoder) entries(value func(k string)) {
	if d.null() {
		return
	}
	if d.space() != '{' {
		d.mismatch(phraseObject)
		return
	}
	d.pos++
	if d.space() == '}' {
		d.pos++
		return
	}
	var seen map[string]bool
	for {
		k := string(d.key(&d.kbuf))
		d.push(k, -1)
		if seen[k] {
			d.add(ruleDuplicateKey)
			d.skip()
		} else {
			if seen == nil {
				seen = make(map[string]bool, 4)
			}
			seen[k] = true
			value(k)
		}
		d.pop()
		if d.next('}') {
			return
		}
	}
}

// optNum reads a number or null.
func (d *decoder) optNum() *float64 {
	if d.null() {
		return nil
	}
	x := d.num()
	return &x
}

// num reads a number; 0 when the value is not a finite one.
func (d *decoder) num() float64 {
	c := d.space()
	if c != '-' && (c < '0' || c > '9') {
		d.mismatch(phraseNumber)
		return 0
	}
	start := d.pos
	end, integer := d.number()
	if integer && end-start <= 15 {
		// Exact in a float64; most quantities are whole.
		var n int64
		i := start
		if d.data[i] == '-' {
			i++
		}
		for ; i < end; i++ {
			n = n*10 + int64(d.data[i]-'0')
		}
		if d.data[start] == '-' {
			n = -n
		}
		return float64(n)
	}
	x, err := strconv.ParseFloat(string(d.data[start:end]), 64)
	if err != nil {
		// The syntax was checked by number: the value is out of range.
		d.add(ruleNotFinite)
		return 0
	}
	return x
}

// number scans the number at d.pos, leaving d.pos after it; it returns
// that position and whether the number has neither fraction nor exponent.
func (d *decoder) number() (end int, integer bool) {
	digits := func() int {
		n := 0
		for d.pos < len(d.data) && '0' <= d.data[d.pos] && d.data[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	if d.data[d.pos] == '-' {
		d.pos++
	}
	switch {
	case d.pos < len(d.data) && d.data[d.pos] == '0':
		d.pos++
	case digits() == 0:
		d.fail(phraseBadNum)
	}
	integer = true
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		integer = false
		if digits() == 0 {
			d.fail(phraseBadNum)
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		integer = false
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if digits() == 0 {
			d.fail(phraseBadNum)
		}
	}
	return d.pos, integer
}

// literal reads true, false or null.
func (d *decoder) literal(lit string) {
	for i := 0; i < len(lit); i++ {
		if d.pos >= len(d.data) || d.data[d.pos] != lit[i] {
			if i == 0 {
				d.unexpected(phraseValue)
			}
			d.unexpected(phrase("'" + lit[i:i+1] + "'"))
		}
		d.pos++
	}
}

// quoted reads the string at d.pos (its opening quote) and returns its
// bytes: a slice of the input when it holds no escapes, else of *buf.
func (d *decoder) quoted(buf *[]byte) []byte {
	d.pos++
	start := d.pos
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if c == '"' {
			d.pos++
			return d.data[start : d.pos-1]
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
		d.pos++
	}
	b := append((*buf)[:0], d.data[start:d.pos]...)
	for {
		if d.pos >= len(d.data) {
			d.fail(phraseEnd)
		}
		switch c := d.data[d.pos]; {
		case c == '"':
			d.pos++
			*buf = b
			return b
		case c == '\\':
			b = d.escape(b)
		case c < 0x20:
			d.fail(phraseControl)
		case c < utf8.RuneSelf:
			b = append(b, c)
			d.pos++
		default:
			r, size := utf8.DecodeRune(d.data[d.pos:])
			if r == utf8.RuneError && size == 1 {
				d.fail(phraseUTF8)
			}
			b = append(b, d.data[d.pos:d.pos+size]...)
			d.pos += size
		}
	}
}

// escape appends the character of the escape sequence at d.pos. A lone
// UTF-16 surrogate becomes U+FFFD, as in encoding/json.
func (d *decoder) escape(b []byte) []byte {
	d.pos++
	if d.pos >= len(d.data) {
		d.fail(phraseEnd)
	}
	c := d.data[d.pos]
	d.pos++
	switch c {
	case '"', '\\', '/':
		return append(b, c)
	case 'b':
		return append(b, '\b')
	case 'f':
		return append(b, '\f')
	case 'n':
		return append(b, '\n')
	case 'r':
		return append(b, '\r')
	case 't':
		return append(b, '\t')
	case 'u':
		r := d.hex4()
		if 0xD800 <= r && r < 0xDC00 && d.pos+1 < len(d.data) && d.data[d.pos] == '\\' && d.data[d.pos+1] == 'u' {
			save := d.pos
			d.pos += 2
			if r2 := d.hex4(); 0xDC00 <= r2 && r2 < 0xE000 {
				return utf8.AppendRune(b, (r-0xD800)<<10|(r2-0xDC00)+0x10000)
			}
			d.pos = save
		}
		return utf8.AppendRune(b, r) // surrogates encode as U+FFFD
	}
	d.pos -= 2
	d.fail(phraseEscape)
	return nil
}

func (d *decoder) hex4() rune {
	var r rune
	for range 4 {
		if d.pos >= len(d.data) {
			d.fail(phraseEnd)
		}
		c := d.data[d.pos]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			d.fail(phraseEscape)
		}
		r = r<<4 | rune(c)
		d.pos++
	}
	return r
}

// skip reads over one value of any shape, checking its syntax. It keeps
// its own stack of open brackets rather than recursing, so that no input
// can exhaust the goroutine stack.
func (d *decoder) skip() {
	var open []byte // closing brackets expected, innermost last
	for {
		// A value.
		switch c := d.space(); {
		case c == '{':
			d.pos++
			if d.space() == '}' {
				d.pos++
				break
			}
			open = append(open, '}')
			d.key(&d.kbuf)
			continue
		case c == '[':
			d.pos++
			if d.space() == ']' {
				d.pos++
				break
			}
			open = append(open, ']')
			continue
		case c == '"':
			d.quoted(&d.buf)
		case c == 't':
			d.literal("true")
		case c == 'f':
			d.literal("false")
		case c == 'n':
			d.literal("null")
		case c == '-' || '0' <= c && c <= '9':
			d.number()
		default:
			d.unexpected(phraseValue)
		}
		// What follows it: close brackets until a comma.
		for {
			if len(open) == 0 {
				return
			}
			end := open[len(open)-1]
			if !d.next(end) {
				if end == '}' {
					d.key(&d.kbuf)
				}
				break
			}
			open = open[:len(open)-1]
		}
	}
}
