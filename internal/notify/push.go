package notify

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/mail"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Subscription is what a browser's PushSubscription.toJSON() gives:
// where to post (an endpoint URL on the browser vendor's push service,
// whose path is a secret capability) and the user agent's keys for
// RFC 8291 message encryption. The "expirationTime" browsers add is
// ignored.
type Subscription struct {
	Endpoint string           `json:"endpoint"`
	Keys     SubscriptionKeys `json:"keys"`
}

// SubscriptionKeys are a subscription's keys in URL-safe base64.
type SubscriptionKeys struct {
	// P256dh is the user agent's public key, an uncompressed P-256
	// point (65 bytes).
	P256dh string `json:"p256dh"`
	// Auth is the authentication secret (16 bytes).
	Auth string `json:"auth"`
}

// maxEndpoint bounds an endpoint URL; browsers' are a few hundred bytes.
const maxEndpoint = 2048

// Validate says whether the subscription can be sent to: the endpoint
// is an https URL (http only to a loopback host, for tests), p256dh is
// a point on P-256 and auth is 16 bytes. Errors name the field and what
// is wrong, never its value.
func (s Subscription) Validate() error {
	_, _, _, err := s.parse()
	return err
}

// parse validates s and returns its endpoint and decoded keys.
func (s Subscription) parse() (*url.URL, *ecdh.PublicKey, []byte, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("notify: push subscription: "+format, args...)
	}
	if s.Endpoint == "" {
		return nil, nil, nil, bad("endpoint: missing")
	}
	if len(s.Endpoint) > maxEndpoint {
		return nil, nil, nil, bad("endpoint: longer than %d bytes", maxEndpoint)
	}
	u, err := url.Parse(s.Endpoint)
	if err != nil || u.Host == "" || !u.IsAbs() {
		return nil, nil, nil, bad("endpoint: not an absolute URL")
	}
	if ip, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil && !ip.IsLoopback() && !isPublic(ip.Unmap()) {
		return nil, nil, nil, bad("endpoint: %v", errNotPublic)
	}
	switch {
	case u.User != nil:
		return nil, nil, nil, bad("endpoint: holds a user name")
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return nil, nil, nil, bad("endpoint: scheme %q, want https (http only to a loopback host)", u.Scheme)
	}
	if s.Keys.P256dh == "" {
		return nil, nil, nil, bad("keys.p256dh: missing")
	}
	raw, err := decodeBase64URL(s.Keys.P256dh)
	if err != nil {
		return nil, nil, nil, bad("keys.p256dh: not URL-safe base64")
	}
	if len(raw) != 65 {
		return nil, nil, nil, bad("keys.p256dh: %d bytes, want 65 (an uncompressed P-256 point)", len(raw))
	}
	pub, err := ecdh.P256().NewPublicKey(raw)
	if err != nil {
		return nil, nil, nil, bad("keys.p256dh: not a point on P-256")
	}
	if s.Keys.Auth == "" {
		return nil, nil, nil, bad("keys.auth: missing")
	}
	auth, err := decodeBase64URL(s.Keys.Auth)
	if err != nil {
		return nil, nil, nil, bad("keys.auth: not URL-safe base64")
	}
	if len(auth) != 16 {
		return nil, nil, nil, bad("keys.auth: %d bytes, want 16", len(auth))
	}
	return u, pub, auth, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Pusher sends Web Push messages (RFC 8030) to subscriptions, encrypted
// for the subscriber's browser (RFC 8291) and signed as the application
// server (RFC 8292). The push service learns the size of the message
// and when it was sent, nothing of what it says.
type Pusher struct {
	key     *VAPIDKey
	subject string

	// Client sends the requests. Nil uses the pusher's own, which
	// follows no redirect and connects only to public addresses: an
	// endpoint is whatever the subscriber sent, and must not make the
	// server post to hosts inside its network (loopback, private,
	// link-local addresses, whatever a name resolves to).
	Client *http.Client
	// AllowLoopback lets the pusher's own client connect to this
	// machine, for tests that run a push service here (pushtest).
	AllowLoopback bool
	// Timeout bounds one delivery; 0 means 30 s.
	Timeout time.Duration
	// TTL is how long the push service keeps a message for a device
	// that is offline; 0 means an hour. An urgent call is stale by then.
	TTL time.Duration

	now   func() time.Time
	guard *http.Client

	mu     sync.Mutex
	tokens map[string]vapidToken // by push service origin
}

type vapidToken struct {
	header string
	exp    time.Time
}

// NewPusher returns a pusher signing with key. The subject is how the
// operator of a push service can reach whoever runs this server when
// something goes wrong (RFC 8292 section 2.1): a mailto: or an https:
// URL.
func NewPusher(key *VAPIDKey, subject string) (*Pusher, error) {
	if key == nil {
		return nil, errors.New("notify: push: no VAPID key")
	}
	switch {
	case strings.HasPrefix(subject, "mailto:"):
		if _, err := mail.ParseAddress(strings.TrimPrefix(subject, "mailto:")); err != nil {
			return nil, errors.New("notify: push: subject: mailto: without an address")
		}
	case strings.HasPrefix(subject, "https://"):
		if u, err := url.Parse(subject); err != nil || u.Host == "" {
			return nil, errors.New("notify: push: subject: not an https URL")
		}
	default:
		return nil, fmt.Errorf("notify: push: subject %q, want a mailto: or https: URL", subject)
	}
	p := &Pusher{key: key, subject: subject, now: time.Now, tokens: map[string]vapidToken{}}
	p.guard = p.publicClient()
	return p, nil
}

// PublicKey is the pusher's VAPID public key, the applicationServerKey
// a browser subscribes with (VAPIDKey.PublicKey).
func (p *Pusher) PublicKey() string { return p.key.PublicKey() }

// MaxPushPayload is the largest payload Send takes: a push service
// must accept 4096 bytes of body (RFC 8030 section 7.2), of which the
// content coding takes 86 bytes of header, 16 of tag and 1 of padding
// delimiter.
const MaxPushPayload = 4096 - 86 - 16 - 1

// recordSize is the rs of the aes128gcm header: one record that holds
// any payload up to MaxPushPayload.
const recordSize = 4096

// Send delivers payload to the browser of sub, encrypted.
//
// The id is the message's idempotency id, the same for every attempt to
// deliver one message. The payload is the caller's and Send does not
// look into it, so the receiver's copy of the id must be inside it (as
// CallPush puts it). Send also derives the Topic header from id: a push
// service keeps at most one undelivered message per topic, so a repeat
// sent while the first still waits for an offline device replaces it
// rather than arriving twice; distinct ids give distinct topics.
//
// It fails with a *DeliveryError; when the push service says the
// subscription no longer exists (404 or 410) the error wraps ErrGone
// and the caller should delete the subscription.
func (p *Pusher) Send(ctx context.Context, sub Subscription, payload []byte, id string) error {
	endpoint, uaPub, auth, err := sub.parse()
	if err != nil {
		return &DeliveryError{Channel: "push", Err: err}
	}
	if len(payload) > MaxPushPayload {
		return permanent("push", 0, "payload of %d bytes, at most %d", len(payload), MaxPushPayload)
	}
	as, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return permanent("push", 0, "ephemeral key: %v", err)
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	body, err := encrypt(payload, uaPub, auth, as, salt)
	if err != nil {
		return permanent("push", 0, "encrypt: %v", err)
	}
	origin := endpoint.Scheme + "://" + endpoint.Host
	authz, err := p.authorization(origin)
	if err != nil {
		return permanent("push", 0, "%v", err)
	}

	timeout := p.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.Endpoint, bytes.NewReader(body))
	if err != nil {
		return permanent("push", 0, "request to %s: cannot be made", endpoint.Host)
	}
	ttl := p.TTL
	if ttl <= 0 {
		ttl = time.Hour
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Content-Encoding", "aes128gcm")
	req.Header.Set("TTL", strconv.Itoa(int(ttl/time.Second)))
	req.Header.Set("Urgency", "high")
	req.Header.Set("Authorization", authz)
	if id != "" {
		req.Header.Set("Topic", topic(id))
	}
	resp, err := p.client().Do(req)
	if errors.Is(err, errNotPublic) {
		return permanent("push", 0, "post to %s: %v", endpoint.Host, errNotPublic)
	}
	if err != nil {
		return transportError("push", endpoint.Host, err, endpoint.EscapedPath(), endpoint.Path, endpoint.RawQuery, sub.Keys.P256dh, sub.Keys.Auth)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return nil
	case code == http.StatusNotFound || code == http.StatusGone:
		return &DeliveryError{Channel: "push", Status: code,
			Err: fmt.Errorf("notify: push: %s answered %d: %w", endpoint.Host, code, ErrGone)}
	default:
		return answerError("push", endpoint.Host, resp, p.now())
	}
}

// ErrGone says that a push subscription has expired or was withdrawn:
// nothing sent to it will arrive again, and it should be deleted.
var ErrGone = errors.New("the subscription is gone")

func (p *Pusher) client() *http.Client {
	if p.Client != nil {
		return p.Client
	}
	return p.guard
}

// errNotPublic is the refusal to connect to an address that is not on
// the public internet.
var errNotPublic = errors.New("not a public address")

// publicClient is a client that follows no redirect and connects only
// to public addresses (and to loopback ones when AllowLoopback is set).
// The check is made on the address dialled, after name resolution, so
// a name that resolves to an inside address is refused too. It goes
// to push services directly, never through a proxy of the environment.
func (p *Pusher) publicClient() *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second,
		ControlContext: func(_ context.Context, _, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip, err := netip.ParseAddr(host)
			if err != nil {
				return err
			}
			if ip = ip.Unmap(); isPublic(ip) || (p.AllowLoopback && ip.IsLoopback()) {
				return nil
			}
			return fmt.Errorf("%s: %w", ip, errNotPublic)
		}}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = d.DialContext
	c := noRedirects()
	c.Transport = t
	return c
}

// sharedSpace is 100.64.0.0/10, carrier-grade NAT (RFC 6598): inside
// someone's network, though not in the private ranges.
var sharedSpace = netip.MustParsePrefix("100.64.0.0/10")

// isPublic says whether ip is a unicast address on the public internet.
func isPublic(ip netip.Addr) bool {
	return ip.IsGlobalUnicast() && !ip.IsPrivate() && !sharedSpace.Contains(ip)
}

// noRedirects is the client of pushers and gateways that were not given
// one: a push service or a gateway that redirects is misconfigured, and
// following it would carry the payload and credentials elsewhere. It
// shares the default transport's connections.
func noRedirects() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// authorization returns the VAPID header for a push service's origin,
// signing a new token when there is none or the one held has less than
// an hour left: a token is good for many messages, and signing one per
// message would cost as much as the encryption.
func (p *Pusher) authorization(origin string) (string, error) {
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if t, ok := p.tokens[origin]; ok && t.exp.Sub(now) > time.Hour {
		return t.header, nil
	}
	exp := now.Add(maxTokenLife / 2)
	tok, err := p.key.token(origin, p.subject, exp)
	if err != nil {
		return "", err
	}
	h := p.key.authorization(tok)
	p.tokens[origin] = vapidToken{header: h, exp: exp}
	return h, nil
}

// topic turns an idempotency id into a Topic header value: at most 32
// characters of the URL-safe base64 alphabet (RFC 8030 section 5.4). It
// is a hash, so the push service does not learn the id.
func topic(id string) string {
	sum := sha256.Sum256([]byte("commune push topic/v1 " + id))
	return base64.RawURLEncoding.EncodeToString(sum[:24])
}

// encrypt applies the aes128gcm content coding (RFC 8188) to plaintext
// with the keys of RFC 8291 section 3: as is the sender's ephemeral key
// pair, uaPub and auth the subscriber's public key and authentication
// secret, salt 16 random bytes. The result is the whole request body: the
// header (salt, record size, as's public key as key id) and a single
// record, the plaintext with the last-record delimiter 0x02 and no other
// padding.
func encrypt(plaintext []byte, uaPub *ecdh.PublicKey, auth []byte, as *ecdh.PrivateKey, salt []byte) ([]byte, error) {
	if len(salt) != 16 || len(auth) != 16 {
		return nil, errors.New("salt and auth secret must be 16 bytes")
	}
	if len(plaintext)+1+16 > recordSize {
		return nil, fmt.Errorf("payload of %d bytes does not fit one record", len(plaintext))
	}
	ecdhSecret, err := as.ECDH(uaPub)
	if err != nil {
		return nil, err
	}
	asPub := as.PublicKey().Bytes()
	// RFC 8291 section 3.3: the auth secret salts the ECDH secret, the
	// info binds both public keys.
	keyInfo := "WebPush: info\x00" + string(uaPub.Bytes()) + string(asPub)
	ikm, err := hkdf.Key(sha256.New, ecdhSecret, auth, keyInfo, 32)
	if err != nil {
		return nil, err
	}
	// RFC 8188 section 2.2 and 2.3: content encryption key and nonce.
	cek, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	nonce, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	// RFC 8188 section 2.1: salt(16) rs(4) idlen(1) keyid(idlen).
	out := make([]byte, 0, 16+4+1+len(asPub)+len(plaintext)+1+gcm.Overhead())
	out = append(out, salt...)
	out = binary.BigEndian.AppendUint32(out, recordSize)
	out = append(out, byte(len(asPub)))
	out = append(out, asPub...)
	record := make([]byte, 0, len(plaintext)+1)
	record = append(append(record, plaintext...), 0x02)
	// The only record has sequence number 0, so its nonce is the
	// derived nonce itself (RFC 8188 section 2.3).
	return gcm.Seal(out, nonce, record, nil), nil
}
