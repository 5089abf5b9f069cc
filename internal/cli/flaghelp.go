package cli

import (
	"flag"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"
)

// helpWidth is the widest line of the help, in characters: it fits a
// terminal of 80 columns.
const helpWidth = 80

// flagIndent starts the lines that say what a flag does, as the flag
// package's tab did.
const flagIndent = "        "

// printFlags writes the flags of fs, in the order of their names, as
// the flag package's PrintDefaults does but in the command's language:
// each flag's usage is a message of the catalogs, the placeholder of its
// value is the word between backquotes in it or else its type, said in
// that language (placeholders), and the text is wrapped to helpWidth.
func (c *command) printFlags(w io.Writer, fs *flag.FlagSet) {
	var b strings.Builder
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		if es, ok := placeholdersES[name]; ok && c.cfg.Lang == "es" && !strings.Contains(f.Usage, "`") {
			name = es
		}
		b.WriteString("  -" + f.Name)
		if name != "" {
			b.WriteString(" " + name)
		}
		b.WriteByte('\n')
		words := strings.Fields(usage)
		if def, ok := shownDefault(f); ok {
			// "(default 1m0s)" is not broken across lines.
			words = append(words, c.t(msgFlagDefault, def))
		}
		b.WriteString(wrap(words, flagIndent, helpWidth))
	})
	fmt.Fprint(w, b.String())
}

// The usage of each flag, in the catalog flagMessages. A word between
// backquotes is the placeholder of the flag's value (flag.UnquoteUsage).
const (
	msgFlagDefault msgKey = "flag-default"

	// The flags of more than one command.
	msgFlagData  msgKey = "flag-data"
	msgFlagDB    msgKey = "flag-db"
	msgFlagKey   msgKey = "flag-key"
	msgFlagAddr  msgKey = "flag-addr"
	msgFlagTol   msgKey = "flag-tol"
	msgFlagQuiet msgKey = "flag-quiet"

	msgFlagLPJSON     msgKey = "flag-lp-json"
	msgFlagLPLimit    msgKey = "flag-lp-time-limit"
	msgFlagLPSolver   msgKey = "flag-lp-solver"
	msgFlagLPMethod   msgKey = "flag-lp-method"
	msgFlagLPRepair   msgKey = "flag-lp-repair"
	msgFlagPlanJSON   msgKey = "flag-plan-json"
	msgFlagPlanOut    msgKey = "flag-plan-out"
	msgFlagPlanSolver msgKey = "flag-plan-solver"
	msgFlagPlanExport msgKey = "flag-plan-export-mps"
	msgFlagPlanLimit  msgKey = "flag-plan-time-limit"
	msgFlagPlanBudget msgKey = "flag-plan-budget"
	msgFlagPlanQuiet  msgKey = "flag-plan-quiet"
	msgFlagPlanRounds msgKey = "flag-plan-rounds"

	msgFlagGenMembers  msgKey = "flag-gen-members"
	msgFlagGenSites    msgKey = "flag-gen-sites"
	msgFlagGenProducts msgKey = "flag-gen-products"
	msgFlagGenSkills   msgKey = "flag-gen-skills"
	msgFlagGenSeed     msgKey = "flag-gen-seed"
	msgFlagGenArea     msgKey = "flag-gen-area"
	msgFlagGenOut      msgKey = "flag-gen-out"

	msgFlagServeSMTP      msgKey = "flag-serve-smtp"
	msgFlagServePublicURL msgKey = "flag-serve-public-url"
	msgFlagServePush      msgKey = "flag-serve-push-subject"
	msgFlagServeSMS       msgKey = "flag-serve-sms"
	msgFlagServeSMSFrom   msgKey = "flag-serve-sms-from"
	msgFlagServeRings     msgKey = "flag-serve-call-rings"
	msgFlagServeRetention msgKey = "flag-serve-call-retention"
	msgFlagServeProxy     msgKey = "flag-serve-trusted-proxy"
	msgFlagDemoData       msgKey = "flag-demo-data"
	msgFlagDemoPublic     msgKey = "flag-demo-public"
	msgFlagSignInMember   msgKey = "flag-signin-member"
	msgFlagSignInURL      msgKey = "flag-signin-url"

	msgFlagTokenMember     msgKey = "flag-token-member"
	msgFlagTokenRole       msgKey = "flag-token-role"
	msgFlagTokenCollective msgKey = "flag-token-collective"
	msgFlagTokenList       msgKey = "flag-token-list"
	msgFlagTokenRevoke     msgKey = "flag-token-revoke"
	msgFlagImportDryRun    msgKey = "flag-import-dry-run"
)

var flagMessages = map[msgKey][2]string{
	msgFlagDefault: {
		"(default %s)",
		"(por omisión %s)"},

	msgFlagData: {
		"the data directory `DIR`: the SQLite database and the key",
		"el directorio de datos `DIR`: la base de datos SQLite y la clave"},
	msgFlagDB: {
		"the `URL` of a PostgreSQL database (postgres://...) to use instead of SQLite",
		"la `URL` de una base de datos PostgreSQL (postgres://...) que usar en lugar de SQLite"},
	msgFlagKey: {
		"the server's key `FILE`, instead of DIR/key",
		"el `ARCHIVO` de la clave del servidor, en lugar de DIR/key"},
	msgFlagAddr: {
		"the `ADDRESS` to listen on, host:port",
		"la `DIRECCIÓN` en la que escuchar, servidor:puerto"},
	msgFlagTol: {
		"the relative tolerance of each LP, above 0 and below 1",
		"la tolerancia relativa de cada PL, mayor que 0 y menor que 1"},
	msgFlagQuiet: {
		"nothing on standard error but errors: no progress",
		"en la salida de errores solo los errores: sin progreso"},

	msgFlagLPJSON: {
		"print one JSON object instead of the report",
		"imprime un objeto JSON en lugar del informe"},
	msgFlagLPLimit: {
		"stop after this long (such as 90s or 5m), 0 for no limit",
		"se detiene tras este tiempo (como 90s o 5m), 0 sin límite"},
	msgFlagLPSolver: {
		"`NAME` of the solver: builtin (commune's own), clp, glpk or highs",
		"`NOMBRE` del solucionador: builtin (el propio de commune), clp, glpk o highs"},
	msgFlagLPMethod: {
		"`METHOD` of the solver; builtin: halpern, adaptive or barrier; clp: dual, primal or barrier; glpk: simplex or interior; highs: simplex, ipm or pdlp; empty, the solver's own choice",
		"`MÉTODO` del solucionador; builtin: halpern, adaptive o barrier; clp: dual, primal o barrier; glpk: simplex o interior; highs: simplex, ipm o pdlp; vacío, el que elija el solucionador"},
	msgFlagLPRepair: {
		"built-in PDHG: mend a point that keeps all but a few rows by solving again around them; the answer may be feasible, not optimal",
		"PDHG propio: repara un punto que cumple todas las filas menos unas pocas resolviendo de nuevo a su alrededor; la respuesta puede ser factible, no óptima"},

	msgFlagPlanJSON: {
		"print the plan file to standard output instead of the summary",
		"imprime el archivo del plan en la salida estándar en lugar del resumen"},
	msgFlagPlanOut: {
		`write the plan file to ` + "`FILE`" + `, "-" for standard output`,
		`escribe el archivo del plan en ` + "`ARCHIVO`" + `, "-" para la salida estándar`},
	msgFlagPlanSolver: {
		"`NAME` of the solver: builtin (commune's own), clp or highs",
		"`NOMBRE` del solucionador: builtin (el propio de commune), clp o highs"},
	msgFlagPlanExport: {
		"write every stage's LP as `PREFIX`-1.mps, ... and PREFIX.json, which names each file with its objective (and its status, when the stage stopped at a limit)",
		"escribe el PL de cada etapa como `PREFIJO`-1.mps, ... y PREFIJO.json, que nombra cada archivo con su objetivo (y su estado, si la etapa se detuvo en un límite)"},
	msgFlagPlanLimit: {
		"stop each LP after this long (such as 90s or 5m), 0 for no limit; a stage stopped so uses its last point, moved with the built-in solver toward the stages before until it keeps every row",
		"detiene cada PL tras este tiempo (como 90s o 5m), 0 sin límite; una etapa detenida así usa su último punto, acercado con el solucionador propio a las etapas anteriores hasta que cumpla cada fila"},
	msgFlagPlanBudget: {
		"time for all the plan's LPs, 0 for no limit: each gets its share of what is left among the stages to come (the essential tier's twice), each tier takes one max-min round, and the plan is whole but not proved the fairest",
		"tiempo para todos los PL del plan, 0 sin límite: cada uno recibe su parte de lo que queda entre las etapas que faltan (las del nivel esencial el doble), cada nivel hace una ronda max-min, y el plan es completo pero sin prueba de ser el más justo"},
	msgFlagPlanRounds: {
		"the most max-min rounds in each tier, 0 for the default (six, or one when the plan's LP has more than a million nonzeros, as a region of a million members does): the first raises the smallest share, and each after it the shares of the needs that can still get more; with fewer the plan is made sooner, and the shares above the smallest are not proved the fairest",
		"el máximo de rondas max-min en cada nivel, 0 para el valor por defecto (seis, o una cuando el PL del plan tiene más de un millón de coeficientes no nulos, como el de una región de un millón de miembros): la primera eleva la parte más pequeña, y cada una de las siguientes las partes de las necesidades que aún pueden recibir más; con menos el plan se hace antes, y las partes por encima de la más pequeña no quedan probadas como las más justas"},
	msgFlagPlanQuiet: {
		"nothing on standard error but errors: no progress, no files named, no warning of a stage stopped at a limit (the plan's status still says it)",
		"en la salida de errores solo los errores: ni progreso, ni archivos escritos, ni el aviso de una etapa detenida en un límite (el estado del plan lo dice igual)"},

	msgFlagGenMembers: {
		"how many members, at least 1",
		"cuántos miembros, al menos 1"},
	msgFlagGenSites: {
		"how many sites, at least 1",
		"cuántos sitios, al menos 1"},
	msgFlagGenProducts: {
		"how many products, at least 1",
		"cuántos productos, al menos 1"},
	msgFlagGenSkills: {
		"how many skills, at least 1",
		"cuántos oficios, al menos 1"},
	msgFlagGenSeed: {
		"the random seed: the same seed and flags give the same world",
		"la semilla del azar: la misma semilla y opciones dan el mismo mundo"},
	msgFlagGenArea: {
		"`WHERE`: la (around Los Angeles) or world (cities on every continent)",
		"`DÓNDE`: la (alrededor de Los Ángeles) o world (ciudades de todos los continentes)"},
	msgFlagGenOut: {
		`the ` + "`FILE`" + ` to write, "-" for standard output`,
		`el ` + "`ARCHIVO`" + ` en el que escribir, "-" para la salida estándar`},

	msgFlagServeSMTP: {
		"the `URL` of the SMTP server that sends sign-in codes, smtp://host:port",
		"la `URL` del servidor SMTP que envía los códigos de entrada, smtp://servidor:puerto"},
	msgFlagServePublicURL: {
		"the `URL` at which browsers reach the server",
		"la `URL` en la que los navegadores encuentran el servidor"},
	msgFlagServePush: {
		"how push services reach whoever runs the server: a mailto: or https: `URL`",
		"cómo los servicios de notificaciones contactan a quien ejecuta el servidor: una `URL` mailto: o https:"},
	msgFlagServeSMS: {
		"the `URL` of the SMS gateway for urgent calls and reminders",
		"la `URL` de la pasarela SMS para los llamados urgentes y los recordatorios"},
	msgFlagServeSMSFrom: {
		"the number or `NAME` that texts come from",
		"el número o el `NOMBRE` del remitente de los mensajes"},
	msgFlagServeRings: {
		"the time between the rings of a call, from 10s to 1h",
		"el tiempo entre los círculos de un llamado, de 10s a 1h"},
	msgFlagServeRetention: {
		"how long a call's data is kept after it ends, from 1h to 168h",
		"cuánto se guardan los datos de un llamado después de que termina, de 1h a 168h"},
	msgFlagServeProxy: {
		"`LIST` of the addresses or CIDR ranges of trusted reverse proxies, separated by commas, whose Forwarded or X-Forwarded-For header names the client",
		"`LISTA` de las direcciones o rangos CIDR de los proxies inversos de confianza, separados por comas, cuya cabecera Forwarded o X-Forwarded-For nombra al cliente"},
	msgFlagSignInMember: {
		"the `ALIAS` of the member the link signs in",
		"el `ALIAS` del miembro cuya sesión abre el enlace"},
	msgFlagSignInURL: {
		"the server's public `URL`, which the link starts with",
		"la `URL` pública del servidor, con la que empieza el enlace"},
	msgFlagDemoPublic: {
		"listen on an address other machines may reach (0.0.0.0, the machine's own): anyone who reaches it can sign in as the demo's organizer",
		"escuchar en una dirección a la que pueden llegar otras máquinas (0.0.0.0, las de la máquina): quien llegue a ella puede entrar como organizador de la demostración"},
	msgFlagDemoData: {
		"the data directory `DIR` of the demo: its SQLite database and key",
		"el directorio de datos `DIR` de la demostración: su base de datos SQLite y su clave"},

	msgFlagTokenMember: {
		"the member's `ALIAS`",
		"el `ALIAS` del miembro"},
	msgFlagTokenRole: {
		"the token's `ROLE`: member, coordinator or organizer",
		"el `ROL` del token: member, coordinator u organizer"},
	msgFlagTokenCollective: {
		"the `ID` of the collective a coordinator's token acts on",
		"el `ID` del colectivo sobre el que actúa el token de un coordinador"},
	msgFlagTokenList: {
		"list the tokens, or the member's",
		"lista los tokens, o los del miembro"},
	msgFlagTokenRevoke: {
		"revoke the token of this `ID` (or the token itself)",
		"anula el token de este `ID` (o el token mismo)"},
	msgFlagImportDryRun: {
		"check every row, write nothing",
		"revisa todas las filas sin escribir nada"},
}

// placeholdersES are the Spanish of the placeholders the flag package
// gives a value by its type (flag.UnquoteUsage).
var placeholdersES = map[string]string{
	"string":   "texto",
	"int":      "entero",
	"uint":     "entero",
	"float":    "número",
	"duration": "duración",
	"value":    "valor",
}

// shownDefault is a flag's default as the flag package shows it (quoted
// for a text), and whether to show it: not when it is its type's zero.
func shownDefault(f *flag.Flag) (string, bool) {
	t := reflect.TypeOf(f.Value)
	if t.Kind() != reflect.Pointer {
		return f.DefValue, f.DefValue != ""
	}
	zero, ok := reflect.New(t.Elem()).Interface().(flag.Value)
	if ok && f.DefValue == zero.String() {
		return "", false
	}
	if t.Elem().Kind() == reflect.String {
		return fmt.Sprintf("%q", f.DefValue), true
	}
	return f.DefValue, true
}

// wrap puts words on lines of at most width characters, each starting
// with indent, separated by spaces; a word longer than a line stands on
// its own.
func wrap(words []string, indent string, width int) string {
	var b strings.Builder
	n := 0 // characters on the current line
	for _, word := range words {
		l := utf8.RuneCountInString(word)
		switch {
		case n == 0:
		case n+1+l > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		if n == 0 {
			b.WriteString(indent)
			n = utf8.RuneCountInString(indent)
		}
		b.WriteString(word)
		n += l
	}
	if n > 0 {
		b.WriteByte('\n')
	}
	return b.String()
}
