package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/commune-org/commune/internal/auth"
	"github.com/commune-org/commune/internal/store"
)

// commune token makes, lists and revokes API tokens. A token is shown
// once, when it is made; afterwards it is named by its id, the first
// hex digits of its hash, which is not the secret and gives no way to
// it. An organizer whose token leaked revokes it by that id, or by the
// leaked token itself, and the server refuses it from the next request.

const (
	msgTokenUsage      msgKey = "token-usage"
	msgTokenArgs       msgKey = "token-args"
	msgTokenNoMember   msgKey = "token-no-member"
	msgTokenRole       msgKey = "token-role"
	msgTokenCollective msgKey = "token-collective"
	msgTokenCreated    msgKey = "token-created"
	msgTokenListArgs   msgKey = "token-list-args"
	msgTokenRevokeArgs msgKey = "token-revoke-args"
	msgTokenBadID      msgKey = "token-bad-id"
	msgTokenNoID       msgKey = "token-no-id"
	msgTokenNoSecret   msgKey = "token-no-secret"
	msgTokenRevoked    msgKey = "token-revoked"
	msgTokenListHead   msgKey = "token-list-head"
	msgTokenNone       msgKey = "token-none"
)

var tokenMessages = map[msgKey][2]string{
	msgTokenUsage: {
		`usage: commune token [--data DIR | --db postgres://... --key FILE]
                     --member ALIAS --role member|coordinator|organizer
                     [--collective ID]
       commune token [--data DIR | --db postgres://... --key FILE]
                     --list [--member ALIAS]
       commune token [--data DIR | --db postgres://... --key FILE]
                     --revoke ID

Creates an API token for a member and prints it on standard output. It is
shown this once: the database keeps only its hash. Scripts send it as
"Authorization: Bearer cmt_...". A coordinator's token acts on one
collective, named with --collective. An organizer's token also makes the
member an organizer when they sign in from a browser with a passkey.

--list prints every token, or the member's, oldest first: its id, member,
role, collective and when it was made. The id (12 hex digits) names the
token; it is not the token and does not lead to it.

--revoke ends the token of that id (or the token itself, cmt_..., when
that is what leaked): the server refuses it from the next request. The
member keeps their role; revoking an organizer's token does not make
them a plain member. Members revoke their own tokens on their account
page, and organizers any token on the page of API tokens. Every
revocation is written to the audit log: which token, whose it was,
when, and who revoked it (here "cli").

With --db, name the server's key file: --key FILE, or --data DIR for
DIR/key.

Flags:
`,
		`uso: commune token [--data DIR | --db postgres://... --key ARCHIVO]
                   --member ALIAS --role member|coordinator|organizer
                   [--collective ID]
     commune token [--data DIR | --db postgres://... --key ARCHIVO]
                   --list [--member ALIAS]
     commune token [--data DIR | --db postgres://... --key ARCHIVO]
                   --revoke ID

Crea un token de API para un miembro y lo escribe en la salida estándar.
Se muestra esta única vez: la base de datos guarda solo su hash. Los
programas lo envían como "Authorization: Bearer cmt_...". El token de un
coordinador actúa sobre un colectivo, indicado con --collective. El token
de un organizador también hace organizador al miembro cuando entra desde
un navegador con una llave de acceso.

--list muestra todos los tokens, o los del miembro, del más antiguo al
más nuevo: su id, miembro, rol, colectivo y cuándo se creó. El id (12
dígitos hexadecimales) nombra el token; no es el token ni lleva a él.

--revoke anula el token de ese id (o el token mismo, cmt_..., si es lo
que se filtró): el servidor lo rechaza desde la solicitud siguiente. El
miembro conserva su rol; anular el token de un organizador no lo vuelve
miembro sin más. Los miembros anulan sus propios tokens en la página de
su cuenta, y los organizadores cualquier token en la página de tokens de
API. Cada anulación queda en el registro de auditoría: qué token, de
quién era, cuándo y quién lo anuló (aquí, "cli").

Con --db, indique el archivo de clave del servidor: --key ARCHIVO, o
--data DIR para DIR/key.

Opciones:
`},
	msgTokenArgs: {
		"want --member and --role and no other arguments",
		"se esperan --member y --role y ningún otro argumento"},
	msgTokenNoMember: {
		"no member has the alias %q; members are added from a spreadsheet: commune import %s members.csv (with the columns alias, language and cell or postcode; commune import -h says more)",
		"ningún miembro tiene el alias %q; los miembros se añaden desde una hoja de cálculo: commune import %s miembros.csv (con las columnas alias, idioma y celda o código postal; commune import -h explica más)"},
	msgTokenRole: {
		"unknown role %q: want member, coordinator or organizer",
		"rol desconocido %q: use member, coordinator u organizer"},
	msgTokenCollective: {
		"a coordinator's token needs --collective, and only a coordinator's takes one",
		"el token de un coordinador necesita --collective, y solo el de un coordinador lo admite"},
	msgTokenCreated: {
		"token %s for member %s as %s created; it is shown only this once\n",
		"token %s creado para el miembro %s como %s; solo se muestra esta vez\n"},
	msgTokenListArgs: {
		"--list takes no other flag than --member, and no arguments",
		"--list no admite más opción que --member, ni argumentos"},
	msgTokenRevokeArgs: {
		"--revoke takes the id of one token and no other flag or argument",
		"--revoke admite el id de un token y ninguna otra opción ni argumento"},
	msgTokenBadID: {
		"%q is not a token id: want the %d hex digits that --list shows, or the token itself (cmt_...)",
		"%q no es un id de token: use los %d dígitos hexadecimales que muestra --list, o el token mismo (cmt_...)"},
	msgTokenNoID: {
		"no token has the id %q (revoked already?); --list shows the tokens there are",
		"ningún token tiene el id %q (¿ya anulado?); --list muestra los tokens que hay"},
	msgTokenNoSecret: {
		"this token is not in the database: revoked already, or made for another server",
		"este token no está en la base de datos: ya fue anulado, o es de otro servidor"},
	msgTokenRevoked: {
		"token %s of member %s (%s) revoked: it no longer works\n",
		"token %s del miembro %s (%s) anulado: ya no sirve\n"},
	msgTokenListHead: {
		"ID\tMEMBER\tROLE\tCOLLECTIVE\tCREATED\n",
		"ID\tMIEMBRO\tROL\tCOLECTIVO\tCREADO\n"},
	msgTokenNone: {
		"no API tokens\n",
		"ningún token de API\n"},
}

func (c *command) token(ctx context.Context, args []string) error {
	fs := c.flags("token", msgTokenUsage)
	sf := c.storeFlags(fs)
	alias := fs.String("member", "", c.t(msgFlagTokenMember))
	roleName := fs.String("role", "", c.t(msgFlagTokenRole))
	collective := fs.String("collective", "", c.t(msgFlagTokenCollective))
	list := fs.Bool("list", false, c.t(msgFlagTokenList))
	revoke := fs.String("revoke", "", c.t(msgFlagTokenRevoke))
	pos, err := parse(fs, args)
	if err != nil {
		return c.flagError(err)
	}
	var run func(*store.Store) error
	switch {
	case *list:
		if len(pos) != 0 || *roleName != "" || *collective != "" || *revoke != "" {
			return usageError{c.t(msgTokenListArgs)}
		}
		run = func(st *store.Store) error { return c.listTokens(ctx, st, sf, *alias) }
	case *revoke != "":
		if len(pos) != 0 || *alias != "" || *roleName != "" || *collective != "" {
			return usageError{c.t(msgTokenRevokeArgs)}
		}
		id := strings.TrimSpace(*revoke)
		secret := auth.CheckFormat(id, auth.TokenPrefix) == nil
		if !secret {
			id = strings.ToLower(id)
			if !store.ValidTokenID(id) {
				return usageError{c.t(msgTokenBadID, *revoke, store.TokenIDLen)}
			}
		}
		run = func(st *store.Store) error { return c.revokeToken(ctx, st, id, secret) }
	default:
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
		run = func(st *store.Store) error { return c.createToken(ctx, st, sf, *alias, role, *collective) }
	}
	st, err := c.openExisting(ctx, sf)
	if err != nil {
		return err
	}
	defer st.Close()
	return run(st)
}

// memberByAlias finds the member of alias in the store the flags sf
// name, saying so in the user's language when there is none, and how
// members are added to it: on a new server there is nobody yet.
func (c *command) memberByAlias(ctx context.Context, st *store.Store, sf storeFlags, alias string) (*store.Member, error) {
	m, err := st.MemberByAlias(ctx, alias)
	if store.ErrorCode(err) == store.CodeNotFound {
		return nil, errors.New(c.t(msgTokenNoMember, alias, sf.typed()))
	}
	return m, err
}

func (c *command) createToken(ctx context.Context, st *store.Store, sf storeFlags, alias string, role auth.Role, collective string) error {
	m, err := c.memberByAlias(ctx, st, sf, alias)
	if err != nil {
		return err
	}
	secret := auth.NewToken()
	tok, err := st.CreateToken(ctx, store.Token{Hash: auth.Hash(secret), MemberID: m.ID, Role: string(role), Collective: collective})
	if err != nil {
		return err
	}
	// Browser sessions take roles from the database, not from tokens:
	// the operator who makes an organizer's token says the member is one.
	if role == auth.Organizer {
		if err := st.SetOrganizer(ctx, m.ID, true); err != nil {
			return err
		}
	}
	fmt.Fprint(c.stderr, c.t(msgTokenCreated, tok.ID, m.ID, role))
	fmt.Fprintln(c.stdout, secret)
	return nil
}

// listTokens prints the tokens, or those of the member of alias, as a
// table on standard output; with none, it says so on standard error.
func (c *command) listTokens(ctx context.Context, st *store.Store, sf storeFlags, alias string) error {
	var toks []store.Token
	var err error
	if alias == "" {
		toks, err = st.Tokens(ctx)
	} else {
		var m *store.Member
		if m, err = c.memberByAlias(ctx, st, sf, alias); err != nil {
			return err
		}
		toks, err = st.MemberTokens(ctx, m.ID)
	}
	if err != nil {
		return err
	}
	if len(toks) == 0 {
		fmt.Fprint(c.stderr, c.t(msgTokenNone))
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, c.t(msgTokenListHead))
	for _, t := range toks {
		coll := t.Collective
		if coll == "" {
			coll = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.ID, t.Alias, t.Role, coll, t.Created.UTC().Format(time.DateTime+" UTC"))
	}
	return tw.Flush()
}

// revokeToken revokes the token of id, or with secret set, the token
// that id is.
func (c *command) revokeToken(ctx context.Context, st *store.Store, id string, secret bool) error {
	if secret {
		t, err := st.TokenByHash(ctx, auth.Hash(id))
		if store.ErrorCode(err) == store.CodeNotFound {
			return errors.New(c.t(msgTokenNoSecret))
		}
		if err != nil {
			return err
		}
		id = t.ID
	}
	t, err := st.RevokeToken(ctx, "", id) // "": the audit log says by the command line
	if store.ErrorCode(err) == store.CodeNotFound {
		return errors.New(c.t(msgTokenNoID, id))
	}
	if err != nil {
		return err
	}
	fmt.Fprint(c.stdout, c.t(msgTokenRevoked, t.ID, t.Alias, t.Role))
	return nil
}
