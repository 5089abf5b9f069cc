package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/commune-org/commune/internal/store"
)

// commune rotate-key seals every contact again under a new key. An
// organization rotates when a key file may have leaked (a laptop lost, a
// backup copied with its key) or when someone who held it leaves: after
// the rotation the old key opens nothing in the database. Old database
// backups still open with the old key, so it must be destroyed with them.

const (
	msgRotateUsage msgKey = "rotate-usage"
	msgRotateArgs  msgKey = "rotate-args"
	msgRotateDone  msgKey = "rotate-done"
	msgNoDatabase  msgKey = "no-database"
)

var rotateMessages = map[msgKey][2]string{
	msgRotateUsage: {
		`usage: commune rotate-key [--data DIR | --db postgres://... --key FILE]

Seals every member's contact details again under a new random key, in one
transaction, and replaces the key file (DIR/key, or FILE). Stop the server
first: a server that is running keeps the old key. If the rotation is cut
short (a crash, a full disk), the next start finds which key opens the
contacts and keeps that one.

Afterwards the old key opens nothing in the database, but it still opens
backups made before: destroy old copies of the key together with those
backups, or keep them together, apart from everything else.

With --db, name the server's key file: --key FILE, or --data DIR for
DIR/key.

Flags:
`,
		`uso: commune rotate-key [--data DIR | --db postgres://... --key ARCHIVO]

Vuelve a sellar los datos de contacto de todos los miembros con una clave
nueva al azar, en una sola transacción, y reemplaza el archivo de la clave
(DIR/key, o ARCHIVO). Detenga antes el servidor: un servidor en marcha
sigue con la clave vieja. Si la rotación se interrumpe (un fallo, un disco
lleno), el siguiente arranque averigua qué clave abre los contactos y se
queda con esa.

Después, la clave vieja no abre nada de la base de datos, pero sí las
copias de seguridad anteriores: destruya las copias viejas de la clave
junto con esas copias de seguridad, o guárdelas juntas y aparte de todo lo
demás.

Con --db, indique el archivo de clave del servidor: --key ARCHIVO, o
--data DIR para DIR/key.

Opciones:
`},
	msgRotateArgs: {
		"rotate-key takes no arguments, got %d",
		"rotate-key no admite argumentos, hay %d"},
	msgNoDatabase: {
		"no database in %s: give the --data directory of the server, or its --db",
		"no hay base de datos en %s: indique el directorio --data del servidor, o su --db"},
	msgRotateDone: {
		"key rotated: %d contacts sealed again under the new key in %s\n",
		"clave rotada: %d contactos sellados de nuevo con la clave nueva en %s\n"},
}

// storeFlags are the flags that say where the store is, shared by the
// commands that open it without serving it.
type storeFlags struct {
	fs            *flag.FlagSet // to tell a flag given from its default
	data, db, key *string
}

func (c *command) storeFlags(fs *flag.FlagSet) storeFlags {
	return storeFlags{
		fs:   fs,
		data: fs.String("data", "./commune-data", c.t(msgFlagData)),
		db:   fs.String("db", "", c.t(msgFlagDB)),
		key:  fs.String("key", "", c.t(msgFlagKey)),
	}
}

// existingDatabase is nil when the store the flags name exists already:
// PostgreSQL, or a data directory holding the SQLite database. Opening
// the store would create it, and rotating the key of a new, empty
// database (a mistyped --data) would report success, leaving the real
// one under the old key.
func (c *command) existingDatabase(data, db string) error {
	if db != "" {
		return nil
	}
	if _, err := os.Stat(filepath.Join(data, store.DBFile)); err != nil {
		return usageError{c.t(msgNoDatabase, data)}
	}
	return nil
}

func (f storeFlags) config() store.Config {
	cfg := store.Config{DataDir: *f.data, PostgresURL: *f.db, KeyFile: *f.key}
	// With PostgreSQL the data directory holds only the key: with the
	// key named, a data directory not named is not made.
	if cfg.PostgresURL != "" && cfg.KeyFile != "" && !f.given("data") {
		cfg.DataDir = ""
	}
	return cfg
}

// typed is the flags that name the store, as another command takes
// them: "--data DIR", or "--db postgres://... --key FILE" without the
// URL, which may hold a password.
func (f storeFlags) typed() string {
	quote := func(s string) string {
		if strings.ContainsAny(s, " \t'\"$") {
			return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
		return s
	}
	switch {
	case *f.db == "":
		return "--data " + quote(*f.data)
	case *f.key != "":
		return "--db postgres://... --key " + quote(*f.key)
	}
	return "--db postgres://... --data " + quote(*f.data)
}

// given reports whether the flag of that name was on the command line.
func (f storeFlags) given(name string) bool {
	set := false
	f.fs.Visit(func(fl *flag.Flag) { set = set || fl.Name == name })
	return set
}

// keyFile is the key file the config names, for messages.
func (f storeFlags) keyFile() string {
	if *f.key != "" {
		return *f.key
	}
	return filepath.Join(*f.data, "key")
}

func (c *command) rotateKey(ctx context.Context, args []string) error {
	fs := c.flags("rotate-key", msgRotateUsage)
	sf := c.storeFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return c.flagError(err)
	}
	if len(pos) != 0 {
		return usageError{c.t(msgRotateArgs, len(pos))}
	}
	st, err := c.openExisting(ctx, sf)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.RotateKey(ctx); err != nil {
		return err
	}
	// RotateKey sealed every sealed contact again, so with the server
	// stopped as asked, the count after is the count it resealed.
	n, err := st.SealedContacts(ctx)
	if err != nil {
		return err
	}
	fmt.Fprint(c.stdout, c.t(msgRotateDone, n, sf.keyFile()))
	return nil
}
