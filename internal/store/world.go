package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/commune-org/commune/internal/world"
)

// The world in the database: the catalog (skills, products), sites,
// recipes, stocks, members' commitments and needs are what a world v1
// file holds, and each row keeps its position in the lists of the world
// it came from (pos), so that World gives back the world PutWorld was
// given, byte for byte through world.Write.
//
// A world's members are the members with a commitment; a world member's
// collectives are their memberships, in order. Members are people, so
// PutWorld never deletes one: a member left out of a new world keeps
// their account and memberships and loses their commitment and needs.

// PutWorld replaces the catalog, sites, recipes, stocks, commitments and
// needs with those of w, in one transaction, after validating w: an
// invalid world is refused with CodeInvalid and changes nothing.
//
// A member of w who is not in the database is created with the world's
// id as id and alias, no language and no contact; one who is gets the
// world's cell. Each member's memberships become the world's collectives
// in the world's order, keeping the role of those they already had; a
// collective a world names but the database lacks is created with kind
// other and its id as name.
func (s *Store) PutWorld(ctx context.Context, w *world.World) error {
	if w == nil {
		return Errorf(CodeInvalid, "world: missing")
	}
	if err := w.Validate(); err != nil {
		return &Error{Code: CodeInvalid, Message: "world", Err: err}
	}
	if err := checkNUL(w); err != nil {
		return err
	}
	return s.write(ctx, "put world", func(tx *sql.Tx) error {
		p := putter{ctx: ctx, tx: tx, now: s.now().Unix()}
		defer p.close()
		p.clear()
		p.exec(`INSERT INTO world_settings (id, period) VALUES (1, $1)`, w.Period)
		p.collectives(w)
		p.catalog(w)
		p.sites(w)
		p.members(w)
		p.needs(w)
		return p.err
	})
}

// checkNUL refuses a world with a NUL character in a string, which a
// world file may hold but PostgreSQL's text cannot; SQLite refuses it
// too, so that both databases accept the same worlds.
func checkNUL(w *world.World) error {
	bad := func(s string) bool { return strings.IndexByte(s, 0) >= 0 }
	names := func(n world.Names) bool {
		for k, v := range n {
			if bad(k) || bad(v) {
				return true
			}
		}
		return false
	}
	keys := func(m map[string]float64) bool {
		for k := range m {
			if bad(k) {
				return true
			}
		}
		return false
	}
	refuse := func(path string) error {
		return Errorf(CodeInvalid, "%s: holds a NUL character", path)
	}
	if bad(w.Format) || bad(w.Period) {
		return refuse("period")
	}
	for i, sk := range w.Skills {
		if bad(sk.ID) || names(sk.Name) {
			return refuse(fmt.Sprintf("skills[%d]", i))
		}
	}
	for i, p := range w.Products {
		if bad(p.ID) || names(p.Name) || bad(p.Unit) || bad(string(p.Kind)) {
			return refuse(fmt.Sprintf("products[%d]", i))
		}
	}
	for i, st := range w.Sites {
		if bad(st.ID) || bad(st.Name) || bad(string(st.Kind)) || bad(st.Collective) {
			return refuse(fmt.Sprintf("sites[%d]", i))
		}
	}
	for i, r := range w.Recipes {
		if bad(r.ID) || bad(r.Site) || keys(r.Outputs) || keys(r.Inputs) || keys(r.Labor) {
			return refuse(fmt.Sprintf("recipes[%d]", i))
		}
	}
	for i, st := range w.Stocks {
		if bad(st.Site) || bad(st.Product) {
			return refuse(fmt.Sprintf("stocks[%d]", i))
		}
	}
	for i, m := range w.Members {
		if bad(m.ID) || bad(m.Cell) || slices.ContainsFunc(m.Collectives, bad) || slices.ContainsFunc(m.Commitment.Skills, bad) {
			return refuse(fmt.Sprintf("members[%d]", i))
		}
	}
	for i, n := range w.Needs {
		if bad(n.ID) || bad(n.Member) || bad(n.Site) || bad(n.Product) || bad(string(n.Tier)) {
			return refuse(fmt.Sprintf("needs[%d]", i))
		}
	}
	return nil
}

// putter writes a world in a transaction, keeping the first error.
type putter struct {
	ctx   context.Context
	tx    *sql.Tx
	now   int64
	stmts map[string]*sql.Stmt
	err   error
}

func (p *putter) fail(where string, err error) {
	if p.err == nil {
		p.err = fmt.Errorf("store: put world: %s: %w", where, err)
	}
}

// exec runs a statement, prepared once per transaction.
func (p *putter) exec(query string, args ...any) {
	p.execAt("", query, args...)
}

func (p *putter) execAt(where, query string, args ...any) {
	if p.err != nil {
		return
	}
	st, ok := p.stmts[query]
	if !ok {
		var err error
		if st, err = p.tx.PrepareContext(p.ctx, query); err != nil {
			p.fail(where, err)
			return
		}
		if p.stmts == nil {
			p.stmts = make(map[string]*sql.Stmt)
		}
		p.stmts[query] = st
	}
	if _, err := st.ExecContext(p.ctx, args...); err != nil {
		p.fail(where, err)
	}
}

func (p *putter) close() {
	for _, st := range p.stmts {
		st.Close()
	}
}

// clear deletes the world that is there, children first.
func (p *putter) clear() {
	for _, table := range []string{"needs", "stocks", "recipe_labor", "recipe_inputs", "recipe_outputs",
		"recipes", "sites", "commitment_skills", "commitments", "skills", "products", "world_settings"} {
		if p.err != nil {
			return
		}
		if _, err := p.tx.ExecContext(p.ctx, "DELETE FROM "+table); err != nil {
			p.fail("clear "+table, err)
		}
	}
}

func (p *putter) collectives(w *world.World) {
	const q = `INSERT INTO collectives (id, name, kind, created_at) VALUES ($1, $2, 'other', $3)
ON CONFLICT (id) DO NOTHING`
	for i := range w.Sites {
		if c := w.Sites[i].Collective; c != "" {
			p.execAt(fmt.Sprintf("sites[%d].collective", i), q, c, c, p.now)
		}
	}
	for i := range w.Members {
		for j, c := range w.Members[i].Collectives {
			p.execAt(fmt.Sprintf("members[%d].collectives[%d]", i, j), q, c, c, p.now)
		}
	}
}

func (p *putter) catalog(w *world.World) {
	for i, sk := range w.Skills {
		name, err := json.Marshal(sk.Name)
		if err != nil {
			p.fail(fmt.Sprintf("skills[%d].name", i), err)
			return
		}
		p.execAt(fmt.Sprintf("skills[%d]", i), `INSERT INTO skills (id, pos, name) VALUES ($1, $2, $3)`,
			sk.ID, i, string(name))
	}
	for i := range w.Products {
		pr := &w.Products[i]
		name, err := json.Marshal(pr.Name)
		if err != nil {
			p.fail(fmt.Sprintf("products[%d].name", i), err)
			return
		}
		p.execAt(fmt.Sprintf("products[%d]", i), `INSERT INTO products (id, pos, name, unit, kind, transport_cost, reach_km)
VALUES ($1, $2, $3, $4, $5, $6, $7)`, pr.ID, i, string(name), pr.Unit, string(pr.Kind), nullFloat(pr.TransportCost), pr.ReachKm)
	}
}

func (p *putter) sites(w *world.World) {
	for i := range w.Sites {
		st := &w.Sites[i]
		p.execAt(fmt.Sprintf("sites[%d]", i), `INSERT INTO sites (id, pos, name, kind, lat, lon, collective_id)
VALUES ($1, $2, $3, $4, $5, $6, $7)`, st.ID, i, st.Name, string(st.Kind), st.Lat, st.Lon, nullString(st.Collective))
	}
	for i := range w.Recipes {
		r := &w.Recipes[i]
		at := fmt.Sprintf("recipes[%d]", i)
		p.execAt(at, `INSERT INTO recipes (id, pos, site_id, max_runs) VALUES ($1, $2, $3, $4)`,
			r.ID, i, r.Site, nullFloat(r.MaxRuns))
		for prod, q := range r.Outputs {
			p.execAt(at+".outputs", `INSERT INTO recipe_outputs (recipe_id, product_id, qty) VALUES ($1, $2, $3)`, r.ID, prod, q)
		}
		for prod, q := range r.Inputs {
			p.execAt(at+".inputs", `INSERT INTO recipe_inputs (recipe_id, product_id, qty) VALUES ($1, $2, $3)`, r.ID, prod, q)
		}
		for skill, h := range r.Labor {
			p.execAt(at+".labor", `INSERT INTO recipe_labor (recipe_id, skill_id, hours) VALUES ($1, $2, $3)`, r.ID, skill, h)
		}
	}
	for i, st := range w.Stocks {
		p.execAt(fmt.Sprintf("stocks[%d]", i), `INSERT INTO stocks (site_id, product_id, pos, qty) VALUES ($1, $2, $3, $4)`,
			st.Site, st.Product, i, st.Qty)
	}
}

func (p *putter) members(w *world.World) {
	if p.err != nil {
		return
	}
	// Every membership there is, to find those a world drops.
	had := make(map[[2]string]bool)
	rows, err := p.tx.QueryContext(p.ctx, `SELECT member_id, collective_id FROM memberships`)
	if err != nil {
		p.fail("read memberships", err)
		return
	}
	for rows.Next() {
		var k [2]string
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			rows.Close()
			p.fail("read memberships", err)
			return
		}
		had[k] = true
	}
	if err := rows.Close(); err != nil {
		p.fail("read memberships", err)
		return
	}
	for i := range w.Members {
		if p.err != nil {
			return
		}
		m := &w.Members[i]
		at := fmt.Sprintf("members[%d]", i)
		p.execAt(at, `INSERT INTO members (id, alias, language, cell, call_opt_in, created_at)
VALUES ($1, $2, '', $3, $4, $5) ON CONFLICT (id) DO UPDATE SET cell = excluded.cell`, m.ID, m.ID, m.Cell, false, p.now)
		if p.err != nil && isUnique(p.err) {
			p.err = Errorf(CodeConflict, "%s.id: %q is the alias of another member", at, m.ID)
			return
		}
		for j, c := range m.Collectives {
			p.execAt(fmt.Sprintf("%s.collectives[%d]", at, j), `INSERT INTO memberships (member_id, collective_id, role, pos)
VALUES ($1, $2, 'member', $3) ON CONFLICT (member_id, collective_id) DO UPDATE SET pos = excluded.pos`, m.ID, c, j)
			delete(had, [2]string{m.ID, c})
		}
		p.execAt(at+".commitment", `INSERT INTO commitments (member_id, pos, hours, max_km) VALUES ($1, $2, $3, $4)`,
			m.ID, i, m.Commitment.Hours, m.Commitment.MaxKm)
		for j, sk := range m.Commitment.Skills {
			p.execAt(fmt.Sprintf("%s.commitment.skills[%d]", at, j),
				`INSERT INTO commitment_skills (member_id, skill_id, pos) VALUES ($1, $2, $3)`, m.ID, sk, j)
		}
	}
	inWorld := make(map[string]bool, len(w.Members))
	for i := range w.Members {
		inWorld[w.Members[i].ID] = true
	}
	for k := range had {
		if inWorld[k[0]] {
			p.execAt("memberships", `DELETE FROM memberships WHERE member_id = $1 AND collective_id = $2`, k[0], k[1])
		}
	}
}

func (p *putter) needs(w *world.World) {
	for i := range w.Needs {
		n := &w.Needs[i]
		p.execAt(fmt.Sprintf("needs[%d]", i), `INSERT INTO needs (id, pos, member_id, site_id, product_id, qty, tier)
VALUES ($1, $2, $3, $4, $5, $6, $7)`, n.ID, i, nullString(n.Member), nullString(n.Site), n.Product, n.Qty, string(n.Tier))
	}
}

func nullFloat(x *float64) sql.NullFloat64 {
	if x == nil {
		return sql.NullFloat64{}
	}
	return sql.NullFloat64{Float64: *x, Valid: true}
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
