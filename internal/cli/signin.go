package cli

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
)

// commune signin-link prints a link that signs a member in once, in a
// browser: the way in for the first organizer of a server that sends no
// email (there is no one yet to invite them), and for a member who lost
// their passkey and has no email. Whoever runs it can read the database
// already; the link goes to the member by whatever way the operator
// trusts, and the page it opens names the account before it signs in.

const (
	msgSignInUsage   msgKey = "signin-usage"
	msgSignInArgs    msgKey = "signin-args"
	msgSignInCreated msgKey = "signin-created"
)

var signInMessages = map[msgKey][2]string{
	msgSignInUsage: {
		`usage: commune signin-link [--data DIR | --db postgres://... --key FILE]
                           --member ALIAS [--public-url URL]

Prints a link that signs the member in once, in a browser, within 24
hours; a new link for the member replaces the one before. It is how the
first organizer of a new server signs in when the server sends no email
(without --smtp): import them (commune import), make them an organizer
(commune token --role organizer), and give them the link by a way you
trust. The page it opens names the account and signs in only when its
button is pressed. The session it opens is a code's: on their account
page the member then adds a passkey, and signs in with it from then on;
coordinators and organizers act as such only with a passkey.

--public-url is the server's, as given to commune serve (default
http://localhost:8080, serve's own with its default --addr). With --db,
name the server's key file: --key FILE, or --data DIR for DIR/key.

Flags:
`,
		`uso: commune signin-link [--data DIR | --db postgres://... --key ARCHIVO]
                         --member ALIAS [--public-url URL]

Escribe un enlace que abre la sesión del miembro una sola vez, en un
navegador, dentro de 24 horas; un enlace nuevo para el mismo miembro
reemplaza al anterior. Es como entra la primera persona organizadora de
un servidor nuevo cuando el servidor no envía correos (sin --smtp):
impórtela (commune import), hágala organizadora (commune token --role
organizer) y désele el enlace por un medio de confianza. La página que
abre nombra la cuenta y solo entra cuando se toca su botón. La sesión
que abre es como la de un código: en la página de su cuenta el miembro
agrega después una llave de acceso, y entra con ella de ahí en
adelante; coordinadores y organizadores actúan como tales solo con una
llave de acceso.

--public-url es la del servidor, como se le dio a commune serve (por
omisión http://localhost:8080, la de serve con su --addr por omisión).
Con --db, indique el archivo de clave del servidor: --key ARCHIVO, o
--data DIR para DIR/key.

Opciones:
`},
	msgSignInArgs: {
		"want --member and no arguments",
		"se espera --member y ningún argumento"},
	msgSignInCreated: {
		"sign-in link for member %s (%s): it works once, until %s\n",
		"enlace de entrada para el miembro %s (%s): sirve una sola vez, hasta el %s\n"},
}

func (c *command) signInLink(ctx context.Context, args []string) error {
	fs := c.flags("signin-link", msgSignInUsage)
	sf := c.storeFlags(fs)
	alias := fs.String("member", "", c.t(msgFlagSignInMember))
	publicURL := fs.String("public-url", "http://localhost:8080", c.t(msgFlagSignInURL))
	pos, err := parse(fs, args)
	if err != nil {
		return c.flagError(err)
	}
	if len(pos) != 0 || *alias == "" {
		return usageError{c.t(msgSignInArgs)}
	}
	base, err := url.Parse(*publicURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return usageError{c.t(msgServePublicURL, *publicURL)}
	}
	st, err := c.openExisting(ctx, sf)
	if err != nil {
		return err
	}
	defer st.Close()
	m, err := c.memberByAlias(ctx, st, sf, *alias)
	if err != nil {
		return err
	}
	secret := auth.NewSignInLink()
	now := time.Now()
	until := now.Add(store.SignInLinkTTL)
	if err := st.PutSignInLink(ctx, m.ID, auth.Hash(secret), until, now); err != nil {
		return err
	}
	fmt.Fprint(c.stderr, c.t(msgSignInCreated, m.Alias, m.ID, until.UTC().Format(time.DateTime+" UTC")))
	// The server's links are at the root of its origin, as those of
	// its emails are.
	fmt.Fprintln(c.stdout, base.Scheme+"://"+base.Host+"/signin/"+secret)
	return nil
}
