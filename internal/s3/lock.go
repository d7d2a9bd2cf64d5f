package s3

import (
	"errors"
	"time"
)

// Object lock retention modes.
const (
	Governance = "GOVERNANCE"
	Compliance = "COMPLIANCE"
)

// ErrLocked means object lock protects the version (S3 answers AccessDenied).
var ErrLocked = errors.New("s3: object protected by object lock")

// Lock is a version's object lock state.
type Lock struct {
	Mode      string // "", GOVERNANCE or COMPLIANCE
	Until     time.Time
	LegalHold bool
}

// Active reports whether the retention period protects the version at now.
func (l Lock) Active(now time.Time) bool {
	return l.Mode != "" && l.Until.After(now)
}

// CheckDelete decides whether a version may be deleted permanently (or
// overwritten in place). A legal hold always blocks; COMPLIANCE retention
// blocks everyone; GOVERNANCE retention blocks unless bypass is requested.
func CheckDelete(l Lock, bypass bool, now time.Time) error {
	if l.LegalHold {
		return ErrLocked
	}
	if !l.Active(now) {
		return nil
	}
	if l.Mode == Governance && bypass {
		return nil
	}
	return ErrLocked
}

// CheckRetentionChange decides whether a version's retention may change
// from old to (mode, until). COMPLIANCE can only be extended; GOVERNANCE
// can be extended in GOVERNANCE mode, and changed in any other way
// (shortened, removed, or turned into COMPLIANCE) only with bypass, as S3
// answers AccessDenied to a GOVERNANCE to COMPLIANCE change without it.
func CheckRetentionChange(old Lock, mode string, until time.Time, bypass bool, now time.Time) error {
	if !old.Active(now) {
		return nil
	}
	extends := mode == old.Mode && !until.Before(old.Until)
	switch old.Mode {
	case Compliance:
		if extends {
			return nil
		}
	case Governance:
		if extends || bypass {
			return nil
		}
	}
	return ErrLocked
}

// RetainUntil computes a default retention's end from days or years.
func RetainUntil(from time.Time, days, years int) time.Time {
	if years > 0 {
		return from.AddDate(years, 0, 0)
	}
	return from.AddDate(0, 0, days)
}
