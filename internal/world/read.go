package world

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
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
