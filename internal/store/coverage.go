package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"

	"github.com/commune-org/commune/internal/plan"
	"github.com/commune-org/commune/internal/world"
)

// Coverage is how well the latest plan meets the needs of one
// collective's members, what falls short and why, and the hours its
// members committed against those the plan gives them. It is what a
// coordinator needs to act (find a site, ask for hours) without seeing
// who needs what: shortfalls name needs and products, not members.
type Coverage struct {
	PlanRun int64
	Members int
	Tiers   map[world.Tier]TierCoverage
	// Unplanned counts the members' needs the plan does not know (made
	// after it); they are left out of the tiers.
	Unplanned  int
	Shortfalls []CoverageShortfall
	// CommittedHours is what the members commit now; AssignedHours what
	// the plan assigns them.
	CommittedHours float64
	AssignedHours  float64
}

// TierCoverage sums a tier over the collective's planned needs. Met is
// what the plan allocates them; MinCoverage the smallest share of a need
// met (1 when the tier has no need).
type TierCoverage struct {
	Needs       int
	Needed      float64
	Met         float64
	MinCoverage float64
}

// CoverageShortfall is a need of the collective that the plan does not
// fully meet, with the planner's reason.
type CoverageShortfall struct {
	Need    string
	Product string
	Tier    world.Tier
	Qty     float64
	Missing float64
	Reason  string
	Cause   plan.Cause
}

// ErrNoPlanDone is what Coverage answers before any planning run is
// done.
var ErrNoPlanDone = &Error{Code: CodeNotFound, Message: "no planning run is done yet"}

// collectiveNeed is a need of a member of a collective.
type collectiveNeed struct {
	id, product string
	qty         float64
	tier        world.Tier
}

// Coverage computes the coverage of a collective from the latest plan
// run that is done, all from one snapshot; not_found when the collective
// is missing or no run is done.
func (s *Store) Coverage(ctx context.Context, collectiveID string) (*Coverage, error) {
	all, err := s.Coverages(ctx, []string{collectiveID})
	if err != nil {
		return nil, err
	}
	return all[collectiveID], nil
}

// Coverages computes the coverage of each of the collectives from the
// latest plan run that is done, reading that plan once, all from one
// snapshot; not_found when a collective is missing or no run is done.
func (s *Store) Coverages(ctx context.Context, collectiveIDs []string) (map[string]*Coverage, error) {
	out := make(map[string]*Coverage, len(collectiveIDs))
	err := s.snapshot(ctx, "coverage", func(tx *sql.Tx) error {
		for _, id := range collectiveIDs {
			if err := exists(ctx, tx, `SELECT 1 FROM collectives WHERE id = $1`, id, "collective"); err != nil {
				return err
			}
		}
		var run int64
		var data []byte
		err := tx.QueryRowContext(ctx, `SELECT id, plan FROM plan_runs WHERE status = $1 AND plan IS NOT NULL
ORDER BY id DESC LIMIT 1`, string(RunDone)).Scan(&run, &data)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNoPlanDone
		}
		if err != nil {
			return fmt.Errorf("store: coverage: latest plan: %w", err)
		}
		p, err := plan.Read(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("store: coverage: plan run %d: %w", run, err)
		}
		for _, id := range collectiveIDs {
			cov, err := coverageIn(ctx, tx, p, run, id)
			if err != nil {
				return err
			}
			out[id] = cov
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// coverageIn reads the members, commitments and needs of a collective
// in tx and sums plan p over them.
func coverageIn(ctx context.Context, tx *sql.Tx, p *plan.Plan, run int64, collectiveID string) (*Coverage, error) {
	members := map[string]bool{}
	var committed float64
	rows, err := tx.QueryContext(ctx, `SELECT ms.member_id, COALESCE(c.hours, 0)
FROM memberships ms LEFT JOIN commitments c ON c.member_id = ms.member_id
WHERE ms.collective_id = $1`, collectiveID)
	if err != nil {
		return nil, fmt.Errorf("store: coverage of %q: members: %w", collectiveID, err)
	}
	for rows.Next() {
		var id string
		var hours float64
		if err := rows.Scan(&id, &hours); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: coverage of %q: members: %w", collectiveID, err)
		}
		members[id] = true
		committed += hours
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("store: coverage of %q: members: %w", collectiveID, err)
	}
	var needs []collectiveNeed
	rows, err = tx.QueryContext(ctx, `SELECT n.id, n.product_id, n.qty, n.tier
FROM needs n JOIN memberships ms ON ms.member_id = n.member_id
WHERE ms.collective_id = $1 ORDER BY n.id`, collectiveID)
	if err != nil {
		return nil, fmt.Errorf("store: coverage of %q: needs: %w", collectiveID, err)
	}
	for rows.Next() {
		var n collectiveNeed
		if err := rows.Scan(&n.id, &n.product, &n.qty, &n.tier); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: coverage of %q: needs: %w", collectiveID, err)
		}
		needs = append(needs, n)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("store: coverage of %q: needs: %w", collectiveID, err)
	}
	cov := coverageOf(p, run, members, needs)
	cov.CommittedHours = committed
	return cov, nil
}

// coverageOf sums plan p over the needs and members of a collective.
func coverageOf(p *plan.Plan, run int64, members map[string]bool, needs []collectiveNeed) *Coverage {
	cov := &Coverage{PlanRun: run, Members: len(members), Tiers: map[world.Tier]TierCoverage{}}
	for _, t := range world.Tiers {
		cov.Tiers[t] = TierCoverage{MinCoverage: 1}
	}
	alloc := make(map[string]float64, len(p.Allocations))
	for _, a := range p.Allocations {
		alloc[a.Need] += a.Qty
	}
	byID := make(map[string]collectiveNeed, len(needs))
	for _, n := range needs {
		met, planned := alloc[n.id]
		if !planned {
			cov.Unplanned++
			continue
		}
		byID[n.id] = n
		tc := cov.Tiers[n.tier]
		tc.Needs++
		tc.Needed += n.qty
		tc.Met += met
		if n.qty > 0 {
			tc.MinCoverage = math.Min(tc.MinCoverage, math.Min(met/n.qty, 1))
		}
		cov.Tiers[n.tier] = tc
	}
	for _, sf := range p.Shortfalls {
		n, ok := byID[sf.Need]
		if !ok {
			continue
		}
		cov.Shortfalls = append(cov.Shortfalls, CoverageShortfall{Need: n.id, Product: n.product, Tier: n.tier,
			Qty: n.qty, Missing: sf.Missing, Reason: sf.Reason, Cause: sf.Cause})
	}
	for _, a := range p.Assignments {
		if members[a.Member] {
			cov.AssignedHours += a.Hours
		}
	}
	return cov
}
