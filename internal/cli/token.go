package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
)

const (
	msgTokenUsage      msgKey = "token-usage"
	msgTokenArgs       msgKey = "token-args"
	msgTokenNoMember   msgKey = "token-no-member"
	msgTokenRole       msgKey = "token-role"
	msgTokenCollective msgKey = "token-collective"
	msgTokenCreated    msgKey = "token-created"
)

var tokenMessages = map[msgKey][2]string{
	msgTokenUsage: {
		`usage: commune token [--data DIR | --db postgres://... --key FILE] --member ALIAS --role member|coordinator|organizer [--collective ID]

Creates an API token for a member and prints it on standard output. It is
shown this once: the database keeps only its hash. Scripts send it as
"Authorization: Bearer cmt_...". A coordinator's token acts on one
collective, named with --collective. An organizer's token also makes the
member an organizer when they sign in from a browser with a passkey.

With --db, name the server's key file: --key FILE, or --data DIR for
DIR/key.

Flags:
`,
		`uso: commune token [--data DIR | --db postgres://... --key ARCHIVO] --member ALIAS --role member|coordinator|organizer [--collective ID]

Crea un token de API para un miembro y lo escribe en la salida estándar.
Se muestra esta única vez: la base de datos guarda solo su hash. Los
programas lo envían como "Authorization: Bearer cmt_...". El token de un
coordinador actúa sobre un colectivo, indicado con --collective. El token
de un organizador también hace organizador al miembro cuando entra desde
un navegador con una llave de acceso.

Con --db, indique el archivo de clave del servidor: --key ARCHIVO, o
--data DIR para DIR/key.

Opciones:
`},
	msgTokenArgs: {
		"want --member and --role and no other arguments",
		"se esperan --member y --role y ningún otro argumento"},
	msgTokenNoMember: {
		"no member has the alias %q",
		"ningún miembro tiene el alias %q"},
	msgTokenRole: {
		"unknown role %q: want member, coordinator or organizer",
		"rol desconocido %q: use member, coordinator u organizer"},
	msgTokenCollective: {
		"a coordinator's token needs --collective, and only a coordinator's takes one",
		"el token de un coordinador necesita --collective, y solo el de un coordinador lo admite"},
	msgTokenCreated: {
		"token for member %s as %s created; it is shown only this once\n",
		"token creado para el miembro %s como %s; solo se muestra esta vez\n"},
}

func (c *command) token(ctx context.Context, args []string) error {
	fs := c.flags("token", msgTokenUsage)
	sf := c.storeFlags(fs)
	alias := fs.String("member", "", "the member's alias / alias del miembro")
	roleName := fs.String("role", "", "member, coordinator or organizer")
	collective := fs.String("collective", "", "the collective a coordinator's token acts on / colectivo del coordinador")
	pos, err := parse(fs, args)
	if err != nil {
		return c.flagError(err)
	}
	if len(pos) != 0 || *alias == "" || *roleName == "" {
		return usageError{c.t(msgTokenArgs)}
	}
	role, err := auth.ParseRole(*roleName)
	if err != nil {
		return usageError{c.t(msgTokenRole, *roleName)}
	}
	if (role == auth.Coordinator) != (*collective != "") {
		return usageError{c.t(msgTokenCollective)}
	}
	if err := c.keyNamed(sf); err != nil {
		return err
	}
	if err := c.existingDatabase(*sf.data, *sf.db); err != nil {
		return err
	}
	st, err := c.openStore(ctx, sf.config())
	if err != nil {
		return err
	}
	defer st.Close()
	m, err := st.MemberByAlias(ctx, *alias)
	if store.ErrorCode(err) == store.CodeNotFound {
		return errors.New(c.t(msgTokenNoMember, *alias))
	}
	if err != nil {
		return err
	}
	secret := auth.NewToken()
	if _, err := st.CreateToken(ctx, store.Token{Hash: auth.Hash(secret), MemberID: m.ID, Role: string(role), Collective: *collective}); err != nil {
		return err
	}
	// Browser sessions take roles from the database, not from tokens:
	// the operator who makes an organizer's token says the member is one.
	if role == auth.Organizer {
		if err := st.SetOrganizer(ctx, m.ID, true); err != nil {
			return err
		}
	}
	fmt.Fprint(c.stderr, c.t(msgTokenCreated, m.ID, role))
	fmt.Fprintln(c.stdout, secret)
	return nil
}
