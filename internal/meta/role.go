package meta

import "time"

// Role is an IAM role: a trust policy says who may assume it.
type Role struct {
	Name               string
	ID                 string // AROA...
	Path               string
	TrustPolicy        string // the assume-role policy document
	Description        string
	MaxSessionDuration int // seconds, 3600–43200
	Created            time.Time
}

// ManagedPolicy is a customer managed policy. Its document is the default
// version's.
type ManagedPolicy struct {
	ARN            string
	Name           string
	ID             string // ANPA...
	Path           string
	Description    string
	DefaultVersion string // v1, v2, ...
	Attachments    int    // users, groups and roles it is attached to
	Created        time.Time
	Updated        time.Time // when the default version last changed
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	ID       string // v1, v2, ...
	Document string
	Default  bool
	Created  time.Time
}
