package store

import (
	"context"
	"testing"
	"time"
)

// testEvents walks an event's life: invitations, answers, contingents,
// check-ins, reminders, the purge seven days after its end, and the
// erasure of a member.
func testEvents(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	now := time.Date(2027, 4, 20, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	for _, c := range []string{"c-a", "c-b", "c-x"} {
		if _, err := s.CreateCollective(ctx, Collective{ID: c, Name: "Collective " + c, Kind: Workplace}); err != nil {
			t.Fatal(err)
		}
	}
	people := map[string]string{"m-ana": "c-a", "m-bo": "c-a", "m-cy": "c-b", "m-xu": "c-x", "m-coord": "c-a"}
	for id, c := range people {
		m := Member{ID: id, Alias: "alias " + id, Language: "es", Cell: "9q5cs"}
		if id != "m-bo" {
			m.Contact.Email = id + "@example.org"
		}
		if _, err := s.CreateMember(ctx, m); err != nil {
			t.Fatal(err)
		}
		if err := s.AddMembership(ctx, id, c, RoleMember); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Date(2027, 5, 1, 10, 0, 0, 0, time.UTC)
	good := Event{TitleEN: "May Day", TitleES: "Primero de Mayo", Starts: start, Ends: start.Add(4 * time.Hour),
		Cell: "9q5c", Collectives: []string{"c-a", "c-b"}, CreatedBy: "m-coord"}
	for name, tc := range map[string]struct {
		change func(e *Event)
		code   Code
	}{
		"no title":          {func(e *Event) { e.TitleES = " " }, CodeInvalid},
		"ends before":       {func(e *Event) { e.Ends = e.Starts }, CodeInvalid},
		"site and cell":     {func(e *Event) { e.Site = "plaza" }, CodeInvalid},
		"no place":          {func(e *Event) { e.Cell = "" }, CodeInvalid},
		"cell too fine":     {func(e *Event) { e.Cell = "9q5cs2k" }, CodeInvalid},
		"no collective":     {func(e *Event) { e.Collectives = nil }, CodeInvalid},
		"twice":             {func(e *Event) { e.Collectives = []string{"c-a", "c-a"} }, CodeInvalid},
		"unknown":           {func(e *Event) { e.Collectives = []string{"c-zz"} }, CodeNotFound},
		"unknown site":      {func(e *Event) { e.Cell, e.Site = "", "nowhere" }, CodeNotFound},
		"control character": {func(e *Event) { e.TitleEN = "May\x00Day" }, CodeInvalid},
	} {
		e := good
		tc.change(&e)
		_, err := s.CreateEvent(ctx, e)
		wantCode(t, "CreateEvent "+name, err, tc.code)
	}
	e, err := s.CreateEvent(ctx, good)
	if err != nil {
		t.Fatalf("CreateEvent: %v", err)
	}
	got, err := s.Event(ctx, e.ID)
	if err != nil || got.TitleES != "Primero de Mayo" || len(got.Collectives) != 2 || got.Collectives[1] != "c-b" || !got.Starts.Equal(start) || got.CreatedBy != "m-coord" {
		t.Fatalf("Event: got %+v, %v", got, err)
	}
	list, err := s.Events(ctx, "m-cy", now)
	if err != nil || len(list) != 1 || list[0].ID != e.ID {
		t.Errorf("Events of m-cy: got %+v, %v, want the event", list, err)
	}
	if list, err := s.Events(ctx, "m-xu", now); err != nil || len(list) != 0 {
		t.Errorf("Events of m-xu, not invited: got %+v, %v, want none", list, err)
	}

	// Answers, changed; one not invited.
	for _, a := range []struct{ member, answer string }{
		{"m-ana", AnswerMaybe}, {"m-ana", AnswerYes}, {"m-bo", AnswerYes}, {"m-cy", AnswerNo}, {"m-coord", AnswerMaybe},
	} {
		if _, err := s.SetRSVP(ctx, e.ID, a.member, "", a.answer); err != nil {
			t.Fatalf("SetRSVP %s %s: %v", a.member, a.answer, err)
		}
	}
	_, err = s.SetRSVP(ctx, e.ID, "m-xu", "", AnswerYes)
	wantCode(t, "SetRSVP of a member not invited", err, CodeInvalid)
	_, err = s.SetRSVP(ctx, e.ID, "m-ana", "c-b", AnswerYes)
	wantCode(t, "SetRSVP for a collective not theirs", err, CodeInvalid)
	_, err = s.SetRSVP(ctx, e.ID, "m-ana", "", "perhaps")
	wantCode(t, "SetRSVP perhaps", err, CodeInvalid)
	if r, err := s.MyRSVP(ctx, e.ID, "m-ana"); err != nil || r == nil || r.Answer != AnswerYes || r.Collective != "c-a" {
		t.Errorf("MyRSVP of m-ana: got %+v, %v, want yes for c-a", r, err)
	}
	counts, err := s.EventCounts(ctx, e.ID)
	want := []EventCount{{"c-a", "Collective c-a", 2, 1, 0, 0}, {"c-b", "Collective c-b", 0, 0, 1, 0}}
	if err != nil || len(counts) != 2 || counts[0] != want[0] || counts[1] != want[1] {
		t.Errorf("EventCounts: got %+v, %v, want %+v", counts, err, want)
	}
	names, err := s.EventRSVPs(ctx, e.ID, "c-a")
	if err != nil || len(names) != 3 || names[0].Alias != "alias m-ana" {
		t.Errorf("EventRSVPs of c-a: got %+v, %v", names, err)
	}

	// Contingents.
	c, err := s.SetContingent(ctx, Contingent{Event: e.ID, Collective: "c-a", MeetCell: "9q5cs", MeetNote: "corner of 1st and Soto",
		MeetAt: start.Add(-time.Hour), MarshalAlias: "alias m-bo"})
	if err != nil || c.Marshal != "m-bo" {
		t.Fatalf("SetContingent: got %+v, %v", c, err)
	}
	if c, err := s.Contingent(ctx, e.ID, "c-a"); err != nil || c.MeetNote != "corner of 1st and Soto" || c.MarshalAlias != "alias m-bo" || !c.MeetAt.Equal(start.Add(-time.Hour)) {
		t.Errorf("Contingent: got %+v, %v", c, err)
	}
	_, err = s.SetContingent(ctx, Contingent{Event: e.ID, Collective: "c-b", MarshalAlias: "alias m-ana"})
	wantCode(t, "SetContingent with a marshal of another collective", err, CodeInvalid)
	_, err = s.SetContingent(ctx, Contingent{Event: e.ID, Collective: "c-x"})
	wantCode(t, "SetContingent of a collective not invited", err, CodeNotFound)

	// Reminders: none yet ten days before; the day before, to those who
	// said yes or maybe and have an email; once.
	if rs, err := s.DueReminders(ctx, start.Add(-10*24*time.Hour)); err != nil || len(rs) != 0 {
		t.Errorf("DueReminders ten days before: got %+v, %v, want none", rs, err)
	}
	day := start.Add(-20 * time.Hour)
	rs, err := s.DueReminders(ctx, day)
	if err != nil || len(rs) != 2 {
		t.Fatalf("DueReminders the day before: got %+v, %v, want m-ana and m-coord", rs, err)
	}
	for _, r := range rs {
		if r.Kind != ReminderDay || r.Email != r.Member+"@example.org" {
			t.Errorf("reminder: got %+v", r)
		}
		if ok, err := s.ClaimReminder(ctx, r, day); !ok || err != nil {
			t.Errorf("ClaimReminder: got %v, %v, want true", ok, err)
		}
		if ok, err := s.ClaimReminder(ctx, r, day); ok || err != nil {
			t.Errorf("ClaimReminder twice: got %v, %v, want false", ok, err)
		}
	}
	if rs, err := s.DueReminders(ctx, day); err != nil || len(rs) != 0 {
		t.Errorf("DueReminders once claimed: got %+v, %v, want none", rs, err)
	}
	if rs, err := s.DueReminders(ctx, start.Add(-30*time.Minute)); err != nil || len(rs) != 2 || rs[0].Kind != ReminderHour {
		t.Errorf("DueReminders half an hour before: got %+v, %v, want two of the hour", rs, err)
	}

	// Check-in opens two hours before.
	_, err = s.CheckIn(ctx, e.ID, "m-ana")
	wantCode(t, "CheckIn ten days before", err, CodeConflict)
	now = start.Add(time.Hour)
	for _, m := range []string{"m-ana", "m-cy", "m-ana"} {
		if _, err := s.CheckIn(ctx, e.ID, m); err != nil {
			t.Errorf("CheckIn %s: %v", m, err)
		}
	}
	_, err = s.CheckIn(ctx, e.ID, "m-xu")
	wantCode(t, "CheckIn of a member not invited", err, CodeInvalid)

	// What the events hold about a member is in their export.
	if got, err := s.MemberEvents(ctx, "m-bo"); err != nil || len(got) != 2 || got[0].Answer != "marshal" || got[1].Answer != AnswerYes {
		t.Errorf("MemberEvents of m-bo: got %+v, %v, want marshal and yes", got, err)
	}
	if got, err := s.MemberEvents(ctx, "m-ana"); err != nil || len(got) != 1 || !got[0].CheckedIn {
		t.Errorf("MemberEvents of m-ana: got %+v, %v, want yes, checked in", got, err)
	}

	// Erasure removes a member's answer and check-in.
	if err := s.DeleteMember(ctx, "m-cy"); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"event_rsvps", "event_checkins", "event_reminders"} {
		var n int
		if err := s.read.QueryRow(`SELECT COUNT(*) FROM ` + table + ` WHERE member_id = 'm-cy'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s after erasing m-cy: %d rows (%v), want 0", table, n, err)
		}
	}

	// The purge: not six days after the end, but seven.
	end := start.Add(4 * time.Hour)
	if n, err := s.PurgeEvents(ctx, end.Add(6*24*time.Hour)); err != nil || n != 0 {
		t.Errorf("PurgeEvents six days after: got %d, %v, want 0", n, err)
	}
	if n, err := s.PurgeEvents(ctx, end.Add(EventRetention)); err != nil || n != 1 {
		t.Errorf("PurgeEvents seven days after: got %d, %v, want 1", n, err)
	}
	for _, q := range []string{
		`SELECT COUNT(*) FROM event_rsvps`, `SELECT COUNT(*) FROM event_checkins`, `SELECT COUNT(*) FROM event_reminders`,
		`SELECT COUNT(*) FROM event_collectives WHERE marshal_id IS NOT NULL`, `SELECT COUNT(*) FROM events WHERE created_by IS NOT NULL`,
	} {
		var n int
		if err := s.read.QueryRow(q).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s after the purge: %d (%v), want 0", q, n, err)
		}
	}
	counts, err = s.EventCounts(ctx, e.ID)
	want = []EventCount{{"c-a", "Collective c-a", 2, 1, 0, 1}, {"c-b", "Collective c-b", 0, 0, 0, 0}}
	if err != nil || len(counts) != 2 || counts[0] != want[0] || counts[1] != want[1] {
		t.Errorf("EventCounts after the purge: got %+v, %v, want %+v", counts, err, want)
	}
	_, err = s.SetRSVP(ctx, e.ID, "m-ana", "", AnswerNo)
	wantCode(t, "SetRSVP after the purge", err, CodeConflict)
}
