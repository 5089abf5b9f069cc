// Package smtptest runs a real SMTP server (github.com/emersion/go-smtp)
// on a loopback port for tests, optionally with STARTTLS and a password,
// and hands every message it receives to the test. Only tests import it.
package smtptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options configure a Server.
type Options struct {
	// TLS offers STARTTLS with a certificate for 127.0.0.1 made for
	// the server; Server.ClientTLS trusts it.
	TLS bool
	// User and Password, when set, are required (AUTH PLAIN, over TLS
	// only).
	User, Password string
	// RejectRcpt refuses every recipient with a reply that repeats the
	// address, as many servers do.
	RejectRcpt bool
	// DeferRcpt refuses every recipient for now (451), as a server
	// does when it is busy or greylisting.
	DeferRcpt bool
}

// Server is an SMTP server listening on 127.0.0.1.
type Server struct {
	// URL is the smtp:// URL of the server, with the user and password.
	URL string
	// Messages receives each message delivered, in order.
	Messages chan Message
	// ClientTLS trusts the server's certificate (nil without TLS).
	ClientTLS *tls.Config
	opt       Options
	ln        *listener
}

// Message is one message as delivered.
type Message struct {
	From string
	To   []string
	Data []byte
	// TLS says whether the message came over TLS.
	TLS bool
}

// Start starts a server that stops when the test ends.
func Start(t testing.TB, opt Options) *Server {
	t.Helper()
	s := &Server{Messages: make(chan Message, 100), opt: opt}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	if opt.TLS {
		cert, pool := certificate(t)
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		s.ClientTLS = &tls.Config{RootCAs: pool}
	}
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &listener{Listener: inner, open: map[*conn]bool{}}
	s.ln = ln
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	u := url.URL{Scheme: "smtp", Host: ln.Addr().String()}
	if opt.User != "" {
		u.User = url.UserPassword(opt.User, opt.Password)
	}
	s.URL = u.String()
	return s
}

// Connections returns how many connections clients have opened so
// far, and how many of them are still open.
func (s *Server) Connections() (opened, open int) {
	s.ln.mu.Lock()
	defer s.ln.mu.Unlock()
	return s.ln.opened, len(s.ln.open)
}

// Drop closes every open connection from the server's side, as a server
// does when it restarts or times a client out.
func (s *Server) Drop() {
	s.ln.mu.Lock()
	conns := make([]*conn, 0, len(s.ln.open))
	for c := range s.ln.open {
		conns = append(conns, c)
	}
	s.ln.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

// listener counts the connections it accepts and keeps the open ones.
type listener struct {
	net.Listener
	mu     sync.Mutex
	opened int
	open   map[*conn]bool
}

func (l *listener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	c := &conn{Conn: nc, l: l}
	l.mu.Lock()
	l.opened++
	l.open[c] = true
	l.mu.Unlock()
	return c, nil
}

type conn struct {
	net.Conn
	l    *listener
	once sync.Once
}

func (c *conn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.open, c)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

// certificate makes a self-signed certificate for 127.0.0.1.
func certificate(t testing.TB) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "smtptest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

type session struct {
	s      *Server
	conn   *smtp.Conn
	authed bool
	msg    Message
}

var errAuth = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}

func (x *session) AuthMechanisms() []string {
	if x.s.opt.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (x *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != x.s.opt.User || pass != x.s.opt.Password {
			return errors.New("bad credentials")
		}
		x.authed = true
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.opt.User != "" && !x.authed {
		return errAuth
	}
	_, isTLS := x.conn.TLSConnectionState()
	x.msg = Message{From: from, TLS: isTLS}
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if x.s.opt.RejectRcpt {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "<" + to + ">: no such user"}
	}
	if x.s.opt.DeferRcpt {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	x.msg.To = append(x.msg.To, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.msg.Data = data
	x.s.Messages <- x.msg
	return nil
}

func (x *session) Reset()        { x.msg = Message{} }
func (x *session) Logout() error { return nil }

// Wait returns the next message, failing the test if none comes within
// a minute (a deadline for a broken test, not a measurement).
func (s *Server) Wait(t testing.TB) Message {
	t.Helper()
	select {
	case m := <-s.Messages:
		return m
	case <-time.After(time.Minute):
		t.Fatal("smtptest: no message within a minute")
		return Message{}
	}
}

// Parsed returns the message's headers, with encoded words decoded, and
// its body, with the quoted-printable transfer encoding undone.
func (m Message) Parsed(t testing.TB) (map[string]string, string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
	if err != nil {
		t.Fatalf("smtptest: read message: %v", err)
	}
	var dec mime.WordDecoder
	h := map[string]string{}
	for k, v := range msg.Header {
		s, err := dec.DecodeHeader(strings.Join(v, ", "))
		if err != nil {
			t.Fatalf("smtptest: header %s: %v", k, err)
		}
		h[k] = s
	}
	body := io.Reader(msg.Body)
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("smtptest: body: %v", err)
	}
	return h, strings.ReplaceAll(string(b), "\r\n", "\n")
}
