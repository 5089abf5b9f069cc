package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/call"
	"github.com/commune-org/commune/internal/store"
)

// A member's own call settings, /api/v1/me/calls: how far they go for
// an urgent call and when they can (weekly windows in their time zone).
// Whether they want calls at all is call_opt_in of /api/v1/me.

// Messages of call settings, beside messages.go's.
const (
	msgCallReach  msgKey = "call-reach"
	msgCallClock  msgKey = "call-clock"
	msgCallZone   msgKey = "call-zone"
	msgCallWindow msgKey = "call-window"
)

func (s *Server) callSettingsRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/me/calls", action: auth.ReadSelf, h: s.getCallSettings},
		{pattern: "PUT /api/v1/me/calls", action: auth.WriteSelf, h: s.putCallSettings},
	}
}

// windowBody is a weekly window: a day and two clock times; an end at or
// before the start is on the next day (a night shift).
type windowBody struct {
	Day   string `json:"day"`
	Start string `json:"start"` // "08:00"
	End   string `json:"end"`
}

// callSettingsBody is a member's call settings as the API says them.
type callSettingsBody struct {
	ReachKm float64      `json:"reach_km"`
	Week    []windowBody `json:"week"` // empty: any time
	TZ      string       `json:"tz"`
}

var dayNames = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

func hhmm(m int) string { return fmt.Sprintf("%02d:%02d", m/60%24, m%60) }

// parseClock reads "HH:MM" as minutes from midnight.
func parseClock(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

func settingsBody(set *store.MemberCallSettings) callSettingsBody {
	b := callSettingsBody{ReachKm: set.ReachKm, Week: []windowBody{}, TZ: set.TZ}
	for _, w := range set.Week {
		b.Week = append(b.Week, windowBody{Day: dayNames[w.Day], Start: hhmm(w.Start), End: hhmm(w.End)})
	}
	return b
}

func (s *Server) getCallSettings(w http.ResponseWriter, r *http.Request) error {
	p, err := s.principal(r)
	if err != nil {
		return err
	}
	set, err := s.store.MemberCallSettings(r.Context(), p.Member)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, settingsBody(set))
	return nil
}

func (s *Server) putCallSettings(w http.ResponseWriter, r *http.Request) error {
	p, err := s.principal(r)
	if err != nil {
		return err
	}
	var in callSettingsBody
	if err := decode(r, &in); err != nil {
		return err
	}
	var v invalid
	if in.ReachKm < 0 || in.ReachKm > store.MaxCallReachKm {
		v.add("reach_km", msgCallReach, store.MaxCallReachKm)
	}
	if in.TZ == "" {
		in.TZ = "UTC"
	}
	if _, err := time.LoadLocation(in.TZ); err != nil || strings.HasPrefix(in.TZ, "/") || strings.Contains(in.TZ, "..") {
		v.add("tz", msgCallZone, in.TZ)
	}
	set := store.MemberCallSettings{ReachKm: in.ReachKm, TZ: in.TZ}
	for i, wb := range in.Week {
		field := fmt.Sprintf("week[%d]", i)
		day := -1
		for d, name := range dayNames {
			if strings.EqualFold(wb.Day, name) {
				day = d
			}
		}
		if day < 0 {
			v.add(field+".day", msgFieldOneOf, wb.Day, strings.Join(dayNames, ", "))
		}
		start, okStart := parseClock(wb.Start)
		end, okEnd := parseClock(wb.End)
		if !okStart {
			v.add(field+".start", msgCallClock, wb.Start)
		}
		if !okEnd {
			v.add(field+".end", msgCallClock, wb.End)
		}
		if day < 0 || !okStart || !okEnd {
			continue
		}
		if end <= start {
			end += 24 * 60
		}
		set.Week = append(set.Week, call.Window{Day: time.Weekday(day), Start: start, End: end})
	}
	if len(in.Week) > 7*24 {
		v.add("week", msgCallWindow, 7*24)
	}
	if err := v.err(); err != nil {
		return err
	}
	if err := s.store.PutMemberCallSettings(r.Context(), p.Member, set); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, settingsBody(&set))
	return nil
}
