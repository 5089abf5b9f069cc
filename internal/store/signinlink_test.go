package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// testSignInLinks: a sign-in link names its member until it is used,
// replaced or expired, works once, and goes with its member; the
// table holds its hash only.
func testSignInLinks(t *testing.T, fresh func(t *testing.T) Config) {
	ctx := context.Background()
	s := open(t, fresh(t))
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	m, err := s.CreateMember(ctx, Member{ID: "m-1", Alias: "Carla", Language: "es", Cell: "9q5cs"})
	if err != nil {
		t.Fatal(err)
	}
	hash := func(c byte) string { return strings.Repeat(string(c), 64) }
	until := now.Add(SignInLinkTTL)
	wantCode(t, "a link for nobody", s.PutSignInLink(ctx, "m-none", hash('a'), until, now), CodeNotFound)
	wantCode(t, "a short hash", s.PutSignInLink(ctx, m.ID, "abc", until, now), CodeInvalid)

	if err := s.PutSignInLink(ctx, m.ID, hash('a'), until, now); err != nil {
		t.Fatal(err)
	}
	if got, err := s.SignInLinkFor(ctx, hash('a'), now); err != nil || got != m.ID {
		t.Errorf("SignInLinkFor: got %q, %v; want %s", got, err, m.ID)
	}
	// A new link replaces the old one.
	if err := s.PutSignInLink(ctx, m.ID, hash('b'), until, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignInLinkFor(ctx, hash('a'), now); !errors.Is(err, ErrSignInLinkGone) {
		t.Errorf("the replaced link: got %v, want ErrSignInLinkGone", err)
	}
	if _, err := s.UseSignInLink(ctx, hash('a'), now); !errors.Is(err, ErrSignInLinkGone) {
		t.Errorf("using the replaced link: got %v, want ErrSignInLinkGone", err)
	}
	for _, r := range rowsOf(t, s, "signin_links") {
		if !strings.Contains(r, hash('b')) {
			t.Errorf("signin_links holds %q, want the hash of the new link only", r)
		}
	}
	// It works once.
	if got, err := s.UseSignInLink(ctx, hash('b'), now); err != nil || got != m.ID {
		t.Errorf("UseSignInLink: got %q, %v; want %s", got, err, m.ID)
	}
	if _, err := s.UseSignInLink(ctx, hash('b'), now); !errors.Is(err, ErrSignInLinkGone) {
		t.Errorf("a link used twice: got %v, want ErrSignInLinkGone", err)
	}
	// Not after it expires, and an expired link is deleted as it is tried.
	if err := s.PutSignInLink(ctx, m.ID, hash('c'), until, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignInLinkFor(ctx, hash('c'), until); !errors.Is(err, ErrSignInLinkGone) {
		t.Errorf("an expired link: got %v, want ErrSignInLinkGone", err)
	}
	if _, err := s.UseSignInLink(ctx, hash('c'), until); !errors.Is(err, ErrSignInLinkGone) {
		t.Errorf("using an expired link: got %v, want ErrSignInLinkGone", err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM signin_links`); n != 0 {
		t.Errorf("after an expired link was tried: %d rows, want none", n)
	}
	// It goes with its member.
	if err := s.PutSignInLink(ctx, m.ID, hash('d'), until, now); err != nil {
		t.Fatal(err)
	}
	// Each link made is in the audit log, from the command line, for
	// the member (the four made, not the two refused).
	es, _, err := s.AuditLog(ctx, AuditFilter{Action: AuditSignInLink}, "", 100)
	if err != nil || len(es) != 4 {
		t.Fatalf("the audit log's sign-in links: got %d, %v; want 4", len(es), err)
	}
	for _, e := range es {
		if e.Actor != AuditCLI || e.Subject != s.Pseudonym(m.ID) || e.Collective != "" {
			t.Errorf("an audit entry of a sign-in link: got %+v; want from the command line, for %s", e, s.Pseudonym(m.ID))
		}
	}
	if err := s.DeleteMember(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM signin_links`); n != 0 {
		t.Errorf("after the member left: %d rows, want none", n)
	}
}
