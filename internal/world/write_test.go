package world

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/geo"
)

// small.json is written the way Write writes, so writing what was read
// gives the file back byte for byte.
func TestWriteGolden(t *testing.T) {
	want, err := os.ReadFile("testdata/small.json")
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := Write(&got, readSmall(t)); err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("got\n%s\nwant\n%s", got.String(), want)
	}
}

func TestRoundTrip(t *testing.T) {
	for name, w := range map[string]*World{"small": readSmall(t), "synthetic": synthetic(1000)} {
		t.Run(name, func(t *testing.T) {
			if err := w.Validate(); err != nil {
				t.Fatal(err)
			}
			var first, second bytes.Buffer
			if err := Write(&first, w); err != nil {
				t.Fatal(err)
			}
			back, err := Read(bytes.NewReader(first.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, w) {
				t.Errorf("the world read back differs from the one written")
			}
			if err := Write(&second, back); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first.Bytes(), second.Bytes()) {
				t.Errorf("two writes of the same world differ")
			}
		})
	}
}

func TestWriteStrings(t *testing.T) {
	w := readSmall(t)
	names := []string{
		"quote \" backslash \\ slash /",
		"new\nline\ttab\rreturn\x00nul\x1funit\x7fdel",
		"Küche ☕ 🍚 \u2028\u2029 \ufffd",
		"<b>&amp;</b>",
	}
	for i, n := range names {
		w.Sites[i].Name = n
	}
	var buf bytes.Buffer
	if err := Write(&buf, w); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"quote \" backslash \\ slash /"`,
		`"new\nline\ttab\rreturn\u0000nul\u001funit` + "\x7f" + `del"`,
		"\"Küche ☕ 🍚 \u2028\u2029 \ufffd\"",
		`"<b>&amp;</b>"`,
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("output lacks %s", want)
		}
	}
	back, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, w) {
		t.Errorf("strings do not read back equal")
	}

	w.Sites[0].Name = "bad \xff byte"
	buf.Reset()
	if err := Write(&buf, w); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"bad \ufffd byte"`) {
		t.Errorf("invalid UTF-8 is not written as U+FFFD")
	}
}

func TestWriteNumbers(t *testing.T) {
	for _, c := range []struct {
		x    float64
		want string
	}{
		{0, "0"}, {math.Copysign(0, -1), "0"}, {14, "14"}, {-118.2437, "-118.2437"}, {0.1, "0.1"},
		{1e20, "100000000000000000000"}, {1e21, "1e+21"}, {1e-6, "0.000001"}, {1e-7, "1e-7"},
		{-2.5e-10, "-2.5e-10"}, {5e-324, "5e-324"}, {math.MaxFloat64, "1.7976931348623157e+308"},
	} {
		e := encoder{}
		e.num(c.x, "qty", "")
		if got := string(e.b); got != c.want {
			t.Errorf("%v: got %s, want %s", c.x, got, c.want)
		}
	}
	// Any quantity the reader accepts (finite, above 0, at most
	// MaxQuantity; the encoder's cases above go beyond) reads back exactly.
	rng := rand.New(rand.NewPCG(1, 2))
	w := readSmall(t)
	for i := range w.Needs {
		for x := 0.0; x == 0 || x > MaxQuantity || math.IsNaN(x); {
			x = math.Float64frombits(rng.Uint64() >> 1) // positive
			w.Needs[i].Qty = x
		}
	}
	for i := range w.Sites {
		w.Sites[i].Lat = rng.Float64()*180 - 90
		w.Sites[i].Lon = rng.NormFloat64() * 1e-9
	}
	var buf bytes.Buffer
	if err := Write(&buf, w); err != nil {
		t.Fatal(err)
	}
	back, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, w) {
		t.Errorf("numbers do not read back exactly")
	}
}

func TestWriteNotFinite(t *testing.T) {
	for _, c := range []struct {
		change func(w *World)
		want   string
	}{
		{func(w *World) { w.Needs[3].Qty = math.NaN() }, "world: write: needs[3].qty: must be a finite number"},
		{func(w *World) { w.Recipes[0].Inputs["rice"] = math.Inf(-1) }, "world: write: recipes[0].inputs.rice: must be a finite number"},
		{func(w *World) { w.Members[5].Commitment.MaxKm = math.Inf(1) }, "world: write: members[5].commitment.max_km: must be a finite number"},
	} {
		w := readSmall(t)
		c.change(w)
		err := Write(new(bytes.Buffer), w)
		if err == nil || err.Error() != c.want {
			t.Errorf("got %v, want %s", err, c.want)
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, fmt.Errorf("disk full") }

func TestWriteError(t *testing.T) {
	err := Write(failingWriter{}, readSmall(t))
	if err == nil || err.Error() != "world: write: disk full" {
		t.Errorf("got %v, want world: write: disk full", err)
	}
}

// The server may build a world and marshal it with encoding/json; Read
// takes that too, and encoding/json takes what Write writes.
func TestEncodingJSON(t *testing.T) {
	w := readSmall(t)
	data, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, w) {
		t.Errorf("a world marshalled by encoding/json reads back different")
	}

	var buf bytes.Buffer
	if err := Write(&buf, w); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(&buf)
	dec.DisallowUnknownFields()
	var std World
	if err := dec.Decode(&std); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(normalize(&std), w) {
		t.Errorf("encoding/json reads what Write writes differently")
	}
}

// normalize sets the empty lists and maps of w to nil, as Read does.
func normalize(w *World) *World {
	nilEmpty(reflect.ValueOf(w).Elem())
	return w
}

func nilEmpty(v reflect.Value) {
	switch v.Kind() {
	case reflect.Slice, reflect.Map:
		if v.Len() == 0 {
			v.SetZero()
			return
		}
		if v.Kind() == reflect.Slice {
			for i := range v.Len() {
				nilEmpty(v.Index(i))
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			nilEmpty(v.Field(i))
		}
	}
}

// synthetic is a valid world of n members around Los Angeles, with two
// needs each, for round trips and benchmarks. It does not use the
// package's generator so that these tests stand on their own.
func synthetic(n int) *World {
	rng := rand.New(rand.NewPCG(7, uint64(n)))
	w := &World{Format: Format, Period: "week"}
	for i := range 20 {
		id := fmt.Sprintf("skill-%02d", i)
		w.Skills = append(w.Skills, Skill{ID: id, Name: Names{"en": "Skill " + id, "es": "Habilidad " + id}})
	}
	for i := range 50 {
		p := Product{ID: fmt.Sprintf("product-%02d", i), Unit: "unit", Kind: Good}
		p.Name = Names{"en": "Product " + p.ID, "es": "Producto " + p.ID}
		switch {
		case i%10 == 9:
			p.Kind, p.ReachKm = Service, float64(5+rng.IntN(20))
		case i%3 == 0:
			c := float64(rng.IntN(50)) / 10000
			p.TransportCost = &c
		}
		w.Products = append(w.Products, p)
	}
	point := func() (float64, float64) { return 34 + rng.Float64()*0.5, -118.5 + rng.Float64()*0.6 }
	for i := range 200 {
		s := Site{ID: fmt.Sprintf("site-%03d", i), Name: fmt.Sprintf("Site %d", i), Kind: Workplace}
		s.Lat, s.Lon = point()
		if i%4 == 0 {
			s.Kind, s.Collective = Depot, fmt.Sprintf("collective-%02d", i%50)
		}
		w.Sites = append(w.Sites, s)
		out := w.Products[rng.IntN(50)].ID
		in := w.Products[rng.IntN(50)].ID
		r := Recipe{ID: "make-" + s.ID, Site: s.ID, Outputs: map[string]float64{out: float64(1 + rng.IntN(100))},
			Labor: map[string]float64{w.Skills[rng.IntN(20)].ID: float64(1+rng.IntN(16)) / 2}}
		if in != out && rng.IntN(2) == 0 {
			r.Inputs = map[string]float64{in: rng.Float64() * 10}
		}
		if i%2 == 0 {
			m := float64(10 + rng.IntN(100))
			r.MaxRuns = &m
		}
		w.Recipes = append(w.Recipes, r)
		if p := w.Products[rng.IntN(50)]; p.Kind == Good {
			w.Stocks = append(w.Stocks, Stock{Site: s.ID, Product: p.ID, Qty: float64(rng.IntN(1000))})
		}
	}
	for i := range n {
		lat, lon := point()
		m := Member{ID: fmt.Sprintf("m-%07d", i), Cell: geo.Encode(lat, lon, 5+rng.IntN(2))}
		if rng.IntN(3) > 0 {
			m.Collectives = []string{fmt.Sprintf("collective-%02d", rng.IntN(50))}
		}
		m.Commitment.Hours = float64(rng.IntN(41)) / 2
		m.Commitment.MaxKm = float64(1 + rng.IntN(30))
		for range 1 + rng.IntN(3) {
			if s := w.Skills[rng.IntN(20)].ID; !slices.Contains(m.Commitment.Skills, s) {
				m.Commitment.Skills = append(m.Commitment.Skills, s)
			}
		}
		w.Members = append(w.Members, m)
		for j := range 2 {
			need := Need{ID: fmt.Sprintf("n-%07d-%d", i, j), Member: m.ID, Product: w.Products[rng.IntN(50)].ID,
				Qty: float64(1 + rng.IntN(20)), Tier: Tiers[rng.IntN(3)]}
			w.Needs = append(w.Needs, need)
		}
	}
	return w
}

// BenchmarkReadWrite writes and reads a world of 100,000 members and
// 200,000 needs (about 20 MB).
func BenchmarkReadWrite(b *testing.B) {
	w := synthetic(100_000)
	var buf bytes.Buffer
	if err := Write(&buf, w); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.Run("Write", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		var out bytes.Buffer
		for b.Loop() {
			out.Reset()
			if err := Write(&out, w); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Read", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Read(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Validate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := w.Validate(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
