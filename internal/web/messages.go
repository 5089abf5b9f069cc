package web

import (
	"strconv"
	"strings"
)

// lang is a language of the API's messages.
type lang int

const (
	english lang = iota
	spanish
)

// code returns the language's code, as world.Errors.Message takes it.
func (l lang) code() string {
	if l == spanish {
		return "es"
	}
	return "en"
}

// msgKey names a message of the API. Each language has its catalog, a
// map in a file of its own (messages_en.go, messages_es.go); a test
// checks that they hold the same keys.
type msgKey string

const (
	msgNotFound         msgKey = "not_found"
	msgInvalid          msgKey = "invalid"
	msgForbidden        msgKey = "forbidden"
	msgConflict         msgKey = "conflict"
	msgUnavailable      msgKey = "unavailable"
	msgInternal         msgKey = "internal"
	msgUnauthenticated  msgKey = "unauthenticated"
	msgNoRoute          msgKey = "no-route"
	msgBadToken         msgKey = "bad-token"
	msgBadWorld         msgKey = "bad-world"
	msgTooLarge         msgKey = "too-large"
	msgMethodNotAllowed msgKey = "method-not-allowed"

	// Signing in (login.go, session.go, passkey.go).
	msgTooManyRequests msgKey = "too-many-requests"
	msgCodeWrong       msgKey = "code-wrong"
	msgBadCSRF         msgKey = "bad-csrf"
	msgNoEmail         msgKey = "no-email"
	msgBadEmail        msgKey = "bad-email"
	msgNotJSON         msgKey = "not-json"
	msgOtherOrigin     msgKey = "other-origin"
	msgNoPasskeys      msgKey = "no-passkeys"
	msgPasskeyRefused  msgKey = "passkey-refused"
	msgCeremonyUnknown msgKey = "ceremony-unknown"
)

var catalogs = [...]map[msgKey]string{english: messagesEN, spanish: messagesES}

func (l lang) t(k msgKey) string {
	if s, ok := catalogs[l][k]; ok {
		return s
	}
	return messagesEN[k]
}

// language picks English or Spanish from an Accept-Language header
// (RFC 9110, section 12.5.4): the one with the highest weight, English
// when neither is named.
func language(header string) lang {
	best, bestQ := english, 0.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			q = f
		}
		tag = strings.ToLower(strings.TrimSpace(tag))
		var l lang
		switch {
		case tag == "es" || strings.HasPrefix(tag, "es-"):
			l = spanish
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			l = english
		default:
			continue
		}
		if q > bestQ {
			best, bestQ = l, q
		}
	}
	return best
}
