package auth

import (
	"sync"
	"time"
)

// Limiter is a token bucket per key: each key may act Burst times at once
// and then once every Every. Keys live in memory only and are forgotten
// once their bucket is full again; pass a pseudonymous key (a hash of
// the address typed, the member id), and nothing here is ever logged.
type Limiter struct {
	Every time.Duration
	Burst int
	// Max, if not 0, is how many keys the limiter remembers at most
	// (shed). Without it, memory is bounded only by how fast new keys
	// can come: enough when a limit over all is asked first, as it is
	// for the keys of emails, not when anyone can bring new keys at
	// will, as a client with many addresses can.
	Max int

	mu      sync.Mutex
	buckets map[string]bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// NewLimiter returns a limiter allowing burst actions at once, then one
// per every.
func NewLimiter(every time.Duration, burst int) *Limiter {
	return &Limiter{Every: every, Burst: burst, buckets: map[string]bucket{}}
}

// Allow reports whether key may act at now, and if so counts the action.
func (l *Limiter) Allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > l.refill() {
		l.sweep(now)
	}
	b, ok := l.buckets[key]
	if !ok {
		if l.Max > 0 && len(l.buckets) >= l.Max {
			l.shed(now)
		}
		b = bucket{tokens: float64(l.Burst), at: now}
	}
	b.tokens = min(float64(l.Burst), b.tokens+float64(now.Sub(b.at))/float64(l.Every))
	b.at = now
	if b.tokens < 1 {
		l.buckets[key] = b
		return false
	}
	b.tokens--
	l.buckets[key] = b
	return true
}

// Undo gives back to key an action Allow counted that did not happen
// after all (a form refused, once the limit was asked, for another of
// its fields), so that only what was done counts. Asking first and
// giving back keeps the limit when the same key acts from two requests
// at once, which asking only once the action is done would not. A key
// forgotten meanwhile has a full bucket already.
func (l *Limiter) Undo(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.buckets[key]; ok {
		b.tokens = min(float64(l.Burst), b.tokens+1)
		l.buckets[key] = b
	}
}

// refill is how long an empty bucket takes to fill.
func (l *Limiter) refill() time.Duration { return time.Duration(l.Burst) * l.Every }

// sweep forgets the keys whose buckets are full again: they are the same
// as keys never seen.
func (l *Limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if now.Sub(b.at) >= l.refill() {
			delete(l.buckets, k)
		}
	}
	l.swept = now
}

// shed makes room for new keys when Max are remembered: it forgets the
// full buckets, then others, in no chosen order, until a quarter of Max
// is free. A key forgotten before its bucket is full gets a full one
// again, as a new key does: for a limit per client, a client holding
// enough addresses to fill the limiter gains nothing it could not get
// by using a new address each time, and a limit over all still holds
// it. Freeing a quarter at once keeps the work per new key constant:
// one pass over Max keys for every Max/4 new ones.
func (l *Limiter) shed(now time.Time) {
	l.sweep(now)
	keep := l.Max * 3 / 4
	for k := range l.buckets {
		if len(l.buckets) <= keep {
			break
		}
		delete(l.buckets, k)
	}
}

// Len is how many keys the limiter remembers.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
