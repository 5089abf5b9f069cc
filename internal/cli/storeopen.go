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
)

var storeMessages = map[msgKey][2]string{
	msgStoreOpen: {
		"cannot open the database %s: %v",
		"no se puede abrir la base de datos %s: %v"},
	msgStoreWrongKey: {
		"the key file %s does not open the contacts sealed in this database: give the key of its server (--data or --key)",
		"el archivo de clave %s no abre los contactos sellados en esta base de datos: indique la clave de su servidor (--data o --key)"},
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
