package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A Mailer keeps its SMTP connections open and sends message after
// message on each (RFC 5321 section 3.3: a session may carry many mail
// transactions), so that a ring of thousands of emails costs one dial,
// one greeting, one TLS handshake and one login per connection instead
// of per message. The defaults follow Postfix's SMTP client: at most 20
// connections at once to the server (default_destination_concurrency_limit),
// none reused after 300 s (smtp_connection_reuse_time_limit).
const (
	defaultMaxConns    = 20
	defaultMaxMessages = 100
	defaultIdle        = 30 * time.Second
	reuseLimit         = 300 * time.Second
	quitTimeout        = 5 * time.Second
)

// session is one SMTP connection, greeted, secured and logged in, ready
// for MAIL FROM.
type session struct {
	conn  net.Conn
	c     *smtp.Client
	max   int       // messages it may carry: MaxMessages, or less if the server says so
	sent  int       // transactions begun on it
	dirty bool      // the last transaction failed: RSET before the next
	born  time.Time // when it was dialled
	used  time.Time // when it was last put back
}

// pool is the Mailer's open connections. Sends hold a slot while they
// use a connection, so that no more than MaxConns are open: a
// connection is dialled only when none is idle, and put back idle when
// its send ends.
type pool struct {
	once   sync.Once
	slots  chan struct{}
	mu     sync.Mutex
	idle   []*session // least recently used first
	timer  *time.Timer
	closed bool
}

func (m *Mailer) init() {
	m.pool.once.Do(func() {
		n := m.MaxConns
		if n <= 0 {
			n = defaultMaxConns
		}
		m.pool.slots = make(chan struct{}, n)
	})
}

// deliver sends msg from m.from to to on a connection of the pool.
func (m *Mailer) deliver(ctx context.Context, to string, msg []byte) error {
	m.init()
	select {
	case m.pool.slots <- struct{}{}:
	case <-ctx.Done():
		return &DeliveryError{Channel: "email", Retry: true, Err: fmt.Errorf("notify: email: wait for a connection: %w", ctx.Err())}
	}
	defer func() { <-m.pool.slots }()
	for {
		s := m.take()
		reused := s != nil
		if s == nil {
			var err error
			if s, err = m.dial(ctx); err != nil {
				return err
			}
		}
		keep, err := m.transact(ctx, s, to, msg)
		if keep {
			m.put(s)
		} else {
			s.close(false)
		}
		// A connection that sat idle may have been closed by the
		// server (timeout, restart) or may have reached the server's
		// limit of messages; if it failed before the server could
		// have taken the message, the message goes on a new one.
		if err != nil && reused && stale(err) {
			continue
		}
		return err
	}
}

// staleError marks a failure of a reused connection before the server
// could have accepted the message: at RSET or MAIL FROM, by a broken
// connection or a reply 421 (the server is closing the session).
type staleError struct{ err error }

func (e *staleError) Error() string { return e.err.Error() }
func (e *staleError) Unwrap() error { return e.err }

func stale(err error) bool {
	var se *staleError
	return errors.As(err, &se)
}

// transact runs one mail transaction on s, and says whether s may carry
// another one.
func (m *Mailer) transact(ctx context.Context, s *session, to string, msg []byte) (keep bool, err error) {
	deadline, _ := ctx.Deadline()
	s.conn.SetDeadline(deadline)
	// A context ended early (the server shuts down) cuts the connection.
	stop := context.AfterFunc(ctx, func() { s.conn.SetDeadline(time.Now()) })
	defer func() {
		if !stop() {
			keep = false
		}
		if keep {
			s.conn.SetDeadline(time.Time{})
		}
	}()
	first := s.sent == 0
	s.sent++
	// fail classifies the failure of step: a reply other than 421
	// leaves the session usable after a RSET; anything else ends it.
	fail := func(step string, err error) (bool, error) {
		s.dirty = true
		var te *textproto.Error
		usable := errors.As(err, &te) && te.Code != 421
		de := stepError(step, err)
		if !first && (step == "rset" || step == "mail from") && !usable {
			return false, &staleError{de}
		}
		return usable, de
	}
	if s.dirty {
		if err := s.c.Reset(); err != nil {
			return fail("rset", err)
		}
		s.dirty = false
	}
	if err := s.c.Mail(m.from); err != nil {
		return fail("mail from", err)
	}
	if err := s.c.Rcpt(to); err != nil {
		return fail("rcpt to", err)
	}
	w, err := s.c.Data()
	if err != nil {
		return fail("data", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fail("data", err)
	}
	if err := w.Close(); err != nil {
		return fail("data", err)
	}
	return true, nil
}

// dial opens, greets, secures and logs in a new connection.
func (m *Mailer) dial(ctx context.Context) (*session, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", m.addr)
	if err != nil {
		return nil, &DeliveryError{Channel: "email", Retry: true, Err: fmt.Errorf("notify: email: %w", err)}
	}
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	s, err := m.greet(conn)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return s, nil
}

func (m *Mailer) greet(conn net.Conn) (*session, error) {
	c, err := smtp.NewClient(conn, m.host)
	if err != nil {
		return nil, stepError("greeting", err)
	}
	if err := c.Hello(domainOf(m.from)); err != nil {
		return nil, stepError("hello", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := &tls.Config{ServerName: m.host, MinVersion: tls.VersionTLS12}
		if m.TLS != nil {
			cfg = m.TLS.Clone()
			if cfg.ServerName == "" {
				cfg.ServerName = m.host
			}
		}
		if err := c.StartTLS(cfg); err != nil {
			return nil, stepError("starttls", err)
		}
	}
	if m.auth {
		if err := c.Auth(smtp.PlainAuth("", m.user, m.pass, m.host)); err != nil {
			return nil, stepError("auth", err)
		}
	}
	s := &session{conn: conn, c: c, max: m.MaxMessages, born: time.Now()}
	if s.max <= 0 {
		s.max = defaultMaxMessages
	}
	// A server may say how many transactions it takes in one session
	// (RFC 9422, LIMITS MAILMAX=n).
	if ok, params := c.Extension("LIMITS"); ok {
		if n := mailMax(params); n > 0 && n < s.max {
			s.max = n
		}
	}
	return s, nil
}

// mailMax reads MAILMAX from the parameters of LIMITS; 0 if absent.
func mailMax(params string) int {
	for _, f := range strings.Fields(params) {
		k, v, ok := strings.Cut(f, "=")
		if ok && strings.EqualFold(k, "MAILMAX") {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				return n
			}
		}
	}
	return 0
}

// take returns the most recently used idle connection, or nil.
func (m *Mailer) take() *session {
	p := &m.pool
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.idle) == 0 {
		return nil
	}
	s := p.idle[len(p.idle)-1]
	p.idle = p.idle[:len(p.idle)-1]
	return s
}

// put makes s idle, or ends it if it has carried its share, is too old
// or the Mailer is closed.
func (m *Mailer) put(s *session) {
	p := &m.pool
	now := time.Now()
	p.mu.Lock()
	if p.closed || s.sent >= s.max || now.Sub(s.born) >= reuseLimit {
		p.mu.Unlock()
		s.close(true)
		return
	}
	s.used = now
	p.idle = append(p.idle, s)
	if p.timer == nil {
		p.timer = time.AfterFunc(m.idleTimeout(), m.reap)
	}
	p.mu.Unlock()
}

func (m *Mailer) idleTimeout() time.Duration {
	if m.IdleTimeout > 0 {
		return m.IdleTimeout
	}
	return defaultIdle
}

// reap ends the connections idle for IdleTimeout, and runs again when
// the next one will have been.
func (m *Mailer) reap() {
	p := &m.pool
	idle := m.idleTimeout()
	now := time.Now()
	p.mu.Lock()
	n := 0
	for n < len(p.idle) && now.Sub(p.idle[n].used) >= idle {
		n++
	}
	old := append([]*session(nil), p.idle[:n]...)
	p.idle = append(p.idle[:0], p.idle[n:]...)
	p.timer = nil
	if len(p.idle) > 0 && !p.closed {
		p.timer = time.AfterFunc(idle-now.Sub(p.idle[0].used), m.reap)
	}
	p.mu.Unlock()
	for _, s := range old {
		s.close(true)
	}
}

// Close ends the idle connections with QUIT, and the others when their
// sends end. A Mailer closed still sends, one connection a message.
func (m *Mailer) Close() error {
	p := &m.pool
	p.mu.Lock()
	p.closed = true
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, s := range idle {
		s.close(true)
	}
	return nil
}

// close ends s, politely (QUIT, briefly waited for) if quit.
func (s *session) close(quit bool) {
	if quit {
		s.conn.SetDeadline(time.Now().Add(quitTimeout))
		s.c.Quit()
	}
	s.c.Close()
}
