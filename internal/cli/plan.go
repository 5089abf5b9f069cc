package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/commune-org/commune/internal/plan"
	"github.com/commune-org/commune/internal/world"
	"github.com/commune-org/commune/lp"
)

const (
	msgPlanUsage     msgKey = "plan-usage"
	msgPlanOneWorld  msgKey = "plan-one-world"
	msgPlanInvalid   msgKey = "plan-invalid"
	msgPlanSolver    msgKey = "plan-solver"
	msgPlanSummary   msgKey = "plan-summary"
	msgPlanTier      msgKey = "plan-tier"
	msgPlanShortfall msgKey = "plan-shortfall"
	msgPlanMore      msgKey = "plan-more"
	msgPlanWrote     msgKey = "plan-wrote"
	msgPlanExported  msgKey = "plan-exported"
	msgPlanNegative  msgKey = "plan-negative"
	msgPlanRounds    msgKey = "plan-rounds"
	msgPlanStopped   msgKey = "plan-stopped"
	msgPlanLimited   msgKey = "plan-limited"
	msgPlanWarning   msgKey = "plan-warning"
	msgPlanTable     msgKey = "plan-table"
	msgTolerance     msgKey = "tolerance"
)

var planMessages = map[msgKey][2]string{
	msgPlanUsage: {
		`usage: commune plan [flags] WORLD.json

Plans a world (format commune.world/v1; "-" reads standard input): who
works where, what each site produces, and how every product reaches every
need. Essential needs come first, then basic, then wanted; within a tier
the smallest share is made as large as possible, then the total. Prints a
summary, or the plan file (commune.plan/v1) with --json or --out. Progress
goes to standard error when planning takes more than a second. Exits 0 with
a plan, 1 when the solver fails, 2 on a bad command line or world, 130
when interrupted (Ctrl-C).

A stage stopped at --time-limit, at --budget, or at the solver's own limit
of iterations before its optimum still gives a plan that keeps every rule,
but it may give less than possible: its status is then "feasible", the
summary and a warning on standard error name the stages, the shortfalls of
their tiers name no cause, and the exit status is 0 all the same.

Flags:
`,
		`uso: commune plan [opciones] MUNDO.json

Planifica un mundo (formato commune.world/v1; "-" lee la entrada
estándar): quién trabaja dónde, qué produce cada sitio y cómo llega cada
producto a cada necesidad. Primero las necesidades esenciales, luego las
básicas, luego las deseadas; dentro de un nivel, la menor parte se hace lo
más grande posible y luego el total. Muestra un resumen, o el archivo de
plan (commune.plan/v1) con --json o --out. El progreso va a la salida de
errores cuando planificar lleva más de un segundo. Termina con 0 si hay
plan, 1 si el solucionador falla, 2 si la línea de órdenes o el mundo son
incorrectos, 130 si se interrumpe (Ctrl-C).

Una etapa detenida por --time-limit, por --budget o por el límite de
iteraciones del propio solucionador antes de su óptimo da igualmente un
plan que cumple todas las reglas, pero que puede dar menos de lo posible:
su estado es entonces "factible", el resumen y un aviso en la salida de
errores nombran las etapas, los faltantes de sus niveles no nombran
ninguna causa, y el estado de salida es 0 de todos modos.

Opciones:
`},
	msgPlanOneWorld: {
		"want exactly one world file (or - for standard input), got %d arguments",
		"se espera exactamente un archivo de mundo (o - para la entrada estándar), hay %d argumentos"},
	msgPlanInvalid: {
		"%s: the world is not valid:\n%s",
		"%s: el mundo no es válido:\n%s"},
	msgPlanSolver: {
		"unknown solver %q: want builtin, clp or highs",
		"solucionador desconocido %q: use builtin, clp o highs"},
	msgPlanNegative: {
		"--%s %s: a time cannot be negative (0 for no limit)",
		"--%s %s: un tiempo no puede ser negativo (0 sin límite)"},
	msgPlanRounds: {
		"--rounds %d: a tier takes at least one max-min round (0, the default: six, or one on an LP of more than a million nonzeros)",
		"--rounds %d: cada nivel hace al menos una ronda max-min (0, el valor por defecto: seis, o una en un PL de más de un millón de coeficientes no nulos)"},
	msgTolerance: {
		"--tol %g: want a relative tolerance above 0 and below 1, such as 1e-6",
		"--tol %g: se espera una tolerancia relativa mayor que 0 y menor que 1, como 1e-6"},
	msgPlanStopped: {
		"interrupted; no file was written",
		"interrumpido; no se escribió ningún archivo"},
	msgPlanSummary: {
		"plan of %d members, %d sites, %d products, %d needs: %s\n",
		"plan de %d miembros, %d sitios, %d productos, %d necesidades: %s\n"},
	msgPlanLimited: {
		"stages stopped at a limit before their optimum: %s; the plan keeps every rule, but may give less than possible",
		"etapas detenidas en un límite antes de su óptimo: %s; el plan cumple todas las reglas, pero puede dar menos de lo posible"},
	msgPlanWarning: {
		"warning: %s\n",
		"aviso: %s\n"},
	msgPlanTable: {
		"coverage      needed          met     min share\n",
		"cobertura    necesario     cubierto   menor parte\n"},
	msgPlanTier: {
		"%-9s %12.6g %12.6g %12.1f%%\n",
		"%-9s %12.6g %12.6g %12.1f%%\n"},
	msgPlanShortfall: {
		`labour: %.6g hours committed, %.6g assigned in %d assignments
production: %d recipes run; %d flows to needs, %d transfers between sites
solver: %s, %d rows, %d columns, %d nonzeros, %.2f s
shortfalls: %d
`,
		`trabajo: %.6g horas comprometidas, %.6g asignadas en %d asignaciones
producción: %d recetas en marcha; %d envíos a necesidades, %d traslados entre sitios
solucionador: %s, %d filas, %d columnas, %d no nulos, %.2f s
faltantes: %d
`},
	msgPlanMore: {
		"  ... and %d more (see the plan file)\n",
		"  ... y %d más (véase el archivo del plan)\n"},
	msgPlanWrote: {
		"wrote %s\n",
		"escrito %s\n"},
	msgPlanExported: {
		"wrote %d stage LPs and %s\n",
		"escritos %d programas lineales de etapa y %s\n"},
}

var tierES = map[world.Tier]string{world.Essential: "esencial", world.Basic: "básica", world.Wanted: "deseada"}

// stopES says in Spanish why a stage stopped (plan.StoppedStage.Status).
var stopES = map[string]string{"time_limit": "límite de tiempo", "iteration_limit": "límite de iteraciones", "stalled": "sin progreso"}

// limited says which stages of p stopped before their optimum, and why,
// and what that means for the plan: words to wrap, each stage and its
// reason one of them.
func (c *command) limited(p *plan.Plan) []string {
	before, after, _ := strings.Cut(c.t(msgPlanLimited), "%s")
	words := strings.Fields(before)
	for i, s := range p.Stopped {
		why := strings.ReplaceAll(s.Status, "_", " ")
		if c.cfg.Lang == "es" && stopES[s.Status] != "" {
			why = stopES[s.Status]
		}
		w := fmt.Sprintf("%s (%s)", s.Stage, why)
		if i < len(p.Stopped)-1 {
			w += ","
		}
		words = append(words, w)
	}
	if rest := strings.Fields(after); len(rest) > 0 {
		// The punctuation after the list sticks to its last entry.
		if !strings.HasPrefix(after, " ") {
			words[len(words)-1] += rest[0]
			rest = rest[1:]
		}
		words = append(words, rest...)
	}
	return words
}

// exportedStage is one entry of the --export-mps manifest.
// Status is empty for a stage solved to its optimum, else the solver's
// status ("time_limit", "iteration_limit", "stalled") for a stage
// stopped at a point that keeps every row, whose objective it is.
type exportedStage struct {
	Stage     string  `json:"stage"`
	File      string  `json:"file"`
	Objective float64 `json:"objective"`
	Status    string  `json:"status,omitempty"`
}

func (c *command) plan(ctx context.Context, args []string) error {
	fs := c.flags("plan", msgPlanUsage)
	asJSON := fs.Bool("json", false, c.t(msgFlagPlanJSON))
	out := fs.String("out", "", c.t(msgFlagPlanOut))
	solverName := fs.String("solver", "builtin", c.t(msgFlagPlanSolver))
	export := fs.String("export-mps", "", c.t(msgFlagPlanExport))
	tol := fs.Float64("tol", 1e-6, c.t(msgFlagTol))
	limit := fs.Duration("time-limit", 0, c.t(msgFlagPlanLimit))
	budget := fs.Duration("budget", 0, c.t(msgFlagPlanBudget))
	rounds := fs.Int("rounds", 0, c.t(msgFlagPlanRounds))
	quiet := fs.Bool("quiet", false, c.t(msgFlagPlanQuiet))
	pos, err := parse(fs, args)
	if err != nil {
		return c.flagError(err)
	}
	if len(pos) != 1 {
		return usageError{c.t(msgPlanOneWorld, len(pos))}
	}
	if *out == "-" { // standard output, as gen's --out -
		*out, *asJSON = "", true
	}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"time-limit", *limit}, {"budget", *budget}} {
		if f.d < 0 {
			return usageError{c.t(msgPlanNegative, f.name, f.d)}
		}
	}
	if !(*tol > 0 && *tol < 1) {
		return usageError{c.t(msgTolerance, *tol)}
	}
	if *rounds < 0 {
		return usageError{c.t(msgPlanRounds, *rounds)}
	}
	var solver lp.Solver
	switch *solverName {
	case "builtin":
		// nil: the planner's own use of the built-in solver, its
		// interior-point method (plan.Options.Solver).
	case "clp", "highs":
		if solver, err = c.external(*solverName, ""); err != nil {
			return err
		}
	default:
		return usageError{c.t(msgPlanSolver, *solverName)}
	}
	// Find out now, not after a long solve, that a file cannot be written.
	outputs := []string{*out}
	if *export != "" {
		outputs = append(outputs, *export+"-1.mps", *export+".json")
	}
	for _, name := range outputs {
		if name == "" {
			continue
		}
		if err := c.checkOutput(name); err != nil {
			return err
		}
	}
	w, err := c.readWorld(ctx, pos[0])
	if err != nil {
		return err
	}

	start := time.Now()
	var mu sync.Mutex
	opt := plan.Options{Solver: solver, LP: lp.Options{Tolerance: *tol, TimeLimit: *limit}, Budget: *budget, Rounds: *rounds}
	if !*quiet {
		opt.Progress = func(e plan.Event) {
			mu.Lock()
			defer mu.Unlock()
			switch {
			case e.LP != nil:
				fmt.Fprintf(c.stderr, "%-18s %s\n", e.Stage, e.LP)
			case time.Since(start) >= time.Second:
				fmt.Fprintf(c.stderr, "%-18s %s\n", e.Stage, e.Message)
			}
		}
	}
	exp := &stageExport{prefix: *export}
	defer exp.discard()
	if *export != "" {
		opt.Export = exp.add
	}
	p, err := plan.Make(ctx, w, opt)
	if ctx.Err() != nil {
		return interruptedError{c.t(msgPlanStopped)}
	}
	if err != nil {
		return err
	}
	if len(p.Stopped) > 0 && !*quiet {
		fmt.Fprintf(c.stderr, "commune: "+c.t(msgPlanWarning), strings.Join(c.limited(p), " "))
	}
	if *export != "" {
		name, err := exp.commit()
		if err != nil {
			return err
		}
		if !*quiet {
			fmt.Fprintf(c.stderr, c.t(msgPlanExported), len(exp.stages), name)
		}
	}
	if *out != "" {
		if err := writeFile(*out, func(f io.Writer) error { return plan.Write(f, p) }); err != nil {
			return err
		}
		if !*quiet {
			fmt.Fprintf(c.stderr, c.t(msgPlanWrote), *out)
		}
	}
	if *asJSON {
		return plan.Write(c.stdout, p)
	}
	c.summary(p, w)
	return nil
}

// stageExport writes the stages' LPs of --export-mps, each to a
// temporary file beside its name as the planner solves it, renamed into
// place with the manifest PREFIX.json once the plan is made: a plan that
// fails or is interrupted leaves neither some stages nor, beside an
// earlier run's manifest, stages that it does not describe.
type stageExport struct {
	prefix string
	stages []exportedStage
	temps  []string // the temporary file of each stage
}

// add writes a stage's LP to a temporary file (plan.Options.Export).
func (x *stageExport) add(stage string, m *lp.Model, sol *lp.Solution) error {
	name := fmt.Sprintf("%s-%d.mps", x.prefix, len(x.stages)+1)
	tmp, err := writeTemp(filepath.Dir(name), func(f io.Writer) error { return lp.WriteMPS(f, m) })
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	x.temps = append(x.temps, tmp)
	e := exportedStage{Stage: stage, File: name, Objective: sol.Objective}
	if sol.Status != lp.Optimal {
		e.Status = sol.Status.String()
	}
	x.stages = append(x.stages, e)
	return nil
}

// commit renames the stages' files into place and writes the manifest,
// whose name it returns. The stages an earlier manifest listed beyond
// the new ones are removed once the new manifest is written: left, they
// would lie beside a manifest that does not list them.
func (x *stageExport) commit() (string, error) {
	name := x.prefix + ".json"
	old := x.oldStages(name)
	for i, tmp := range x.temps {
		if err := os.Rename(tmp, x.stages[i].File); err != nil {
			return "", fmt.Errorf("write %s: %w", x.stages[i].File, err)
		}
	}
	x.temps = nil
	err := writeFile(name, func(f io.Writer) error {
		enc := json.NewEncoder(f)
		enc.SetIndent("", "  ")
		return enc.Encode(x.stages)
	})
	if err != nil {
		return "", err
	}
	for _, file := range old {
		if err := os.Remove(file); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("remove %s, a stage of the earlier export: %w", file, err)
		}
	}
	return name, nil
}

// oldStages are the files of the manifest already at name that the new
// export does not write: only names of the form PREFIX-k.mps with k
// beyond the new stages, spelled as this export spells its own, that
// are regular files. Anything else the old manifest names is left
// alone, as is everything when it cannot be read.
func (x *stageExport) oldStages(name string) []string {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil
	}
	var old []exportedStage
	if json.Unmarshal(b, &old) != nil {
		return nil
	}
	var files []string
	for _, s := range old {
		rest, ok := strings.CutPrefix(s.File, x.prefix+"-")
		if !ok {
			continue
		}
		digits, ok := strings.CutSuffix(rest, ".mps")
		k, err := strconv.Atoi(digits)
		if !ok || err != nil || k <= len(x.stages) || strconv.Itoa(k) != digits {
			continue
		}
		if fi, err := os.Lstat(s.File); err == nil && fi.Mode().IsRegular() {
			files = append(files, s.File)
		}
	}
	return files
}

// discard removes the temporary files of stages not committed.
func (x *stageExport) discard() {
	for _, tmp := range x.temps {
		os.Remove(tmp)
	}
	x.temps = nil
}

// readWorld reads and validates a world file, or standard input for "-".
// A world with errors is a usage error listing all of them.
func (c *command) readWorld(ctx context.Context, name string) (*world.World, error) {
	if err := c.checkInput(name); err != nil {
		return nil, err
	}
	stdin := os.Stdin
	w, err := interruptible(ctx, func() (*world.World, error) {
		if name == "-" {
			return world.Read(stdin)
		}
		return world.ReadFile(name)
	})
	if ctx.Err() != nil {
		return nil, interruptedError{c.t(msgPlanStopped)}
	}
	if err == nil {
		return w, nil
	}
	var errs world.Errors
	if errors.As(err, &errs) {
		return nil, usageError{c.t(msgPlanInvalid, name, errs.Message(c.cfg.Lang))}
	}
	return nil, c.inputError(name, err)
}

// summary prints what a plan gives, naming products and skills as the
// world names them in the reader's language.
func (c *command) summary(p *plan.Plan, w *world.World) {
	status := p.Status
	if c.cfg.Lang == "es" {
		switch status {
		case "optimal":
			status = "óptimo"
		case "feasible":
			status = "factible"
		}
	}
	fmt.Fprintf(c.stdout, c.t(msgPlanSummary), p.World.Members, p.World.Sites, p.World.Products, p.World.Needs, status)
	if len(p.Stopped) > 0 {
		fmt.Fprint(c.stdout, wrap(c.limited(p), "", helpWidth))
	}
	fmt.Fprint(c.stdout, c.t(msgPlanTable))
	for _, tier := range world.Tiers {
		name := string(tier)
		if c.cfg.Lang == "es" {
			name = tierES[tier]
		}
		t := p.Tiers.Of(tier)
		fmt.Fprintf(c.stdout, c.t(msgPlanTier), name, t.Needed, t.Met, 100*t.MinCoverage)
	}
	fmt.Fprintf(c.stdout, c.t(msgPlanShortfall), p.Labor.CommittedHours, p.Labor.AssignedHours, len(p.Assignments),
		len(p.Production), len(p.Flows), len(p.Transfers),
		p.Solver.Name, p.Solver.Rows, p.Solver.Cols, p.Solver.Nonzeros, p.Solver.Seconds, len(p.Shortfalls))
	const shown = 10
	for i, s := range p.Shortfalls {
		if i == shown {
			fmt.Fprintf(c.stdout, c.t(msgPlanMore), len(p.Shortfalls)-shown)
			break
		}
		fmt.Fprintf(c.stdout, "  %s  %.6g  %s\n", s.Need, s.Missing, s.Cause.Named(c.cfg.Lang, w))
	}
}
