package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/commune-org/commune/internal/world"
)

const (
	msgGenUsage     msgKey = "gen-usage"
	msgGenArgs      msgKey = "gen-args"
	msgGenGenerated msgKey = "gen-generated"
	msgGenWrote     msgKey = "gen-wrote"
	msgGenNegative  msgKey = "gen-negative"
	msgGenAtLeast   msgKey = "gen-at-least"
	msgGenArea      msgKey = "gen-area"
)

var genMessages = map[msgKey][2]string{
	msgGenUsage: {
		`usage: commune gen [flags]

Writes a synthetic world (format commune.world/v1) for tests and
benchmarks: farms, mills, bakeries, kitchens, workshops, clinics, schools,
print shops and depots making goods in chains (grain, flour, bread;
cotton, cloth, clothes) and services within a reach; members with hours,
skills and a reach; and their needs in three tiers. The same flags and
seed give the same world. --area la places it around Los Angeles,
--area world in cities on every continent. Progress goes to standard
error for worlds of 100000 members or more.

Flags:
`,
		`uso: commune gen [opciones]

Escribe un mundo sintético (formato commune.world/v1) para pruebas y
mediciones: granjas, molinos, panaderías, cocinas, talleres, clínicas,
escuelas, imprentas y depósitos que producen bienes en cadena (grano,
harina, pan; algodón, tela, ropa) y servicios a cierta distancia; miembros
con horas, oficios y un alcance; y sus necesidades en tres niveles. Las
mismas opciones y semilla dan el mismo mundo. --area la lo sitúa en Los
Ángeles, --area world en ciudades de todos los continentes. El progreso se
escribe en la salida de errores para mundos de 100000 miembros o más.

Opciones:
`},
	msgGenArgs: {
		"gen takes no arguments, got %q; write the world to a file with --out",
		"gen no recibe argumentos, hay %q; escriba el mundo en un archivo con --out"},
	msgGenGenerated: {
		"gen: %d members, %d sites, %d recipes, %d needs generated in %.1f s\n",
		"gen: %d miembros, %d sitios, %d recetas, %d necesidades generados en %.1f s\n"},
	msgGenNegative: {
		"--%s %d: a count cannot be negative",
		"--%s %d: una cantidad no puede ser negativa"},
	msgGenAtLeast: {
		"--%s %d: want at least 1",
		"--%s %d: se necesita al menos 1"},
	msgGenArea: {
		"--area %q: want la or world",
		"--area %q: use la o world"},
	msgGenWrote: {
		"gen: wrote %s in %.1f s\n",
		"gen: escrito %s en %.1f s\n"},
}

// progressMembers is the size from which gen reports progress.
const progressMembers = 100000

func (c *command) gen(ctx context.Context, args []string) error {
	fs := c.flags("gen", msgGenUsage)
	var opt world.GenOptions
	fs.IntVar(&opt.Members, "members", 1000, c.t(msgFlagGenMembers))
	fs.IntVar(&opt.Sites, "sites", 20, c.t(msgFlagGenSites))
	fs.IntVar(&opt.Products, "products", 30, c.t(msgFlagGenProducts))
	fs.IntVar(&opt.Skills, "skills", 12, c.t(msgFlagGenSkills))
	fs.Uint64Var(&opt.Seed, "seed", 1, c.t(msgFlagGenSeed))
	fs.StringVar(&opt.Area, "area", "la", c.t(msgFlagGenArea))
	out := fs.String("out", "-", c.t(msgFlagGenOut))
	pos, err := parse(fs, args)
	if err != nil {
		return c.flagError(err)
	}
	if len(pos) > 0 {
		return usageError{c.t(msgGenArgs, pos[0])}
	}
	// Every count is at least 1: a world without members or sites has
	// nothing to plan, as one without products or skills has nothing to
	// make (world.Generate itself accepts no members or sites).
	for _, f := range []struct {
		name string
		n    int
	}{{"members", opt.Members}, {"sites", opt.Sites}, {"products", opt.Products}, {"skills", opt.Skills}} {
		switch {
		case f.n < 0:
			return usageError{c.t(msgGenNegative, f.name, f.n)}
		case f.n < 1:
			return usageError{c.t(msgGenAtLeast, f.name, f.n)}
		}
	}
	if opt.Area != "la" && opt.Area != "world" {
		return usageError{c.t(msgGenArea, opt.Area)}
	}
	if *out != "-" {
		if err := c.checkOutput(*out); err != nil {
			return err
		}
	}
	start := time.Now()
	wd, err := interruptible(ctx, func() (*world.World, error) { return world.Generate(opt) })
	if ctx.Err() != nil {
		return c.genStopped(*out)
	}
	if err != nil {
		return usageError{err.Error()}
	}
	progress := opt.Members >= progressMembers
	if progress {
		fmt.Fprint(c.stderr, c.t(msgGenGenerated, len(wd.Members), len(wd.Sites), len(wd.Recipes), len(wd.Needs), time.Since(start).Seconds()))
	}
	start = time.Now()
	if err := writeWorld(ctx, *out, c.stdout, wd); err != nil {
		if ctx.Err() != nil {
			return c.genStopped(*out)
		}
		return err
	}
	if progress {
		name := *out
		if name == "-" {
			name = "stdout"
		}
		fmt.Fprint(c.stderr, c.t(msgGenWrote, name, time.Since(start).Seconds()))
	}
	return nil
}

// genStopped is the error of gen interrupted: no file was written, or
// standard output has part of a world.
func (c *command) genStopped(out string) error {
	if out == "-" {
		return interruptedError{c.t(msgInterrupted)}
	}
	return interruptedError{c.t(msgPlanStopped)}
}

// writeWorld writes wd to the named file (whole or not at all, see
// writeFile), or to stdout for "-"; it stops when ctx is done.
func writeWorld(ctx context.Context, name string, stdout io.Writer, wd *world.World) error {
	if name == "-" {
		return world.Write(ctxWriter{ctx, stdout}, wd)
	}
	if err := writeFile(name, func(f io.Writer) error { return world.Write(ctxWriter{ctx, f}, wd) }); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	return nil
}
