package cli

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// The messages about the files a command reads.
const (
	msgFileMissing msgKey = "file-missing"
	msgFileIsDir   msgKey = "file-is-dir"
	msgFileDenied  msgKey = "file-denied"
	msgOutNoDir    msgKey = "out-no-dir"
	msgOutIsDir    msgKey = "out-is-dir"
	msgOutDenied   msgKey = "out-denied"
)

var fileMessages = map[msgKey][2]string{
	msgFileMissing: {
		"%s: no such file",
		"%s: no existe el archivo"},
	msgFileIsDir: {
		"%s: is a directory; want a file",
		"%s: es un directorio; se espera un archivo"},
	msgFileDenied: {
		"%s: permission denied: cannot read it",
		"%s: permiso denegado: no se puede leer"},
	msgOutNoDir: {
		"cannot write %s: there is no directory %s",
		"no se puede escribir %s: no existe el directorio %s"},
	msgOutIsDir: {
		"cannot write %s: it is a directory; want a file name",
		"no se puede escribir %s: es un directorio; se espera un nombre de archivo"},
	msgOutDenied: {
		"cannot write %s: permission denied in the directory %s",
		"no se puede escribir %s: permiso denegado en el directorio %s"},
}

// checkInput says, as a usage error in the user's language, why the
// named input file cannot be read when it is missing or a directory;
// nil otherwise, and for "-" (standard input).
func (c *command) checkInput(name string) error {
	if name == "-" {
		return nil
	}
	fi, err := os.Stat(name)
	if err != nil {
		return c.inputError(name, err)
	}
	if fi.IsDir() {
		return usageError{c.t(msgFileIsDir, name)}
	}
	return nil
}

// inputError is err, met reading the named file, as a usage error in the
// user's language when the file is missing or cannot be read; other
// errors are returned as they are.
func (c *command) inputError(name string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return usageError{c.t(msgFileMissing, name)}
	case errors.Is(err, fs.ErrPermission):
		return usageError{c.t(msgFileDenied, name)}
	}
	return err
}

// checkOutput says, as a usage error in the user's language, why the
// named output file could not be written: its directory is missing or
// not writable, or it is a directory itself. Commands check before
// their work, not after a long solve.
func (c *command) checkOutput(name string) error {
	if fi, err := os.Stat(name); err == nil && fi.IsDir() {
		return usageError{c.t(msgOutIsDir, name)}
	} else if err == nil && !fi.Mode().IsRegular() {
		return nil // /dev/null, a terminal: writeFile writes through it
	}
	dir := filepath.Dir(name)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return usageError{c.t(msgOutNoDir, name, dir)}
	}
	// Permissions alone do not say (root, read-only mounts, ACLs): try
	// the temporary file writeFile will write first.
	f, err := os.CreateTemp(dir, ".commune-*")
	if err != nil {
		return usageError{c.t(msgOutDenied, name, dir)}
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// interruptible returns what read returns, or ctx's error as soon as ctx
// is done, leaving read to end in the background when the process does.
// Reading a pipe or a terminal blocks where no context reaches, and main
// catches Ctrl-C and SIGTERM to cancel the context: without this neither
// would stop a command reading a standard input that does not end.
func interruptible[T any](ctx context.Context, read func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := read()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// ctxWriter writes to w until ctx is done, then fails: a long write
// stops at Ctrl-C.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (cw ctxWriter) Write(p []byte) (int, error) {
	if err := cw.ctx.Err(); err != nil {
		return 0, err
	}
	return cw.w.Write(p)
}
