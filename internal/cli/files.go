package cli

import (
	"errors"
	"io/fs"
	"os"
)

// The messages about the files a command reads.
const (
	msgFileMissing msgKey = "file-missing"
	msgFileIsDir   msgKey = "file-is-dir"
	msgFileDenied  msgKey = "file-denied"
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
