package auth

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestAllow(t *testing.T) {
	anon := Principal{}
	member := Principal{Member: "m1", Role: Member, Passkey: true}
	coord := Principal{Member: "m2", Role: Coordinator, Coordinates: []string{"boyle"}, Passkey: true}
	coordNoKey := coord
	coordNoKey.Passkey = false
	org := Principal{Member: "m3", Role: Organizer, Passkey: true}
	orgNoKey := org
	orgNoKey.Passkey = false
	cases := []struct {
		who        string
		p          Principal
		a          Action
		collective string
		want       bool
	}{
		{"anonymous", anon, ReadSelf, "", false},
		{"anonymous", anon, ReadCollective, "boyle", false},
		{"member", member, ReadSelf, "", true},
		{"member", member, WriteSelf, "", true},
		{"member", member, ReadCollective, "boyle", false},
		{"member", member, ReadAll, "", false},
		{"coordinator", coord, ReadCollective, "boyle", true},
		{"coordinator", coord, WriteCollective, "boyle", true},
		{"coordinator of another", coord, ReadCollective, "pico", false},
		{"coordinator of another", coord, WriteCollective, "pico", false},
		{"coordinator, no collective named", coord, ReadCollective, "", false},
		{"coordinator", coord, ReadAll, "", false},
		{"coordinator without passkey", coordNoKey, ReadCollective, "boyle", false},
		{"coordinator without passkey", coordNoKey, ReadSelf, "", true},
		{"organizer", org, WriteCollective, "pico", true},
		{"organizer", org, WriteAll, "", true},
		{"organizer without passkey", orgNoKey, ReadAll, "", false},
		{"organizer without passkey", orgNoKey, WriteSelf, "", true},
		{"member", member, Edit, "", false},
		{"coordinator", coord, Edit, "", false},
		{"editor", Principal{Member: "m4", Role: Member, Editor: true, Passkey: true}, Edit, "", true},
		{"editor without passkey", Principal{Member: "m4", Role: Member, Editor: true}, Edit, "", false},
		{"editor", Principal{Member: "m4", Role: Member, Editor: true, Passkey: true}, WriteAll, "", false},
		{"anonymous editor flag", Principal{Editor: true, Passkey: true}, Edit, "", false},
		{"organizer", org, Edit, "", true},
		{"organizer without passkey", orgNoKey, Edit, "", false},
	}
	for _, c := range cases {
		if got := Allow(c.p, c.a, c.collective); got != c.want {
			t.Errorf("%s may %v %q: got %v, want %v", c.who, c.a, c.collective, got, c.want)
		}
	}
}

func TestParseRole(t *testing.T) {
	for _, s := range []string{"member", "coordinator", "organizer"} {
		if r, err := ParseRole(s); err != nil || string(r) != s {
			t.Errorf("ParseRole(%q): got %q, %v", s, r, err)
		}
	}
	if _, err := ParseRole("admin"); err == nil {
		t.Error(`ParseRole("admin"): want an error`)
	}
}

func TestSecrets(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		tok := NewToken()
		if seen[tok] {
			t.Fatal("a token came twice")
		}
		seen[tok] = true
		if err := CheckFormat(tok, TokenPrefix); err != nil {
			t.Fatalf("CheckFormat(%q): %v", tok, err)
		}
		if err := CheckFormat(tok, SessionPrefix); !errors.Is(err, ErrMalformed) {
			t.Fatalf("a token passes as a session: %v", err)
		}
		h := Hash(tok)
		if strings.Contains(h, tok[len(TokenPrefix):len(TokenPrefix)+8]) || !Matches(tok, h) || Matches(tok+"x", h) {
			t.Fatalf("hash %q of %q", h, tok)
		}
	}
	for _, bad := range []string{"", "cmt_", "cmt_abc", "xyz_" + NewToken()[4:], NewToken() + "a", "cmt_" + strings.Repeat("1", 52)} {
		if err := CheckFormat(bad, TokenPrefix); !errors.Is(err, ErrMalformed) {
			t.Errorf("CheckFormat(%q): got %v, want ErrMalformed", bad, err)
		}
	}
	if s := NewSession(); CheckFormat(s, SessionPrefix) != nil {
		t.Errorf("session %q malformed", s)
	}
}

func TestCodes(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	code, c, err := NewCode(key, "m1", now)
	if err != nil {
		t.Fatal(err)
	}
	if len(code) != CodeDigits || strings.Trim(code, "0123456789") != "" {
		t.Fatalf("code %q: want %d digits", code, CodeDigits)
	}
	if strings.Contains(c.Hash, code) {
		t.Fatal("the stored hash holds the code")
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	// Right code, other member: wrong.
	if c2 := c; c2.Verify(key, "m2", code, now) != ErrCodeWrong {
		t.Error("a code sent to m1 works for m2")
	}
	if c2 := c; c2.Verify(key, "m1", code, now.Add(CodeTTL)) != ErrCodeExpired {
		t.Error("an expired code works")
	}
	ok := c
	if err := ok.Verify(key, "m1", code, now.Add(time.Minute)); err != nil {
		t.Errorf("the right code: %v", err)
	}
	for i := range CodeAttempts {
		if err := c.Verify(key, "m1", wrong, now); err != ErrCodeWrong {
			t.Fatalf("attempt %d: got %v, want ErrCodeWrong", i+1, err)
		}
	}
	if err := c.Verify(key, "m1", code, now); err != ErrCodeTooMany {
		t.Errorf("after %d wrong attempts the right code: got %v, want ErrCodeTooMany", CodeAttempts, err)
	}
	if _, _, err := NewCode(key[:16], "m1", now); err == nil {
		t.Error("a 16-byte key: want an error")
	}
}

func TestCSRF(t *testing.T) {
	key := bytes.Repeat([]byte{9}, 32)
	s1, s2 := NewSession(), NewSession()
	tok := CSRFToken(key, s1)
	if !CheckCSRF(key, s1, tok) {
		t.Error("the session's own token fails")
	}
	if CheckCSRF(key, s2, tok) {
		t.Error("another session's token passes")
	}
	if CheckCSRF(bytes.Repeat([]byte{8}, 32), s1, tok) {
		t.Error("a token passes under another key")
	}
	if CheckCSRF(key, s1, "") || CheckCSRF(key, "", CSRFToken(key, "")) {
		t.Error("an empty token or session passes")
	}
}

// mustBurst fails the test unless key may act n times at now, and not
// once more.
func mustBurst(t *testing.T, l *Limiter, key string, n int, now time.Time) {
	t.Helper()
	for i := range n {
		if !l.Allow(key, now) {
			t.Fatalf("attempt %d of a burst of %d refused", i+1, n)
		}
	}
	if l.Allow(key, now) {
		t.Fatalf("attempt %d at once allowed, after a burst of %d", n+1, n)
	}
}

func TestLimiter(t *testing.T) {
	l := NewLimiter(time.Second, 3)
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	mustBurst(t, l, "a", 3, now)
	if !l.Allow("b", now) {
		t.Fatal("another key refused")
	}
	if l.Allow("a", now.Add(999*time.Millisecond)) {
		t.Fatal("allowed again before a second passed")
	}
	if !l.Allow("a", now.Add(time.Second)) {
		t.Fatal("refused after a second")
	}
	// Full buckets are forgotten.
	l.Allow("c", now)
	if l.Allow("z", now.Add(time.Hour)); l.Len() != 1 {
		t.Errorf("after an hour the limiter remembers %d keys, want 1 (the new one)", l.Len())
	}
}

// TestLimiterUndo: an action given back is as if it had not been
// asked for, and giving back to a full bucket does not make the burst
// larger.
func TestLimiterUndo(t *testing.T) {
	l := NewLimiter(time.Minute, 2)
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	for i := range 5 {
		if !l.Allow("a", now) {
			t.Fatalf("attempt %d, each given back, refused", i+1)
		}
		l.Undo("a")
	}
	l.Undo("a") // with the bucket full: nothing to give back
	mustBurst(t, l, "a", 2, now)
	l.Undo("b") // never seen: nothing to give back, nothing remembered
	if l.Len() != 1 {
		t.Errorf("the limiter remembers %d keys, want 1", l.Len())
	}
}

func TestLimiterConcurrent(t *testing.T) {
	l := NewLimiter(time.Hour, 100)
	now := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if l.Allow("k", now) {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if allowed != 100 {
		t.Errorf("400 concurrent attempts at a burst of 100: %d allowed", allowed)
	}
}

// TestLimiterMax: however many keys come, and however fast, a limiter
// with Max remembers at most Max of them, and still limits each key it
// remembers.
func TestLimiterMax(t *testing.T) {
	l := NewLimiter(time.Minute, 2)
	l.Max = 100
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	for i := range 10_000 {
		if !l.Allow(strconv.Itoa(i), now) {
			t.Fatalf("new key %d refused", i)
		}
		if l.Len() > l.Max {
			t.Fatalf("after %d keys at once the limiter remembers %d, want at most %d", i+1, l.Len(), l.Max)
		}
	}
	// A key that spent its burst is still refused: keys are shed only
	// to make room for new ones.
	l.Allow("spent", now)
	l.Allow("spent", now)
	if l.Allow("spent", now) {
		t.Error("a key that spent its burst allowed again at once")
	}
	// Without Max, the same keys are all remembered: the bound is Max's.
	l = NewLimiter(time.Minute, 2)
	for i := range 10_000 {
		l.Allow(strconv.Itoa(i), now)
	}
	if l.Len() != 10_000 {
		t.Errorf("without Max: %d keys remembered, want 10000", l.Len())
	}
}
