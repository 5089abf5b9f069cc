package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// hashOf is a stand-in for auth.Hash, which the store does not import.
func hashOf(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func count(t *testing.T, s *Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.read.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func testSessions(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	m, err := s.CreateMember(ctx, Member{ID: "m-ana", Alias: "Ana", Language: "es", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"c-2", "c-1"} {
		if _, err := s.CreateCollective(ctx, Collective{ID: id, Name: id, Kind: Workplace}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddMembership(ctx, m.ID, id, RoleCoordinator); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	h := hashOf("session one")
	if _, err := s.CreateSession(ctx, h, m.ID, true, t0); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	got, err := s.SessionByHash(ctx, h, t0.Add(time.Second))
	if err != nil {
		t.Fatalf("SessionByHash: %v", err)
	}
	if got.MemberID != m.ID || !got.Passkey || got.Organizer || !slices.Equal(got.Coordinates, []string{"c-1", "c-2"}) ||
		!got.Created.Equal(t0) || !got.Expires.Equal(t0.Add(SessionMaxAge)) {
		t.Errorf("SessionByHash: got %+v, want member %s, passkey, coordinator of c-1 and c-2, not organizer", got, m.ID)
	}
	// Roles are read at each request: made organizer, the open session
	// is an organizer's; no longer, it is not.
	for _, org := range []bool{true, false} {
		if err := s.SetOrganizer(ctx, m.ID, org); err != nil {
			t.Fatal(err)
		}
		if got, err := s.SessionByHash(ctx, h, t0.Add(time.Second)); err != nil || got.Organizer != org {
			t.Errorf("after SetOrganizer(%v): got %+v, %v", org, got, err)
		}
	}
	wantCode(t, "SetOrganizer of a missing member", s.SetOrganizer(ctx, "m-nobody", true), CodeNotFound)

	// Idle expiry counts from the last request, which is written back.
	seen := t0.Add(2 * time.Hour)
	if got, err := s.SessionByHash(ctx, h, seen); err != nil || !got.Seen.Equal(seen) {
		t.Fatalf("SessionByHash two hours on: got %+v, %v, want seen at %v", got, err, seen)
	}
	if _, err := s.SessionByHash(ctx, h, seen.Add(SessionIdle-time.Second)); err != nil {
		t.Errorf("a session used %v ago: %v", SessionIdle-time.Second, err)
	}
	_, err = s.SessionByHash(ctx, h, seen.Add(SessionIdle-time.Second).Add(SessionIdle))
	wantCode(t, "an idle session", err, CodeNotFound)
	if n := count(t, s, `SELECT COUNT(*) FROM sessions WHERE hash = $1`, h); n != 0 {
		t.Errorf("an idle session is still stored (%d rows)", n)
	}

	// A session used every eleven hours still ends after SessionMaxAge.
	h2 := hashOf("session two")
	if _, err := s.CreateSession(ctx, h2, m.ID, false, t0); err != nil {
		t.Fatal(err)
	}
	at := t0
	for at.Add(11 * time.Hour).Before(t0.Add(SessionMaxAge)) {
		at = at.Add(11 * time.Hour)
		if _, err := s.SessionByHash(ctx, h2, at); err != nil {
			t.Fatalf("session used every 11 hours, at %v: %v", at.Sub(t0), err)
		}
	}
	_, err = s.SessionByHash(ctx, h2, t0.Add(SessionMaxAge))
	wantCode(t, "a session past its maximum age", err, CodeNotFound)

	// Signing out deletes it.
	h3 := hashOf("session three")
	if _, err := s.CreateSession(ctx, h3, m.ID, false, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(ctx, h3); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	_, err = s.SessionByHash(ctx, h3, t0)
	wantCode(t, "a deleted session", err, CodeNotFound)
	wantCode(t, "DeleteSession twice", s.DeleteSession(ctx, h3), CodeNotFound)

	_, err = s.CreateSession(ctx, "short", m.ID, false, t0)
	wantCode(t, "CreateSession with a bad hash", err, CodeInvalid)
	_, err = s.CreateSession(ctx, hashOf("x"), "m-nobody", false, t0)
	wantCode(t, "CreateSession of a missing member", err, CodeNotFound)

	// A new session prunes the expired ones, of anyone.
	if _, err := s.CreateSession(ctx, hashOf("old"), m.ID, false, t0); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(SessionMaxAge + time.Hour)
	h4 := hashOf("session four")
	if _, err := s.CreateSession(ctx, h4, m.ID, false, later); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM sessions`); n != 1 {
		t.Errorf("sessions after pruning: %d, want 1", n)
	}
	// And they go with their member.
	if err := s.SetOrganizer(ctx, m.ID, true); err != nil {
		t.Fatal(err)
	}
	// The member's export shows them, without the hashes.
	si, err := s.SignIns(ctx, m.ID)
	if err != nil || !si.Organizer || len(si.Sessions) != 1 || si.Sessions[0].Hash != "" ||
		!si.Sessions[0].Created.Equal(later.Truncate(time.Second)) || len(si.Passkeys) != 0 {
		t.Errorf("SignIns: got %+v, %v, want organizer, one session without its hash, no passkeys", si, err)
	}
	_, err = s.SignIns(ctx, "m-nobody")
	wantCode(t, "SignIns of a missing member", err, CodeNotFound)
	if err := s.DeleteMember(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"sessions", "organizers"} {
		if n := count(t, s, `SELECT COUNT(*) FROM `+table+` WHERE member_id = $1`, m.ID); n != 0 {
			t.Errorf("%s of a deleted member: %d rows", table, n)
		}
	}
}

// errWrong stands for auth.ErrCodeWrong.
var errWrong = errors.New("wrong code")

func testLoginCodes(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	for _, id := range []string{"m-1", "m-2"} {
		if _, err := s.CreateMember(ctx, Member{ID: id, Alias: id, Language: "en", Cell: "9q5cs"}); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	first := LoginCode{MemberID: "m-1", Hash: hashOf("123456"), Expires: t0.Add(10 * time.Minute)}
	if err := s.PutLoginCode(ctx, first, t0); err != nil {
		t.Fatalf("PutLoginCode: %v", err)
	}
	// A wrong guess is counted and its error returned.
	wrong := func(c *LoginCode) error { c.Attempts++; return errWrong }
	for i := 1; i <= 3; i++ {
		if err := s.UseLoginCode(ctx, "m-1", wrong); err != errWrong {
			t.Fatalf("wrong guess %d: got %v, want errWrong", i, err)
		}
	}
	var seen LoginCode
	right := func(c *LoginCode) error { seen = *c; c.Attempts++; return nil }
	if err := s.UseLoginCode(ctx, "m-1", right); err != nil {
		t.Fatalf("the right guess: %v", err)
	}
	if seen.Attempts != 3 || seen.Hash != first.Hash || !seen.Expires.Equal(first.Expires) {
		t.Errorf("code as checked: got %+v, want %+v with 3 attempts", seen, first)
	}
	// A code works once.
	wantCode(t, "a used code", s.UseLoginCode(ctx, "m-1", right), CodeNotFound)
	wantCode(t, "a member without a code", s.UseLoginCode(ctx, "m-2", right), CodeNotFound)

	// A new code replaces the old, with no attempts counted.
	if err := s.PutLoginCode(ctx, first, t0); err != nil {
		t.Fatal(err)
	}
	s.UseLoginCode(ctx, "m-1", wrong)
	second := LoginCode{MemberID: "m-1", Hash: hashOf("654321"), Expires: t0.Add(11 * time.Minute)}
	if err := s.PutLoginCode(ctx, second, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.UseLoginCode(ctx, "m-1", right); err != nil || seen.Hash != second.Hash || seen.Attempts != 0 {
		t.Errorf("after a new code: got %+v, %v, want the second code with 0 attempts", seen, err)
	}

	// Guesses at once are each counted: none is lost to another.
	if err := s.PutLoginCode(ctx, first, t0); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := s.UseLoginCode(ctx, "m-1", wrong); err != errWrong {
				t.Errorf("concurrent guess: %v", err)
			}
		})
	}
	wg.Wait()
	if err := s.UseLoginCode(ctx, "m-1", right); err != nil || seen.Attempts != 8 {
		t.Errorf("after 8 guesses at once: %d attempts (%v), want 8", seen.Attempts, err)
	}

	// Expired codes, of anyone, are pruned when a code is stored.
	if err := s.PutLoginCode(ctx, LoginCode{MemberID: "m-2", Hash: hashOf("1"), Expires: t0}, t0.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutLoginCode(ctx, first, t0); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM login_codes WHERE member_id = 'm-2'`); n != 0 {
		t.Errorf("an expired code is still stored")
	}
	wantCode(t, "PutLoginCode with a bad hash", s.PutLoginCode(ctx, LoginCode{MemberID: "m-1", Hash: "123456"}, t0), CodeInvalid)
	wantCode(t, "PutLoginCode of a missing member", s.PutLoginCode(ctx, LoginCode{MemberID: "m-9", Hash: hashOf("1")}, t0), CodeNotFound)
	// The table never holds the code itself.
	for _, r := range rowsOf(t, s, "login_codes") {
		if strings.Contains(r, "123456") {
			t.Errorf("login_codes holds the code: %s", r)
		}
	}
	if err := s.DeleteMember(ctx, "m-1"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM login_codes`); n != 0 {
		t.Errorf("login codes of a deleted member: %d", n)
	}
}

func testEmailIndex(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	cfg := fresh(t)
	s := open(t, cfg)
	rosa, err := s.CreateMember(ctx, Member{ID: "m-rosa", Alias: "Rosa", Language: "es", Cell: "9q5cs",
		Contact: Contact{Email: "Rosa.Organiza@Example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateMember(ctx, Member{ID: "m-quiet", Alias: "Quiet", Language: "en", Cell: "9q5cs",
		Contact: Contact{Phone: "+1 555 0100"}}); err != nil {
		t.Fatal(err)
	}
	for _, typed := range []string{"rosa.organiza@example.org", "  ROSA.organiza@example.ORG ", "Rosa.Organiza@Example.org"} {
		if got, err := s.MemberByEmail(ctx, typed); err != nil || got.ID != rosa.ID || got.Contact != rosa.Contact {
			t.Errorf("MemberByEmail(%q): got %+v, %v, want %s", typed, got, err, rosa.ID)
		}
	}
	for _, typed := range []string{"nadie@example.org", "", "rosa.organiza@example.org.mx"} {
		_, err := s.MemberByEmail(ctx, typed)
		wantCode(t, fmt.Sprintf("MemberByEmail(%q)", typed), err, CodeNotFound)
		if typed != "" && err != nil && strings.Contains(err.Error(), typed) {
			t.Errorf("error %q repeats the email", err)
		}
	}
	// One email, one member: login by email must find exactly one.
	_, err = s.CreateMember(ctx, Member{ID: "m-other", Alias: "Other", Language: "es", Cell: "9q5cs",
		Contact: Contact{Email: "rosa.organiza@EXAMPLE.org"}})
	wantCode(t, "a second member with the same email", err, CodeConflict)
	if err != nil && !strings.HasPrefix(appError(err).Message, "contact.email") {
		t.Errorf("conflict on email: got %q, want it to name contact.email", err)
	}

	// The index is keyed: it is not the plain hash of the email, and it
	// changes with the key.
	index := func() string {
		var v string
		if err := s.read.QueryRow(`SELECT email_index FROM members WHERE id = 'm-rosa'`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := index()
	if before == hashOf("rosa.organiza@example.org") || len(before) != 64 {
		t.Errorf("email_index %q is not a keyed hash", before)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM members WHERE email_index IS NULL`); n != 1 {
		t.Errorf("members without an indexed email: %d, want 1 (the one without an email)", n)
	}
	k1, k2 := s.Key("csrf"), s.Key("login-code")
	if len(k1) != 32 || bytes.Equal(k1, k2) {
		t.Errorf("Key: %d bytes, csrf and login-code equal %v", len(k1), bytes.Equal(k1, k2))
	}
	if err := s.RotateKey(ctx); err != nil {
		t.Fatal(err)
	}
	if after := index(); after == before {
		t.Error("email_index unchanged by RotateKey")
	}
	if bytes.Equal(s.Key("csrf"), k1) {
		t.Error("Key unchanged by RotateKey")
	}
	if got, err := s.MemberByEmail(ctx, "rosa.organiza@example.org"); err != nil || got.ID != rosa.ID {
		t.Errorf("MemberByEmail after RotateKey: got %+v, %v", got, err)
	}
	// A new email is found, the old one no longer, and a code sent to
	// the old one is gone.
	if err := s.PutLoginCode(ctx, LoginCode{MemberID: rosa.ID, Hash: hashOf("1"), Expires: time.Now().Add(time.Hour)}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.SetContact(ctx, rosa.ID, Contact{Email: "rosa@example.net", Phone: "+52 55 0100"}); err != nil {
		t.Fatalf("SetContact: %v", err)
	}
	if got, err := s.MemberByEmail(ctx, "ROSA@example.net"); err != nil || got.ID != rosa.ID || got.Contact.Phone != "+52 55 0100" {
		t.Errorf("MemberByEmail of the new email: got %+v, %v", got, err)
	}
	_, err = s.MemberByEmail(ctx, "rosa.organiza@example.org")
	wantCode(t, "MemberByEmail of the old email", err, CodeNotFound)
	wantCode(t, "the code sent to the old email", s.UseLoginCode(ctx, rosa.ID, func(*LoginCode) error { return nil }), CodeNotFound)
	wantCode(t, "SetContact to another member's email", s.SetContact(ctx, "m-quiet", Contact{Email: "Rosa@example.net"}), CodeConflict)
	wantCode(t, "SetContact of a missing member", s.SetContact(ctx, "m-nobody", Contact{}), CodeNotFound)
	if err := s.SetContact(ctx, rosa.ID, Contact{}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM members WHERE email_index IS NULL AND contact IS NULL`); n != 1 {
		t.Errorf("members without contact or index after clearing Rosa's: %d, want 1", n)
	}
	if err := s.SetContact(ctx, rosa.ID, Contact{Email: "rosa@example.net"}); err != nil {
		t.Fatal(err)
	}
	k3 := s.Key("csrf")
	s.Close()
	s = open(t, cfg)
	if got, err := s.MemberByEmail(ctx, "rosa@example.net"); err != nil || got.ID != rosa.ID {
		t.Errorf("MemberByEmail after reopening: got %+v, %v", got, err)
	}
	if !bytes.Equal(s.Key("csrf"), k3) {
		t.Error("Key differs after reopening with the same key file")
	}
}

// appError returns err's *Error, or an empty one.
func appError(err error) *Error {
	var e *Error
	errors.As(err, &e)
	if e == nil {
		return &Error{}
	}
	return e
}

func testCredentials(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	for _, id := range []string{"m-1", "m-2"} {
		if _, err := s.CreateMember(ctx, Member{ID: id, Alias: id, Language: "en", Cell: "9q5cs"}); err != nil {
			t.Fatal(err)
		}
	}
	h1, err := s.PasskeyHandle(ctx, "m-1")
	if err != nil || len(h1) != 32 {
		t.Fatalf("PasskeyHandle: %x, %v, want 32 bytes", h1, err)
	}
	if again, err := s.PasskeyHandle(ctx, "m-1"); err != nil || !bytes.Equal(again, h1) {
		t.Errorf("PasskeyHandle twice: got %x, %v, want %x", again, err, h1)
	}
	h2, err := s.PasskeyHandle(ctx, "m-2")
	if err != nil || bytes.Equal(h2, h1) {
		t.Errorf("PasskeyHandle of another member: got %x, %v", h2, err)
	}
	if bytes.Contains(h1, []byte("m-1")) {
		t.Error("the handle holds the member's id")
	}
	if id, err := s.MemberByPasskeyHandle(ctx, h1); err != nil || id != "m-1" {
		t.Errorf("MemberByPasskeyHandle: got %q, %v, want m-1", id, err)
	}
	_, err = s.MemberByPasskeyHandle(ctx, []byte("nobody"))
	wantCode(t, "MemberByPasskeyHandle of an unknown handle", err, CodeNotFound)
	_, err = s.PasskeyHandle(ctx, "m-9")
	wantCode(t, "PasskeyHandle of a missing member", err, CodeNotFound)

	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	c := Credential{ID: []byte{1, 2, 3, 4}, MemberID: "m-1", PublicKey: []byte("cose key"), SignCount: 7, Flags: 0x45,
		AAGUID: make([]byte, 16), AttestationType: "none", AttestationFormat: "none"}
	if err := s.AddCredential(ctx, c, t0); err != nil {
		t.Fatalf("AddCredential: %v", err)
	}
	c2 := Credential{ID: []byte{9}, MemberID: "m-1", PublicKey: []byte("other key")}
	if err := s.AddCredential(ctx, c2, t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Credentials(ctx, "m-1")
	c.Created, c2.Created = t0, t0.Add(time.Second)
	c2.AAGUID = nil
	if err != nil || len(got) != 2 || fmt.Sprint(got[0]) != fmt.Sprint(c) || fmt.Sprint(got[1]) != fmt.Sprint(c2) {
		t.Errorf("Credentials: got %+v, %v, want %+v and %+v", got, err, c, c2)
	}
	if si, err := s.SignIns(ctx, "m-1"); err != nil || len(si.Passkeys) != 2 || !bytes.Equal(si.Passkeys[0].ID, c.ID) {
		t.Errorf("SignIns: got %+v, %v, want the two passkeys", si, err)
	}
	if got, err := s.Credentials(ctx, "m-2"); err != nil || len(got) != 0 {
		t.Errorf("Credentials of a member without any: got %+v, %v", got, err)
	}
	wantCode(t, "the same credential twice", s.AddCredential(ctx, Credential{ID: c.ID, MemberID: "m-2", PublicKey: []byte("k")}, t0), CodeConflict)
	wantCode(t, "an empty credential id", s.AddCredential(ctx, Credential{MemberID: "m-1", PublicKey: []byte("k")}, t0), CodeInvalid)
	wantCode(t, "no public key", s.AddCredential(ctx, Credential{ID: []byte{5}, MemberID: "m-1"}, t0), CodeInvalid)
	wantCode(t, "a missing member", s.AddCredential(ctx, Credential{ID: []byte{5}, MemberID: "m-9", PublicKey: []byte("k")}, t0), CodeNotFound)

	c.SignCount, c.Flags, c.CloneWarning = 8, 0x05, true
	if err := s.UseCredential(ctx, c, t0.Add(time.Hour)); err != nil {
		t.Fatalf("UseCredential: %v", err)
	}
	got, _ = s.Credentials(ctx, "m-1")
	if got[0].SignCount != 8 || got[0].Flags != 0x05 || !got[0].CloneWarning || !got[0].Used.Equal(t0.Add(time.Hour)) {
		t.Errorf("after UseCredential: got %+v", got[0])
	}
	wrongOwner := c
	wrongOwner.MemberID = "m-2"
	wantCode(t, "UseCredential by another member", s.UseCredential(ctx, wrongOwner, t0), CodeNotFound)

	if err := s.DeleteMember(ctx, "m-1"); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"credentials", "passkey_users"} {
		if n := count(t, s, `SELECT COUNT(*) FROM `+table+` WHERE member_id = 'm-1'`); n != 0 {
			t.Errorf("%s of a deleted member: %d rows", table, n)
		}
	}
}
