package kms

import "fmt"

// Error is a Service error with the message KMS gives for it. errors.Is
// matches its kind (ErrNotFound, ...).
type Error struct {
	Kind error
	Msg  string
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Kind }

func errorf(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}
