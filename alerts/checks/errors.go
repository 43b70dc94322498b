package checks

import "errors"

// Kind classifies the errors of this package by the answer the REST layer
// gives for them.
type Kind string

// Kinds.
const (
	// OK: no error.
	OK Kind = "OK"
	// InvalidArguments: the document is missing, not JSON or not an
	// object; an unknown check subdir or a missing script_key.
	InvalidArguments Kind = "INVALID_ARGUMENTS"
	// BadContent: the document has no configuration set "0", or the set
	// (or alert_exclusions) does not have the shape of §4.2.
	BadContent Kind = "BAD_CONTENT"
	// InternalError: "0".id is not 0, or the database failed.
	InternalError Kind = "INTERNAL_ERROR"
	// UnknownCheck: enable/disable of a script_key this program does not
	// know. The endpoints answer OK with
	// {"success":false,"error":<Error()>}: Error() is exactly
	// `Unknown user script "<key>"`.
	UnknownCheck Kind = "UNKNOWN_CHECK"
)

// Error is an error of this package with its Kind.
type Error struct {
	Kind Kind
	Msg  string
	Err  error // cause, if any
}

func (e *Error) Error() string {
	if e.Err != nil && e.Msg == "" {
		return e.Err.Error()
	}
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of err: OK for nil, InternalError for an error
// that is not an *Error.
func KindOf(err error) Kind {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return InternalError
}
