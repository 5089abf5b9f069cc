package cli

import "fmt"

// msgKey names a message of the command line; every message exists in
// English and Spanish.
type msgKey string

// The messages of the top level and of "commune lp"; each command's file
// keeps its own catalog (genMessages, planMessages, serveMessages, tokenMessages), listed in catalogs.
const (
	msgUsage          msgKey = "usage"
	msgUnknownCommand msgKey = "unknown-command"
	msgLPUsage        msgKey = "lp-usage"
	msgLPSolveUsage   msgKey = "lp-solve-usage"
	msgOneFile        msgKey = "one-file"
	msgUnknownSolver  msgKey = "unknown-solver"
	msgUnknownMethod  msgKey = "unknown-method"
	msgNotOptimal     msgKey = "not-optimal"
	msgReport         msgKey = "report"
	msgInterrupted    msgKey = "interrupted"

	msgFlagUndefined  msgKey = "flag-undefined"
	msgFlagNeedsValue msgKey = "flag-needs-value"
	msgFlagSyntax     msgKey = "flag-syntax"
	msgFlagValue      msgKey = "flag-value"
	msgFlagBool       msgKey = "flag-bool"
	msgFlagParse      msgKey = "flag-parse"
	msgFlagRange      msgKey = "flag-range"
)

var messages = map[msgKey][2]string{
	// The flag package's errors, in English as it says them.
	msgFlagUndefined: {
		"flag provided but not defined: %s",
		"opción desconocida: %s"},
	msgFlagNeedsValue: {
		"flag needs an argument: %s",
		"a la opción le falta su valor: %s"},
	msgFlagSyntax: {
		"bad flag syntax: %s",
		"opción mal escrita: %s"},
	msgFlagValue: {
		"invalid value %s for flag %s: %s",
		"valor %s no válido para la opción %s: %s"},
	msgFlagBool: {
		"invalid boolean flag %s: %s",
		"opción de sí o no %s no válida: %s"},
	msgFlagParse: {
		"parse error",
		"no se puede leer"},
	msgFlagRange: {
		"value out of range",
		"valor fuera de rango"},
	msgUsage: {
		`commune plans production and distribution for a workers' organization.

Usage:
  commune lp solve [flags] FILE.mps[.gz]
        solve a linear program with the built-in solver
  commune plan [flags] WORLD.json
        plan a world: who works where, what reaches each need
  commune gen [flags]
        write a synthetic world for tests and benchmarks
  commune demo [flags]
        run the server on a demo organization, ready to explore
  commune serve [flags]
        run the server: the web pages and the JSON API, on SQLite or PostgreSQL
  commune token [flags]
        create, list and revoke API tokens for members' scripts
  commune rotate-key [flags]
        seal every contact again under a new key
  commune import [flags] MEMBERS.csv
        add members from a spreadsheet export
  commune signin-link [flags]
        print a link that signs a member in once, in a browser
  commune help
        this text

Run "commune lp solve -h" for the flags of a command.
`,
		`commune planifica la producción y la distribución de una organización
de trabajadores.

Uso:
  commune lp solve [opciones] ARCHIVO.mps[.gz]
        resuelve un programa lineal con el solucionador propio
  commune plan [opciones] MUNDO.json
        planifica un mundo: quién trabaja dónde, qué llega a cada necesidad
  commune gen [opciones]
        escribe un mundo sintético para pruebas y mediciones
  commune demo [opciones]
        ejecuta el servidor con una organización de demostración, lista para
        explorar
  commune serve [opciones]
        ejecuta el servidor: las páginas web y la API JSON, sobre SQLite o
        PostgreSQL
  commune token [opciones]
        crea, lista y anula tokens de API para los programas de los miembros
  commune rotate-key [opciones]
        vuelve a sellar todos los contactos con una clave nueva
  commune import [opciones] MIEMBROS.csv
        añade miembros desde una hoja de cálculo exportada
  commune signin-link [opciones]
        escribe un enlace que abre la sesión de un miembro una vez, en un
        navegador
  commune help
        este texto

Ejecute "commune lp solve -h" para ver las opciones de un comando.
`},
	msgUnknownCommand: {
		`unknown command %q; run "commune help"`,
		`comando desconocido %q; ejecute "commune help"`},
	msgLPUsage: {
		"usage: commune lp solve [flags] FILE.mps[.gz]\n",
		"uso: commune lp solve [opciones] ARCHIVO.mps[.gz]\n"},
	msgLPSolveUsage: {
		`usage: commune lp solve [flags] FILE.mps[.gz]

Solves the linear program in an MPS file (fixed or free format, gzipped or
not; "-" reads standard input). Prints the result; exits 0 when an optimum
was found, 1 when the problem is infeasible or unbounded, a limit was
reached or the solve stalled, 2 on bad input, 130 when interrupted
(Ctrl-C). Progress goes to standard error on solves longer than a second.

Flags:
`,
		`uso: commune lp solve [opciones] ARCHIVO.mps[.gz]

Resuelve el programa lineal de un archivo MPS (formato fijo o libre,
comprimido con gzip o no; "-" lee la entrada estándar). Muestra el
resultado; termina con 0 si encontró un óptimo, 1 si el problema es
infactible o no acotado, se alcanzó un límite o la resolución dejó de
avanzar, 2 si la entrada es incorrecta, 130 si se interrumpe (Ctrl-C). El
progreso se escribe en la salida de errores cuando la resolución dura más
de un segundo.

Opciones:
`},
	msgOneFile: {
		"want exactly one MPS file, got %d arguments",
		"se espera exactamente un archivo MPS, hay %d argumentos"},
	msgUnknownSolver: {
		"unknown solver %q: want builtin, clp, glpk or highs",
		"solucionador desconocido %q: use builtin, clp, glpk o highs"},
	msgInterrupted: {
		"interrupted",
		"interrumpido"},
	msgUnknownMethod: {
		"unknown method %q of the built-in solver: want halpern, adaptive or barrier",
		"método desconocido %q del solucionador propio: use halpern, adaptive o barrier"},
	msgNotOptimal: {
		"%s: no optimum: %s",
		"%s: sin óptimo: %s"},
	msgReport: {
		`status           %s
objective        %.12g
iterations       %d
seconds          %.3f
primal residual  %.2e
dual residual    %.2e
gap              %.2e
rows             %d
columns          %d
nonzeros         %d
solver           %s
`,
		`estado           %s
objetivo         %.12g
iteraciones      %d
segundos         %.3f
residuo primal   %.2e
residuo dual     %.2e
brecha           %.2e
filas            %d
columnas         %d
no nulos         %d
solucionador     %s
`},
}

// catalogs are all the message catalogs of the command line; a key
// lives in exactly one of them (TestMessagesComplete checks).
var catalogs = []map[msgKey][2]string{messages, genMessages, planMessages, serveMessages, tokenMessages, demoMessages,
	rotateMessages, importMessages, sheetMessages, fileMessages, mpsMessages, solverMessages, storeMessages, flagMessages, signInMessages}

// t returns the message in the command's language, formatted with args.
func (c *command) t(k msgKey, args ...any) string {
	var pair [2]string
	for _, cat := range catalogs {
		if p, ok := cat[k]; ok {
			pair = p
			break
		}
	}
	s := pair[0]
	if c.cfg.Lang == "es" {
		s = pair[1]
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}
