package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
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
// in the world's order, keeping the role of those they already had,
// except that a world never removes a coordinator: a coordinator's
// membership that the world leaves out stays, after the others (roles
// change through AddMembership and its kin, by an organizer, not by an
// import). A collective a world names but the database lacks is created
// with kind other and its id as name.
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
		p := putter{ctx: ctx, tx: tx, dialect: s.dialect, now: s.now().Unix()}
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
	ctx     context.Context
	tx      *sql.Tx
	dialect dialect
	now     int64
	stmts   map[string]*sql.Stmt
	err     error
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

// batchRows is how many rows one INSERT writes, by dialect: a round trip
// per row made putting a world of 10,000 members on PostgreSQL six times
// slower than 256 rows a statement. On SQLite, which has no round trip,
// the statements were once kept to 32 rows because binding numbered
// parameters ($1, $2, ...) costs time quadratic in their number (the
// driver asks SQLite each parameter's name, which SQLite finds by a
// scan of them all); rows now carry plain ? parameters there (see
// valuesList), whose names are empty. Both stay far below the
// databases' limits on parameters (32,766 on SQLite, 65,535 on
// PostgreSQL).
func batchRows(d dialect) int {
	if d == postgresDialect {
		return 256
	}
	return 128
}

// valuesList writes the rows of a multi-row INSERT, " ($1, $2), ($3,
// $4)" for 2 rows of 2 columns: numbered parameters on PostgreSQL,
// which has no others, and ? on SQLite (see batchRows).
func valuesList(q *strings.Builder, d dialect, rows, cols int) {
	n := 0
	for r := range rows {
		if r > 0 {
			q.WriteByte(',')
		}
		q.WriteString(" (")
		for c := range cols {
			if c > 0 {
				q.WriteString(", ")
			}
			n++
			if d == postgresDialect {
				q.WriteString("$" + strconv.Itoa(n))
			} else {
				q.WriteByte('?')
			}
		}
		q.WriteByte(')')
	}
}

// batch is an inserter whose first error becomes the putter's, so that
// putting a world reads as a list of adds.
type batch struct {
	p   *putter
	ins *inserter
}

func (p *putter) batch(what string, cols int, head, tail string) *batch {
	return &batch{p: p, ins: newInserter(p.tx, p.dialect, what, cols, head, tail)}
}

func (b *batch) add(args ...any) {
	if b.p.err != nil {
		return
	}
	if err := b.ins.add(b.p.ctx, args...); err != nil {
		b.p.err = err
	}
}

// flush writes the rows added since the last flush and releases the
// prepared statement; it ends the batch.
func (b *batch) flush() {
	if b.p.err != nil { // the transaction is lost
		b.ins.release()
		return
	}
	if err := b.ins.close(b.p.ctx); err != nil {
		b.p.err = err
	}
}

func (p *putter) collectives(w *world.World) {
	b := p.batch("collectives", 4, `INSERT INTO collectives (id, name, kind, created_at) VALUES`, ` ON CONFLICT (id) DO NOTHING`)
	seen := make(map[string]bool)
	add := func(c string) {
		if c != "" && !seen[c] {
			seen[c] = true
			b.add(c, c, string(OtherKind), p.now)
		}
	}
	for i := range w.Sites {
		add(w.Sites[i].Collective)
	}
	for i := range w.Members {
		for _, c := range w.Members[i].Collectives {
			add(c)
		}
	}
	b.flush()
}

func (p *putter) catalog(w *world.World) {
	b := p.batch("skills", 3, `INSERT INTO skills (id, pos, name) VALUES`, "")
	for i, sk := range w.Skills {
		name, err := json.Marshal(sk.Name)
		if err != nil {
			p.fail(fmt.Sprintf("skills[%d].name", i), err)
			return
		}
		b.add(sk.ID, i, string(name))
	}
	b.flush()
	b = p.batch("products", 7, `INSERT INTO products (id, pos, name, unit, kind, transport_cost, reach_km) VALUES`, "")
	for i := range w.Products {
		pr := &w.Products[i]
		name, err := json.Marshal(pr.Name)
		if err != nil {
			p.fail(fmt.Sprintf("products[%d].name", i), err)
			return
		}
		b.add(pr.ID, i, string(name), pr.Unit, string(pr.Kind), nullFloat(pr.TransportCost), pr.ReachKm)
	}
	b.flush()
}

func (p *putter) sites(w *world.World) {
	b := p.batch("sites", 7, `INSERT INTO sites (id, pos, name, kind, lat, lon, collective_id) VALUES`, "")
	for i := range w.Sites {
		st := &w.Sites[i]
		b.add(st.ID, i, st.Name, string(st.Kind), st.Lat, st.Lon, nullString(st.Collective))
	}
	b.flush()
	// A batch may flush whenever it fills, so a table is written whole
	// before the tables that refer to it.
	b = p.batch("recipes", 4, `INSERT INTO recipes (id, pos, site_id, max_runs) VALUES`, "")
	for i := range w.Recipes {
		r := &w.Recipes[i]
		b.add(r.ID, i, r.Site, nullFloat(r.MaxRuns))
	}
	b.flush()
	outputs := p.batch("recipe outputs", 3, `INSERT INTO recipe_outputs (recipe_id, product_id, qty) VALUES`, "")
	inputs := p.batch("recipe inputs", 3, `INSERT INTO recipe_inputs (recipe_id, product_id, qty) VALUES`, "")
	labor := p.batch("recipe labor", 3, `INSERT INTO recipe_labor (recipe_id, skill_id, hours) VALUES`, "")
	for i := range w.Recipes {
		r := &w.Recipes[i]
		for prod, q := range r.Outputs {
			outputs.add(r.ID, prod, q)
		}
		for prod, q := range r.Inputs {
			inputs.add(r.ID, prod, q)
		}
		for skill, h := range r.Labor {
			labor.add(r.ID, skill, h)
		}
	}
	outputs.flush()
	inputs.flush()
	labor.flush()
	b = p.batch("stocks", 4, `INSERT INTO stocks (site_id, product_id, pos, qty) VALUES`, "")
	for i, st := range w.Stocks {
		b.add(st.Site, st.Product, i, st.Qty)
	}
	b.flush()
}

// query calls row for each row of the query's result.
func (p *putter) query(where, query string, row func(*sql.Rows) error) {
	if p.err != nil {
		return
	}
	rows, err := p.tx.QueryContext(p.ctx, query)
	if err != nil {
		p.fail(where, err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			p.fail(where, err)
			return
		}
	}
	if err := rows.Err(); err != nil {
		p.fail(where, err)
	}
}

func (p *putter) members(w *world.World) {
	// The members there are, by id and by alias, to refuse a new member
	// whose id (their alias to be) is another member's alias; and every
	// membership, to find those a world drops.
	known := make(map[string]bool)
	aliasOf := make(map[string]string)
	p.query("read members", `SELECT id, alias FROM members`, func(r *sql.Rows) error {
		var id, alias string
		if err := r.Scan(&id, &alias); err != nil {
			return err
		}
		known[id], aliasOf[alias] = true, id
		return nil
	})
	type membership struct{ collective, role string }
	had := make(map[string][]membership)
	p.query("read memberships", `SELECT member_id, collective_id, role FROM memberships ORDER BY member_id, pos, collective_id`,
		func(r *sql.Rows) error {
			var member string
			var m membership
			if err := r.Scan(&member, &m.collective, &m.role); err != nil {
				return err
			}
			had[member] = append(had[member], m)
			return nil
		})
	if p.err != nil {
		return
	}
	for i := range w.Members {
		id := w.Members[i].ID
		if owner, taken := aliasOf[id]; !known[id] && taken && owner != id {
			p.err = Errorf(CodeConflict, "members[%d].id: %q is the alias of another member", i, id)
			return
		}
	}

	members := p.batch("members", 6, `INSERT INTO members (id, alias, language, cell, call_opt_in, created_at) VALUES`,
		` ON CONFLICT (id) DO UPDATE SET cell = excluded.cell`)
	for i := range w.Members {
		m := &w.Members[i]
		members.add(m.ID, m.ID, "", m.Cell, false, p.now)
	}
	members.flush()
	ms := p.batch("memberships", 4, `INSERT INTO memberships (member_id, collective_id, role, pos) VALUES`,
		` ON CONFLICT (member_id, collective_id) DO UPDATE SET pos = excluded.pos`)
	commitments := p.batch("commitments", 4, `INSERT INTO commitments (member_id, pos, hours, max_km) VALUES`, "")
	for i := range w.Members {
		m := &w.Members[i]
		for j, c := range m.Collectives {
			ms.add(m.ID, c, string(RoleMember), j)
		}
		commitments.add(m.ID, i, m.Commitment.Hours, m.Commitment.MaxKm)
	}
	ms.flush()
	commitments.flush()
	skills := p.batch("commitment skills", 3, `INSERT INTO commitment_skills (member_id, skill_id, pos) VALUES`, "")
	for i := range w.Members {
		m := &w.Members[i]
		for j, sk := range m.Commitment.Skills {
			skills.add(m.ID, sk, j)
		}
	}
	skills.flush()
	// Memberships the world leaves out: a member's go, a coordinator's
	// stay, after the world's.
	for i := range w.Members {
		m := &w.Members[i]
		pos := len(m.Collectives)
		for _, old := range had[m.ID] {
			switch {
			case slices.Contains(m.Collectives, old.collective):
			case old.role == string(RoleCoordinator):
				p.execAt(fmt.Sprintf("members[%d]: keep coordinator", i),
					`UPDATE memberships SET pos = $1 WHERE member_id = $2 AND collective_id = $3`, pos, m.ID, old.collective)
				pos++
			default:
				p.execAt(fmt.Sprintf("members[%d]: drop membership", i),
					`DELETE FROM memberships WHERE member_id = $1 AND collective_id = $2`, m.ID, old.collective)
			}
		}
	}
}

func (p *putter) needs(w *world.World) {
	b := p.batch("needs", 7, `INSERT INTO needs (id, pos, member_id, site_id, product_id, qty, tier) VALUES`, "")
	for i := range w.Needs {
		n := &w.Needs[i]
		b.add(n.ID, i, nullString(n.Member), nullString(n.Site), n.Product, n.Qty, string(n.Tier))
	}
	b.flush()
}

func nullFloat(x *float64) sql.NullFloat64 {
	if x == nil {
		return sql.NullFloat64{}
	}
	return sql.NullFloat64{Float64: *x, Valid: true}
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
