package web

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/commune-org/commune/internal/notify"
	"github.com/commune-org/commune/internal/store"
)

// The events' background work, started with the server and stopped by
// Shutdown: every minute it sends the reminders that are due (the day
// before and an hour before an event, by email, to those who answered
// yes or maybe), purges the events that ended seven days ago, and notes
// each collective's size for the growth page (circulation.go). Each
// round takes its clock as an argument, so that a test can move it.

// eventEvery is how often the worker runs a round.
const eventEvery = time.Minute

// startEventWorker runs eventRound every eventEvery until Shutdown.
func (s *Server) startEventWorker() {
	ctx := s.runs.ctx
	s.runs.wg.Add(1)
	go func() {
		defer s.runs.wg.Done()
		t := time.NewTicker(eventEvery)
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
// leaves them to the next round.
func (s *Server) eventRound(ctx context.Context, now time.Time) {
	if s.opt.Mailer != nil {
		sent, err := s.sendReminders(ctx, now)
		if err != nil && ctx.Err() == nil {
			s.log.LogAttrs(ctx, slog.LevelWarn, "event reminders", slog.String("err", err.Error()))
		}
		if sent > 0 {
			s.log.LogAttrs(ctx, slog.LevelInfo, "event reminders sent", slog.Int("count", sent))
		}
	}
	// Each collective's size this week, for the growth page.
	if err := s.store.NoteSizes(ctx, now); err != nil && ctx.Err() == nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "note sizes", slog.String("err", err.Error()))
	}
	n, err := s.store.PurgeEvents(ctx, now)
	if err != nil && ctx.Err() == nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "event purge", slog.String("err", err.Error()))
	}
	if n > 0 {
		s.log.LogAttrs(ctx, slog.LevelInfo, "events purged", slog.Int("count", n))
	}
}

// sendReminders sends each due reminder once: claimed first, released
// again if the mail server refused it for now, so that a restart, or a
// second server on the same database, never sends one twice.
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
		ok, err := s.store.ClaimReminder(ctx, r, now)
		if err != nil {
			return sent, err
		}
		if !ok {
			continue
		}
		title := r.TitleEN
		if strings.HasPrefix(r.Language, "es") {
			title = r.TitleES
		}
		e := notify.EventReminder(r.Email, r.Language, title, r.Starts.Format("2006-01-02 15:04"),
			base+"/events/"+r.Event, r.ID(), r.Kind == store.ReminderHour)
		if err := s.opt.Mailer.Send(ctx, e); err != nil {
			// A refusal for good (a bad address) keeps its claim: it
			// would fail again.
			if retry, _ := notify.Retryable(err); retry {
				if rerr := s.store.ReleaseReminder(context.WithoutCancel(ctx), r); rerr != nil {
					return sent, rerr
				}
			}
			if first == nil {
				first = err
			}
			continue
		}
		sent++
	}
	return sent, first
}
