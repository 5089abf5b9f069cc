package demo

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/commune-org/commune/internal/call"
	"github.com/commune-org/commune/internal/geo"
	"github.com/commune-org/commune/internal/world"
)

// How the demo's people take urgent calls. Without it nobody in the
// demo had asked for calls, and a call raised there reached no one.
// It is drawn from a stream of its own, after the world, so that the
// world and its plan stay what they were: about two in three members
// asked for calls, each going 3 to 15 km from home; a third of those
// only in the evenings and at weekends, in their city's time zone. The
// high schools' hours count for their students (the store joins a
// school's week to a student's own windows). The demo's member asked
// for calls at any time and lives in the heart of Boyle Heights, so
// that a call raised at one of its sites reaches them in its first
// ring and shows on their page.

// CallSettings are how a member takes urgent calls: whether they asked
// for them, how far they go, and when (their windows in TZ; none: any
// time).
type CallSettings struct {
	OptIn   bool
	ReachKm float64
	Week    call.Week
	TZ      string
}

// The weekly hours of the demo, in minutes from midnight.
var (
	eveningsAndWeekends = call.Week{
		{Day: time.Monday, Start: 17 * 60, End: 23 * 60}, {Day: time.Tuesday, Start: 17 * 60, End: 23 * 60},
		{Day: time.Wednesday, Start: 17 * 60, End: 23 * 60}, {Day: time.Thursday, Start: 17 * 60, End: 23 * 60},
		{Day: time.Friday, Start: 17 * 60, End: 23 * 60},
		{Day: time.Saturday, Start: 8 * 60, End: 22 * 60}, {Day: time.Sunday, Start: 8 * 60, End: 22 * 60},
	}
	schoolHours = call.Week{
		{Day: time.Monday, Start: 8 * 60, End: 15 * 60}, {Day: time.Tuesday, Start: 8 * 60, End: 15 * 60},
		{Day: time.Wednesday, Start: 8 * 60, End: 15 * 60}, {Day: time.Thursday, Start: 8 * 60, End: 15 * 60},
		{Day: time.Friday, Start: 8 * 60, End: 15 * 60},
	}
)

// DemoMemberReachKm is how far the demo's member goes for a call.
const DemoMemberReachKm = 10

// calls draws every member's call settings and the schools' hours, and
// makes the demo's member one who takes calls at any time.
func (d *Demo) calls() {
	r := rand.New(rand.NewPCG(seed, 6))
	city := map[string]int{}
	for _, p := range places {
		city[p.id] = p.city
	}
	for i, m := range d.World.Members {
		// Every draw is made for every member, so that one member's
		// settings do not move the next one's.
		set := CallSettings{OptIn: r.Float64() < 0.65, ReachKm: float64(3 + r.IntN(13)), TZ: cities[city[m.Collectives[0]]].tz}
		if r.Float64() < 0.3 {
			set.Week = eveningsAndWeekends
		}
		d.People[i].Calls = set
	}
	for i, p := range places {
		if p.kind == "school" {
			d.Collectives[i].SchoolWeek, d.Collectives[i].TZ = schoolHours, cities[p.city].tz
		}
	}
	for i, m := range d.World.Members {
		if m.ID == d.Member {
			d.People[i].Calls = CallSettings{OptIn: true, ReachKm: DemoMemberReachKm, TZ: d.People[i].Calls.TZ}
		}
	}
}

// memberAt returns the first member of the collective, other than not,
// who lives in the cell of the collective's centre, or the first member
// of it other than not when nobody lives there: calls at its sites,
// nearest first, reach them first.
func memberAt(w *world.World, collective, not string) string {
	for _, p := range places {
		if p.id != collective {
			continue
		}
		for _, m := range w.Members {
			if m.ID != not && m.Cell == geo.Encode(p.lat, p.lon, len(m.Cell)) && slices.Contains(m.Collectives, collective) {
				return m.ID
			}
		}
	}
	return memberOf(w, collective, not)
}
