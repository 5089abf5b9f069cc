package cli

import (
	"context"
	"errors"
	"path/filepath"

	"github.com/commune-org/commune/internal/store"
)

// The messages of a store that cannot be opened.
const (
	msgStoreOpen     msgKey = "store-open"
	msgStoreWrongKey msgKey = "store-wrong-key"
	msgStoreNoKey    msgKey = "store-no-key"
)

var storeMessages = map[msgKey][2]string{
	msgStoreOpen: {
		"cannot open the database %s: %v",
		"no se puede abrir la base de datos %s: %v"},
	msgStoreWrongKey: {
		"the key file %s does not open the contacts sealed in this database: give the key of its server (--data or --key)",
		"el archivo de clave %s no abre los contactos sellados en esta base de datos: indique la clave de su servidor (--data o --key)"},
	msgStoreNoKey: {
		"with --db, name the server's key file: --key FILE, or --data DIR for DIR/key (no key is looked for, or made, in ./commune-data of the current directory)",
		"con --db, indique el archivo de clave del servidor: --key ARCHIVO, o --data DIR para DIR/key (no se busca ni se crea ninguna clave en ./commune-data del directorio actual)"},
}

// keyNamed refuses flags that name PostgreSQL (--db) and neither --key
// nor --data. The key file would then be ./commune-data/key under
// whatever directory the command is run from, and Open makes a key there
// when the database holds nothing sealed yet: a secret left in the
// working directory, which the server (reading its own --data) never
// uses, and which would seal contacts that server cannot open. With
// SQLite the data directory holds the database itself, so its key is the
// database's.
func (c *command) keyNamed(f storeFlags) error {
	if *f.db == "" || *f.key != "" {
		return nil
	}
	if !f.given("data") {
		return usageError{c.t(msgStoreNoKey)}
	}
	return nil
}

// openExisting opens the store the flags f name, which must exist
// already (existingDatabase), with its key named (keyNamed): what
// commands that change an organization's database, never create one,
// open (rotate-key, token, signin-link).
func (c *command) openExisting(ctx context.Context, f storeFlags) (*store.Store, error) {
	if err := c.keyNamed(f); err != nil {
		return nil, err
	}
	if err := c.existingDatabase(*f.data, *f.db); err != nil {
		return nil, err
	}
	return c.openStore(ctx, f.config())
}

// openStore opens the store of cfg, saying why it cannot in the user's
// language: which database (the SQLite file, or PostgreSQL, never its
// URL, which may hold a password), and the store's own reason, or that
// the key file is not the database's.
func (c *command) openStore(ctx context.Context, cfg store.Config) (*store.Store, error) {
	st, err := store.Open(ctx, cfg)
	switch {
	case err == nil:
		return st, nil
	case ctx.Err() != nil:
		return nil, err
	case errors.Is(err, store.ErrWrongKey):
		key := cfg.KeyFile
		if key == "" {
			key = filepath.Join(cfg.DataDir, "key")
		}
		return nil, errors.New(c.t(msgStoreWrongKey, key))
	}
	where := "(PostgreSQL)"
	if cfg.PostgresURL == "" {
		where = filepath.Join(cfg.DataDir, store.DBFile)
	}
	return nil, errors.New(c.t(msgStoreOpen, where, err))
}
