package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/commune-org/commune/internal/world"
)

// A collective's coordinators edit its sites and the recipes at them,
// one at a time. Each change is checked by the rules of a world file
// (world.CheckSite, world.CheckRecipe) and applied in one transaction.
//
// Site and recipe ids are global, as in a world. A site of another
// collective, or of none, is not found through this collective, as a
// missing one is: it can be neither edited nor deleted from here, and a
// recipe may be put only at a site of the collective. Deleting a site
// that recipes, stocks or needs name is a conflict saying which; nothing
// goes in cascade.

// SiteRecipes is a site with the recipes at it.
type SiteRecipes struct {
	world.Site
	Recipes []world.Recipe `json:"recipes"`
}

// CollectiveSites returns the collective's sites in the world's order,
// each with its recipes.
func (s *Store) CollectiveSites(ctx context.Context, collective string) ([]SiteRecipes, error) {
	var out []SiteRecipes
	err := s.snapshot(ctx, "list sites", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM collectives WHERE id = $1`, collective, "collective"); err != nil {
			return err
		}
		g := getter{ctx: ctx, tx: tx}
		at := map[string]int{}
		g.query(`SELECT id, name, kind, lat, lon FROM sites WHERE collective_id = $1 ORDER BY pos, id`, func(r *sql.Rows) error {
			st := SiteRecipes{Site: world.Site{Collective: collective}, Recipes: []world.Recipe{}}
			if err := r.Scan(&st.ID, &st.Name, &st.Kind, &st.Lat, &st.Lon); err != nil {
				return err
			}
			at[st.ID] = len(out)
			out = append(out, st)
			return nil
		}, collective)
		amounts := func(table, key, qty string) map[string]map[string]float64 {
			m := map[string]map[string]float64{}
			g.query(`SELECT t.recipe_id, t.`+key+`, t.`+qty+` FROM `+table+` t
JOIN recipes r ON r.id = t.recipe_id JOIN sites s ON s.id = r.site_id WHERE s.collective_id = $1`, func(r *sql.Rows) error {
				var rec, k string
				var x float64
				if err := r.Scan(&rec, &k, &x); err != nil {
					return err
				}
				if m[rec] == nil {
					m[rec] = map[string]float64{}
				}
				m[rec][k] = x
				return nil
			}, collective)
			return m
		}
		outputs := amounts("recipe_outputs", "product_id", "qty")
		inputs := amounts("recipe_inputs", "product_id", "qty")
		labor := amounts("recipe_labor", "skill_id", "hours")
		g.query(`SELECT r.id, r.site_id, r.max_runs FROM recipes r JOIN sites s ON s.id = r.site_id
WHERE s.collective_id = $1 ORDER BY r.pos, r.id`, func(r *sql.Rows) error {
			var rc world.Recipe
			var maxRuns sql.NullFloat64
			if err := r.Scan(&rc.ID, &rc.Site, &maxRuns); err != nil {
				return err
			}
			rc.MaxRuns = floatPtr(maxRuns)
			rc.Outputs, rc.Inputs, rc.Labor = outputs[rc.ID], inputs[rc.ID], labor[rc.ID]
			i := at[rc.Site]
			out[i].Recipes = append(out[i].Recipes, rc)
			return nil
		}, collective)
		if g.err != nil {
			return fmt.Errorf("store: sites of %q: %w", collective, g.err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// siteOf checks that the collective exists and returns the collective
// of the site with the id: "" with ok false for a missing site.
func siteOf(ctx context.Context, tx *sql.Tx, collective, site string) (owner string, ok bool, err error) {
	if err := exists(ctx, tx, `SELECT 1 FROM collectives WHERE id = $1`, collective, "collective"); err != nil {
		return "", false, err
	}
	var c sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT collective_id FROM sites WHERE id = $1`, site).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: look up site %q: %w", site, err)
	}
	return c.String, true, nil
}

func siteNotFound(collective, site string) error {
	return Errorf(CodeNotFound, "site %q not found in collective %q", site, collective)
}

// PutSite creates or replaces a site of the collective, and reports
// whether it was created. st.Collective must be the collective or empty.
func (s *Store) PutSite(ctx context.Context, collective string, st world.Site) (created bool, err error) {
	if st.Collective != "" && st.Collective != collective {
		return false, Errorf(CodeInvalid, "collective: must be %q, the collective the site is put in", collective)
	}
	st.Collective = collective
	if err := world.CheckSite(st); err != nil {
		return false, invalidElement("site", err)
	}
	if err := noNUL(map[string]string{"id": st.ID, "name": st.Name, "kind": string(st.Kind)}); err != nil {
		return false, err
	}
	err = s.write(ctx, "put site", func(tx *sql.Tx) error {
		owner, found, err := siteOf(ctx, tx, collective, st.ID)
		if err != nil {
			return err
		}
		if found && owner != collective {
			return siteNotFound(collective, st.ID)
		}
		created = !found
		// The update's condition keeps another collective's site, made
		// since the look above by a transaction beside this one, as it
		// is (on PostgreSQL; SQLite has one writer).
		res, err := tx.ExecContext(ctx, `INSERT INTO sites (id, pos, name, kind, lat, lon, collective_id)
VALUES ($1, (SELECT COALESCE(MAX(pos) + 1, 0) FROM sites), $2, $3, $4, $5, $6)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, lat = excluded.lat, lon = excluded.lon
WHERE sites.collective_id = excluded.collective_id`,
			st.ID, st.Name, string(st.Kind), st.Lat, st.Lon, collective)
		if err != nil {
			return fmt.Errorf("store: put site %q: %w", st.ID, err)
		}
		return oneRow(res, func() error { return siteNotFound(collective, st.ID) })
	})
	return created, err
}

// DeleteSite deletes a site of the collective, unless recipes, stocks or
// needs name it (a conflict saying which).
func (s *Store) DeleteSite(ctx context.Context, collective, id string) error {
	return s.write(ctx, "delete site", func(tx *sql.Tx) error {
		owner, found, err := siteOf(ctx, tx, collective, id)
		if err != nil {
			return err
		}
		if !found || owner != collective {
			return siteNotFound(collective, id)
		}
		uses, err := siteUses(ctx, tx, id)
		if err != nil {
			return fmt.Errorf("store: delete site %q: %w", id, err)
		}
		if err := uses.err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sites WHERE id = $1`, id); err != nil {
			return fmt.Errorf("store: delete site %q: %w", id, err)
		}
		return nil
	})
}

// recipeOf returns the collective of the site of the recipe with the id,
// and whether the recipe exists.
func recipeOf(ctx context.Context, tx *sql.Tx, id string) (owner string, ok bool, err error) {
	var c sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT s.collective_id FROM recipes r JOIN sites s ON s.id = r.site_id WHERE r.id = $1`, id).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: look up recipe %q: %w", id, err)
	}
	return c.String, true, nil
}

func recipeNotFound(collective, recipe string) error {
	return Errorf(CodeNotFound, "recipe %q not found in collective %q", recipe, collective)
}

// PutRecipe creates or replaces a recipe at a site of the collective,
// and reports whether it was created. A recipe at another collective's
// site is not found; one may move between the collective's sites.
func (s *Store) PutRecipe(ctx context.Context, collective string, rc world.Recipe) (created bool, err error) {
	nul := map[string]string{"id": rc.ID, "site": rc.Site}
	for field, m := range map[string]map[string]float64{"outputs": rc.Outputs, "inputs": rc.Inputs, "labor": rc.Labor} {
		for k := range m {
			nul[field] += k
		}
	}
	if err := noNUL(nul); err != nil {
		return false, err
	}
	err = s.write(ctx, "put recipe", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM collectives WHERE id = $1`, collective, "collective"); err != nil {
			return err
		}
		owner, found, err := recipeOf(ctx, tx, rc.ID)
		if err != nil {
			return err
		}
		if found && owner != collective {
			return recipeNotFound(collective, rc.ID)
		}
		created = !found
		sites, err := column(ctx, tx, `SELECT id FROM sites WHERE collective_id = $1`, collective)
		if err != nil {
			return fmt.Errorf("store: put recipe %q: %w", rc.ID, err)
		}
		products, err := column(ctx, tx, `SELECT id FROM products`)
		if err != nil {
			return fmt.Errorf("store: put recipe %q: %w", rc.ID, err)
		}
		skills, err := column(ctx, tx, `SELECT id FROM skills`)
		if err != nil {
			return fmt.Errorf("store: put recipe %q: %w", rc.ID, err)
		}
		if err := world.CheckRecipe(rc, skills, products, sites); err != nil {
			return invalidElement("recipe", err)
		}
		// As for sites, the update's condition keeps another
		// collective's recipe made meanwhile as it is.
		res, err := tx.ExecContext(ctx, `INSERT INTO recipes (id, pos, site_id, max_runs)
VALUES ($1, (SELECT COALESCE(MAX(pos) + 1, 0) FROM recipes), $2, $3)
ON CONFLICT (id) DO UPDATE SET site_id = excluded.site_id, max_runs = excluded.max_runs
WHERE recipes.site_id IN (SELECT id FROM sites WHERE collective_id = $4)`,
			rc.ID, rc.Site, nullFloat(rc.MaxRuns), collective)
		if err != nil {
			return fmt.Errorf("store: put recipe %q: %w", rc.ID, err)
		}
		if err := oneRow(res, func() error { return recipeNotFound(collective, rc.ID) }); err != nil {
			return err
		}
		for _, t := range []struct {
			table, key string
			m          map[string]float64
		}{{"recipe_outputs", "product_id", rc.Outputs}, {"recipe_inputs", "product_id", rc.Inputs}, {"recipe_labor", "skill_id", rc.Labor}} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t.table+` WHERE recipe_id = $1`, rc.ID); err != nil {
				return fmt.Errorf("store: put recipe %q: %w", rc.ID, err)
			}
			qty := "qty"
			if t.table == "recipe_labor" {
				qty = "hours"
			}
			for _, k := range slices.Sorted(maps.Keys(t.m)) {
				if _, err := tx.ExecContext(ctx, `INSERT INTO `+t.table+` (recipe_id, `+t.key+`, `+qty+`) VALUES ($1, $2, $3)`,
					rc.ID, k, t.m[k]); err != nil {
					return fmt.Errorf("store: put recipe %q: %w", rc.ID, err)
				}
			}
		}
		return nil
	})
	return created, err
}

// DeleteRecipe deletes a recipe at a site of the collective; nothing
// else refers to a recipe.
func (s *Store) DeleteRecipe(ctx context.Context, collective, id string) error {
	return s.write(ctx, "delete recipe", func(tx *sql.Tx) error {
		if err := exists(ctx, tx, `SELECT 1 FROM collectives WHERE id = $1`, collective, "collective"); err != nil {
			return err
		}
		owner, found, err := recipeOf(ctx, tx, id)
		if err != nil {
			return err
		}
		if !found || owner != collective {
			return recipeNotFound(collective, id)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM recipes WHERE id = $1`, id); err != nil {
			return fmt.Errorf("store: delete recipe %q: %w", id, err)
		}
		return nil
	})
}

// oneRow returns nil if the statement wrote a row, else the error of
// none.
func oneRow(res sql.Result, none func() error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: rows written: %w", err)
	}
	if n == 0 {
		return none()
	}
	return nil
}
