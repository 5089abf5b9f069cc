package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/commune-org/commune/internal/call"
	"github.com/commune-org/commune/internal/geo"
)

// Urgent calls (internal/call decides, the store keeps): a call and its
// life (this file), the rings of members it reaches and their answers
// (callring.go), the outbox of its notifications and the purge
// (outbox.go). Times are kept in milliseconds.

// Call is an urgent call as stored.
type Call struct {
	call.Call
	Collective string // the collective it was raised in
	Site       string // the site it is at, "" when placed by a cell
	// Cell is the geohash the call is measured from: the cell it was
	// given, or its site's point to 9 characters. "" once purged.
	Cell string
	// Verify says whether the call waited (or waits) for verification.
	Verify   bool
	Verified time.Time
	Rings    int       // rings notified so far
	LastRing time.Time // when the last ring went out
	Purged   time.Time // when its place, recipients and answers were deleted
}

// NewCall is a call as its author sends it, in the collective it is
// raised in.
type NewCall struct {
	Collective string
	Author     string
	Request    call.Request
}

// siteCellLen is the precision a site's point is kept at: about 5 m.
const siteCellLen = 9

// CreateCall checks and stores a new call at now. A bad request is
// answered with call.Errors, every problem naming its field (an unknown
// site among them), and writes nothing. The call is unverified unless
// its collective turned verification off.
func (s *Store) CreateCall(ctx context.Context, nc NewCall, now time.Time) (*Call, error) {
	req := nc.Request
	if errs := req.Check(now); len(errs) > 0 {
		return nil, errs
	}
	c := &Call{Collective: nc.Collective, Site: req.Site, Cell: req.Cell}
	err := s.write(ctx, "create call", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM collectives WHERE id = $1`, nc.Collective, "collective"); err != nil {
			return err
		}
		if req.Site != "" {
			var lat, lon float64
			err := tx.QueryRowContext(ctx, `SELECT lat, lon FROM sites WHERE id = $1`, req.Site).Scan(&lat, &lon)
			if errors.Is(err, sql.ErrNoRows) {
				return call.Errors{{Field: "site", Rule: "unknown-site", Args: []any{req.Site}}}
			}
			if err != nil {
				return fmt.Errorf("store: create call: site: %w", err)
			}
			c.Cell = geo.Encode(lat, lon, siteCellLen)
		}
		lat, lon, err := geo.Center(c.Cell)
		if err != nil {
			return &Error{Code: CodeInvalid, Message: "cell", Err: err}
		}
		set, err := collectiveCallSettingsIn(ctx, tx, nc.Collective)
		if err != nil {
			return err
		}
		c.Verify = set.Verify
		c.Call = *call.New(newID("call-"), nc.Author, &req, geo.Point{Lat: lat, Lon: lon}, set.Verify, now)
		if !set.Verify {
			c.Verified = now
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO calls (id, collective_id, author_id, site_id, cell, kind, headcount, until_ms,
message_es, message_en, verify, status, created_ms, verified_ms)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			c.ID, c.Collective, nullString(nc.Author), nullString(c.Site), c.Cell, string(c.Kind), c.Headcount, ms(c.Until),
			c.Message.ES, c.Message.EN, c.Verify, string(c.Status), ms(now), nullMS(c.Verified))
		if err != nil {
			return fmt.Errorf("store: create call: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ms is t in milliseconds since 1970.
func ms(t time.Time) int64 { return t.UnixMilli() }

// nullMS is t in milliseconds, or NULL for the zero time.
func nullMS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

func fromMS(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMilli(n.Int64).UTC()
}

// Call returns the call with the id.
func (s *Store) Call(ctx context.Context, id string) (*Call, error) {
	return callIn(ctx, s.read, id)
}

const callColumns = `id, collective_id, author_id, verified_by, site_id, cell, kind, headcount, until_ms, message_es, message_en,
verify, status, created_ms, verified_ms, closed_ms, rings, ring_ms, purged_ms`

// callIn reads a call through q, the read pool or a transaction.
func callIn(ctx context.Context, q querier, id string) (*Call, error) {
	var c Call
	var author, verifiedBy, site, cell sql.NullString
	var until, created int64
	var verified, closed, lastRing, purged sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT `+callColumns+` FROM calls WHERE id = $1`, id).Scan(
		&c.ID, &c.Collective, &author, &verifiedBy, &site, &cell, &c.Kind, &c.Headcount, &until, &c.Message.ES, &c.Message.EN,
		&c.Verify, &c.Status, &created, &verified, &closed, &c.Rings, &lastRing, &purged)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(CodeNotFound, "call %q not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: call %q: %w", id, err)
	}
	c.Author, c.VerifiedBy, c.Site, c.Cell = author.String, verifiedBy.String, site.String, cell.String
	c.Until, c.Created = time.UnixMilli(until).UTC(), time.UnixMilli(created).UTC()
	c.Verified, c.Closed, c.LastRing, c.Purged = fromMS(verified), fromMS(closed), fromMS(lastRing), fromMS(purged)
	if c.Cell != "" {
		if lat, lon, err := geo.Center(c.Cell); err == nil {
			c.Place = geo.Point{Lat: lat, Lon: lon}
		}
	}
	return &c, nil
}

// callError turns an error of the life of a call into an application
// error that keeps it in its chain, so that the web layer can say it in
// the caller's language.
func callError(err error) error {
	code := CodeConflict
	if errors.Is(err, call.ErrOwnCall) {
		code = CodeForbidden
	}
	return &Error{Code: code, Err: err}
}

// VerifyCall opens an unverified call on the word of by, who is not its
// author; whether by may verify at all is auth.Allow's to say.
func (s *Store) VerifyCall(ctx context.Context, id, by string, now time.Time) (*Call, error) {
	var c *Call
	err := s.write(ctx, "verify call", func(tx *sql.Tx) error {
		var err error
		if c, err = callIn(ctx, tx, id); err != nil {
			return err
		}
		if err := c.Call.Verify(by, now); err != nil {
			return callError(err)
		}
		c.Verified = now
		_, err = tx.ExecContext(ctx, `UPDATE calls SET status = $2, verified_by = $3, verified_ms = $4 WHERE id = $1`,
			id, string(c.Status), by, ms(now))
		if err != nil {
			return fmt.Errorf("store: verify call %q: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// CloseCall ends an open or unverified call.
func (s *Store) CloseCall(ctx context.Context, id string, now time.Time) (*Call, error) {
	var c *Call
	err := s.write(ctx, "close call", func(tx *sql.Tx) error {
		var err error
		if c, err = callIn(ctx, tx, id); err != nil {
			return err
		}
		if err := c.Call.Close(now); err != nil {
			return callError(err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE calls SET status = $2, closed_ms = $3 WHERE id = $1`, id, string(c.Status), ms(c.Closed))
		if err != nil {
			return fmt.Errorf("store: close call %q: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// TickCalls moves every live call on with time (call.Call.Tick): open
// calls past their end close, unverified calls past their end or
// call.UnverifiedTTL expire. It returns the ids of the calls it changed.
func (s *Store) TickCalls(ctx context.Context, now time.Time) ([]string, error) {
	var ids []string
	err := s.write(ctx, "tick calls", func(tx *sql.Tx) error {
		ids = ids[:0]
		ttl := call.UnverifiedTTL.Milliseconds()
		for _, st := range []struct {
			query string
			args  []any
		}{
			{`UPDATE calls SET status = 'closed', closed_ms = until_ms WHERE status = 'open' AND until_ms <= $1 RETURNING id`,
				[]any{ms(now)}},
			{`UPDATE calls SET status = 'expired',
closed_ms = CASE WHEN until_ms < created_ms + $2 THEN until_ms ELSE created_ms + $2 END
WHERE status = 'unverified' AND (until_ms <= $1 OR created_ms + $2 <= $1) RETURNING id`,
				[]any{ms(now), ttl}},
		} {
			changed, err := column(ctx, tx, st.query, st.args...)
			if err != nil {
				return fmt.Errorf("store: tick calls: %w", err)
			}
			ids = append(ids, changed...)
		}
		return nil
	})
	return ids, err
}

// OpenCalls returns the ids of the open calls, those that may need a
// ring.
func (s *Store) OpenCalls(ctx context.Context) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id FROM calls WHERE status = 'open' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: open calls: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: open calls: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: open calls: %w", err)
	}
	return ids, nil
}
