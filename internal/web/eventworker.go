package web

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/commune-org/commune/internal/notify"
	"github.com/commune-org/commune/internal/store"
)

// The events' background work, started with the server and stopped by
// Shutdown: every minute it sends the reminders that are due (the day
// before and an hour before an event, by email and push, to those who answered
// yes or maybe), purges the events that ended seven days ago (also once
// at start), and notes each collective's size for the growth page
// (circulation.go). Each round takes its clock as an argument, so that
// a test can move it.

// eventEvery is how often the worker runs a round.
const eventEvery = time.Minute

// startEventWorker purges what expired while the server was stopped,
// then runs eventRound every eventEvery until Shutdown. The first purge
// does not wait for the first round: a server restarted more often than
// eventEvery would otherwise never delete anything. Reminders wait for
// the round, as before. Each step of a round is guarded (recover.go): a
// step that panics is logged and the others, and the next rounds, run.
func (s *Server) startEventWorker() {
	ctx := s.runs.ctx
	every := eventEvery
	if s.opt.eventEvery > 0 {
		every = s.opt.eventEvery
	}
	s.runs.wg.Add(1)
	go func() {
		defer s.runs.wg.Done()
		s.guard(ctx, "event purge", func() { s.purgeEvents(ctx, time.Now()) })
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				s.eventRound(ctx, now)
			}
		}
	}()
}

// eventRound sends the reminders due at now and purges what has
// expired by now. It logs failures (never an address or a member) and
// leaves them to the next round; a step that panics does not keep the
// steps after it from running. A reminder whose send panicked keeps its
// claim, as one refused for good: it would likely panic again.
func (s *Server) eventRound(ctx context.Context, now time.Time) {
	if s.opt.Mailer != nil || s.opt.Pusher != nil {
		s.guard(ctx, "event reminders", func() {
			sent, err := s.sendReminders(ctx, now)
			if err != nil && ctx.Err() == nil {
				s.log.LogAttrs(ctx, slog.LevelWarn, "event reminders", slog.String("err", err.Error()))
			}
			if sent > 0 {
				s.log.LogAttrs(ctx, slog.LevelInfo, "event reminders sent", slog.Int("count", sent))
			}
		})
	}
	// Each collective's size this week, for the growth page.
	s.guard(ctx, "note sizes", func() {
		if err := s.store.NoteSizes(ctx, now); err != nil && ctx.Err() == nil {
			s.log.LogAttrs(ctx, slog.LevelWarn, "note sizes", slog.String("err", err.Error()))
		}
	})
	s.guard(ctx, "event purge", func() { s.purgeEvents(ctx, now) })
	// Emails given and never confirmed (emailconfirm.go).
	s.guard(ctx, "email confirmation purge", func() {
		if _, err := s.store.PurgeEmailConfirmations(ctx, now); err != nil && ctx.Err() == nil {
			s.log.LogAttrs(ctx, slog.LevelWarn, "email confirmation purge", slog.String("err", err.Error()))
		}
	})
}

// purgeEvents deletes the answers, check-ins and reminders of the events
// that ended EventRetention before now (store.PurgeEvents), and logs how
// many events it purged or why it could not.
func (s *Server) purgeEvents(ctx context.Context, now time.Time) {
	n, err := s.store.PurgeEvents(ctx, now)
	if err != nil && ctx.Err() == nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "event purge", slog.String("err", err.Error()))
	}
	if n > 0 {
		s.log.LogAttrs(ctx, slog.LevelInfo, "events purged", slog.Int("count", n))
	}
}

// sendReminders sends each due reminder once, by email and to the
// member's browsers by push, whichever they have, and by text message to
// a member who has neither (a text costs the organization money; a phone
// is often all a member keeps): claimed first, released again if no
// channel took it and one refused it only for now, so that a restart, or
// a second server on the same database, never sends one twice (a channel
// that took it may see it again after such a release, with the same
// idempotency id, by which the mail program, the service worker and the
// SMS gateway drop it).
func (s *Server) sendReminders(ctx context.Context, now time.Time) (int, error) {
	due, err := s.store.DueReminders(ctx, now)
	if err != nil {
		return 0, err
	}
	base := strings.TrimRight(s.opt.PublicURL, "/")
	if base == "" {
		base = "http://localhost:8080"
	}
	sent := 0
	var first error
	for _, r := range due {
		mail := r.Email != "" && s.opt.Mailer != nil
		push := r.Push && s.opt.Pusher != nil
		text := r.Phone != "" && s.opt.SMS != nil && !mail && !push
		if !mail && !push && !text {
			continue
		}
		ok, err := s.store.ClaimReminder(ctx, r, now)
		if err != nil {
			return sent, err
		}
		if !ok {
			continue
		}
		link, hour := base+"/events/"+r.Event, r.Kind == store.ReminderHour
		var errs []error
		if mail {
			title := r.TitleEN
			if strings.HasPrefix(r.Language, "es") {
				title = r.TitleES
			}
			errs = append(errs, s.opt.Mailer.Send(ctx, notify.EventReminder(r.Email, r.Language, title, s.reminderTime(ctx, r.Member, r.Starts),
				link, r.ID(), hour)))
		}
		if push {
			err := s.pushTo(ctx, s.opt.Pusher, r.Member, notify.EventReminderPush(r.Language, link, r.ID(), hour), r.ID())
			if !errors.Is(err, errNoAddress) {
				errs = append(errs, err)
			} else if !mail {
				// Every browser they had subscribed is gone: the text
				// they would have had without one goes instead.
				text = r.Phone != "" && s.opt.SMS != nil
			}
		}
		if text {
			errs = append(errs, s.opt.SMS.Send(ctx, r.Phone, notify.EventReminderSMS(r.Language, link, hour), r.ID()))
		}
		took, retry := false, false
		for _, err := range errs {
			if err == nil {
				took = true
				continue
			}
			// A refusal for good (a bad address) keeps its claim: it
			// would fail again.
			if again, _ := notify.Retryable(err); again {
				retry = true
			}
			if first == nil {
				first = err
			}
		}
		if took {
			sent++
		} else if retry {
			if err := s.store.ReleaseReminder(context.WithoutCancel(ctx), r); err != nil {
				return sent, err
			}
		}
	}
	return sent, first
}

// reminderTime writes when an event starts, for its reminder to member:
// in the time zone of their urgent-call settings, which they chose, and
// named, or else in UTC.
func (s *Server) reminderTime(ctx context.Context, member string, t time.Time) string {
	const layout = "2006-01-02 15:04 MST"
	set, err := s.store.MemberCallSettings(ctx, member)
	if err != nil || set.TZ == "" || set.TZ == "UTC" {
		return t.UTC().Format(layout)
	}
	loc, err := time.LoadLocation(set.TZ)
	if err != nil {
		return t.UTC().Format(layout)
	}
	return t.In(loc).Format(layout) + " (" + set.TZ + ")"
}
