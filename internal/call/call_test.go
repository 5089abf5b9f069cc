package call

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/geo"
)

var now = time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC) // a Friday

func TestCheck(t *testing.T) {
	good := Request{Site: "vernon-plant", Kind: Raid, Headcount: 20, Until: now.Add(2 * time.Hour), Message: Message{ES: "Redada en la planta"}}
	if errs := good.Check(now); errs != nil {
		t.Fatalf("a good request: got %v, want no error", errs)
	}
	for _, tc := range []struct {
		name   string
		change func(r *Request)
		en, es string
	}{
		{"no place", func(r *Request) { r.Site = "" }, "site: give a site or a cell", "site: indica un sitio o una celda"},
		{"two places", func(r *Request) { r.Cell = "9q5cs" }, "site: give a site or a cell, not both", "site: indica un sitio o una celda, no ambos"},
		{"bad cell", func(r *Request) { r.Site, r.Cell = "", "9q5ca" }, `cell: "9q5ca" is not a geohash cell of 5 to 9 characters`, `cell: "9q5ca" no es una celda geohash de 5 a 9 caracteres`},
		{"coarse cell", func(r *Request) { r.Site, r.Cell = "", "9q5c" }, `cell: "9q5c" is not a geohash cell of 5 to 9 characters`, `cell: "9q5c" no es una celda geohash de 5 a 9 caracteres`},
		{"kind", func(r *Request) { r.Kind = "riot" }, `kind: "riot" is not one of raid, picket, disaster, other`, `kind: "riot" no es uno de raid, picket, disaster, other`},
		{"headcount", func(r *Request) { r.Headcount = 0 }, "headcount: must be 1 to 10000, got 0", "headcount: debe ser de 1 a 10000, se recibió 0"},
		{"past", func(r *Request) { r.Until = now.Add(-time.Minute) }, "until: is in the past", "until: ya pasó"},
		{"now", func(r *Request) { r.Until = now }, "until: is in the past", "until: ya pasó"},
		{"missing end", func(r *Request) { r.Until = time.Time{} }, "until: give the time the call ends", "until: indica la hora en que termina el llamado"},
		{"far", func(r *Request) { r.Until = now.Add(8 * 24 * time.Hour) }, "until: is more than 7 days away", "until: está a más de 7 días"},
		{"no message", func(r *Request) { r.Message = Message{ES: "  "} }, "message: give the message in Spanish, English or both", "message: escribe el mensaje en español, inglés o ambos"},
		{"long message", func(r *Request) { r.Message.EN = strings.Repeat("a", 1001) }, "message.en: longer than 1000 characters", "message.en: tiene más de 1000 caracteres"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := good
			tc.change(&r)
			errs := r.Check(now)
			if len(errs) != 1 {
				t.Fatalf("got %v, want one error", errs)
			}
			if got := errs[0].Message("en"); got != tc.en {
				t.Errorf("en: got %q, want %q", got, tc.en)
			}
			if got := errs[0].Message("es"); got != tc.es {
				t.Errorf("es: got %q, want %q", got, tc.es)
			}
		})
	}
	// Every problem at once.
	bad := Request{Kind: "x", Until: now.Add(-time.Hour)}
	if errs := bad.Check(now); len(errs) != 5 {
		t.Errorf("a request wrong five ways: got %d errors (%v), want 5", len(errs), errs)
	}
}

func TestMessageFor(t *testing.T) {
	both := Message{ES: "hola", EN: "hello"}
	for _, tc := range []struct {
		m          Message
		lang, want string
	}{
		{both, "es", "hola"}, {both, "en", "hello"}, {both, "tl", "hello"},
		{Message{ES: "hola"}, "en", "hola"}, {Message{EN: "hello"}, "es", "hello"},
	} {
		if got := tc.m.For(tc.lang); got != tc.want {
			t.Errorf("%+v.For(%q): got %q, want %q", tc.m, tc.lang, got, tc.want)
		}
	}
}

func TestWeek(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	school := Week{{Day: time.Monday, Start: 8 * 60, End: 15 * 60}, {Day: time.Friday, Start: 8 * 60, End: 15 * 60}}
	night := Week{{Day: time.Saturday, Start: 22 * 60, End: 30 * 60}} // Saturday 22:00 to Sunday 06:00
	for _, tc := range []struct {
		name string
		w    Week
		at   time.Time
		loc  *time.Location
		want bool
	}{
		{"any time", nil, now, nil, true},
		{"Friday 9:30 at school", school, now, nil, true},
		{"Friday 9:30 UTC is 2:30 in LA", school, now, la, false},
		{"Friday 15:00 ends it", school, time.Date(2026, 5, 1, 15, 0, 0, 0, time.UTC), nil, false},
		{"Saturday 23:00", night, time.Date(2026, 5, 2, 23, 0, 0, 0, time.UTC), nil, true},
		{"Sunday 05:59, past the week's turn", night, time.Date(2026, 5, 3, 5, 59, 0, 0, time.UTC), nil, true},
		{"Sunday 06:00", night, time.Date(2026, 5, 3, 6, 0, 0, 0, time.UTC), nil, false},
	} {
		if got := tc.w.Contains(tc.at, tc.loc); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	if !school.Valid() || !night.Valid() || (Week{{Day: 7, Start: 0, End: 60}}).Valid() || (Week{{Start: 60, End: 60}}).Valid() ||
		(Week{{Start: 0, End: 24*60 + 1}}).Valid() {
		t.Error("Valid: wrong on a window")
	}
}

func TestTargets(t *testing.T) {
	place := geo.Point{Lat: 34.0040, Lon: -118.2300} // the Vernon plant
	at := func(lat, lon float64) string { return geo.Encode(lat, lon, 6) }
	cands := []Candidate{
		{Member: "far", Cell: at(34.20, -118.23), OptIn: true, Reach: 10}, // 22 km away, will go 10
		{Member: "near", Cell: at(34.01, -118.23), OptIn: true, Reach: 5}, // under 1 km
		{Member: "out", Cell: at(34.01, -118.23), OptIn: false, Reach: 5}, // did not opt in
		{Member: "asleep", Cell: at(34.01, -118.23), OptIn: true, Reach: 5, // not available now
			Week: Week{{Day: time.Saturday, Start: 0, End: 60}}},
		{Member: "mid", Cell: at(34.04, -118.21), OptIn: true, Reach: 8},      // about 4 km
		{Member: "also-mid", Cell: at(34.04, -118.21), OptIn: true, Reach: 8}, // the same cell: ties go by id
		{Member: "student", Cell: at(34.03, -118.21), OptIn: true, Reach: 6, // school hours count
			Week: Week{{Day: time.Friday, Start: 8 * 60, End: 15 * 60}}},
		{Member: "bad-cell", Cell: "zzzz!", OptIn: true, Reach: 100},
	}
	got := Targets(place, cands, now)
	var ids []string
	for _, tg := range got {
		ids = append(ids, tg.Member)
	}
	want := "near student also-mid mid"
	if strings.Join(ids, " ") != want {
		t.Errorf("targets: got %v, want %s", ids, want)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Km < got[i-1].Km {
			t.Errorf("targets not nearest first: %v", got)
		}
	}
}

// TestPick: the candidates a call leaves out are counted by why, each
// once, those living beyond NearKm not at all.
func TestPick(t *testing.T) {
	place := geo.Point{Lat: 34.0040, Lon: -118.2300}
	at := func(lat, lon float64) string { return geo.Encode(lat, lon, 6) }
	near, far := at(34.01, -118.23), at(34.40, -118.23) // under 1 km; 44 km
	cands := []Candidate{
		{Member: "reached", Cell: near, OptIn: true, Reach: 5},
		{Member: "out", Cell: near, OptIn: false, Reach: 5},
		{Member: "out-far", Cell: far, OptIn: false, Reach: 5},
		{Member: "short", Cell: at(34.20, -118.23), OptIn: true, Reach: 10}, // 22 km away
		{Member: "zero", Cell: near, OptIn: true, Reach: 0},
		{Member: "short-far", Cell: far, OptIn: true, Reach: 10},
		// Too far and asleep: too far is what counts, the first reason
		// targeting asks.
		{Member: "short-asleep", Cell: at(34.20, -118.23), OptIn: true, Reach: 10, Week: Week{{Day: time.Saturday, Start: 0, End: 60}}},
		{Member: "asleep", Cell: near, OptIn: true, Reach: 5, Week: Week{{Day: time.Saturday, Start: 0, End: 60}}},
		{Member: "asleep-far", Cell: far, OptIn: true, Reach: 100, Week: Week{{Day: time.Saturday, Start: 0, End: 60}}},
		{Member: "bad-cell", Cell: "zzzz!", OptIn: false},
	}
	got, missed := Pick(place, cands, now)
	if len(got) != 1 || got[0].Member != "reached" {
		t.Errorf("targets: got %v, want [reached]", got)
	}
	if want := (Missed{NotOptedIn: 1, TooFar: 3, Away: 1}); missed != want {
		t.Errorf("missed: got %+v, want %+v", missed, want)
	}
	missed.AddNotOptedIn(place, near, 7)
	missed.AddNotOptedIn(place, far, 100)
	missed.AddNotOptedIn(place, "", 100)
	if missed.NotOptedIn != 8 || missed.Total() != 12 {
		t.Errorf("after AddNotOptedIn: got %+v (total %d), want 8 not opted in, 12 in all", missed, missed.Total())
	}
}

func TestPolicy(t *testing.T) {
	p := DefaultPolicy
	if got := p.FirstRing(20); got != 60 {
		t.Errorf("first ring for 20: got %d, want 60", got)
	}
	last := now
	for _, tc := range []struct {
		name                       string
		headcount, coming, remains int
		after                      time.Duration
		want                       int
	}{
		{"too soon", 20, 5, 100, 2 * time.Minute, 0},
		{"due", 20, 5, 100, 3 * time.Minute, 45},
		{"enough coming", 20, 20, 100, time.Hour, 0},
		{"few left", 20, 5, 10, time.Hour, 10},
		{"nobody left", 20, 0, 0, time.Hour, 0},
	} {
		if got := p.NextRing(tc.headcount, tc.coming, tc.remains, last, last.Add(tc.after)); got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestLife(t *testing.T) {
	req := &Request{Site: "s", Kind: Picket, Headcount: 10, Until: now.Add(4 * time.Hour), Message: Message{EN: "Picket at the gate"}}
	c := New("c-1", "ana", req, geo.Point{Lat: 34, Lon: -118}, true, now)
	if c.Status != Unverified || c.Answerable(now) != ErrNotAnswered {
		t.Fatalf("a new call: got %s, want unverified and not answerable", c.Status)
	}
	if err := c.Verify("ana", now); !errors.Is(err, ErrOwnCall) {
		t.Errorf("verified by its author: got %v, want ErrOwnCall", err)
	}
	if err := c.Verify("beto", now.Add(time.Minute)); err != nil || c.Status != Open || c.VerifiedBy != "beto" {
		t.Fatalf("verified by another: got %v, %s, %q", err, c.Status, c.VerifiedBy)
	}
	if err := c.Verify("carla", now); !errors.Is(err, ErrNotVerify) {
		t.Errorf("verified twice: got %v, want ErrNotVerify", err)
	}
	if err := c.Answerable(now.Add(time.Hour)); err != nil {
		t.Errorf("open call: got %v, want answerable", err)
	}
	if changed := c.Tick(now.Add(4 * time.Hour)); !changed || c.Status != Closed || !c.Closed.Equal(c.Until) {
		t.Errorf("at its end: got %s closed at %v, want closed at %v", c.Status, c.Closed, c.Until)
	}
	if err := c.Close(now.Add(5 * time.Hour)); !errors.Is(err, ErrNotOpen) {
		t.Errorf("closing a closed call: got %v, want ErrNotOpen", err)
	}

	// Nobody verifies: it expires after UnverifiedTTL and reached nobody.
	u := New("c-2", "ana", req, geo.Point{}, true, now)
	if u.Tick(now.Add(UnverifiedTTL-time.Second)) || !u.Tick(now.Add(UnverifiedTTL)) || u.Status != Expired {
		t.Errorf("unverified call after its time: got %s, want expired", u.Status)
	}
	if err := u.Verify("beto", now.Add(time.Hour)); !errors.Is(err, ErrNotVerify) {
		t.Errorf("verifying an expired call: got %v", err)
	}
	// Verification turned off: open at once.
	if o := New("c-3", "ana", req, geo.Point{}, false, now); o.Status != Open {
		t.Errorf("without verification: got %s, want open", o.Status)
	}
}

func TestLinks(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	tok := SignLink(key, "c-1", "m-abc")
	call, member, err := VerifyLink(key, tok)
	if err != nil || call != "c-1" || member != "m-abc" {
		t.Fatalf("round trip: got %q %q %v", call, member, err)
	}
	other := SignLink(key, "c-1", "m-xyz")
	forged := tok[:strings.LastIndex(tok, ".")] + other[strings.LastIndex(other, "."):]
	for name, bad := range map[string]string{
		"another key":      SignLink([]byte("fedcba9876543210fedcba9876543210"), "c-1", "m-abc"),
		"forged signature": forged,
		"garbage":          "a1.zzz",
		"old version":      "a0" + tok[2:],
		"empty":            "",
	} {
		if _, _, err := VerifyLink(key, bad); err == nil {
			t.Errorf("%s: got no error", name)
		}
	}
}
