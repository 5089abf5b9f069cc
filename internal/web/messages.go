package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// lang is a language of the API's messages: the code of a catalog in
// locales/ ("en", "es").
type lang string

const (
	english lang = "en"
	spanish lang = "es"
)

// code returns the language's code, as world.Errors.Message takes it.
func (l lang) code() string { return string(l) }

// msgKey names a message of the API. Its words are in each language's
// catalog, locales/LANG.json, under "api." and the key, beside the
// words of the pages: adding a language is adding one catalog file. A
// test checks that every key has its words in every catalog.
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
	msgNoEmailConfirm  msgKey = "no-email-confirm"
	msgBadEmail        msgKey = "bad-email"
	msgNotJSON         msgKey = "not-json"
	msgOtherOrigin     msgKey = "other-origin"
	msgNoPasskeys      msgKey = "no-passkeys"
	msgPasskeyRefused  msgKey = "passkey-refused"
	msgCeremonyUnknown msgKey = "ceremony-unknown"
)

// apiMessages are the API's messages of each catalog in locales/, by
// language and key; they are read once, and never change.
var apiMessages = func() map[lang]map[msgKey]string {
	out := map[lang]map[msgKey]string{}
	files, err := fs.Glob(localeFS, "locales/*.json")
	if err != nil {
		panic(err)
	}
	for _, f := range files {
		data, err := fs.ReadFile(localeFS, f)
		if err != nil {
			panic(err)
		}
		var words map[string]string
		if err := json.Unmarshal(data, &words); err != nil {
			// The catalogs are built in: every test would see this.
			panic(fmt.Sprintf("web: %s: %v", f, err))
		}
		msgs := map[msgKey]string{}
		for k, v := range words {
			if key, ok := strings.CutPrefix(k, "api."); ok {
				msgs[msgKey(key)] = v
			}
		}
		out[lang(strings.TrimSuffix(path.Base(f), ".json"))] = msgs
	}
	return out
}()

// t returns the message k in l, or in English when l lacks it.
func (l lang) t(k msgKey) string {
	if s, ok := apiMessages[l][k]; ok {
		return s
	}
	return apiMessages[english][k]
}

// apiLangs are the languages of the catalogs, English first: the one
// preferred falls back to.
var apiLangs = func() []string {
	out := []string{string(english)}
	for l := range apiMessages {
		if l != english {
			out = append(out, string(l))
		}
	}
	slices.Sort(out[1:])
	return out
}()

// language picks the language of a catalog from an Accept-Language
// header, as the pages do (preferred): English when none is named.
func language(header string) lang { return lang(preferred(header, apiLangs)) }

// langOf is the language of the catalog code names ("es"), English when
// there is none for it.
func langOf(code string) lang {
	if _, ok := apiMessages[lang(code)]; ok {
		return lang(code)
	}
	return english
}
