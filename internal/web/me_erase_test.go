package web

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/store/storetest"
)

// Acceptance 5 of issue 4: after DELETE /api/v1/me, no row of any table
// refers to the member. The test reads the list of tables from the
// database itself, so that a table someone adds later is walked too,
// and looks in every column of every row.

// database is a fresh database for one test: its Config, and a raw
// connection to it for reading what the store wrote.
type database struct {
	cfg store.Config
	raw *sql.DB
	pg  bool
}

// eachDatabase runs fn on a fresh SQLite database, and on a fresh schema
// of the PostgreSQL of COMMUNE_TEST_POSTGRES when it is set (with
// COMMUNE_STRICT set and no PostgreSQL, that half fails instead of
// skipping).
func eachDatabase(t *testing.T, fn func(t *testing.T, db database)) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		cfg := store.Config{DataDir: dir}
		// Opening the store first creates the file, in WAL mode.
		st, err := store.Open(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
		raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, store.DBFile)+"?_pragma=busy_timeout(5000)")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		fn(t, database{cfg: cfg, raw: raw})
	})
	t.Run("postgres", func(t *testing.T) {
		u, _ := storetest.Schema(t, storetest.Server(t))
		raw, err := sql.Open("pgx", u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		fn(t, database{cfg: store.Config{PostgresURL: u, KeyFile: filepath.Join(t.TempDir(), "key")}, raw: raw, pg: true})
	})
}

// newEnvOn is newEnv on the database of cfg.
func newEnvOn(t *testing.T, cfg store.Config) *env {
	t.Helper()
	st, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var log bytes.Buffer
	srv := New(st, slog.New(slog.NewJSONHandler(&log, nil)), Options{})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return &env{store: st, srv: srv, http: srv.Handler(), log: &log}
}

// tablesOf lists the tables of the database, as the database itself
// knows them.
func tablesOf(t *testing.T, db database) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if db.pg {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := db.raw.Query(q)
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

// findMarks walks every column of every row of every table and returns
// "table.column: mark" for each value that holds one of the marks.
func findMarks(t *testing.T, db database, marks map[string][]byte) []string {
	t.Helper()
	var found []string
	for _, table := range tablesOf(t, db) {
		rows, err := db.raw.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("read %s: %v", table, err)
			}
			for i, v := range vals {
				var b []byte
				switch v := v.(type) {
				case nil:
					continue
				case []byte:
					b = v
				case string:
					b = []byte(v)
				default:
					b = fmt.Append(nil, v)
				}
				for name, m := range marks {
					if bytes.Contains(b, m) {
						found = append(found, table+"."+cols[i]+": "+name)
					}
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		rows.Close()
	}
	slices.Sort(found)
	return slices.Compact(found)
}

func TestDeleteMeLeavesNoRow(t *testing.T) {
	eachDatabase(t, func(t *testing.T, db database) {
		e := newEnvOn(t, db.cfg)
		ctx := context.Background()
		const alias = "Rosa Elvira Quintanilla"
		id, tok := e.member(t, alias)
		_, other := e.member(t, "Stays")
		if _, err := e.store.CreateCollective(ctx, store.Collective{ID: "c-garment", Name: "Garment 7", Kind: store.Workplace}); err != nil {
			t.Fatal(err)
		}
		if err := e.store.AddMembership(ctx, id, "c-garment", store.RoleCoordinator); err != nil {
			t.Fatal(err)
		}
		if err := e.store.AddMembership(ctx, id, "boyle-heights", store.RoleMember); err != nil {
			t.Fatal(err)
		}
		coordTok := auth.NewToken()
		if _, err := e.store.CreateToken(ctx, store.Token{Hash: auth.Hash(coordTok), MemberID: id, Role: "coordinator", Collective: "c-garment"}); err != nil {
			t.Fatal(err)
		}
		// A token she revoked: the audit log keeps the revocation.
		revoked := auth.NewToken()
		if _, err := e.store.CreateToken(ctx, store.Token{Hash: auth.Hash(revoked), MemberID: id, Role: "member"}); err != nil {
			t.Fatal(err)
		}
		e.json(t, "DELETE", "/api/v1/me/tokens/"+auth.Hash(revoked)[:store.TokenIDLen], tok, nil, 204, nil)
		if err := e.store.SetContact(ctx, id, store.Contact{Email: "rosa.e.q@example.net"}); err != nil {
			t.Fatal(err)
		}
		e.json(t, "PATCH", "/api/v1/me", tok, map[string]any{"contact": map[string]string{"email": "rosa.e.q@example.net", "phone": "+52 55 5555 0142"},
			"call_opt_in": true}, 200, nil)
		// A new email she gave, waiting for its confirmation
		// (emailconfirm.go).
		confirm := auth.NewEmailConfirm()
		if err := e.store.PutEmailConfirmation(ctx, store.EmailConfirmation{MemberID: id, Hash: auth.Hash(confirm),
			Email: "rosa.nueva@example.net", Expires: time.Now().Add(time.Hour)}, time.Now()); err != nil {
			t.Fatal(err)
		}
		var sealedWaiting []byte
		if err := db.raw.QueryRow(`SELECT email FROM email_confirmations WHERE member_id = $1`, id).Scan(&sealedWaiting); err != nil {
			t.Fatalf("sealed email waiting: %v", err)
		}
		var needs []string
		for _, p := range []string{"meal", "clinic-visit"} {
			var n needBody
			e.json(t, "POST", "/api/v1/me/needs", tok, map[string]any{"product": p, "qty": 2, "tier": "essential"}, 201, &n)
			needs = append(needs, n.ID)
		}
		e.json(t, "PUT", "/api/v1/me/commitment", tok, map[string]any{"hours": 8, "skills": []string{"cook", "drive"}, "max_km": 5}, 200, nil)
		run := e.finishPlan(t, id, needs)

		var sealed []byte
		if err := db.raw.QueryRow(`SELECT contact FROM members WHERE id = $1`, id).Scan(&sealed); err != nil || len(sealed) == 0 {
			t.Fatalf("sealed contact: %d bytes, %v", len(sealed), err)
		}
		// A phone subscribed to Web Push (push.go).
		endpoint := "https://fcm.googleapis.com/fcm/send/rosa-phone-7Qx:APA91b"
		if _, err := e.store.AddPushSubscription(ctx, id, store.PushSubscription{Endpoint: endpoint, P256dh: "BPhone", Auth: "phoneAuth"}); err != nil {
			t.Fatal(err)
		}
		var sealedPush []byte
		var pushIndex string
		if err := db.raw.QueryRow(`SELECT subscription, endpoint_index FROM push_subscriptions WHERE member_id = $1`, id).Scan(&sealedPush, &pushIndex); err != nil {
			t.Fatalf("sealed push subscription: %v", err)
		}
		marks := map[string][]byte{
			"member id":      []byte(id),
			"alias":          []byte(alias),
			"sealed contact": sealed,
			"email":          []byte("rosa.e.q@example.net"),
			"phone":          []byte("5555 0142"),
			"token hash":     []byte(auth.Hash(tok)),
			"push endpoint":  []byte("rosa-phone-7Qx"),
			"sealed push":    sealedPush,
			"push index":     []byte(pushIndex),
			"email waiting":  []byte("rosa.nueva@example.net"),
			"sealed waiting": sealedWaiting,
			"confirm hash":   []byte(auth.Hash(confirm)),
		}
		for i, n := range needs {
			marks[fmt.Sprintf("need %d", i)] = []byte(n)
		}
		// The walk finds the member everywhere they were put: it looks
		// in the right places.
		before := findMarks(t, db, marks)
		for _, want := range []string{"members.id: member id", "members.alias: alias", "members.contact: sealed contact",
			"memberships.member_id: member id", "needs.member_id: member id", "needs.id: need 1", "commitments.member_id: member id",
			"commitment_skills.member_id: member id", "tokens.member_id: member id", "tokens.hash: token hash",
			"plan_runs.plan: member id", "plan_runs.plan: need 0",
			"push_subscriptions.member_id: member id", "push_subscriptions.subscription: sealed push",
			"push_subscriptions.endpoint_index: push index",
			"email_confirmations.member_id: member id", "email_confirmations.email: sealed waiting",
			"email_confirmations.hash: confirm hash"} {
			if !slices.Contains(before, want) {
				t.Errorf("before DELETE, the walk does not find %q; found %q", want, before)
			}
		}

		e.json(t, "DELETE", "/api/v1/me", tok, nil, 204, nil)
		if after := findMarks(t, db, marks); len(after) > 0 {
			t.Errorf("after DELETE /api/v1/me, rows still refer to the member: %q", after)
		}
		t.Logf("walked %d tables", len(tablesOf(t, db)))
		// Everyone else is still there, and the plan still holds them.
		e.json(t, "GET", "/api/v1/me", other, nil, 200, nil)
		r, err := e.store.PlanRun(ctx, run)
		if err != nil || !bytes.Contains(r.Plan, []byte(`"m-01"`)) {
			t.Errorf("the plan lost the other members: %v", err)
		}
		for _, tk := range []string{tok, coordTok} {
			if r := e.do(t, "GET", "/api/v1/me", tk, "", nil); r.status != 401 {
				t.Errorf("a deleted member's token: got %d, want 401", r.status)
			}
		}
	})
}
