package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/commune-org/commune/internal/call"
	"github.com/commune-org/commune/internal/notify"
	"github.com/commune-org/commune/internal/store"
	"github.com/commune-org/commune/internal/web"
)

const (
	msgServeUsage       msgKey = "serve-usage"
	msgServeArgs        msgKey = "serve-args"
	msgServeListening   msgKey = "serve-listening"
	msgServeStopping    msgKey = "serve-stopping"
	msgServeSMTP        msgKey = "serve-smtp"
	msgServePublicURL   msgKey = "serve-public-url"
	msgServePushSubject msgKey = "serve-push-subject"
	msgServeSMS         msgKey = "serve-sms"
	msgServeCallFlags   msgKey = "serve-call-flags"
	msgServeSMSFrom     msgKey = "serve-sms-from"
	msgServeProxy       msgKey = "serve-trusted-proxy"
	msgListenInUse      msgKey = "listen-in-use"
	msgListenAddr       msgKey = "listen-addr"
	msgListenName       msgKey = "listen-name"
	msgListenNotHere    msgKey = "listen-not-here"
	msgListenDenied     msgKey = "listen-denied"
	msgListenOther      msgKey = "listen-other"
)

var serveMessages = map[msgKey][2]string{
	msgServeUsage: {
		`usage: commune serve [--data DIR] [--db postgres://...] [--addr 127.0.0.1:8080]
                     [--smtp smtp://host:port] [--public-url URL]
                     [--push-subject mailto:ops@example.org]
                     [--sms https://user:token@gateway/... --sms-from +15550100]
                     [--call-rings 3m] [--call-retention 24h]
                     [--trusted-proxy CIDR[,CIDR]]

Runs the server: the web pages, the JSON API under /api/v1, /healthz and
the OpenAPI document at /api/openapi.json. DIR holds the SQLite database
and the key that seals contact details (created on first start); with
--db, PostgreSQL holds the data and DIR only the key. Stops gracefully
on SIGINT or SIGTERM, letting requests under way finish (exit status 0);
stopped so before it serves, while it opens the database, it exits 130.

Members sign in with a passkey, or with a one-time code sent by email
through the SMTP server of --smtp (smtp://user:password@host:port works
too; STARTTLS is used when offered; ?from=commune@example.org sets the
sender); an email a member gives is theirs only once they open the link
sent to it. Without --smtp there is no sign-in by email, and no email
is asked for. --public-url is where browsers reach the server
(default: http://localhost and the port of --addr); over https the
session cookie is Secure. Passkeys need its host to be a domain name,
not an IP address.

Urgent calls reach members' browsers by Web Push, signed with the key
DIR/vapid.key (created on first start; keep it, or every browser must
subscribe again). --push-subject is how push services can reach whoever
runs the server: a mailto: or https: URL (default: the public URL when
it is https, else mailto:commune@localhost).

With --sms, urgent calls also reach members' phones by text message
through an SMS gateway that takes a Twilio-style form post (To, From,
Body) at that URL, with basic authentication from its user and
password; --sms-from is the number or sender name they come from. The
text says only that there is an urgent call nearby, with its link. Event
reminders go by text too, to members with neither an email nor a
browser subscribed to push; they name neither the event nor the place.

An open call reaches about three people for each one it needs, nearest
first, and the next ring every --call-rings while too few are coming. A
call's place, recipients and answers are deleted --call-retention after
it ends (at most 7 days); only the counts remain.

Signing in, joining by an invite and answering a call by its link are
limited per client, by its address, so that no client can hold everyone
else back or try aliases and emails at will. Behind a reverse proxy every
request comes from the proxy: --trusted-proxy names the proxies'
addresses or ranges (such as 127.0.0.1,10.0.0.0/8), and a request from
one of them counts as coming from the last address of its Forwarded (RFC
7239) or X-Forwarded-For header that is not a proxy's; if it has both and
they name different clients, as coming from the proxy. Without it neither
header is ever read, since any client can write one. Addresses are held
in memory only, as keyed hashes, and are never logged.

Flags:
`,
		`uso: commune serve [--data DIR] [--db postgres://...] [--addr 127.0.0.1:8080]
                   [--smtp smtp://servidor:puerto] [--public-url URL]
                   [--push-subject mailto:ops@example.org]
                   [--sms https://usuario:token@pasarela/...]
                   [--sms-from +15550100]
                   [--call-rings 3m] [--call-retention 24h]
                   [--trusted-proxy CIDR[,CIDR]]

Ejecuta el servidor: las páginas web, la API JSON en /api/v1, /healthz y
el documento OpenAPI en /api/openapi.json. DIR guarda la base de datos
SQLite y la clave que sella los datos de contacto (creada en el primer
arranque); con --db, PostgreSQL guarda los datos y DIR solo la clave. Se
detiene con orden al recibir SIGINT o SIGTERM, dejando terminar las
solicitudes en curso (estado de salida 0); detenido así antes de servir,
mientras abre la base de datos, termina con 130.

Los miembros entran con una llave de acceso, o con un código de un solo
uso enviado por correo electrónico a través del servidor SMTP de --smtp
(también smtp://usuario:contraseña@servidor:puerto; se usa STARTTLS si
el servidor lo ofrece; ?from=commune@example.org fija el remitente); un
correo que da un miembro es suyo solo cuando abre el enlace que se le
envía. Sin --smtp no se puede entrar por correo, y no se pide ninguno.
--public-url es donde los navegadores encuentran el servidor (por
omisión: http://localhost y el puerto de --addr); con https la cookie
de sesión es Secure. Las llaves de acceso necesitan que su servidor sea
un nombre de dominio, no una dirección IP.

Los llamados urgentes llegan a los navegadores de los miembros por Web
Push, firmados con la clave DIR/vapid.key (creada en el primer arranque;
guárdala, o cada navegador tendrá que suscribirse de nuevo).
--push-subject es cómo los servicios de notificaciones pueden contactar
a quien ejecuta el servidor: una URL mailto: o https: (por omisión: la
URL pública si es https, si no mailto:commune@localhost).

Con --sms, los llamados urgentes llegan también a los teléfonos por
mensaje de texto, a través de una pasarela SMS que acepta un formulario
al estilo de Twilio (To, From, Body) en esa URL, con autenticación
básica tomada de su usuario y contraseña; --sms-from es el número o el
nombre del remitente. El mensaje solo dice que hay un llamado urgente
cerca, con su enlace. Los recordatorios de eventos van también por
mensaje de texto, a quien no tiene ni correo ni un navegador suscrito a
las notificaciones; no nombran ni el evento ni el lugar.

Un llamado abierto llega a unas tres personas por cada una que necesita,
primero a las más cercanas, y al siguiente círculo cada --call-rings
mientras vienen muy pocas. El lugar de un llamado, sus destinatarios y
sus respuestas se borran --call-retention después de que termina (como
mucho 7 días); solo quedan los conteos.

La entrada, el ingreso con una invitación y la respuesta a un llamado
por su enlace están limitados por cliente, según su dirección, para que
ningún cliente pueda frenar a todos los demás ni probar alias y correos
a voluntad. Detrás de un proxy inverso todas las solicitudes vienen del
proxy: --trusted-proxy da las direcciones o los rangos de los proxies
(como 127.0.0.1,10.0.0.0/8), y una solicitud que venga de uno de ellos
cuenta como venida de la última dirección de su cabecera Forwarded (RFC
7239) o X-Forwarded-For que no sea de un proxy; si tiene ambas y nombran
a clientes distintos, como venida del proxy. Sin esta opción nunca se lee
ninguna de las dos, que cualquier cliente puede escribir. Las direcciones
solo se guardan en memoria, como resúmenes con clave, y nunca se
registran.

Opciones:
`},
	msgServeArgs: {
		"serve takes no arguments, got %d",
		"serve no admite argumentos, hay %d"},
	msgServeListening: {
		"listening on http://%s\n",
		"escuchando en http://%s\n"},
	msgServeStopping: {
		"stopping\n",
		"deteniendo\n"},
	msgServeSMTP: {
		"--smtp: %v",
		"--smtp: %v"},
	msgServePublicURL: {
		"--public-url: want an http or https URL of a host, such as https://commune.example.org, got %q",
		"--public-url: se espera una URL http o https de un servidor, como https://commune.example.org, no %q"},
	msgServePushSubject: {
		"--push-subject: %v",
		"--push-subject: %v"},
	msgServeSMS: {
		"--sms: %v",
		"--sms: %v"},
	msgServeSMSFrom: {
		"--sms-from needs --sms, the gateway that sends the texts: without it no text message is sent",
		"--sms-from necesita --sms, la pasarela que envía los mensajes: sin ella no se envía ningún mensaje de texto"},
	msgServeProxy: {
		"--trusted-proxy: want addresses or CIDR ranges separated by commas, such as 127.0.0.1,10.0.0.0/8, got %q",
		"--trusted-proxy: se esperan direcciones o rangos CIDR separados por comas, como 127.0.0.1,10.0.0.0/8, no %q"},
	msgServeCallFlags: {
		"--call-rings must be from 10s to 1h, and --call-retention from 1h to 168h (7 days); got %v and %v",
		"--call-rings debe ir de 10s a 1h, y --call-retention de 1h a 168h (7 días); se dio %v y %v"},
	msgListenInUse: {
		"--addr %s: cannot listen there: the address is in use (another server, or another commune?)",
		"--addr %s: no se puede escuchar ahí: la dirección ya está en uso (¿otro servidor, u otro commune?)"},
	msgListenAddr: {
		"--addr %s: want a host and a port, such as 127.0.0.1:8080",
		"--addr %s: se espera un servidor y un puerto, como 127.0.0.1:8080"},
	msgListenName: {
		"--addr %s: cannot listen there: no such host or port name",
		"--addr %s: no se puede escuchar ahí: no existe ese nombre de servidor o de puerto"},
	msgListenNotHere: {
		"--addr %s: cannot listen there: this machine has no such address",
		"--addr %s: no se puede escuchar ahí: esta máquina no tiene esa dirección"},
	msgListenDenied: {
		"--addr %s: cannot listen there: permission denied (ports below 1024 need privileges)",
		"--addr %s: no se puede escuchar ahí: permiso denegado (los puertos por debajo de 1024 requieren privilegios)"},
	msgListenOther: {
		"--addr %s: cannot listen there: %v",
		"--addr %s: no se puede escuchar ahí: %v"},
}

// shutdownTimeout is how long requests under way get to finish once a
// signal asks the server to stop.
const shutdownTimeout = 10 * time.Second

func (c *command) serve(ctx context.Context, args []string) error {
	fs := c.flags("serve", msgServeUsage)
	data := fs.String("data", "./commune-data", c.t(msgFlagData))
	db := fs.String("db", "", c.t(msgFlagDB))
	addr := fs.String("addr", "127.0.0.1:8080", c.t(msgFlagAddr))
	smtpURL := fs.String("smtp", "", c.t(msgFlagServeSMTP))
	publicURL := fs.String("public-url", "", c.t(msgFlagServePublicURL))
	pushSubj := fs.String("push-subject", "", c.t(msgFlagServePush))
	smsURL := fs.String("sms", "", c.t(msgFlagServeSMS))
	smsFrom := fs.String("sms-from", "", c.t(msgFlagServeSMSFrom))
	rings := fs.Duration("call-rings", call.DefaultPolicy.Interval, c.t(msgFlagServeRings))
	retention := fs.Duration("call-retention", store.DefaultCallRetention, c.t(msgFlagServeRetention))
	proxyList := fs.String("trusted-proxy", "", c.t(msgFlagServeProxy))
	pos, err := parse(fs, args)
	if err != nil {
		return c.flagError(err)
	}
	if len(pos) != 0 {
		return usageError{c.t(msgServeArgs, len(pos))}
	}
	if u, err := url.Parse(*publicURL); *publicURL != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		return usageError{c.t(msgServePublicURL, *publicURL)}
	}
	var mailer *notify.Mailer
	if *smtpURL != "" {
		if mailer, err = notify.NewMailer(*smtpURL); err != nil {
			return usageError{c.t(msgServeSMTP, err)}
		}
	}
	if *rings < 10*time.Second || *rings > time.Hour || *retention < time.Hour || *retention > store.MaxCallRetention {
		return usageError{c.t(msgServeCallFlags, *rings, *retention)}
	}
	if *smsFrom != "" && *smsURL == "" {
		return usageError{c.t(msgServeSMSFrom)}
	}
	proxies, ok := parseProxies(*proxyList)
	if !ok {
		return usageError{c.t(msgServeProxy, *proxyList)}
	}
	var sms *notify.SMS
	if *smsURL != "" {
		if sms, err = notify.NewSMS(*smsURL, *smsFrom); err != nil {
			return usageError{c.t(msgServeSMS, err)}
		}
	}
	// Listen first: an address in use is said before the data directory
	// is created.
	ln, err := c.listen(*addr)
	if err != nil {
		return err
	}
	return c.runServer(ctx, serverConfig{data: *data, db: *db, ln: ln, publicURL: *publicURL, mailer: mailer, pushSubject: *pushSubj,
		sms: sms, calls: web.CallOptions{Policy: call.Policy{Factor: call.DefaultPolicy.Factor, Interval: *rings}, Retention: *retention},
		proxies: proxies})
}

// parseProxies reads --trusted-proxy: addresses or CIDR ranges separated
// by commas; an address is a range of one. It reports false for anything
// else, an empty entry included.
func parseProxies(list string) ([]netip.Prefix, bool) {
	if list == "" {
		return nil, true
	}
	var out []netip.Prefix
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, err := netip.ParseAddr(f)
			if err != nil || a.Zone() != "" {
				return nil, false
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		// An IPv4 address mapped into IPv6 is met as IPv4 (web's
		// parseAddr), so ranges of them are kept as IPv4 ranges.
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, true
}

// serverConfig is what serve and demo start a server with.
type serverConfig struct {
	data, db, publicURL string
	// ln listens on --addr; runServer closes it.
	ln     net.Listener
	mailer *notify.Mailer
	// pushSubject is --push-subject, "" for the default (push.go).
	pushSubject string
	// sms is the gateway of text messages (--sms), or nil.
	sms *notify.SMS
	// calls tunes the work of urgent calls (--call-rings, --call-retention).
	calls web.CallOptions
	// proxies are the trusted reverse proxies (--trusted-proxy).
	proxies []netip.Prefix
	// demo, for commune demo only, names the people its sign-in links
	// sign in as; ready is called with the public URL once the server
	// listens.
	demo  *web.DemoPeople
	ready func(publicURL string)
}

// runServer runs the server until ctx ends or a signal asks it to stop.
func (c *command) runServer(ctx context.Context, cfg serverConfig) error {
	ln := cfg.ln
	defer ln.Close() // closed already once the server has served
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	// Stopped before it serves, the server was not shut down: its start
	// was interrupted.
	interrupted := func(err error) error {
		if ctx.Err() != nil {
			return interruptedError{c.t(msgInterrupted)}
		}
		return err
	}
	st, err := c.openStore(ctx, store.Config{DataDir: cfg.data, PostgresURL: cfg.db})
	if err != nil {
		return interrupted(err)
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(c.stderr, nil))
	// Runs left queued or running died with the last process.
	if n, err := st.FailUnfinishedPlanRuns(ctx, "the server stopped during the run"); err != nil {
		return interrupted(err)
	} else if n > 0 {
		log.Warn("plan runs left unfinished by the last process marked failed", "runs", n)
	}
	if cfg.publicURL == "" {
		cfg.publicURL = localURL(ln.Addr())
	}
	pusher, err := c.newPusher(cfg.data, cfg.pushSubject, cfg.publicURL)
	if err != nil {
		return err
	}
	if cfg.mailer != nil {
		// The SMTP connections kept open end after the work of calls.
		defer cfg.mailer.Close()
	}
	api := web.New(st, log, web.Options{PublicURL: cfg.publicURL, Mailer: cfg.mailer, Demo: cfg.demo, Pusher: pusher,
		SMS: cfg.sms, Calls: cfg.calls, TrustedProxies: cfg.proxies})
	srv := &http.Server{
		Handler:           api.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// The live boards of calls end when shutdown begins: it waits for
	// requests under way, and a stream never finishes on its own.
	srv.RegisterOnShutdown(api.EndStreams)
	// The work of urgent calls (rings, delivery, purge) runs until the
	// server stops, and has finished before the store closes.
	wctx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	var werr error
	workDone := make(chan struct{})
	go func() {
		if werr = api.RunCalls(wctx); werr != nil {
			log.Error("the work of urgent calls stopped", "err", werr)
		}
		close(workDone)
	}()
	defer func() { stopWork(); <-workDone }()
	fmt.Fprintf(c.stderr, c.t(msgServeListening), ln.Addr())
	if cfg.ready != nil {
		cfg.ready(cfg.publicURL)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	fmt.Fprint(c.stderr, c.t(msgServeStopping))
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	stopWork()
	<-workDone
	if werr != nil && err == nil {
		err = werr
	}
	// A planning run under way is stopped and marked failed before the
	// store closes, even if requests did not finish in time.
	if rerr := api.Shutdown(sctx); rerr != nil && err == nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// listen listens on addr (--addr); why it cannot is a usage error in
// the user's language, naming the address: the net package's error is
// in English ("listen tcp ...: bind: address already in use").
func (c *command) listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	var ae *net.AddrError
	var de *net.DNSError
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, usageError{c.t(msgListenInUse, addr)}
	case errors.As(err, &ae):
		return nil, usageError{c.t(msgListenAddr, addr)}
	case errors.As(err, &de):
		return nil, usageError{c.t(msgListenName, addr)}
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return nil, usageError{c.t(msgListenNotHere, addr)}
	case errors.Is(err, syscall.EACCES):
		return nil, usageError{c.t(msgListenDenied, addr)}
	}
	return nil, usageError{c.t(msgListenOther, addr, err)}
}

// localURL is the public URL of a server listening on addr when none is
// given: on a loopback or unspecified address, http://localhost and the
// port, since passkeys need a domain name and browsers treat localhost
// as a secure context; on another address, that address.
func localURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://localhost:8080"
	}
	if ip := net.ParseIP(host); host == "" || host == "localhost" || ip != nil && (ip.IsLoopback() || ip.IsUnspecified()) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}
