package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/commune-org/commune/internal/call"
)

// The outbox of urgent calls: one row for each (call, member, channel)
// that Ring wrote, sent at least once. A worker claims due rows with a
// lease (ClaimDeliveries), sends them, and marks each sent or due again
// later (DeliverySent, DeliveryRetry). A worker that dies holding a
// lease loses it when the lease runs out, and the rows are claimed
// again: a crash loses no notification. Sending twice is possible only
// across such a crash, and each row carries an idempotency id that the
// receiver can drop a repeat by.

// Delivery is a claimed outbox row, with what is needed to send it: the
// member's language and opened contact.
type Delivery struct {
	ID       int64
	Lease    string
	Call     string
	Member   string
	Channel  string
	Idem     string // the idempotency id
	Attempts int    // this one included
	Language string
	Contact  Contact
	// Verify marks a request to verify the call (AskVerify), not a
	// notice of it.
	Verify bool
	// Live is false when there is nothing left to send the row for: the
	// call ended since it was written, or, for a request to verify it,
	// it was verified or ended.
	Live bool
}

// ClaimDeliveries claims up to limit outbox rows due at now, for lease:
// until now+lease no other call claims them. Two workers never hold the
// same row: on SQLite, writes go one at a time through the one writer
// connection, so the UPDATE that claims is alone; on PostgreSQL the rows
// it picks are locked, and other workers skip them (FOR UPDATE SKIP
// LOCKED).
func (s *Store) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	token := idempotencyID()
	lock := ""
	if s.dialect == postgresDialect {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var out []Delivery
	err := s.write(ctx, "claim deliveries", func(tx *sql.Tx) error {
		out = out[:0]
		_, err := tx.ExecContext(ctx, `UPDATE call_outbox SET lease = $1, next_ms = $2, attempts = attempts + 1
WHERE id IN (SELECT id FROM call_outbox WHERE next_ms IS NOT NULL AND next_ms <= $3 ORDER BY next_ms, id LIMIT $4`+lock+`)`,
			token, ms(now.Add(lease)), ms(now), limit)
		if err != nil {
			return fmt.Errorf("store: claim deliveries: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT o.id, o.call_id, o.member_id, o.channel, o.idem, o.attempts, o.purpose, m.language, m.contact, c.status
FROM call_outbox o JOIN members m ON m.id = o.member_id JOIN calls c ON c.id = o.call_id
WHERE o.lease = $1 ORDER BY o.id`, token)
		if err != nil {
			return fmt.Errorf("store: claim deliveries: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			d := Delivery{Lease: token}
			var sealed []byte
			var purpose, status string
			if err := rows.Scan(&d.ID, &d.Call, &d.Member, &d.Channel, &d.Idem, &d.Attempts, &purpose, &d.Language, &sealed, &status); err != nil {
				return fmt.Errorf("store: claim deliveries: %w", err)
			}
			d.Verify = purpose == "verify"
			d.Live = status == string(call.Open)
			if d.Verify {
				d.Live = status == string(call.Unverified)
			}
			if sealed != nil {
				plain, err := s.openContact(d.Member, sealed)
				if err != nil {
					return fmt.Errorf("store: contact of member %q: %w", d.Member, err)
				}
				if err := json.Unmarshal(plain, &d.Contact); err != nil {
					return fmt.Errorf("store: contact of member %q: %w", d.Member, err)
				}
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ErrLeaseLost is what marking a delivery answers when its lease ran out
// and another worker claimed the row: that worker decides.
var ErrLeaseLost = &Error{Code: CodeConflict, Message: "store: the delivery's lease ran out"}

// Outcome is what became of a claimed delivery: sent at At, or failed
// with an error of Class (a short word such as "timeout" or
// "no-address", never the error's text, which may repeat an address)
// and due again at Next, or given up when Next is zero.
type Outcome struct {
	Delivery *Delivery
	Sent     bool
	At       time.Time
	Class    string
	Next     time.Time
}

// MarkDeliveries records the outcomes of claimed deliveries in one
// transaction (one a message made the SMTP channel wait on the writer);
// a sent delivery's target becomes notified. A delivery whose lease ran
// out, and which another worker claimed, is left to that worker: it is
// counted in lost, not an error.
func (s *Store) MarkDeliveries(ctx context.Context, outs []Outcome) (lost int, err error) {
	for _, o := range outs {
		if !o.Sent && (len(o.Class) > 64 || strings.ContainsAny(o.Class, "@ \n")) {
			return 0, Errorf(CodeInvalid, "class: a short word, got %d bytes", len(o.Class))
		}
	}
	err = s.write(ctx, "mark deliveries", func(tx *sql.Tx) error {
		lost = 0
		for _, o := range outs {
			d := o.Delivery
			var res sql.Result
			var err error
			if o.Sent {
				res, err = tx.ExecContext(ctx, `UPDATE call_outbox SET sent_ms = $3, next_ms = NULL, lease = NULL, error_class = ''
WHERE id = $1 AND lease = $2`, d.ID, d.Lease, ms(o.At))
			} else {
				res, err = tx.ExecContext(ctx, `UPDATE call_outbox SET next_ms = $3, lease = NULL, error_class = $4 WHERE id = $1 AND lease = $2`,
					d.ID, d.Lease, nullMS(o.Next), o.Class)
			}
			if err != nil {
				return fmt.Errorf("store: mark deliveries: %w", err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("store: mark deliveries: %w", err)
			} else if n == 0 {
				lost++
				continue
			}
			if o.Sent && !d.Verify {
				_, err = tx.ExecContext(ctx, `UPDATE call_targets SET notified_ms = $3 WHERE call_id = $1 AND member_id = $2 AND notified_ms IS NULL`,
					d.Call, d.Member, ms(o.At))
				if err != nil {
					return fmt.Errorf("store: mark deliveries: %w", err)
				}
			}
		}
		return nil
	})
	return lost, err
}

// DeliverySent marks one claimed delivery sent at now (MarkDeliveries).
func (s *Store) DeliverySent(ctx context.Context, d *Delivery, now time.Time) error {
	return s.markOne(ctx, Outcome{Delivery: d, Sent: true, At: now})
}

// DeliveryRetry records that one claimed delivery failed with an error
// of class and makes it due again at next; a zero next gives it up
// (MarkDeliveries).
func (s *Store) DeliveryRetry(ctx context.Context, d *Delivery, class string, next time.Time) error {
	return s.markOne(ctx, Outcome{Delivery: d, Class: class, Next: next})
}

func (s *Store) markOne(ctx context.Context, o Outcome) error {
	lost, err := s.MarkDeliveries(ctx, []Outcome{o})
	if err == nil && lost > 0 {
		return ErrLeaseLost
	}
	return err
}

// OutboxRow is an outbox row as the tests and the board's operators see
// it: no contact.
type OutboxRow struct {
	Call, Member, Channel, Idem string
	Verify                      bool // a request to verify the call (AskVerify)
	Attempts                    int
	Next, Sent                  time.Time
	ErrorClass                  string
}

// Outbox returns the outbox rows of a call, by member and channel.
func (s *Store) Outbox(ctx context.Context, callID string) ([]OutboxRow, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT call_id, member_id, channel, idem, purpose = 'verify', attempts, next_ms, sent_ms, error_class
FROM call_outbox WHERE call_id = $1 ORDER BY purpose, member_id, channel`, callID)
	if err != nil {
		return nil, fmt.Errorf("store: outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxRow
	for rows.Next() {
		var r OutboxRow
		var next, sent sql.NullInt64
		if err := rows.Scan(&r.Call, &r.Member, &r.Channel, &r.Idem, &r.Verify, &r.Attempts, &next, &sent, &r.ErrorClass); err != nil {
			return nil, fmt.Errorf("store: outbox: %w", err)
		}
		r.Next, r.Sent = fromMS(next), fromMS(sent)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Retention of calls: their place, recipients and answers are deleted
// DefaultCallRetention after they close, at most MaxCallRetention.
const (
	DefaultCallRetention = 24 * time.Hour
	MaxCallRetention     = 7 * 24 * time.Hour
)

// PurgeCalls deletes, for every call closed or expired at least
// retention before now, its targets, answers and outbox rows, and its
// place, message, author and verifier, keeping in its row the counts of
// its board. It returns how many calls it purged. On SQLite it then
// truncates the write-ahead log (forget.go), also when an earlier
// erasure or purge could not.
func (s *Store) PurgeCalls(ctx context.Context, now time.Time, retention time.Duration) (int, error) {
	if retention < 0 || retention > MaxCallRetention {
		return 0, Errorf(CodeInvalid, "retention: must be 0 to %s, got %s", MaxCallRetention, retention)
	}
	var n int
	err := s.write(ctx, "purge calls", func(tx *sql.Tx) error {
		n = 0
		ids, err := column(ctx, tx, `SELECT id FROM calls WHERE purged_ms IS NULL AND status IN ('closed', 'expired') AND closed_ms <= $1`,
			ms(now.Add(-retention)))
		if err != nil {
			return fmt.Errorf("store: purge calls: %w", err)
		}
		for _, id := range ids {
			cc, err := callCountsIn(ctx, tx, id)
			if err != nil {
				return err
			}
			for _, q := range []string{
				`DELETE FROM call_outbox WHERE call_id = $1`,
				`DELETE FROM call_answers WHERE call_id = $1`,
				`DELETE FROM call_targets WHERE call_id = $1`,
			} {
				if _, err := tx.ExecContext(ctx, q, id); err != nil {
					return fmt.Errorf("store: purge call %q: %w", id, err)
				}
			}
			_, err = tx.ExecContext(ctx, `UPDATE calls SET purged_ms = $2, site_id = NULL, cell = NULL, message_es = '', message_en = '',
author_id = NULL, verified_by = NULL, n_targeted = $3, n_notified = $4, n_coming = $5, n_arrived = $6, n_cannot = $7,
n_noway = $8, n_failed = $9 WHERE id = $1`,
				id, ms(now), cc.Targeted, cc.Notified, cc.Coming, cc.Arrived, cc.Cannot, cc.NoWay, cc.Failed)
			if err != nil {
				return fmt.Errorf("store: purge call %q: %w", id, err)
			}
			n++
		}
		return nil
	})
	if err == nil && (n > 0 || s.pendingForget.Load()) {
		err = s.forget(ctx)
	}
	return n, err
}

// linkKeySize is the size of the key of calls' signed answer links.
const linkKeySize = 32

// LinkKey returns the key that signs the answer links of calls
// (call.SignLink): the file of the contacts' key with "-links" appended,
// created with 32 random bytes and mode 0600 on first use, like the
// audit key, and never in the database, so that a stolen database makes
// no link. Losing it only breaks the links already sent.
func (s *Store) LinkKey() ([]byte, error) {
	path := s.keyPath + "-links"
	key, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key = make([]byte, linkKeySize)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		err = createKeyFile(path, key)
		if errors.Is(err, fs.ErrExist) { // another process made it first
			key, err = os.ReadFile(path)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("store: link key file: %w", err)
	}
	if len(key) != linkKeySize {
		return nil, fmt.Errorf("store: link key file %s: %d bytes, want %d", path, len(key), linkKeySize)
	}
	return key, nil
}
