package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Config is what the process environment tells the command line.
type Config struct {
	// Lang is "en" or "es": the language of help and messages.
	Lang string
}

// LangFromEnv picks the language of help and messages from the
// environment, as gettext does: LANGUAGE, languages in order of
// preference separated by colons ("es_MX:es:en"), comes first, its
// first language that commune speaks winning; then the locale, the first
// set of LC_ALL, LC_MESSAGES and LANG. Spanish for es, es_MX.UTF-8 and
// the like, English otherwise. As in gettext, a locale of C or POSIX
// (LC_ALL=C: a script asking for untranslated output) overrides
// LANGUAGE, and C.UTF-8, the default of many containers, does not
// (GNU ls with LANGUAGE=es speaks Spanish under LANG=C.UTF-8 and English
// under LANG=C). Unlike gettext, LANGUAGE counts when no locale is set
// at all, since nothing else then says what the user reads.
func LangFromEnv(getenv func(string) string) string {
	locale := ""
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if locale = getenv(v); locale != "" {
			break
		}
	}
	if locale != "C" && locale != "POSIX" {
		for _, l := range strings.Split(getenv("LANGUAGE"), ":") {
			switch language(l) {
			case "es":
				return "es"
			case "en":
				return "en"
			}
		}
	}
	if language(locale) == "es" {
		return "es"
	}
	return "en"
}

// language is the language code of a locale name such as es_MX.UTF-8,
// lower-cased: the part before its territory, codeset or modifier.
func language(locale string) string {
	if i := strings.IndexAny(locale, "_-.@"); i >= 0 {
		locale = locale[:i]
	}
	return strings.ToLower(locale)
}

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran and the answer is "no" (infeasible, a failed check)
	exitUsage   = 2 // the command line or an input file is wrong
	// exitInterrupted is the shell's status of a process stopped by
	// SIGINT (128 + 2): a command interrupted through its context ends
	// with it, so scripts tell Ctrl-C from a failure. A server stopped so
	// once it serves shuts down cleanly and exits 0.
	exitInterrupted = 130
)

// usageError marks errors in how the command was called.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// interruptedError marks a command stopped by its context (Ctrl-C)
// before it finished.
type interruptedError struct{ msg string }

func (e interruptedError) Error() string { return e.msg }

// Run runs the command line args (without the program name) and returns
// the process exit code.
func Run(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) int {
	c := &command{cfg: cfg, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		fmt.Fprint(stderr, c.t(msgUsage))
		return exitUsage
	}
	var err error
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, c.t(msgUsage))
		return exitOK
	case "lp":
		err = c.lp(ctx, args[1:])
	case "plan":
		err = c.plan(ctx, args[1:])
	case "gen":
		err = c.gen(ctx, args[1:])
	case "serve":
		err = c.serve(ctx, args[1:])
	case "demo":
		err = c.demo(ctx, args[1:])
	case "token":
		err = c.token(ctx, args[1:])
	case "rotate-key":
		err = c.rotateKey(ctx, args[1:])
	case "import":
		err = c.importMembers(ctx, args[1:])
	case "signin-link":
		err = c.signInLink(ctx, args[1:])
	default:
		err = usageError{c.t(msgUnknownCommand, args[0])}
	}
	var ue usageError
	var ie interruptedError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "commune: %v\n", err)
		return exitUsage
	case errors.As(err, &ie):
		fmt.Fprintf(stderr, "commune: %v\n", err)
		return exitInterrupted
	default:
		fmt.Fprintf(stderr, "commune: %v\n", err)
		return exitFailure
	}
}

type command struct {
	cfg            Config
	stdout, stderr io.Writer
}

// flags returns a flag set whose usage text is the given help message
// followed by the flags (printFlags). The flag package writes its
// errors in English before the usage: it writes nothing here, and
// flagError says its error once, after the usage, in the user's
// language.
func (c *command) flags(name string, help msgKey) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprint(c.stderr, c.t(help))
		c.printFlags(c.stderr, fs)
	}
	return fs
}

// parse parses flags that may come before or after the positional
// arguments, as users type them, and returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// flagError marks a flag parsing error as a usage error in the user's
// language, leaving a request for help as it is.
func (c *command) flagError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	msg := err.Error()
	for _, f := range flagErrors {
		if m := f.re.FindStringSubmatch(msg); m != nil {
			args := make([]any, len(m)-1)
			for i, s := range m[1:] {
				args[i] = s
			}
			if f.detail > 0 {
				args[f.detail-1] = c.flagDetail(m[f.detail])
			}
			return usageError{c.t(f.key, args...)}
		}
	}
	return usageError{msg}
}

// flagErrors are the errors of the flag package (flag.go, failf), each
// with its message; detail, when not 0, is the submatch holding the
// reason a value was refused.
var flagErrors = []struct {
	re     *regexp.Regexp
	key    msgKey
	detail int
}{
	{regexp.MustCompile(`^flag provided but not defined: (.*)$`), msgFlagUndefined, 0},
	{regexp.MustCompile(`^flag needs an argument: (.*)$`), msgFlagNeedsValue, 0},
	{regexp.MustCompile(`^bad flag syntax: (.*)$`), msgFlagSyntax, 0},
	{regexp.MustCompile(`^invalid value (".*") for flag (\S+): (.*)$`), msgFlagValue, 3},
	{regexp.MustCompile(`^invalid boolean value (".*") for (\S+): (.*)$`), msgFlagValue, 3},
	{regexp.MustCompile(`^invalid boolean flag (\S+): (.*)$`), msgFlagBool, 2},
}

// flagDetail is why the flag package refused a value, in the user's
// language when it is one of its usual reasons.
func (c *command) flagDetail(s string) string {
	switch s {
	case "parse error":
		return c.t(msgFlagParse)
	case "value out of range":
		return c.t(msgFlagRange)
	}
	return s
}

// writeTemp writes a temporary file in dir and returns its name; the
// caller renames it into place, or removes it.
func writeTemp(dir string, write func(io.Writer) error) (string, error) {
	f, err := os.CreateTemp(dir, ".commune-*")
	if err != nil {
		return "", err
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// writeFile writes a file whole or not at all: into a temporary file
// beside it, renamed over it once complete. What exists and is not a
// regular file (/dev/null, a terminal, a named pipe) is written to as it
// is: renaming over it would replace the device with a file.
func writeFile(name string, write func(io.Writer) error) error {
	if fi, err := os.Stat(name); err == nil && !fi.Mode().IsRegular() {
		if fi.IsDir() {
			return fmt.Errorf("write %s: is a directory", name)
		}
		f, err := os.OpenFile(name, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		if err := write(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	tmp, err := writeTemp(filepath.Dir(name), write)
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(tmp, name); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
