package model

import (
	"errors"
	"fmt"
)

// Error codes: the closed set of failures a client can act on. The GraphQL
// layer turns each into an `extensions.code` (see resolvers/handler.go).
const (
	EINVALID         = "invalid"         // the input is wrong: a bad value, a dangling reference
	ENOTFOUND        = "not_found"       // the thing asked for does not exist or is not visible
	ECONFLICT        = "conflict"        // the change clashes with what is stored
	EFORBIDDEN       = "forbidden"       // the caller may not do this
	EUNAUTHENTICATED = "unauthenticated" // the caller did not say who they are
	EUNAVAILABLE     = "unavailable"     // a dependency (Neo4j) cannot be reached now; retry later
	ETIMEOUT         = "timeout"         // the work did not finish in time
	EINTERNAL        = "internal"        // a bug or an unexpected failure; details are logged, not shown
)

// Error is a failure that a client can act on. Its Message is safe to show
// to the client; anything else stays in the logs.
type Error struct {
	// Code is one of the E* constants.
	Code string
	// Message explains the failure in words a user understands.
	Message string
	// Field is the path of the offending input field (for example
	// "input.assessments.2.axis1"), or empty when no single field is at fault.
	Field string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an *Error with the given code that names the offending
// input field.
func FieldErrorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound is the one answer for an id of the given kind (such as
// "analysis") that does not exist or that the caller may not read:
// ENOTFOUND naming field, `no <kind> "<id>"`. Every path that takes an id
// answers both cases with it, so that no error tells a hidden object from
// a missing one; only a caller who may read the object learns more (such
// as EFORBIDDEN for lacking the right to change it).
func NotFound(field, kind, id string) *Error {
	return FieldErrorf(ENOTFOUND, field, "no %s %q", kind, Truncate(id, 60))
}

// ErrorCode returns the code of the first *Error in err's chain, or EINTERNAL
// when there is none. It returns "" for a nil error.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic message when there is none, so that internal details never reach a
// client.
func ErrorMessage(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Message
	}
	return "internal error"
}

// ErrorField returns the offending field of the first *Error in err's chain,
// or "".
func ErrorField(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Field
	}
	return ""
}
