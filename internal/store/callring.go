package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/commune-org/commune/internal/call"
)

// Ring notifies the next ring of an open call at now, if policy says
// one is due: the first ring is policy.FirstRing(headcount) targets,
// the next policy.NextRing of those not yet reached. Targets are the
// members call.Targets picks (opted in, available at now, whose reach
// covers the place, nearest first), less those an earlier ring reached.
// In one transaction it writes the ring's targets and, for each target,
// one outbox row per channel, each with an idempotency id of its own,
// due at once. It returns how many members the ring reached (0: none
// due, or nobody left) and the ring's number.
func (s *Store) Ring(ctx context.Context, id string, now time.Time, policy call.Policy, channels []string) (n, ring int, err error) {
	err = s.write(ctx, "ring", func(tx *sql.Tx) error {
		n, ring = 0, 0
		c, err := callIn(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.Answerable(now) != nil || c.Cell == "" {
			return nil
		}
		var coming int
		err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM call_answers WHERE call_id = $1 AND answer IN ('coming', 'arrived')`, id).Scan(&coming)
		if err != nil {
			return fmt.Errorf("store: ring %q: %w", id, err)
		}
		// Whether a ring is due is known before the candidates are
		// read, which costs a read of every member who opted in.
		if c.Rings > 0 && (coming >= c.Headcount || now.Sub(c.LastRing) < policy.Interval) {
			return nil
		}
		cands, err := s.candidates(ctx, tx, id, now)
		if err != nil {
			return err
		}
		targets, missed := call.Pick(c.Place, cands, now)
		if c.Rings == 0 {
			n = min(policy.FirstRing(c.Headcount), len(targets))
		} else {
			n = policy.NextRing(c.Headcount, coming, len(targets), c.LastRing, now)
		}
		missed.Later = len(targets) - n
		if err := noteMissed(ctx, tx, c, missed, now); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		ring = c.Rings + 1
		// Targets go in by member id, the order of their primary key,
		// so that a large ring fills its index from one end instead of
		// everywhere at once; the outbox keeps the nearest first, the
		// order it is sent in.
		byID := slices.Clone(targets[:n])
		slices.SortFunc(byID, func(a, b call.Target) int { return strings.Compare(a.Member, b.Member) })
		if s.dialect == postgresDialect {
			err = ringPostgres(ctx, tx, id, ring, byID, targets[:n], channels, now)
		} else {
			err = s.ringRows(ctx, tx, id, ring, byID, targets[:n], channels, now)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE calls SET rings = $2, ring_ms = $3 WHERE id = $1`, id, ring, ms(now))
		if err != nil {
			return fmt.Errorf("store: ring %q: %w", id, err)
		}
		return nil
	})
	return n, ring, err
}

// noteMissed adds to missed the members near the call's place who do
// not want calls and whom it has not reached, read as a count for each
// cell (a few thousand rows where the members are a hundred thousand),
// and writes the counts into the call's row when they changed, so that
// a call that finds nobody tick after tick does not write every tick.
func noteMissed(ctx context.Context, tx *sql.Tx, c *Call, missed call.Missed, now time.Time) error {
	rows, err := tx.QueryContext(ctx, `SELECT m.cell, COUNT(*) FROM members m
WHERE m.call_opt_in = $1 AND NOT EXISTS (SELECT 1 FROM call_targets t WHERE t.call_id = $2 AND t.member_id = m.id)
GROUP BY m.cell`, false, c.ID)
	if err != nil {
		return fmt.Errorf("store: members a call missed: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cell string
		var k int
		if err := rows.Scan(&cell, &k); err != nil {
			return fmt.Errorf("store: members a call missed: %w", err)
		}
		missed.AddNotOptedIn(c.Place, cell, k)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: members a call missed: %w", err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE calls SET missed_ms = $2, miss_opt_in = $3, miss_far = $4, miss_away = $5, miss_later = $6
WHERE id = $1 AND (missed_ms IS NULL OR miss_opt_in <> $3 OR miss_far <> $4 OR miss_away <> $5 OR miss_later <> $6)`,
		c.ID, ms(now), missed.NotOptedIn, missed.TooFar, missed.Away, missed.Later)
	if err != nil {
		return fmt.Errorf("store: members a call missed: %w", err)
	}
	return nil
}

// ringRows writes a ring's targets (byID, in member order) and their
// outbox rows (nearest first), in batches of multi-row INSERTs.
func (s *Store) ringRows(ctx context.Context, tx *sql.Tx, id string, ring int, byID, nearest []call.Target, channels []string, now time.Time) error {
	tb := newInserter(tx, s.dialect, "call targets", 4, `INSERT INTO call_targets (call_id, member_id, ring, km) VALUES`, "")
	for _, t := range byID {
		if err := tb.add(ctx, id, t.Member, ring, t.Km); err != nil {
			return err
		}
	}
	if err := tb.close(ctx); err != nil {
		return err
	}
	ob := newInserter(tx, s.dialect, "call outbox", 5, `INSERT INTO call_outbox (call_id, member_id, channel, idem, next_ms) VALUES`, "")
	idem := idempotencyIDs()
	for _, t := range nearest {
		for _, ch := range channels {
			if err := ob.add(ctx, id, t.Member, ch, idem(), ms(now)); err != nil {
				return err
			}
		}
	}
	return ob.close(ctx)
}

// ringPostgres writes what ringRows does with one statement for each
// table, the rows passed as arrays: on PostgreSQL, hundreds of
// statements of a thousand parameters each cost far more than the rows.
func ringPostgres(ctx context.Context, tx *sql.Tx, id string, ring int, byID, nearest []call.Target, channels []string, now time.Time) error {
	members := make([]string, len(byID))
	kms := make([]float64, len(byID))
	for i, t := range byID {
		members[i], kms[i] = t.Member, t.Km
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO call_targets (call_id, member_id, ring, km)
SELECT $1, u.m, $2, u.k FROM unnest($3::text[], $4::float8[]) AS u(m, k)`, id, ring, members, kms)
	if err != nil {
		return fmt.Errorf("store: insert call targets: %w", err)
	}
	// The outbox rows, nearest first and each target's channels in
	// order; the idempotency ids are made by the server from the ring's
	// prefix and the row's number, as idempotencyIDs would make them,
	// instead of sending 100,000 of them.
	nearestIDs := make([]string, len(nearest))
	for i, t := range nearest {
		nearestIDs[i] = t.Member
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO call_outbox (call_id, member_id, channel, idem, next_ms)
SELECT $1, u.m, c.c, $5 || '-' || lpad(((u.o - 1) * $6 + c.k)::text, 7, '0'), $2
FROM unnest($3::text[]) WITH ORDINALITY AS u(m, o) CROSS JOIN unnest($4::text[]) WITH ORDINALITY AS c(c, k)
ORDER BY u.o, c.k`,
		id, ms(now), nearestIDs, channels, idempotencyID(), len(channels))
	if err != nil {
		return fmt.Errorf("store: insert call outbox: %w", err)
	}
	return nil
}

// idempotencyID is a random id, 128 bits in hex.
func idempotencyID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// idempotencyIDs returns a maker of the ids a receiver sees on the
// notifications of one ring, to drop a repeat: a random prefix of the
// ring and a count, so that they say nothing of the call or the member,
// and so that a ring of 100,000 appends to the index of ids instead of
// writing all over it.
func idempotencyIDs() func() string {
	prefix := idempotencyID()
	n := 0
	return func() string {
		n++
		return fmt.Sprintf("%s-%07d", prefix, n)
	}
}

// candidates returns every member who opted in to calls and whom the
// call id has not reached yet, with their settings and the school hours
// of their collectives.
func (s *Store) candidates(ctx context.Context, tx *sql.Tx, id string, now time.Time) ([]call.Candidate, error) {
	locs := map[string]*time.Location{}
	loc := func(tz string) *time.Location {
		if l, ok := locs[tz]; ok {
			return l
		}
		l, err := time.LoadLocation(tz)
		if err != nil {
			l = time.UTC
		}
		locs[tz] = l
		return l
	}
	// The school hours of collectives, by member.
	type school struct {
		week call.Week
		loc  *time.Location
	}
	schools := map[string][]school{}
	rows, err := tx.QueryContext(ctx, `SELECT ms.member_id, cs.school_week, cs.tz FROM memberships ms
JOIN collective_call_settings cs ON cs.collective_id = ms.collective_id
JOIN members m ON m.id = ms.member_id
WHERE cs.school_week <> '' AND m.call_opt_in = $1`, true)
	if err != nil {
		return nil, fmt.Errorf("store: call candidates: %w", err)
	}
	for rows.Next() {
		var member, text, tz string
		if err := rows.Scan(&member, &text, &tz); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: call candidates: %w", err)
		}
		w, err := parseWeek(text)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: call candidates: %w", err)
		}
		schools[member] = append(schools[member], school{w, loc(tz)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: call candidates: %w", err)
	}

	rows, err = tx.QueryContext(ctx, `SELECT m.id, m.cell, COALESCE(s.reach_km, $3), COALESCE(s.week, ''), COALESCE(s.tz, 'UTC')
FROM members m LEFT JOIN member_call_settings s ON s.member_id = m.id
WHERE m.call_opt_in = $2 AND NOT EXISTS (SELECT 1 FROM call_targets t WHERE t.call_id = $1 AND t.member_id = m.id)`,
		id, true, float64(DefaultCallReachKm))
	if err != nil {
		return nil, fmt.Errorf("store: call candidates: %w", err)
	}
	defer rows.Close()
	var out []call.Candidate
	for rows.Next() {
		c := call.Candidate{OptIn: true}
		var week, tz string
		if err := rows.Scan(&c.Member, &c.Cell, &c.Reach, &week, &tz); err != nil {
			return nil, fmt.Errorf("store: call candidates: %w", err)
		}
		if c.Week, err = parseWeek(week); err != nil {
			return nil, fmt.Errorf("store: call candidates: %w", err)
		}
		c.Loc = loc(tz)
		// An empty week is any time already; otherwise the school's
		// hours join the member's own.
		if len(c.Week) > 0 {
			for _, sc := range schools[c.Member] {
				c.Week = append(c.Week, shiftWeek(sc.week, sc.loc, c.Loc, now)...)
			}
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: call candidates: %w", err)
	}
	return out, nil
}

// inserter inserts rows in batches of multi-row INSERTs, fewer round trips
// than one statement a row for the thousands of targets of a large
// call or the members of a world (batchRows a statement, see
// valuesList); head is "INSERT INTO t (a, b) VALUES" and tail what
// follows the rows, such as an ON CONFLICT clause. The statement of a
// full batch is prepared once: parsing it again and again was a third
// of the time of a ring of 100,000 on SQLite.
type inserter struct {
	tx      *sql.Tx
	what    string
	head    string
	tail    string
	cols    int
	args    []any
	n       int
	max     int // rows a statement, batchRows
	dialect dialect
	full    *sql.Stmt // the statement of a full batch, once prepared
}

func newInserter(tx *sql.Tx, d dialect, what string, cols int, head, tail string) *inserter {
	return &inserter{tx: tx, what: what, head: head, tail: tail, cols: cols, max: batchRows(d), dialect: d}
}

func (r *inserter) add(ctx context.Context, args ...any) error {
	if len(args) != r.cols {
		panic(fmt.Sprintf("store: insert %s: %d values for %d columns", r.what, len(args), r.cols))
	}
	r.args = append(r.args, args...)
	if r.n++; r.n == r.max {
		return r.flush(ctx)
	}
	return nil
}

func (r *inserter) query() string {
	var q strings.Builder
	q.WriteString(r.head)
	valuesList(&q, r.dialect, r.n, r.cols)
	q.WriteString(r.tail)
	return q.String()
}

// flush writes the rows added since the last flush; close must follow
// the last.
func (r *inserter) flush(ctx context.Context) error {
	if r.n == 0 {
		return nil
	}
	var err error
	switch {
	case r.n < r.max:
		_, err = r.tx.ExecContext(ctx, r.query(), r.args...)
	case r.full == nil:
		if r.full, err = r.tx.PrepareContext(ctx, r.query()); err != nil {
			return fmt.Errorf("store: insert %s: %w", r.what, err)
		}
		fallthrough
	default:
		_, err = r.full.ExecContext(ctx, r.args...)
	}
	if err != nil {
		return fmt.Errorf("store: insert %s: %w", r.what, err)
	}
	r.args, r.n = r.args[:0], 0
	return nil
}

// close flushes what is left and releases the prepared statement.
func (r *inserter) close(ctx context.Context) error {
	err := r.flush(ctx)
	r.release()
	return err
}

// release releases the prepared statement, writing nothing more.
func (r *inserter) release() {
	if r.full != nil {
		r.full.Close()
		r.full = nil
	}
}

// AnswerCall records a member's answer to a call they were reached by.
// Answering again replaces the answer, except that an arrival is final;
// the same answer twice changes nothing. It reports whether the answer
// changed. A member the call did not reach is not found; a call that is
// not open is a conflict (call.ErrNotOpen, call.ErrNotAnswered).
func (s *Store) AnswerCall(ctx context.Context, id, member string, a call.Answer, now time.Time) (changed bool, err error) {
	if _, err := call.ParseAnswer(string(a)); err != nil {
		return false, call.Errors{err.(*call.FieldError)}
	}
	err = s.write(ctx, "answer call", func(tx *sql.Tx) error {
		changed = false
		c, err := callIn(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := c.Answerable(now); err != nil {
			return callError(err)
		}
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM call_targets WHERE call_id = $1 AND member_id = $2`, id, member).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return Errorf(CodeNotFound, "call %q did not reach member %q", id, member)
		}
		if err != nil {
			return fmt.Errorf("store: answer call %q: %w", id, err)
		}
		var prev string
		err = tx.QueryRowContext(ctx, `SELECT answer FROM call_answers WHERE call_id = $1 AND member_id = $2`, id, member).Scan(&prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: answer call %q: %w", id, err)
		}
		if prev == string(a) || prev == string(call.Arrived) {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO call_answers (call_id, member_id, answer, at_ms) VALUES ($1, $2, $3, $4)
ON CONFLICT (call_id, member_id) DO UPDATE SET answer = excluded.answer, at_ms = excluded.at_ms`, id, member, string(a), ms(now))
		if err != nil {
			return fmt.Errorf("store: answer call %q: %w", id, err)
		}
		changed = true
		return nil
	})
	return changed, err
}

// MemberAnswer returns a member's answer to a call, "" if they gave
// none, and a not-found error if the call did not reach them.
func (s *Store) MemberAnswer(ctx context.Context, id, member string) (call.Answer, error) {
	var a sql.NullString
	err := s.read.QueryRowContext(ctx, `SELECT a.answer FROM call_targets t
LEFT JOIN call_answers a ON a.call_id = t.call_id AND a.member_id = t.member_id
WHERE t.call_id = $1 AND t.member_id = $2`, id, member).Scan(&a)
	if errors.Is(err, sql.ErrNoRows) {
		return "", Errorf(CodeNotFound, "call %q did not reach member %q", id, member)
	}
	if err != nil {
		return "", fmt.Errorf("store: answer of call %q: %w", id, err)
	}
	return call.Answer(a.String), nil
}

// Tally is how a call or one of its rings is doing: how many members it
// targeted, how many were notified on at least one channel, and how
// many answered each way. Coming counts those who arrived too.
type Tally struct {
	Targeted, Notified, Coming, Arrived, Cannot int
}

// CallCounts is the board of a call: its status, its tally, and the
// tally of each ring (none once purged, when only the totals are left);
// and why it reached no more: Missed, the members near its place it has
// not reached, as Ring last found them (nil before Ring ever looked),
// and among its targets, NoWay, those no channel could tell since they
// have no address on any (no email, no phone, no browser subscribed to
// push: they see the call on their page when they open it), and
// Failed, those whose every notice failed. Counts only, never who.
type CallCounts struct {
	Status call.Status
	Tally
	Rings         []RingTally
	Missed        *call.Missed
	NoWay, Failed int
}

// The classes of an outbox row given up without an error of sending
// (Outcome.Class): the member has no address on the row's channel, the
// server no longer has the channel, the call ended before the row was
// sent.
const (
	ClassNoAddress = "no-address"
	ClassNoChannel = "no-channel"
	ClassCallOver  = "call-over"
)

// RingTally is the tally of one ring.
type RingTally struct {
	Ring int
	Tally
}

// CallCounts returns the board of a call.
func (s *Store) CallCounts(ctx context.Context, id string) (*CallCounts, error) {
	var out *CallCounts
	err := s.snapshot(ctx, "call counts", func(tx *sql.Tx) error {
		var err error
		out, err = callCountsIn(ctx, tx, id)
		return err
	})
	return out, err
}

func callCountsIn(ctx context.Context, tx *sql.Tx, id string) (*CallCounts, error) {
	var cc CallCounts
	var purged, missedAt sql.NullInt64
	var kept Tally
	var missed call.Missed
	err := tx.QueryRowContext(ctx, `SELECT status, purged_ms, n_targeted, n_notified, n_coming, n_arrived, n_cannot,
missed_ms, miss_opt_in, miss_far, miss_away, miss_later, n_noway, n_failed FROM calls WHERE id = $1`, id).
		Scan(&cc.Status, &purged, &kept.Targeted, &kept.Notified, &kept.Coming, &kept.Arrived, &kept.Cannot,
			&missedAt, &missed.NotOptedIn, &missed.TooFar, &missed.Away, &missed.Later, &cc.NoWay, &cc.Failed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(CodeNotFound, "call %q not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: call counts %q: %w", id, err)
	}
	if missedAt.Valid {
		cc.Missed = &missed
	}
	if purged.Valid {
		cc.Tally = kept
		return &cc, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT t.ring, COUNT(*), COUNT(t.notified_ms),
SUM(CASE WHEN a.answer IN ('coming', 'arrived') THEN 1 ELSE 0 END),
SUM(CASE WHEN a.answer = 'arrived' THEN 1 ELSE 0 END),
SUM(CASE WHEN a.answer = 'cannot' THEN 1 ELSE 0 END)
FROM call_targets t LEFT JOIN call_answers a ON a.call_id = t.call_id AND a.member_id = t.member_id
WHERE t.call_id = $1 GROUP BY t.ring ORDER BY t.ring`, id)
	if err != nil {
		return nil, fmt.Errorf("store: call counts %q: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r RingTally
		if err := rows.Scan(&r.Ring, &r.Targeted, &r.Notified, &r.Coming, &r.Arrived, &r.Cannot); err != nil {
			return nil, fmt.Errorf("store: call counts %q: %w", id, err)
		}
		cc.Rings = append(cc.Rings, r)
		cc.Targeted += r.Targeted
		cc.Notified += r.Notified
		cc.Coming += r.Coming
		cc.Arrived += r.Arrived
		cc.Cannot += r.Cannot
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: call counts %q: %w", id, err)
	}
	rows.Close()
	if cc.Notified < cc.Targeted {
		if cc.NoWay, cc.Failed, err = unreachedIn(ctx, tx, id, cc.Targeted); err != nil {
			return nil, err
		}
	}
	return &cc, nil
}

// unreachedIn counts the targets of the call id whose notices are all
// over and none sent: those whose every row was given up for want of
// an address or a channel, with those that have no row at all (a server
// without channels writes none), and those of whom a row failed
// otherwise. It reads the call's outbox once, by member; the board asks
// only while some target is not yet notified.
func unreachedIn(ctx context.Context, tx *sql.Tx, id string, targeted int) (noWay, failed int, err error) {
	var withRows int
	err = tx.QueryRowContext(ctx, `SELECT COUNT(*),
COALESCE(SUM(CASE WHEN x.sent = 0 AND x.pending = 0 AND x.failed = 0 AND x.noaddr > 0 THEN 1 ELSE 0 END), 0),
COALESCE(SUM(CASE WHEN x.sent = 0 AND x.pending = 0 AND x.failed > 0 THEN 1 ELSE 0 END), 0)
FROM (SELECT member_id,
	SUM(CASE WHEN sent_ms IS NOT NULL THEN 1 ELSE 0 END) AS sent,
	SUM(CASE WHEN next_ms IS NOT NULL THEN 1 ELSE 0 END) AS pending,
	SUM(CASE WHEN sent_ms IS NULL AND next_ms IS NULL AND error_class IN ($2, $3) THEN 1 ELSE 0 END) AS noaddr,
	SUM(CASE WHEN sent_ms IS NULL AND next_ms IS NULL AND error_class NOT IN ($2, $3, $4) THEN 1 ELSE 0 END) AS failed
	FROM call_outbox WHERE call_id = $1 AND purpose = 'answer' GROUP BY member_id) x`,
		id, ClassNoAddress, ClassNoChannel, ClassCallOver).Scan(&withRows, &noWay, &failed)
	if err != nil {
		return 0, 0, fmt.Errorf("store: call counts %q: %w", id, err)
	}
	return noWay + max(0, targeted-withRows), failed, nil
}
