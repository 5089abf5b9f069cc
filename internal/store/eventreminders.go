package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// Reminders of an event go to the members who answered yes or maybe: one
// the day before (from 24 hours to 1 hour before the start) and one an
// hour before. Each is claimed in event_reminders before it is sent, so
// that a restart or a second worker never sends one twice: a reminder is
// sent at most once, and one whose sending failed is released to be
// tried again (ReleaseReminder).

// The kinds of reminder.
const (
	ReminderDay  = "day"
	ReminderHour = "hour"
)

// Reminder is one reminder due to one member.
type Reminder struct {
	Event, Member, Kind    string
	Email, Phone, Language string
	Push                   bool // the member has a browser subscribed to push
	Starts                 time.Time
	TitleEN, TitleES       string
}

// ID is the reminder's idempotency id.
func (r Reminder) ID() string { return "event-reminder/" + r.Event + "/" + r.Member + "/" + r.Kind }

// DueReminders returns the reminders due at now and not yet claimed, to
// members who answered yes or maybe and have an email, a phone or a
// browser subscribed to push.
func (s *Store) DueReminders(ctx context.Context, now time.Time) ([]Reminder, error) {
	t := now.Unix()
	rows, err := s.read.QueryContext(ctx, `SELECT e.id, r.member_id, k.kind, m.language, m.contact, e.starts_at, e.title_en, e.title_es,
	EXISTS (SELECT 1 FROM push_subscriptions p WHERE p.member_id = m.id)
FROM events e
JOIN event_rsvps r ON r.event_id = e.id AND r.answer IN ('yes', 'maybe')
JOIN members m ON m.id = r.member_id
JOIN (SELECT 'day' AS kind, 86400 AS lead_s, 3600 AS stop_s UNION ALL SELECT 'hour', 3600, 0) k
	ON e.starts_at - k.lead_s <= $1 AND $1 < e.starts_at - k.stop_s
WHERE e.purged_at IS NULL AND e.starts_at > $1
	AND NOT EXISTS (SELECT 1 FROM event_reminders x WHERE x.event_id = e.id AND x.member_id = r.member_id AND x.kind = k.kind)
ORDER BY e.starts_at, e.id, r.member_id`, t)
	if err != nil {
		return nil, fmt.Errorf("store: due reminders: %w", err)
	}
	defer rows.Close()
	var rs []Reminder
	for rows.Next() {
		var r Reminder
		var sealed []byte
		var starts int64
		if err := rows.Scan(&r.Event, &r.Member, &r.Kind, &r.Language, &sealed, &starts, &r.TitleEN, &r.TitleES, &r.Push); err != nil {
			return nil, fmt.Errorf("store: due reminders: %w", err)
		}
		if sealed != nil {
			plain, err := s.openContact(r.Member, sealed)
			if err != nil {
				return nil, fmt.Errorf("store: due reminders: contact: %w", err)
			}
			var c Contact
			if err := json.Unmarshal(plain, &c); err != nil {
				return nil, fmt.Errorf("store: due reminders: contact: %w", err)
			}
			r.Email, r.Phone = c.Email, c.Phone
		}
		if r.Email == "" && r.Phone == "" && !r.Push {
			continue
		}
		r.Starts = time.Unix(starts, 0).UTC()
		rs = append(rs, r)
	}
	return rs, rows.Err()
}

// ClaimReminder marks a reminder as sent, before it is sent; it reports
// false when it was claimed before (by another worker, or before a
// restart), and the caller must not send it.
func (s *Store) ClaimReminder(ctx context.Context, r Reminder, now time.Time) (bool, error) {
	claimed := false
	err := s.write(ctx, "claim reminder", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO event_reminders (event_id, member_id, kind, at) VALUES ($1, $2, $3, $4)
ON CONFLICT (event_id, member_id, kind) DO NOTHING`, r.Event, r.Member, r.Kind, now.Unix())
		if err != nil {
			return fmt.Errorf("store: claim reminder: %w", err)
		}
		n, err := res.RowsAffected()
		claimed = n == 1
		return err
	})
	return claimed, err
}

// ReleaseReminder undoes a claim whose sending failed, so that the next
// round tries again.
func (s *Store) ReleaseReminder(ctx context.Context, r Reminder) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM event_reminders WHERE event_id = $1 AND member_id = $2 AND kind = $3`,
		r.Event, r.Member, r.Kind)
	if err != nil {
		return fmt.Errorf("store: release reminder: %w", err)
	}
	return nil
}
