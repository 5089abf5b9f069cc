package web

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/commune-org/commune/internal/call"
	"github.com/commune-org/commune/internal/notify"
	"github.com/commune-org/commune/internal/store"
)

// The work of urgent calls in the background: the ring ticker (expire
// stale calls, notify the next ring of each open call when
// call.Policy says so, purge calls whose retention is over) and the
// dispatcher (claim due rows of the outbox, send each through its
// channel, mark it sent or due again with exponential backoff).
//
// It lives in web because it joins the store (calls, outbox, contacts)
// with internal/call (the policy, the signed links) and internal/notify
// (the channels), and DESIGN.md lets only web and cli join them: call
// and notify must not import store. The server owns it so that the
// board's live stream hears at once what the worker changed; any number
// of processes may run it, since the outbox is claimed under a lease.

// CallChannel is one way of reaching a member with a call's notice:
// email, Web Push and SMS (newCalls makes them from Options.Mailer,
// .Pusher and .SMS).
type CallChannel struct {
	// Send delivers n to the member of d on this channel. It answers
	// errNoAddress when the member has no address on it (their row is
	// given up), and otherwise an error that notify.Retryable classes.
	// Its error must not repeat the address: errors go to the log.
	Send func(ctx context.Context, d *store.Delivery, n notify.CallNotice) error
}

// errNoAddress is what a channel answers for a member it cannot reach.
var errNoAddress = errors.New("no address on this channel")

// EmailChannel is the channel of email through m, to the member's
// email address.
func EmailChannel(m *notify.Mailer) CallChannel {
	return CallChannel{Send: func(ctx context.Context, d *store.Delivery, n notify.CallNotice) error {
		if d.Contact.Email == "" {
			return errNoAddress
		}
		return m.Send(ctx, n.Email(d.Contact.Email))
	}}
}

// SMSChannel is the channel of text messages through the gateway g, to
// the member's phone.
func SMSChannel(g *notify.SMS) CallChannel {
	return CallChannel{Send: func(ctx context.Context, d *store.Delivery, n notify.CallNotice) error {
		if d.Contact.Phone == "" {
			return errNoAddress
		}
		return g.Send(ctx, d.Contact.Phone, n.SMS(), n.ID)
	}}
}

// pushChannel is the channel of Web Push through p, to every browser the
// member subscribed (pushTo).
func (s *Server) pushChannel(p *notify.Pusher) CallChannel {
	return CallChannel{Send: func(ctx context.Context, d *store.Delivery, n notify.CallNotice) error {
		return s.pushTo(ctx, p, d.Member, n.Push(), n.ID)
	}}
}

// pushTo sends payload, with the idempotency id, through p to every
// browser member subscribed. A subscription the push service says is
// gone is deleted; the message counts as delivered when one browser took
// it, and is to be tried again when none did and one may later. Without
// a subscription left it answers errNoAddress.
func (s *Server) pushTo(ctx context.Context, p *notify.Pusher, member string, payload []byte, id string) error {
	subs, err := s.store.PushSubscriptions(ctx, member)
	if err != nil {
		return err
	}
	if len(subs) == 0 {
		return errNoAddress
	}
	var last error
	gone := 0
	for _, sub := range subs {
		err := p.Send(ctx, notify.Subscription{Endpoint: sub.Endpoint, Keys: notify.SubscriptionKeys{P256dh: sub.P256dh, Auth: sub.Auth}}, payload, id)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, notify.ErrGone):
			gone++
			if err := s.store.PushSubscriptionGone(ctx, sub.Endpoint); err != nil {
				s.log.Warn("push subscription gone: delete", "err", err)
			}
		default:
			last = err
		}
	}
	if gone == len(subs) {
		return errNoAddress
	}
	return last
}

// CallOptions tune the work of calls; the zero value is usable.
type CallOptions struct {
	Policy    call.Policy   // zero: call.DefaultPolicy
	Tick      time.Duration // how often the ticker runs; zero: 5 s
	Retention time.Duration // zero: store.DefaultCallRetention
	Lease     time.Duration // how long a claimed row is a worker's; zero: 1 min
	Batch     int           // rows claimed at once; zero: 200
	Senders   int           // sends at once; zero: 16
	Attempts  int           // tries before a row is given up; zero: 10
	Backoff   time.Duration // the first retry's delay, doubled each time up to MaxBackoff; zero: 5 s
	// MaxBackoff caps the delay between tries; zero: 10 min.
	MaxBackoff time.Duration
}

func (o *CallOptions) defaults() {
	if o.Policy.Factor <= 0 || o.Policy.Interval <= 0 {
		o.Policy = call.DefaultPolicy
	}
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	set(&o.Tick, 5*time.Second)
	set(&o.Retention, store.DefaultCallRetention)
	set(&o.Lease, time.Minute)
	set(&o.Backoff, 5*time.Second)
	set(&o.MaxBackoff, 10*time.Minute)
	if o.Batch <= 0 {
		o.Batch = 200
	}
	if o.Senders <= 0 {
		o.Senders = 16
	}
	if o.Attempts <= 0 {
		o.Attempts = 10
	}
}

// calls is the server's state of urgent calls: the channels, the key of
// signed links, and the signal of the live boards.
type calls struct {
	opt      CallOptions
	channels map[string]CallChannel
	names    []string // of channels, sorted

	keyMu sync.Mutex
	key   []byte

	// changed is closed, and replaced, whenever a call's board may have
	// changed in this process; boards also look again every second for
	// changes made by other processes.
	mu      sync.Mutex
	changed chan struct{}
	// wake asks the dispatcher to look at the outbox now.
	wake chan struct{}
	// streams ends when the server stops, and the live boards with it:
	// http.Server.Shutdown waits for requests under way, and a stream
	// would never finish on its own.
	streams    context.Context
	endStreams context.CancelFunc
}

func (s *Server) newCalls(opt Options) *calls {
	c := &calls{opt: opt.Calls, channels: map[string]CallChannel{}, changed: make(chan struct{}), wake: make(chan struct{}, 1)}
	c.opt.defaults()
	c.streams, c.endStreams = context.WithCancel(context.Background())
	if opt.Mailer != nil {
		c.channels["email"] = EmailChannel(opt.Mailer)
	}
	if opt.Pusher != nil {
		c.channels["push"] = s.pushChannel(opt.Pusher)
	}
	if opt.SMS != nil {
		c.channels["sms"] = SMSChannel(opt.SMS)
	}
	for name := range c.channels {
		c.names = append(c.names, name)
	}
	slices.Sort(c.names)
	return c
}

// changes returns a channel closed at the next change of a board.
func (c *calls) changes() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.changed
}

// touch tells the boards that a call changed.
func (c *calls) touch() {
	c.mu.Lock()
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
}

// poke wakes the dispatcher.
func (c *calls) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// EndStreams ends the live boards' event streams; give it to
// http.Server.RegisterOnShutdown.
func (s *Server) EndStreams() { s.calls.endStreams() }

// linkKey returns the key of signed answer links, read once.
func (s *Server) linkKey() ([]byte, error) {
	s.calls.keyMu.Lock()
	defer s.calls.keyMu.Unlock()
	if s.calls.key == nil {
		key, err := s.store.LinkKey()
		if err != nil {
			return nil, err
		}
		s.calls.key = key
	}
	return s.calls.key, nil
}

// answerLink is the link of a call's notice to member.
func (s *Server) answerLink(key []byte, callID, member string) string {
	return s.login.origin + "/calls/answer/" + url.PathEscape(call.SignLink(key, callID, member))
}

// RunCalls does the work of calls until ctx ends: the ticker every
// CallOptions.Tick, the dispatcher whenever rows are due. It returns
// once the sends under way have finished (each is bounded by its
// channel's timeout), so that the caller may then close the store.
func (s *Server) RunCalls(ctx context.Context) error {
	var err error
	if s.guard(ctx, "call start", func() { _, err = s.linkKey() }) {
		return errPanic
	}
	if err != nil {
		return err
	}
	tick := time.NewTicker(s.calls.opt.Tick)
	defer tick.Stop()
	for {
		now := time.Now()
		s.CallTick(ctx, now)
		for ctx.Err() == nil {
			var n int
			var err error
			// A panic while claiming or marking rows ends this round's
			// dispatch; the rows it claimed are claimed again when
			// their lease is over.
			if s.guard(ctx, "call dispatch", func() { n, err = s.Dispatch(ctx, time.Now()) }) {
				break
			}
			if err != nil && ctx.Err() == nil {
				s.log.Error("call dispatch", "err", err)
			}
			if n == 0 || err != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case <-s.calls.wake:
		}
	}
}

// CallTick moves calls on at now: it expires or closes calls whose time
// ran out, asks the coordinators and organizers to verify each new
// unverified call, notifies the next ring of every open call that needs
// one, and purges calls whose retention is over. Errors are logged; the
// next tick tries again. Each step, and the ring of each call, is
// guarded (recover.go): one that panics is logged, and the others run,
// so that a call that makes the code panic neither stops the rings of
// the other calls nor the purge.
func (s *Server) CallTick(ctx context.Context, now time.Time) {
	touched := false
	s.guard(ctx, "call tick", func() {
		changed, err := s.store.TickCalls(ctx, now)
		if err != nil {
			s.log.Error("call tick", "err", err)
		}
		touched = len(changed) > 0
	})
	s.guard(ctx, "call verification requests", func() {
		if n, err := s.store.AskVerify(ctx, now, s.calls.names); err != nil {
			s.log.Error("call verification requests", "err", err)
		} else if n > 0 {
			s.log.Info("call verification requests", "notices", n)
			s.calls.poke()
		}
	})
	var open []string
	s.guard(ctx, "call open", func() {
		var err error
		if open, err = s.store.OpenCalls(ctx); err != nil {
			s.log.Error("call tick", "err", err)
		}
	})
	for _, id := range open {
		s.guard(ctx, "call ring", func() {
			n, ring, err := s.store.Ring(ctx, id, now, s.calls.opt.Policy, s.calls.names)
			if err != nil {
				s.log.Error("call ring", "call", id, "err", err)
				return
			}
			if n > 0 {
				s.log.Info("call ring", "call", id, "ring", ring, "targets", n)
				touched = true
				s.calls.poke()
			}
		})
	}
	s.guard(ctx, "call purge", func() {
		if n, err := s.store.PurgeCalls(ctx, now, s.calls.opt.Retention); err != nil {
			s.log.Error("call purge", "err", err)
		} else if n > 0 {
			s.log.Info("calls purged", "calls", n)
		}
	})
	if touched {
		s.calls.touch()
	}
}

// Dispatch claims one batch of due outbox rows at now and sends them,
// several at once; it returns how many it claimed.
func (s *Server) Dispatch(ctx context.Context, now time.Time) (int, error) {
	o := &s.calls.opt
	key, err := s.linkKey()
	if err != nil {
		return 0, err
	}
	ds, err := s.store.ClaimDeliveries(ctx, now, o.Lease, o.Batch)
	if err != nil || len(ds) == 0 {
		return 0, err
	}
	outs := make([]store.Outcome, len(ds))
	sem := make(chan struct{}, o.Senders)
	var wg sync.WaitGroup
	for i := range ds {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			// A send runs on a goroutine of its own: a panic in it
			// would stop the process, whatever its caller recovers.
			// It is recorded as a failed try, tried again later.
			if s.guard(ctx, "call send", func() { outs[i] = s.deliver(ctx, key, &ds[i], now) }) {
				outs[i] = s.failed(&ds[i], now, "panic", true, 0)
			}
		})
	}
	wg.Wait()
	// The outcomes are recorded even when ctx ended (the server stops)
	// during the sends: a row sent must not be sent again, and a row
	// that failed keeps its next time instead of waiting for its lease.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, err := s.store.MarkDeliveries(rctx, outs); err != nil {
		return len(ds), err
	}
	if slices.ContainsFunc(outs, func(o store.Outcome) bool { return o.Sent }) {
		s.calls.touch()
	}
	return len(ds), nil
}

// deliver sends one claimed row and says what became of it at now.
func (s *Server) deliver(ctx context.Context, key []byte, d *store.Delivery, now time.Time) store.Outcome {
	out := store.Outcome{Delivery: d, At: now}
	ch, ok := s.calls.channels[d.Channel]
	switch {
	case !d.Live:
		out.Class = store.ClassCallOver
		return out
	case !ok:
		out.Class = store.ClassNoChannel
		return out
	}
	n := notify.CallNotice{ID: d.Idem, Lang: d.Language, Link: s.answerLink(key, d.Call, d.Member)}
	if d.Verify {
		// The board, behind a sign-in: verifying takes a coordinator's
		// or an organizer's session, not a link anyone forwarded.
		n = notify.CallNotice{ID: d.Idem, Lang: d.Language, Link: s.login.origin + "/calls/" + url.PathEscape(d.Call), Verify: true}
	}
	err := ch.Send(ctx, d, n)
	if errors.Is(err, errNoAddress) {
		out.Class = store.ClassNoAddress
		return out
	}
	if err != nil {
		retry, after := notify.Retryable(err)
		class := "send"
		switch {
		case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
			class, retry = "timeout", true
		case !retry:
			class = "refused"
		}
		return s.failed(d, now, class, retry, after)
	}
	out.Sent = true
	return out
}

// failed is the outcome at now of a try to send d that failed with
// class: tried again after a delay that doubles with each try (at least
// after), when retry says it may be and the tries are not used up.
func (s *Server) failed(d *store.Delivery, now time.Time, class string, retry bool, after time.Duration) store.Outcome {
	o := &s.calls.opt
	out := store.Outcome{Delivery: d, At: now, Class: class}
	// The log gets the call, the channel and the class; the error
	// itself may carry a server's words about the address.
	s.log.Warn("call delivery failed", "call", d.Call, "channel", d.Channel, "attempt", d.Attempts, "class", class)
	if retry && d.Attempts < o.Attempts {
		delay := o.Backoff << min(d.Attempts-1, 20)
		if delay > o.MaxBackoff || delay <= 0 {
			delay = o.MaxBackoff
		}
		out.Next = now.Add(max(delay, after))
	}
	return out
}
