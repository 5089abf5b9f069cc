package cli

import (
	"slices"
	"strings"

	"github.com/commune-org/commune/lp"
)

// The messages about an external solver named on the command line.
const (
	msgSolverMissing msgKey = "solver-missing"
	msgSolverMethod  msgKey = "solver-method"
)

var solverMessages = map[msgKey][2]string{
	msgSolverMissing: {
		"--solver %s: the solver is not installed (its program is not on PATH)",
		"--solver %s: el solucionador no está instalado (su programa no está en PATH)"},
	msgSolverMethod: {
		"unknown method %q of %s: want %s",
		"método desconocido %q de %s: use %s"},
}

// external is the external solver program (clp, glpk or highs) with the
// method, or a usage error in the user's language when it has no such
// method or is not installed: said before the input is read and planned,
// not by the first stage's solve.
func (c *command) external(program, method string) (lp.Solver, error) {
	methods := lp.ExternalMethods[program]
	if method != "" && !slices.Contains(methods, method) {
		return nil, usageError{c.t(msgSolverMethod, method, program, c.alternatives(methods))}
	}
	s := lp.External{Program: program, Method: method}
	if !s.Available() {
		return nil, usageError{c.t(msgSolverMissing, program)}
	}
	return s, nil
}

// alternatives lists choices as the user's language does: "a, b or c",
// "a, b o c".
func (c *command) alternatives(list []string) string {
	or := " or "
	if c.cfg.Lang == "es" {
		or = " o "
	}
	if len(list) < 2 {
		return strings.Join(list, "")
	}
	return strings.Join(list[:len(list)-1], ", ") + or + list[len(list)-1]
}
