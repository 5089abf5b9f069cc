package call

import (
	"cmp"
	"slices"
	"time"

	"github.com/commune-org/commune/internal/geo"
)

// Candidate is a member who might be called: where they live (a cell),
// how far they will go for a call, and when they can.
type Candidate struct {
	Member string
	Cell   string
	OptIn  bool    // the member wants urgent calls
	Reach  float64 // km they will travel for a call
	// Week holds the member's windows of availability, with those of
	// their collectives that count (a school's hours, for its
	// students); an empty Week means any time.
	Week Week
	// Loc is the time zone the windows are in; nil means UTC.
	Loc *time.Location
}

// Window is a weekly stretch of time, in minutes from midnight of Day;
// End may pass midnight (a night shift, 22:00 to 06:00 is 1320 to 1800).
type Window struct {
	Day        time.Weekday
	Start, End int // minutes; 0 <= Start < End <= Start + 24*60
}

// Week is a member's availability: the union of its windows.
type Week []Window

const minutesPerWeek = 7 * 24 * 60

// Contains reports whether t, read in loc, falls in one of the windows.
func (w Week) Contains(t time.Time, loc *time.Location) bool {
	if len(w) == 0 {
		return true
	}
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	now := int(t.Weekday())*24*60 + t.Hour()*60 + t.Minute()
	for _, win := range w {
		start := int(win.Day)*24*60 + win.Start
		end := int(win.Day)*24*60 + win.End
		// A window of Saturday night runs into Sunday, the start of
		// the week: look at now one week later too.
		if now >= start && now < end || now+minutesPerWeek >= start && now+minutesPerWeek < end {
			return true
		}
	}
	return false
}

// Valid reports whether every window is well made.
func (w Week) Valid() bool {
	for _, win := range w {
		if win.Day < time.Sunday || win.Day > time.Saturday || win.Start < 0 || win.Start >= 24*60 ||
			win.End <= win.Start || win.End > win.Start+24*60 {
			return false
		}
	}
	return true
}

// Target is a member a call will reach, and how far they are.
type Target struct {
	Member string
	Km     float64
}

// Targets returns the candidates a call at place reaches at now: opted
// in, available, living within their own reach of the place (measured
// from the centre of their cell, so a cell's size is the error), nearest
// first, ties broken by member id so that every run picks the same.
func Targets(place geo.Point, cands []Candidate, now time.Time) []Target {
	out, _ := Pick(place, cands, now)
	return out
}

// NearKm is how far from a call's place the members Missed counts live:
// a city's width. Someone who lives farther is not one a coordinator
// expected to come; counting them would only drown the reasons that
// matter in the whole organization's numbers.
const NearKm = 25

// Missed counts the members living within NearKm of a call's place whom
// it has not reached, each under the first reason that holds, in the
// order targeting asks them; and those it will reach at a later ring,
// wherever they live. It holds counts only, never who: it tells
// the coordinators on a call's board why the call reached fewer than
// they hoped, not who said no to calls or when anyone is free.
type Missed struct {
	NotOptedIn int // do not want urgent calls
	TooFar     int // want them, but the place is beyond how far they go
	Away       int // would go, but are not available now (their hours)
	Later      int // will be reached, at a later ring (the store counts them)
}

// Total is how many members Missed counts.
func (m Missed) Total() int { return m.NotOptedIn + m.TooFar + m.Away + m.Later }

// AddNotOptedIn counts n members of cell who do not want calls, when the
// centre of cell is within NearKm of place: the store passes them by
// cell, not as candidates, since it reads only their number.
func (m *Missed) AddNotOptedIn(place geo.Point, cell string, n int) {
	if km, ok := kmTo(place, cell); ok && km <= NearKm {
		m.NotOptedIn += n
	}
}

// Pick is Targets, with the candidates within NearKm it leaves out
// counted by why: too far for their reach (a reach of zero included),
// then not available now. A candidate whose cell is not a cell is
// neither.
func Pick(place geo.Point, cands []Candidate, now time.Time) ([]Target, Missed) {
	var out []Target
	var missed Missed
	for i := range cands {
		c := &cands[i]
		km, ok := kmTo(place, c.Cell)
		near := ok && km <= NearKm
		switch {
		case !ok:
		case !c.OptIn:
			if near {
				missed.NotOptedIn++
			}
		case c.Reach <= 0 || km > c.Reach:
			if near {
				missed.TooFar++
			}
		case !c.Week.Contains(now, c.Loc):
			if near {
				missed.Away++
			}
		default:
			out = append(out, Target{Member: c.Member, Km: km})
		}
	}
	slices.SortFunc(out, func(a, b Target) int {
		return cmp.Or(cmp.Compare(a.Km, b.Km), cmp.Compare(a.Member, b.Member))
	})
	return out, missed
}

// kmTo is the distance from place to the centre of cell.
func kmTo(place geo.Point, cell string) (float64, bool) {
	lat, lon, err := geo.Center(cell)
	if err != nil {
		return 0, false
	}
	return place.Distance(geo.Point{Lat: lat, Lon: lon}), true
}

// Policy says how a call grows: the first ring is Factor times the
// headcount; every Interval, while fewer than the headcount have
// answered "coming" and the call is open, the next ring is Factor times
// the people still missing.
type Policy struct {
	Factor   int
	Interval time.Duration
}

// DefaultPolicy: three people asked for every one needed, a new ring
// every three minutes.
var DefaultPolicy = Policy{Factor: 3, Interval: 3 * time.Minute}

// FirstRing is how many targets the first ring notifies.
func (p Policy) FirstRing(headcount int) int { return p.Factor * headcount }

// NextRing says how many more targets to notify at now, given when the
// last ring went out, how many have answered "coming" (arrivals count
// as coming), and how many targets remain un-notified. Zero means not
// now.
func (p Policy) NextRing(headcount, coming, remaining int, lastRing, now time.Time) int {
	if coming >= headcount || remaining <= 0 || now.Sub(lastRing) < p.Interval {
		return 0
	}
	return min(remaining, p.Factor*(headcount-coming))
}
