package store

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// columns returns table.column for every column of every table.
func columns(t *testing.T, s *Store) []string {
	t.Helper()
	var out []string
	for _, table := range tables(t, s) {
		rows, err := s.read.Query("SELECT * FROM " + table + " LIMIT 0")
		if err != nil {
			t.Fatal(err)
		}
		cols, err := rows.Columns()
		rows.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cols {
			out = append(out, table+"."+c)
		}
	}
	return out
}

// forbidden matches columns that would hold what commune must never
// know about a person.
var forbidden = regexp.MustCompile(`legal|surname|birth|immigra|passport|citizen|national|address|street|` +
	`(^|_)(first|last|full|dob|age|visa|country|ssn|postcode|zip|lat|lon|latitude|longitude)(_|$)`)

func testSchema(t *testing.T, fresh func(t *testing.T) Config) {
	s := open(t, fresh(t))
	cols := columns(t, s)
	var members []string
	for _, c := range cols {
		table, col, _ := strings.Cut(c, ".")
		if table == "members" {
			members = append(members, col)
		}
		// Sites are public places and may have a point; nothing else may.
		if table == "sites" && (col == "lat" || col == "lon") {
			continue
		}
		if forbidden.MatchString(col) {
			t.Errorf("column %s may hold personal data commune must not keep", c)
		}
	}
	slices.Sort(members)
	want := []string{"alias", "call_opt_in", "cell", "contact", "created_at", "email_index", "id", "language"}
	if !slices.Equal(members, want) {
		t.Errorf("members has columns %v, want exactly %v: a new field about people needs a review (DESIGN.md, Privacy)", members, want)
	}
}

// testConcurrentWrites checks that writers queue rather than fail: on
// SQLite they share the one writer connection, on PostgreSQL a pool.
func testConcurrentWrites(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	if _, err := s.CreateCollective(ctx, Collective{ID: "c-1", Name: "Plant 1", Kind: Workplace}); err != nil {
		t.Fatal(err)
	}
	const n = 64
	var wg sync.WaitGroup
	errs := make(chan error, 3*n)
	for i := range n {
		wg.Go(func() {
			m, err := s.CreateMember(ctx, Member{ID: fmt.Sprintf("m-%03d", i), Alias: fmt.Sprintf("worker %d", i),
				Language: "es", Cell: "9q5cs", Contact: Contact{Phone: fmt.Sprintf("+1 555 %04d", i)}})
			if err != nil {
				errs <- err
				return
			}
			errs <- s.AddMembership(ctx, m.ID, "c-1", RoleMember)
			_, err = s.Member(ctx, m.ID)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	page, _, err := s.CollectiveMembers(ctx, "c-1", "", MaxLimit)
	if err != nil || len(page) != n {
		t.Errorf("members after %d concurrent writers: %d, %v", n, len(page), err)
	}
}
