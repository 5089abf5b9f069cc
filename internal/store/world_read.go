package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/commune-org/commune/internal/world"
)

// World builds a world v1 from the database, as one consistent snapshot:
// the world the last PutWorld stored, with the changes made since. Lists
// come in the order of their positions; empty lists and maps are nil, as
// world.Read gives them.
func (s *Store) World(ctx context.Context) (*world.World, error) {
	w := &world.World{Format: world.Format}
	err := s.snapshot(ctx, "read world", func(tx *sql.Tx) error {
		g := getter{ctx: ctx, tx: tx}
		g.query(`SELECT period FROM world_settings WHERE id = 1`, func(r *sql.Rows) error {
			return r.Scan(&w.Period)
		})
		g.catalog(w)
		g.recipes(w)
		g.query(`SELECT site_id, product_id, qty FROM stocks ORDER BY pos`, func(r *sql.Rows) error {
			var st world.Stock
			if err := r.Scan(&st.Site, &st.Product, &st.Qty); err != nil {
				return err
			}
			w.Stocks = append(w.Stocks, st)
			return nil
		})
		g.members(w)
		g.query(`SELECT id, member_id, site_id, product_id, qty, tier FROM needs ORDER BY pos`, func(r *sql.Rows) error {
			var n world.Need
			var member, site sql.NullString
			if err := r.Scan(&n.ID, &member, &site, &n.Product, &n.Qty, &n.Tier); err != nil {
				return err
			}
			n.Member, n.Site = member.String, site.String
			w.Needs = append(w.Needs, n)
			return nil
		})
		return g.err
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// Catalog is what a world names, without its people: the skills,
// products and sites, for pages that show names and for forms that offer
// choices.
type Catalog struct {
	Skills   []world.Skill
	Products []world.Product
	Sites    []world.Site
}

// Catalog returns the skills, products and sites, in the world's order.
func (s *Store) Catalog(ctx context.Context) (*Catalog, error) {
	var w world.World
	err := s.snapshot(ctx, "read catalog", func(tx *sql.Tx) error {
		g := getter{ctx: ctx, tx: tx}
		g.catalog(&w)
		return g.err
	})
	if err != nil {
		return nil, err
	}
	return &Catalog{Skills: w.Skills, Products: w.Products, Sites: w.Sites}, nil
}

// catalog reads the skills, products and sites into w.
func (g *getter) catalog(w *world.World) {
	g.query(`SELECT id, name FROM skills ORDER BY pos`, func(r *sql.Rows) error {
		var sk world.Skill
		var name string
		if err := r.Scan(&sk.ID, &name); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(name), &sk.Name); err != nil {
			return fmt.Errorf("skill %q: name: %w", sk.ID, err)
		}
		w.Skills = append(w.Skills, sk)
		return nil
	})
	g.query(`SELECT id, name, unit, kind, transport_cost, reach_km FROM products ORDER BY pos`, func(r *sql.Rows) error {
		var p world.Product
		var name string
		var cost sql.NullFloat64
		if err := r.Scan(&p.ID, &name, &p.Unit, &p.Kind, &cost, &p.ReachKm); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(name), &p.Name); err != nil {
			return fmt.Errorf("product %q: name: %w", p.ID, err)
		}
		p.TransportCost = floatPtr(cost)
		w.Products = append(w.Products, p)
		return nil
	})
	g.query(`SELECT id, name, kind, lat, lon, collective_id FROM sites ORDER BY pos`, func(r *sql.Rows) error {
		var st world.Site
		var coll sql.NullString
		if err := r.Scan(&st.ID, &st.Name, &st.Kind, &st.Lat, &st.Lon, &coll); err != nil {
			return err
		}
		st.Collective = coll.String
		w.Sites = append(w.Sites, st)
		return nil
	})
}

// getter reads a world in a transaction, keeping the first error.
type getter struct {
	ctx context.Context
	tx  *sql.Tx
	err error
}

// query calls row for each row of the query's result.
func (g *getter) query(query string, row func(*sql.Rows) error, args ...any) {
	if g.err != nil {
		return
	}
	rows, err := g.tx.QueryContext(g.ctx, query, args...)
	if err != nil {
		g.err = fmt.Errorf("store: read world: %w", err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			g.err = fmt.Errorf("store: read world: %w", err)
			return
		}
	}
	if err := rows.Err(); err != nil {
		g.err = fmt.Errorf("store: read world: %w", err)
	}
}

// amounts reads a table of (owner, key, amount) rows into a map per owner.
func (g *getter) amounts(query string) map[string]map[string]float64 {
	out := make(map[string]map[string]float64)
	g.query(query, func(r *sql.Rows) error {
		var owner, key string
		var x float64
		if err := r.Scan(&owner, &key, &x); err != nil {
			return err
		}
		m := out[owner]
		if m == nil {
			m = make(map[string]float64)
			out[owner] = m
		}
		m[key] = x
		return nil
	})
	return out
}

// lists reads a table of (owner, item) rows, ordered by owner and
// position, into a list per owner.
func (g *getter) lists(query string) map[string][]string {
	out := make(map[string][]string)
	g.query(query, func(r *sql.Rows) error {
		var owner, item string
		if err := r.Scan(&owner, &item); err != nil {
			return err
		}
		out[owner] = append(out[owner], item)
		return nil
	})
	return out
}

func (g *getter) recipes(w *world.World) {
	outputs := g.amounts(`SELECT recipe_id, product_id, qty FROM recipe_outputs`)
	inputs := g.amounts(`SELECT recipe_id, product_id, qty FROM recipe_inputs`)
	labor := g.amounts(`SELECT recipe_id, skill_id, hours FROM recipe_labor`)
	g.query(`SELECT id, site_id, max_runs FROM recipes ORDER BY pos`, func(r *sql.Rows) error {
		var rc world.Recipe
		var maxRuns sql.NullFloat64
		if err := r.Scan(&rc.ID, &rc.Site, &maxRuns); err != nil {
			return err
		}
		rc.MaxRuns = floatPtr(maxRuns)
		rc.Outputs, rc.Inputs, rc.Labor = outputs[rc.ID], inputs[rc.ID], labor[rc.ID]
		w.Recipes = append(w.Recipes, rc)
		return nil
	})
}

func (g *getter) members(w *world.World) {
	skills := g.lists(`SELECT member_id, skill_id FROM commitment_skills ORDER BY member_id, pos`)
	colls := g.lists(`SELECT ms.member_id, ms.collective_id FROM memberships ms
JOIN commitments c ON c.member_id = ms.member_id ORDER BY ms.member_id, ms.pos, ms.collective_id`)
	g.query(`SELECT m.id, m.cell, c.hours, c.max_km FROM commitments c
JOIN members m ON m.id = c.member_id ORDER BY c.pos`, func(r *sql.Rows) error {
		var m world.Member
		if err := r.Scan(&m.ID, &m.Cell, &m.Commitment.Hours, &m.Commitment.MaxKm); err != nil {
			return err
		}
		m.Collectives, m.Commitment.Skills = colls[m.ID], skills[m.ID]
		w.Members = append(w.Members, m)
		return nil
	})
}

func floatPtr(x sql.NullFloat64) *float64 {
	if !x.Valid {
		return nil
	}
	return &x.Float64
}
