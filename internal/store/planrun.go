package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/commune-org/commune/internal/plan"
)

// RunStatus is where a planning run is.
type RunStatus string

const (
	RunQueued  RunStatus = "queued"
	RunRunning RunStatus = "running"
	RunDone    RunStatus = "done"
	RunFailed  RunStatus = "failed"
)

// PlanRun is a planning run. Plan is the plan file v1, as stored, once
// the run is done.
type PlanRun struct {
	ID       int64
	Status   RunStatus
	Progress float64 // 0 to 1
	Plan     json.RawMessage
	Error    string
	Created  time.Time
}

// CreatePlanRun records a new run, queued, and returns its id.
func (s *Store) CreatePlanRun(ctx context.Context) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO plan_runs (status, progress, error, created_at)
VALUES ($1, 0, '', $2) RETURNING id`, string(RunQueued), s.now().Unix()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: create plan run: %w", err)
	}
	return id, nil
}

// SetPlanRunProgress marks a queued or running run as running, with a
// progress from 0 to 1.
func (s *Store) SetPlanRunProgress(ctx context.Context, id int64, progress float64) error {
	if !(progress >= 0 && progress <= 1) {
		return Errorf(CodeInvalid, "progress: must be 0 to 1, got %v", progress)
	}
	return s.updateRun(ctx, id, `UPDATE plan_runs SET status = $2, progress = $3
WHERE id = $1 AND status IN ('queued', 'running')`, string(RunRunning), progress)
}

// FinishPlanRun stores the plan of a queued or running run and marks it
// done.
func (s *Store) FinishPlanRun(ctx context.Context, id int64, p *plan.Plan) error {
	data, err := plan.Marshal(p)
	if err != nil {
		return fmt.Errorf("store: finish plan run %d: %w", id, err)
	}
	return s.updateRun(ctx, id, `UPDATE plan_runs SET status = $2, progress = 1, plan = $3
WHERE id = $1 AND status IN ('queued', 'running')`, string(RunDone), data)
}

// FailPlanRun marks a queued or running run as failed with a message,
// which must hold no personal data.
func (s *Store) FailPlanRun(ctx context.Context, id int64, message string) error {
	return s.updateRun(ctx, id, `UPDATE plan_runs SET status = $2, error = $3
WHERE id = $1 AND status IN ('queued', 'running')`, string(RunFailed), message)
}

// FailUnfinishedPlanRuns marks every queued or running run as failed
// with a message, and returns how many there were: a server calls it when
// it starts, since runs it did not finish died with the last process.
func (s *Store) FailUnfinishedPlanRuns(ctx context.Context, message string) (int64, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE plan_runs SET status = $1, error = $2 WHERE status IN ('queued', 'running')`,
		string(RunFailed), message)
	if err != nil {
		return 0, fmt.Errorf("store: fail unfinished plan runs: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: fail unfinished plan runs: %w", err)
	}
	return n, nil
}

// updateRun runs an update of run id that applies only to an unfinished
// run, and tells a missing run from a finished one.
func (s *Store) updateRun(ctx context.Context, id int64, query string, args ...any) error {
	return s.write(ctx, "update plan run", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, append([]any{id}, args...)...)
		if err != nil {
			return fmt.Errorf("store: update plan run %d: %w", id, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("store: update plan run %d: %w", id, err)
		}
		if n > 0 {
			return nil
		}
		var status RunStatus
		err = tx.QueryRowContext(ctx, `SELECT status FROM plan_runs WHERE id = $1`, id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return Errorf(CodeNotFound, "plan run %d not found", id)
		}
		if err != nil {
			return fmt.Errorf("store: update plan run %d: %w", id, err)
		}
		return Errorf(CodeConflict, "plan run %d is %s already", id, status)
	})
}

// PlanRun returns the run with the id.
func (s *Store) PlanRun(ctx context.Context, id int64) (*PlanRun, error) {
	r := PlanRun{ID: id}
	var data []byte
	var created int64
	err := s.read.QueryRowContext(ctx, `SELECT status, progress, plan, error, created_at FROM plan_runs WHERE id = $1`, id).
		Scan(&r.Status, &r.Progress, &data, &r.Error, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, Errorf(CodeNotFound, "plan run %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: plan run %d: %w", id, err)
	}
	if data != nil {
		r.Plan = json.RawMessage(data)
	}
	r.Created = time.Unix(created, 0).UTC()
	return &r, nil
}

// scrubPlans cuts a member out of every stored plan before the member is
// deleted: their assignments, and the flows, allocations and shortfalls
// of their needs. What remains still says what the sites make and what
// everyone else receives; nothing in it points at the member. The counts
// and tier totals stay those of the world that was planned.
func (s *Store) scrubPlans(ctx context.Context, tx *sql.Tx, memberID string) error {
	needs := map[string]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT id FROM needs WHERE member_id = $1`, memberID)
	if err != nil {
		return fmt.Errorf("store: delete member %q: read needs: %w", memberID, err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("store: delete member %q: read needs: %w", memberID, err)
		}
		needs[id] = true
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("store: delete member %q: read needs: %w", memberID, err)
	}
	marks := [][]byte{[]byte(strconv.Quote(memberID))}
	for id := range needs {
		marks = append(marks, []byte(strconv.Quote(id)))
	}
	type stored struct {
		id   int64
		data []byte
	}
	var touched []stored
	rows, err = tx.QueryContext(ctx, `SELECT id, plan FROM plan_runs WHERE plan IS NOT NULL`)
	if err != nil {
		return fmt.Errorf("store: delete member %q: read plans: %w", memberID, err)
	}
	for rows.Next() {
		var r stored
		if err := rows.Scan(&r.id, &r.data); err != nil {
			rows.Close()
			return fmt.Errorf("store: delete member %q: read plans: %w", memberID, err)
		}
		for _, m := range marks {
			if bytes.Contains(r.data, m) {
				touched = append(touched, r)
				break
			}
		}
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("store: delete member %q: read plans: %w", memberID, err)
	}
	for _, r := range touched {
		p, err := plan.Read(bytes.NewReader(r.data))
		if err != nil {
			return fmt.Errorf("store: delete member %q: plan run %d: %w", memberID, r.id, err)
		}
		scrub(p, memberID, needs)
		data, err := plan.Marshal(p)
		if err != nil {
			return fmt.Errorf("store: delete member %q: plan run %d: %w", memberID, r.id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE plan_runs SET plan = $1 WHERE id = $2`, data, r.id); err != nil {
			return fmt.Errorf("store: delete member %q: plan run %d: %w", memberID, r.id, err)
		}
	}
	return nil
}

func scrub(p *plan.Plan, member string, needs map[string]bool) {
	assigned := 0.0
	p.Assignments = filter(p.Assignments, func(a plan.Assignment) bool {
		if a.Member == member {
			assigned += a.Hours
			return false
		}
		return true
	})
	p.Labor.AssignedHours = math.Max(0, p.Labor.AssignedHours-assigned)
	p.Flows = filter(p.Flows, func(f plan.Flow) bool { return !needs[f.ToNeed] })
	p.Allocations = filter(p.Allocations, func(a plan.Allocation) bool { return !needs[a.Need] })
	p.Shortfalls = filter(p.Shortfalls, func(sf plan.Shortfall) bool { return !needs[sf.Need] })
}

func filter[T any](xs []T, keep func(T) bool) []T {
	out := xs[:0]
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}
