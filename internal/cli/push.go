package cli

import (
	"net/url"
	"path/filepath"

	"github.com/commune-org/commune/internal/notify"
)

// VAPIDFile is the name, in the data directory, of the key that signs
// Web Push messages (RFC 8292). Browsers subscribe with its public half:
// a new key would orphan every subscription, so it is made once, on
// the first start, and kept like the sealing key.
const VAPIDFile = "vapid.key"

// pushSubject is the contact that Web Push messages carry for the push
// services' operators (RFC 8292 section 2.1): the one given, else the
// server's public URL when it is https, else a mailto: on localhost,
// which is enough for a server that only this machine reaches.
func pushSubject(given, publicURL string) string {
	if given != "" {
		return given
	}
	if u, err := url.Parse(publicURL); err == nil && u.Scheme == "https" && u.Host != "" {
		return "https://" + u.Host
	}
	return "mailto:commune@localhost"
}

// newPusher loads (or makes) the VAPID key of the data directory and
// returns the pusher the server sends Web Push messages with.
func (c *command) newPusher(dataDir, subject, publicURL string) (*notify.Pusher, error) {
	key, err := notify.LoadVAPIDKey(filepath.Join(dataDir, VAPIDFile))
	if err != nil {
		return nil, err
	}
	p, err := notify.NewPusher(key, pushSubject(subject, publicURL))
	if err != nil {
		return nil, usageError{c.t(msgServePushSubject, err)}
	}
	return p, nil
}
