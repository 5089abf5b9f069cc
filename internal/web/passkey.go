package web

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/commune-org/commune/internal/store"
)

// Passkeys (WebAuthn Level 3) with github.com/go-webauthn/webauthn. A
// signed-in member registers one (register/begin, register/finish); after
// that they sign in with it without typing anything (begin, finish: a
// discoverable credential, found by the authenticator, which returns the
// member's random user handle). Both ceremonies require user
// verification (a PIN, a fingerprint): a passkey session is what lets
// coordinators and organizers act beyond their own data (auth.Allow),
// so possession of a device alone must not be enough.
//
// Between begin and finish the ceremony's data (the challenge above all)
// stays in the server's memory, keyed by the challenge, which the
// client's signed clientDataJSON carries back: nothing for the client to
// keep, nothing it could alter. A ceremony is used once and lasts
// ceremonyTTL; a restart forgets ceremonies under way, which only means
// starting again.

const (
	ceremonyTTL = 5 * time.Minute
	// maxCeremonies bounds the memory begin can take; with the global
	// limit on passkeyAll it is not reached by honest use.
	maxCeremonies = 10000
)

type ceremonyKind int

const (
	registering ceremonyKind = iota
	signingIn
)

// ceremony is a passkey ceremony under way.
type ceremony struct {
	kind    ceremonyKind
	member  string // who registers; empty when signing in
	data    webauthn.SessionData
	expires time.Time
}

// ceremonies are those under way, by challenge.
type ceremonies struct {
	mu sync.Mutex
	m  map[string]ceremony
}

// put keeps c under its challenge, forgetting those expired at now; it
// reports false when too many are under way.
func (cs *ceremonies) put(c ceremony, now time.Time) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for k, old := range cs.m {
		if !now.Before(old.expires) {
			delete(cs.m, k)
		}
	}
	if len(cs.m) >= maxCeremonies {
		return false
	}
	cs.m[c.data.Challenge] = c
	return true
}

// take removes and returns the ceremony of the challenge, if it is of
// the kind and has not expired at now.
func (cs *ceremonies) take(challenge string, kind ceremonyKind, now time.Time) (ceremony, bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, ok := cs.m[challenge]
	if !ok || c.kind != kind {
		return ceremony{}, false
	}
	delete(cs.m, challenge)
	return c, now.Before(c.expires)
}

// passkeyUser is a member as go-webauthn sees them.
type passkeyUser struct {
	id     string
	handle []byte
	alias  string
	creds  []webauthn.Credential
}

func (u *passkeyUser) WebAuthnID() []byte                         { return u.handle }
func (u *passkeyUser) WebAuthnName() string                       { return u.alias }
func (u *passkeyUser) WebAuthnDisplayName() string                { return u.alias }
func (u *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// passkeyUser loads the member with their handle and passkeys.
func (s *Server) passkeyUser(ctx context.Context, memberID string) (*passkeyUser, error) {
	m, err := s.store.Member(ctx, memberID)
	if err != nil {
		return nil, err
	}
	handle, err := s.store.PasskeyHandle(ctx, memberID)
	if err != nil {
		return nil, err
	}
	stored, err := s.store.Credentials(ctx, memberID)
	if err != nil {
		return nil, err
	}
	u := &passkeyUser{id: memberID, handle: handle, alias: m.Alias}
	for _, c := range stored {
		u.creds = append(u.creds, webauthn.Credential{
			ID:                c.ID,
			PublicKey:         c.PublicKey,
			AttestationType:   c.AttestationType,
			AttestationFormat: c.AttestationFormat,
			Flags:             webauthn.NewCredentialFlags(protocol.AuthenticatorFlags(c.Flags)),
			Authenticator:     webauthn.Authenticator{AAGUID: c.AAGUID, SignCount: c.SignCount, CloneWarning: c.CloneWarning},
		})
	}
	return u, nil
}

// passkeys returns the relying party, or the error to answer when
// passkeys are off, or when too many ceremonies are asked for, by r's
// client or by all.
func (s *Server) passkeys(w http.ResponseWriter, r *http.Request, now time.Time) (*webauthn.WebAuthn, error) {
	if s.login.wa == nil {
		return nil, errorf(store.CodeUnavailable, msgNoPasskeys)
	}
	if err := s.limit(w, r, now, s.login.passkeyPerClient, s.login.passkeyAll); err != nil {
		return nil, err
	}
	return s.login.wa, nil
}

// beginPasskeyRegistration answers the options for
// navigator.credentials.create: a discoverable credential with user
// verification, none of the member's existing passkeys again, and no
// attestation (which would identify the device's model and maker, and
// which commune has no use for).
func (s *Server) beginPasskeyRegistration(w http.ResponseWriter, r *http.Request) error {
	now := s.login.now()
	wa, err := s.passkeys(w, r, now)
	if err != nil {
		return err
	}
	p, err := s.principal(r)
	if err != nil {
		return err
	}
	u, err := s.passkeyUser(r.Context(), p.Member)
	if err != nil {
		return err
	}
	opts, data, err := wa.BeginRegistration(u,
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			RequireResidentKey: protocol.ResidentKeyRequired(),
			ResidentKey:        protocol.ResidentKeyRequirementRequired,
			UserVerification:   protocol.VerificationRequired,
		}),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation),
		webauthn.WithExclusions(webauthn.Credentials(u.creds).CredentialDescriptors()))
	if err != nil {
		return err
	}
	if !s.login.ceremonies.put(ceremony{kind: registering, member: p.Member, data: *data, expires: now.Add(ceremonyTTL)}, now) {
		return tooMany(w, s.login.passkeyAll)
	}
	writeJSON(w, http.StatusOK, opts)
	return nil
}

// finishPasskeyRegistration checks the authenticator's answer and stores
// the new passkey; it answers 201 {"id": credential id, base64url}. The
// session stays as it was: a passkey registered from a session opened
// with an emailed code proves no more than the code did, until it is
// used to sign in.
func (s *Server) finishPasskeyRegistration(w http.ResponseWriter, r *http.Request) error {
	now := s.login.now()
	wa, err := s.passkeys(w, r, now)
	if err != nil {
		return err
	}
	p, err := s.principal(r)
	if err != nil {
		return err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBody(r.Body)
	if err != nil {
		return s.passkeyRefused(r, store.CodeInvalid, err)
	}
	c, ok := s.login.ceremonies.take(parsed.Response.CollectedClientData.Challenge, registering, now)
	if !ok || c.member != p.Member {
		return errorf(store.CodeInvalid, msgCeremonyUnknown)
	}
	u, err := s.passkeyUser(r.Context(), p.Member)
	if err != nil {
		return err
	}
	cred, err := wa.CreateCredential(u, c.data, parsed)
	if err != nil {
		return s.passkeyRefused(r, store.CodeInvalid, err)
	}
	err = s.store.AddCredential(r.Context(), store.Credential{
		ID:                cred.ID,
		MemberID:          p.Member,
		PublicKey:         cred.PublicKey,
		SignCount:         cred.Authenticator.SignCount,
		Flags:             byte(cred.Flags.ProtocolValue()),
		AAGUID:            cred.Authenticator.AAGUID,
		AttestationType:   cred.AttestationType,
		AttestationFormat: cred.AttestationFormat,
	}, now)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]string{"id": base64.RawURLEncoding.EncodeToString(cred.ID)})
	return nil
}

// beginPasskeyLogin answers the options for navigator.credentials.get:
// no credentials listed (the authenticator finds its own), user
// verification required.
func (s *Server) beginPasskeyLogin(w http.ResponseWriter, r *http.Request) error {
	now := s.login.now()
	wa, err := s.passkeys(w, r, now)
	if err != nil {
		return err
	}
	opts, data, err := wa.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return err
	}
	if !s.login.ceremonies.put(ceremony{kind: signingIn, data: *data, expires: now.Add(ceremonyTTL)}, now) {
		return tooMany(w, s.login.passkeyAll)
	}
	writeJSON(w, http.StatusOK, opts)
	return nil
}

// finishPasskeyLogin checks the assertion against the passkey of the
// member whose user handle it carries, records the new signature
// counter, and opens a passkey session. A counter that did not grow
// means the private key may have been copied: the passkey is marked and
// refused.
func (s *Server) finishPasskeyLogin(w http.ResponseWriter, r *http.Request) error {
	now := s.login.now()
	wa, err := s.passkeys(w, r, now)
	if err != nil {
		return err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBody(r.Body)
	if err != nil {
		return s.passkeyRefused(r, codeUnauthenticated, err)
	}
	c, ok := s.login.ceremonies.take(parsed.Response.CollectedClientData.Challenge, signingIn, now)
	if !ok {
		return errorf(store.CodeInvalid, msgCeremonyUnknown)
	}
	var member string
	find := func(rawID, handle []byte) (webauthn.User, error) {
		id, err := s.store.MemberByPasskeyHandle(r.Context(), handle)
		if err != nil {
			return nil, err
		}
		member = id
		return s.passkeyUser(r.Context(), id)
	}
	_, cred, err := wa.ValidatePasskeyLogin(find, c.data, parsed)
	if err != nil {
		return s.passkeyRefused(r, codeUnauthenticated, err)
	}
	err = s.store.UseCredential(r.Context(), store.Credential{
		ID:           cred.ID,
		MemberID:     member,
		SignCount:    cred.Authenticator.SignCount,
		Flags:        byte(cred.Flags.ProtocolValue()),
		CloneWarning: cred.Authenticator.CloneWarning,
	}, now)
	if err != nil {
		return err
	}
	if cred.Authenticator.CloneWarning {
		s.log.Warn("passkey refused: its signature counter went back, the key may be cloned")
		return errorf(codeUnauthenticated, msgPasskeyRefused)
	}
	return s.startSession(w, r, member, true)
}

// passkeyRefused logs why go-webauthn refused (its type of error, which
// names nobody) and answers code with msgPasskeyRefused.
func (s *Server) passkeyRefused(r *http.Request, code store.Code, err error) error {
	reason := "malformed"
	var pe *protocol.Error
	if errors.As(err, &pe) {
		reason = pe.Type + ": " + pe.Details
	}
	s.log.InfoContext(r.Context(), "passkey refused", "reason", reason)
	return errorf(code, msgPasskeyRefused)
}
