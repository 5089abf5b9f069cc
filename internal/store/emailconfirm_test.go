package store

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// testEmailConfirmations: an address given waits, sealed and behind the
// hash of its link, and becomes the member's only through the link,
// once, before it expires, and only if no other member has it; a newer
// address, a new contact, a key rotation and the member's erasure each
// drop it.
func testEmailConfirmations(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	for _, m := range []Member{
		{ID: "m-1", Alias: "Lupe", Language: "es", Cell: "9q5cs", Contact: Contact{Email: "lupe@example.org", Phone: "+1 213 555 0101"}},
		{ID: "m-2", Alias: "Rosa", Language: "es", Cell: "9q5cs", Contact: Contact{Email: "rosa@example.org"}},
	} {
		if _, err := s.CreateMember(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	put := func(secret, email string, expires time.Time) {
		t.Helper()
		c := EmailConfirmation{MemberID: "m-1", Hash: hashOf(secret), Email: email, Expires: expires}
		if err := s.PutEmailConfirmation(ctx, c, t0); err != nil {
			t.Fatal(err)
		}
	}
	emailOf := func(id string) string {
		t.Helper()
		m, err := s.Member(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return m.Contact.Email
	}
	waiting := func() string {
		t.Helper()
		e, _, err := s.EmailToConfirm(ctx, "m-1", t0)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}

	put("cme_first", "lupe.nueva@example.org", t0.Add(EmailConfirmTTL))
	if got := waiting(); got != "lupe.nueva@example.org" {
		t.Errorf("EmailToConfirm: got %q, want the address given", got)
	}
	if got := emailOf("m-1"); got != "lupe@example.org" {
		t.Errorf("before confirming, the member's email: got %q, want the old one", got)
	}
	// The table holds neither the address nor the link's secret.
	for _, r := range rowsOf(t, s, "email_confirmations") {
		if strings.Contains(r, "nueva") || strings.Contains(r, "cme_first") {
			t.Errorf("email_confirmations holds the address or the secret: %s", r)
		}
	}
	if err := s.PutLoginCode(ctx, LoginCode{MemberID: "m-1", Hash: hashOf("123456"), Expires: t0.Add(time.Minute)}, t0); err != nil {
		t.Fatal(err)
	}

	// Whose link it is, read without using it, while it works: not
	// for an unknown link, nor after it expires.
	for _, tc := range []struct {
		secret string
		at     time.Time
		want   string
	}{{"cme_first", t0.Add(time.Hour), "m-1"}, {"cme_first", t0.Add(EmailConfirmTTL), ""}, {"cme_other", t0, ""}} {
		id, err := s.EmailConfirmationFor(ctx, hashOf(tc.secret), tc.at)
		if id != tc.want || (tc.want == "" && !errors.Is(err, ErrConfirmationGone)) || (tc.want != "" && err != nil) {
			t.Errorf("EmailConfirmationFor(%s) at %v: got %q, %v; want %q", tc.secret, tc.at, id, err, tc.want)
		}
	}

	// The link confirms once: the address is the member's, the phone
	// kept, and they are found by it; the old address finds no one, and
	// a login code sent to it no longer works.
	id, err := s.ConfirmEmail(ctx, hashOf("cme_first"), t0.Add(time.Hour))
	if err != nil || id != "m-1" {
		t.Fatalf("ConfirmEmail: got %q, %v", id, err)
	}
	if _, err := s.EmailConfirmationFor(ctx, hashOf("cme_first"), t0.Add(time.Hour)); !errors.Is(err, ErrConfirmationGone) {
		t.Errorf("EmailConfirmationFor a used link: got %v, want ErrConfirmationGone", err)
	}
	if m, err := s.Member(ctx, "m-1"); err != nil || m.Contact != (Contact{Email: "lupe.nueva@example.org", Phone: "+1 213 555 0101"}) {
		t.Errorf("after confirming: got %+v, %v", m, err)
	}
	if m, err := s.MemberByEmail(ctx, "Lupe.Nueva@example.org"); err != nil || m.ID != "m-1" {
		t.Errorf("MemberByEmail of the new address: got %v, %v", m, err)
	}
	wantCode(t, "MemberByEmail of the old address", func() error { _, err := s.MemberByEmail(ctx, "lupe@example.org"); return err }(), CodeNotFound)
	if n := count(t, s, `SELECT COUNT(*) FROM login_codes WHERE member_id = 'm-1'`); n != 0 {
		t.Errorf("a login code to the old address survived the confirmation")
	}
	if got := waiting(); got != "" {
		t.Errorf("after confirming, still waiting: %q", got)
	}
	if _, err := s.ConfirmEmail(ctx, hashOf("cme_first"), t0.Add(time.Hour)); !errors.Is(err, ErrConfirmationGone) {
		t.Errorf("the link used again: got %v, want ErrConfirmationGone", err)
	}

	// An expired link does nothing, and is deleted.
	put("cme_late", "lupe.tarde@example.org", t0.Add(EmailConfirmTTL))
	if _, err := s.ConfirmEmail(ctx, hashOf("cme_late"), t0.Add(EmailConfirmTTL)); !errors.Is(err, ErrConfirmationGone) {
		t.Errorf("an expired link: got %v, want ErrConfirmationGone", err)
	}
	if got := emailOf("m-1"); got != "lupe.nueva@example.org" {
		t.Errorf("after an expired link, the email: got %q", got)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM email_confirmations`); n != 0 {
		t.Errorf("an expired confirmation is still stored")
	}

	// An address another member has by the time of the link attaches
	// nothing, and the link is gone.
	put("cme_taken", "ROSA@example.org", t0.Add(EmailConfirmTTL))
	if _, err := s.ConfirmEmail(ctx, hashOf("cme_taken"), t0); !errors.Is(err, ErrEmailTaken) {
		t.Errorf("an address another member has: got %v, want ErrEmailTaken", err)
	}
	if emailOf("m-1") != "lupe.nueva@example.org" || emailOf("m-2") != "rosa@example.org" {
		t.Errorf("after a taken address: %q and %q", emailOf("m-1"), emailOf("m-2"))
	}
	if n := count(t, s, `SELECT COUNT(*) FROM email_confirmations`); n != 0 {
		t.Errorf("the confirmation of a taken address is still stored")
	}

	// A newer address replaces the one waiting, whose link stops working.
	put("cme_old", "a@example.org", t0.Add(EmailConfirmTTL))
	put("cme_new", "b@example.org", t0.Add(EmailConfirmTTL))
	if _, err := s.ConfirmEmail(ctx, hashOf("cme_old"), t0); !errors.Is(err, ErrConfirmationGone) {
		t.Errorf("a replaced link: got %v, want ErrConfirmationGone", err)
	}
	// A change of the phone alone keeps it; a new contact drops it.
	phone := "+1 213 555 0199"
	if _, err := s.UpdateMember(ctx, "m-1", MemberChange{Phone: &phone}); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Member(ctx, "m-1"); waiting() != "b@example.org" || m.Contact != (Contact{Email: "lupe.nueva@example.org", Phone: phone}) {
		t.Errorf("after a new phone: waiting %q, contact %+v", waiting(), m.Contact)
	}
	if _, err := s.UpdateMember(ctx, "m-1", MemberChange{Contact: &Contact{Phone: phone}}); err != nil {
		t.Fatal(err)
	}
	if got := waiting(); got != "" {
		t.Errorf("after a new contact, still waiting: %q", got)
	}

	// Purged once expired; dropped by a key rotation and an erasure.
	put("cme_purge", "c@example.org", t0.Add(time.Hour))
	if n, err := s.PurgeEmailConfirmations(ctx, t0.Add(2*time.Hour)); err != nil || n != 1 {
		t.Errorf("PurgeEmailConfirmations: got %d, %v, want 1", n, err)
	}
	put("cme_rotate", "d@example.org", t0.Add(EmailConfirmTTL))
	if err := s.RotateKey(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM email_confirmations`); n != 0 {
		t.Errorf("a key rotation left %d confirmations", n)
	}
	put("cme_erase", "e@example.org", t0.Add(EmailConfirmTTL))
	if err := s.DeleteMember(ctx, "m-1"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM email_confirmations`); n != 0 {
		t.Errorf("an erased member's confirmation is still stored")
	}
	wantCode(t, "PutEmailConfirmation of a missing member", s.PutEmailConfirmation(ctx,
		EmailConfirmation{MemberID: "m-1", Hash: hashOf("x"), Email: "x@example.org", Expires: t0.Add(time.Hour)}, t0), CodeNotFound)
	wantCode(t, "PutEmailConfirmation with a bad hash", s.PutEmailConfirmation(ctx,
		EmailConfirmation{MemberID: "m-2", Hash: "123", Email: "x@example.org", Expires: t0.Add(time.Hour)}, t0), CodeInvalid)
}

// testEmailConfirmPhoneKept: a link used while the member's phone is
// being changed (UpdateMember holds their row) attaches the address
// after the change and keeps the new phone: ConfirmEmail reads the
// contact it seals again only once the row is its own. On SQLite the
// one writer serializes the two; on PostgreSQL the row's lock does.
func testEmailConfirmPhoneKept(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	if s.dialect != postgresDialect {
		t.Skip("SQLite's one writer runs one write at a time")
	}
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	if _, err := s.CreateMember(ctx, Member{ID: "m-1", Alias: "Lupe", Language: "es", Cell: "9q5cs",
		Contact: Contact{Email: "lupe@example.org", Phone: "+1 213 555 0101"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutEmailConfirmation(ctx, EmailConfirmation{MemberID: "m-1", Hash: hashOf("s1"), Email: "nueva@example.org",
		Expires: t0.Add(EmailConfirmTTL)}, t0); err != nil {
		t.Fatal(err)
	}
	// A change of the phone, as UpdateMember makes it, under way.
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM members WHERE id = 'm-1' FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	plain, _ := json.Marshal(Contact{Email: "lupe@example.org", Phone: "+1 213 555 0199"})
	if _, err := tx.ExecContext(ctx, `UPDATE members SET contact = $1 WHERE id = 'm-1'`, s.sealContact("m-1", plain)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.ConfirmEmail(ctx, hashOf("s1"), t0)
		done <- err
	}()
	// Wait until the link's use waits for the row.
	for deadline := time.Now().Add(30 * time.Second); ; {
		var n int
		if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
WHERE wait_event_type = 'Lock' AND query LIKE '%members%' AND datname = current_database()`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the link's use never waited for the member's row")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("ConfirmEmail: %v", err)
	}
	m, err := s.Member(ctx, "m-1")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Contact{Email: "nueva@example.org", Phone: "+1 213 555 0199"}); m.Contact != want {
		t.Errorf("got contact %+v, want %+v", m.Contact, want)
	}
}
