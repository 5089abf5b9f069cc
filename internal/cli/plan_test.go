package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commune-org/commune/internal/plan"
	"github.com/commune-org/commune/internal/world"
	"github.com/commune-org/commune/lp"
)

const example = "../../examples/neighbourhood.json"

func TestPlanJSONIsAValidPlan(t *testing.T) {
	code, out, errOut := runCLI(t, "en", "plan", "--json", example)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	p, err := plan.Read(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	w, err := world.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.Check(w, p); err != nil {
		t.Errorf("the plan breaks the rules:\n%v", err)
	}
}

// TestPlanSummaryInBothLanguages: the shortfalls of the summary name
// products and skills as the world does in the reader's language; in
// Spanish they said "faltan horas de nurse" although the world names the
// skill Enfermería. The plan file's reason stays English, by id.
func TestPlanSummaryInBothLanguages(t *testing.T) {
	for _, c := range []struct {
		lang      string
		want, not []string
	}{
		{"en", []string{"no site offers Clinic visit within 6 km of", "not enough Nursing hours within reach of"}, []string{"clinic-visit within", " nurse hours"}},
		{"es", []string{"ningún sitio ofrece Consulta a menos de 6 km de", "faltan horas de Enfermería al alcance de", "esencial ", "básica "},
			[]string{"clinic-visit", "de nurse", "essential", "basic"}},
	} {
		code, out, errOut := runCLI(t, c.lang, "plan", example)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.lang, code, errOut)
		}
		for _, want := range c.want {
			if !strings.Contains(out, want) {
				t.Errorf("%s summary lacks %q:\n%s", c.lang, want, out)
			}
		}
		for _, not := range c.not {
			if strings.Contains(out, not) {
				t.Errorf("%s summary has %q:\n%s", c.lang, not, out)
			}
		}
	}
	_, out, _ := runCLI(t, "es", "plan", "--json", example)
	if !strings.Contains(out, `"reason":"no site offers clinic-visit within 6 km of`) {
		t.Errorf("the plan file's reason is not English by id:\n%s", out)
	}
}

// exportStages plans the example with --export-mps prefix and the flags
// given, and returns the manifest.
func exportStages(t *testing.T, prefix string, flags ...string) []exportedStage {
	t.Helper()
	args := append([]string{"plan", "--quiet", "--export-mps", prefix}, flags...)
	code, _, errOut := runCLI(t, "en", append(args, example)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b, err := os.ReadFile(prefix + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var stages []exportedStage
	if err := json.Unmarshal(b, &stages); err != nil {
		t.Fatal(err)
	}
	return stages
}

// resolve solves a written stage's LP again and returns its optimum.
func resolve(t *testing.T, s exportedStage) float64 {
	t.Helper()
	m, err := lp.ReadMPSFile(s.File)
	if err != nil {
		t.Fatal(err)
	}
	sol, err := lp.Solve(t.Context(), m, lp.Options{Tolerance: 1e-8})
	if err != nil {
		t.Fatalf("stage %s: %v", s.Stage, err)
	}
	return sol.Objective
}

// TestPlanExportMPS: every stage's LP is written and its manifest names
// each file with the objective the planner reached; re-solving a file
// gives that objective.
func TestPlanExportMPS(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "stage")
	out := filepath.Join(dir, "plan.json")
	stages := exportStages(t, prefix, "--out", out)
	// Meals reach everyone once the clinic visits, short of nurses, are
	// frozen at their fair share: a second max-min round, no total stage;
	// the last stage is solved again without its traces (cost-2).
	want := []string{"essential/maxmin", "essential/maxmin-2", "basic/maxmin", "wanted/maxmin", "cost", "cost-2"}
	if len(stages) != len(want) {
		t.Fatalf("got stages %+v, want %v", stages, want)
	}
	for i, s := range stages {
		if s.Stage != want[i] || s.File != prefix+"-"+string(rune('1'+i))+".mps" {
			t.Errorf("stage %d: got %s in %s, want %s in %s-%d.mps", i, s.Stage, s.File, want[i], prefix, i+1)
		}
		if opt := resolve(t, s); math.Abs(opt-s.Objective) > 1e-4*(1+math.Abs(s.Objective)) {
			t.Errorf("stage %s: re-solved objective %.9g, manifest %.9g", s.Stage, opt, s.Objective)
		}
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("no plan file: %v", err)
	}
}

// TestPlanExportStopped: with every stage stopped at once
// (--time-limit 1ns), each is still written, with its status and the
// objective of the point the plan uses; that point keeps every row, so
// the file's optimum is no worse.
func TestPlanExportStopped(t *testing.T) {
	stages := exportStages(t, filepath.Join(t.TempDir(), "stage"), "--time-limit", "1ns")
	if len(stages) == 0 {
		t.Fatal("no stage written")
	}
	for _, s := range stages {
		if s.Status != "time_limit" {
			t.Errorf("stage %s: status %q, want time_limit", s.Stage, s.Status)
		}
		if opt := resolve(t, s); opt > s.Objective+1e-4*(1+math.Abs(s.Objective)) {
			t.Errorf("stage %s: optimum %.9g, above the stopped point's %.9g", s.Stage, opt, s.Objective)
		}
	}
}

// TestPlanBudget: --budget plans the example in the time given (ample
// here, so the plan is the optimal one), and a negative time, for it or
// for --time-limit, is a usage error in both languages.
func TestPlanBudget(t *testing.T) {
	code, out, errOut := runCLI(t, "en", "plan", "--quiet", "--budget", "10m", "--json", example)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	p, err := plan.Read(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != "optimal" {
		t.Errorf("status %q with ten minutes for the example, want optimal", p.Status)
	}
	for _, c := range []struct{ lang, flag, want string }{
		{"en", "--budget", "--budget -1s: a time cannot be negative"},
		{"es", "--time-limit", "--time-limit -1s: un tiempo no puede ser negativo"},
	} {
		code, _, errOut := runCLI(t, c.lang, "plan", c.flag, "-1s", example)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%s %s -1s: exit %d, %q; want 2 and %q", c.lang, c.flag, code, errOut, c.want)
		}
	}
}

// TestPlanInputErrors: a world that cannot be read is a usage error
// that names the file and says why, in the user's language; a directory
// was a failure (exit 1) and both said it in English only.
func TestPlanInputErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ lang, name, want string }{
		{"en", filepath.Join(dir, "none.json"), "none.json: no such file\n"},
		{"es", filepath.Join(dir, "none.json"), "none.json: no existe el archivo\n"},
		{"en", dir, dir + ": is a directory; want a file\n"},
		{"es", dir, dir + ": es un directorio; se espera un archivo\n"},
	} {
		code, out, errOut := runCLI(t, c.lang, "plan", c.name)
		if code != exitUsage || out != "" || !strings.HasSuffix(errOut, c.want) {
			t.Errorf("%s plan %s: got exit %d, stdout %q, stderr %q; want exit 2 and %q", c.lang, c.name, code, out, errOut, c.want)
		}
	}
}

// TestPlanOutputErrors: an output that cannot be written is found before
// planning, as a usage error naming it, in the user's language; a
// directory given as --out was found only after the plan was made, and
// said in English.
func TestPlanOutputErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "stage.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	locked := filepath.Join(dir, "locked")
	if err := os.Mkdir(locked, 0o555); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		lang string
		args []string
		want string
	}{
		{"en", []string{"--out", dir}, "commune: cannot write " + dir + ": it is a directory; want a file name\n"},
		{"es", []string{"--out", dir}, "commune: no se puede escribir " + dir + ": es un directorio; se espera un nombre de archivo\n"},
		{"en", []string{"--out", filepath.Join(dir, "none", "plan.json")},
			"commune: cannot write " + filepath.Join(dir, "none", "plan.json") + ": there is no directory " + filepath.Join(dir, "none") + "\n"},
		{"en", []string{"--export-mps", filepath.Join(dir, "stage")},
			"commune: cannot write " + filepath.Join(dir, "stage.json") + ": it is a directory; want a file name\n"},
	}
	if os.Geteuid() != 0 { // root writes anywhere
		cases = append(cases, struct {
			lang string
			args []string
			want string
		}{"es", []string{"--out", filepath.Join(locked, "plan.json")},
			"commune: no se puede escribir " + filepath.Join(locked, "plan.json") + ": permiso denegado en el directorio " + locked + "\n"})
	}
	for _, c := range cases {
		code, out, errOut := runCLI(t, c.lang, append(append([]string{"plan", "--quiet"}, c.args...), example)...)
		if code != exitUsage || out != "" || errOut != c.want {
			t.Errorf("%s plan %v: got exit %d, stdout %q, stderr %q; want exit 2 and %q", c.lang, c.args, code, out, errOut, c.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("%d entries in %s, want the 2 made by the test: %v", len(entries), dir, entries)
	}
}

// TestPlanInterrupted: a plan interrupted (Ctrl-C) says so in the
// user's language, not "time limit reached", exits 130 as a process
// stopped by SIGINT (it exited 1, as a failed plan), and leaves the
// files it would have written as they were.
func TestPlanInterrupted(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "stage")
	out := filepath.Join(dir, "plan.json")
	before := map[string]string{out: "an earlier plan\n", prefix + "-1.mps": "an earlier stage\n", prefix + ".json": "[]\n"}
	for name, data := range before {
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for lang, want := range map[string]string{"en": "commune: interrupted; no file was written\n", "es": "commune: interrumpido; no se escribió ningún archivo\n"} {
		var stdout, stderr bytes.Buffer
		code := Run(ctx, Config{Lang: lang}, []string{"plan", "--quiet", "--out", out, "--export-mps", prefix, example}, &stdout, &stderr)
		if code != 130 || stdout.Len() != 0 || stderr.String() != want {
			t.Errorf("%s: got exit %d, stdout %q, stderr %q; want exit 130 and %q", lang, code, stdout.String(), stderr.String(), want)
		}
	}
	for name, data := range before {
		if b, err := os.ReadFile(name); err != nil || string(b) != data {
			t.Errorf("%s: got %.40q (%v), want %q as it was", name, b, err, data)
		}
	}
}

// TestStageExport: the stages of a plan that fails after some were
// exported are discarded, leaving an earlier run's stages and manifest
// as they were and no temporary file; they were written in place as
// each stage was solved, under a manifest describing other stages.
func TestStageExport(t *testing.T) {
	m, err := lp.ReadMPSFile("../../examples/lp/kitchen.mps")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	prefix := filepath.Join(dir, "stage")
	before := map[string]string{prefix + "-1.mps": "an earlier stage\n", prefix + ".json": "[]\n"}
	for name, data := range before {
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	failed := &stageExport{prefix: prefix}
	for _, stage := range []string{"essential/maxmin", "basic/maxmin"} {
		if err := failed.add(stage, m, &lp.Solution{Status: lp.Optimal, Objective: -290}); err != nil {
			t.Fatal(err)
		}
	}
	failed.discard()
	for name, data := range before {
		if b, err := os.ReadFile(name); err != nil || string(b) != data {
			t.Errorf("after a failed plan, %s: got %.40q (%v), want %q as it was", name, b, err, data)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != len(before) {
		t.Errorf("after a failed plan, %d entries in %s, want %d: %v", len(entries), dir, len(before), entries)
	}

	made := &stageExport{prefix: prefix}
	if err := made.add("cost", m, &lp.Solution{Status: lp.TimeLimit, Objective: -280}); err != nil {
		t.Fatal(err)
	}
	name, err := made.commit()
	made.discard()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var stages []exportedStage
	if err := json.Unmarshal(b, &stages); err != nil {
		t.Fatal(err)
	}
	want := []exportedStage{{Stage: "cost", File: prefix + "-1.mps", Objective: -280, Status: "time_limit"}}
	if len(stages) != 1 || stages[0] != want[0] {
		t.Errorf("manifest %+v, want %+v", stages, want)
	}
	if got, err := lp.ReadMPSFile(prefix + "-1.mps"); err != nil || got.NumRows() != m.NumRows() {
		t.Errorf("%s-1.mps: %v, want the stage's LP", prefix, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("after a plan, %d entries in %s, want 2: %v", len(entries), dir, entries)
	}
}

// TestPlanTolerance: a tolerance that is not between 0 and 1 is a usage
// error; a negative one was taken silently as the default.
func TestPlanTolerance(t *testing.T) {
	planUsageErrors(t, "--tol", []usageCase{
		{"en", "-1", "commune: --tol -1: want a relative tolerance above 0 and below 1, such as 1e-6\n"},
		{"es", "2", "commune: --tol 2: se espera una tolerancia relativa mayor que 0 y menor que 1, como 1e-6\n"},
	})
}

// usageCase is a value of a flag of plan, in a language, and the usage
// error it must give.
type usageCase struct{ lang, value, want string }

// planUsageErrors checks that `commune plan flag value` exits 2 with
// nothing on stdout and the case's message on stderr.
func planUsageErrors(t *testing.T, flag string, cases []usageCase) {
	t.Helper()
	for _, c := range cases {
		code, out, errOut := runCLI(t, c.lang, "plan", flag, c.value, example)
		if code != exitUsage || out != "" || errOut != c.want {
			t.Errorf("%s %s %s: got exit %d, stdout %q, stderr %q; want exit 2 and %q", c.lang, flag, c.value, code, out, errOut, c.want)
		}
	}
}

// TestPlanRounds: --rounds below 0 is a usage error in the reader's
// language; --rounds 1 plans the example's essential tier in one max-min
// round, where it takes two by default (0, a small LP).
func TestPlanRounds(t *testing.T) {
	planUsageErrors(t, "--rounds", []usageCase{
		{"en", "-1", "commune: --rounds -1: a tier takes at least one max-min round (0, the default: six, or one on an LP of more than a million nonzeros)\n"},
		{"es", "-2", "commune: --rounds -2: cada nivel hace al menos una ronda max-min (0, el valor por defecto: seis, o una en un PL de más de un millón de coeficientes no nulos)\n"},
	})
	for _, c := range []struct {
		args   []string
		second bool
	}{{nil, true}, {[]string{"--rounds", "0"}, true}, {[]string{"--rounds", "1"}, false}} {
		code, out, errOut := runCLI(t, "en", append(append([]string{"plan", "--json", "--quiet"}, c.args...), example)...)
		if code != 0 {
			t.Fatalf("plan %v: exit %d: %s", c.args, code, errOut)
		}
		if got := strings.Contains(out, `"essential/maxmin-2"`); got != c.second {
			t.Errorf("plan %v: an essential/maxmin-2 stage: %v, want %v", c.args, got, c.second)
		}
	}
}

// TestPlanQuiet: --quiet leaves standard error empty on a plan that
// writes its files, as its help says (no progress); it still said
// "wrote N stage LPs and PREFIX.json". Without --quiet both files are
// named there.
func TestPlanQuiet(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "stage")
	out := filepath.Join(dir, "plan.json")
	code, stdout, errOut := runCLI(t, "en", "plan", "--quiet", "--out", out, "--export-mps", prefix, example)
	if code != exitOK || errOut != "" || !strings.Contains(stdout, "coverage") {
		t.Errorf("plan --quiet: got exit %d, stderr %q, stdout %.60q; want 0, nothing on stderr and the summary", code, errOut, stdout)
	}
	code, _, errOut = runCLI(t, "es", "plan", "--out", out, "--export-mps", prefix, example)
	for _, want := range []string{"escrito " + out + "\n", "escritos 6 programas lineales de etapa y " + prefix + ".json\n"} {
		if code != exitOK || !strings.Contains(errOut, want) {
			t.Errorf("plan: got exit %d, stderr %q; want 0 and %q", code, errOut, want)
		}
	}
}

// TestPlanExportRemovesOldStages: a new export removes the stages an
// earlier run's manifest listed that the new run did not write
// (PREFIX-7.mps to PREFIX-10.mps, for a run of 6 stages after one of
// 10): they were left beside a manifest that does not list them. Files
// the old manifest does not list, and names it lists that are not
// PREFIX-k.mps, are left as they are.
func TestPlanExportRemovesOldStages(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "stage")
	var old []exportedStage
	for k := 1; k <= 10; k++ {
		old = append(old, exportedStage{Stage: "earlier", File: fmt.Sprintf("%s-%d.mps", prefix, k)})
	}
	// Listed, but not of the form PREFIX-k.mps: kept.
	kept := []string{prefix + "-07.mps", prefix + "-x.mps", filepath.Join(dir, "other-8.mps"), prefix + "-11.lp"}
	for _, name := range kept {
		old = append(old, exportedStage{Stage: "earlier", File: name})
	}
	unlisted := prefix + "-12.mps"
	b, err := json.Marshal(old)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(prefix+".json", b, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, s := range append(old, exportedStage{File: unlisted}) {
		if err := os.WriteFile(s.File, []byte("an earlier stage\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stages := exportStages(t, prefix)
	if len(stages) != 6 {
		t.Fatalf("got %d stages, want 6", len(stages))
	}
	for k := 1; k <= 10; k++ {
		name := fmt.Sprintf("%s-%d.mps", prefix, k)
		_, err := os.Stat(name)
		if k <= len(stages) && err != nil {
			t.Errorf("%s: %v, want the new stage", name, err)
		}
		if k > len(stages) && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: %v, want it removed", name, err)
		}
	}
	for _, name := range append(kept, unlisted) {
		if b, err := os.ReadFile(name); err != nil || string(b) != "an earlier stage\n" {
			t.Errorf("%s: got %q (%v), want it as it was", name, b, err)
		}
	}
}

// TestPlanOutStdout: --out - writes the plan file to standard output,
// as gen's --out - does the world; it wrote a file named "-" in the
// working directory and printed the summary.
func TestPlanOutStdout(t *testing.T) {
	world, err := filepath.Abs(example)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	code, out, errOut := runCLI(t, "en", "plan", "--quiet", "--out", "-", world)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, err := plan.Read(strings.NewReader(out)); err != nil {
		t.Errorf("standard output is not a plan file: %v\n%.200s", err, out)
	}
	if _, err := os.Stat("-"); err == nil {
		t.Errorf(`a file named "-" was written`)
	}
}

// TestPlanStoppedSaid: a plan whose stages stopped at --time-limit says
// so on standard output and standard error, naming the stages, in the
// reader's language, and its shortfalls claim no cause the solver did
// not prove; it exits 0, as plan -h says. It printed "feasible" and
// blamed resources "shared fairly", with nothing on standard error.
// --quiet leaves standard error empty; a full plan says nothing of it.
func TestPlanStoppedSaid(t *testing.T) {
	for _, c := range []struct {
		lang      string
		out, errs []string
		not       []string
	}{
		{"en", []string{"98 needs: feasible ", "stages stopped at a limit before their optimum: essential/maxmin (time limit),",
			"the plan keeps every rule, but may give less than possible", "no cause proved"},
			[]string{"commune: warning: stages stopped at a limit before their optimum: essential/maxmin (time limit)"},
			[]string{"shared fairly", "input ", "not enough"}},
		{"es", []string{"98 necesidades: factible ", "etapas detenidas en un límite antes de su óptimo:", "essential/maxmin (límite de tiempo),",
			"el plan cumple todas las reglas, pero puede dar menos de lo posible", "sin causa probada"},
			[]string{"commune: aviso: etapas detenidas en un límite antes de su óptimo: essential/maxmin (límite de tiempo)"},
			[]string{"por igual", "falta el insumo", "faltan horas", "time limit"}},
	} {
		code, out, errOut := runCLI(t, c.lang, "plan", "--time-limit", "1ns", example)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", c.lang, code, errOut)
		}
		flat := strings.Join(strings.Fields(out), " ") // the notice is wrapped
		for _, want := range c.out {
			if !strings.Contains(flat, want) {
				t.Errorf("%s: the summary lacks %q:\n%s", c.lang, want, out)
			}
		}
		for _, want := range c.errs {
			if !strings.Contains(errOut, want) {
				t.Errorf("%s: standard error lacks %q:\n%s", c.lang, want, errOut)
			}
		}
		for _, not := range c.not {
			if strings.Contains(out, not) {
				t.Errorf("%s: the summary says %q:\n%s", c.lang, not, out)
			}
		}
		// The notice, between the first line and the table, is wrapped.
		notice := strings.Split(out, "\n")[1:]
		for _, line := range notice {
			if strings.HasPrefix(line, "coverage") || strings.HasPrefix(line, "cobertura") {
				break
			}
			if n := len([]rune(line)); n > helpWidth {
				t.Errorf("%s: line of %d characters in the notice: %q", c.lang, n, line)
			}
		}
	}
	if code, _, errOut := runCLI(t, "en", "plan", "--quiet", "--json", "--time-limit", "1ns", example); code != exitOK || errOut != "" {
		t.Errorf("plan --quiet --time-limit 1ns: exit %d, stderr %q; want 0 and nothing", code, errOut)
	}
	if _, out, errOut := runCLI(t, "en", "plan", example); strings.Contains(out+errOut, "stopped") {
		t.Errorf("a full plan says a stage stopped:\n%s%s", out, errOut)
	}
}
