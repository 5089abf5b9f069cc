package store

import (
	"errors"
	"fmt"
)

// Code classifies an application error, so that the HTTP layer can map it
// to a status in one place and the command line to a message.
type Code string

const (
	CodeNotFound    Code = "not_found"
	CodeInvalid     Code = "invalid"
	CodeForbidden   Code = "forbidden"
	CodeConflict    Code = "conflict"
	CodeUnavailable Code = "unavailable"
	// CodeInternal is what ErrorCode reports for an error that carries no
	// code: a bug or a failing database, not the caller's fault.
	CodeInternal Code = "internal"
)

// Error is an application error: a code, a message that may be shown to
// the user (it never holds contact details), and the error behind it, if
// any.
type Error struct {
	Code    Code
	Message string
	Err     error
}

func (e *Error) Error() string {
	switch {
	case e.Err != nil && e.Message != "":
		return e.Message + ": " + e.Err.Error()
	case e.Err != nil:
		return e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an application error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first application error in err's
// chain, CodeInternal if there is none, and "" for a nil error.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the message of the first application error in
// err's chain, or a generic one for an internal error, whose details are
// for the log, not for the user.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Error()
	}
	return "internal error"
}
