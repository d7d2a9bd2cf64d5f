package meta

import (
	"context"
	"errors"
	"time"
)

// Errors of groups, roles and managed policies.
var (
	ErrNoSuchEntity   = errors.New("meta: no such IAM entity")
	ErrEntityExists   = errors.New("meta: IAM entity exists")
	ErrDeleteConflict = errors.New("meta: IAM entity still in use")
	ErrLimitExceeded  = errors.New("meta: IAM limit exceeded")
)

// Owners of inline and attached policies.
const (
	KindUser  = "user"
	KindGroup = "group"
	KindRole  = "role"
)

// Group is an IAM group of the account.
type Group struct {
	Name    string
	ID      string // AGPA...
	Path    string
	Created time.Time
}

// Directory stores the IAM entities beyond users and their keys: groups
// and their members, roles, inline policies of groups and roles, managed
// policies with their versions, and policy attachments. Every Store
// implements it. Missing groups, roles, policies and versions are
// ErrNoSuchEntity; a missing user is ErrNoSuchUser.
type Directory interface {
	// CreateGroup returns ErrEntityExists if the name is taken.
	CreateGroup(ctx context.Context, g Group) error
	GetGroup(ctx context.Context, name string) (Group, error)
	// ListGroups returns up to limit groups named after after, in byte order.
	ListGroups(ctx context.Context, after string, limit int) ([]Group, error)
	// DeleteGroup returns ErrDeleteConflict while members, inline or
	// attached policies remain.
	DeleteGroup(ctx context.Context, name string) error
	// AddUserToGroup is idempotent.
	AddUserToGroup(ctx context.Context, group, user string) error
	// RemoveUserFromGroup returns ErrNoSuchEntity if the user is not a member.
	RemoveUserFromGroup(ctx context.Context, group, user string) error
	// GroupMembers returns the group's users in name order.
	GroupMembers(ctx context.Context, group string) ([]User, error)
	// UserGroups returns the groups a user belongs to in name order.
	UserGroups(ctx context.Context, user string) ([]Group, error)

	// CreateRole returns ErrEntityExists if the name is taken.
	CreateRole(ctx context.Context, r Role) error
	GetRole(ctx context.Context, name string) (Role, error)
	// ListRoles returns up to limit roles named after after, in byte order.
	ListRoles(ctx context.Context, after string, limit int) ([]Role, error)
	// UpdateRole replaces the role's trust policy, description and
	// maximum session duration (the name, ID, path and creation stay).
	UpdateRole(ctx context.Context, r Role) error
	// DeleteRole returns ErrDeleteConflict while inline or attached
	// policies remain.
	DeleteRole(ctx context.Context, name string) error

	// PutInlinePolicy creates or replaces an inline policy of a group or
	// role (kind KindGroup or KindRole; user policies are Identities').
	PutInlinePolicy(ctx context.Context, kind, owner, name, document string) error
	// GetInlinePolicy returns ErrNoSuchPolicy if absent.
	GetInlinePolicy(ctx context.Context, kind, owner, name string) (string, error)
	// ListInlinePolicies returns the policy names in byte order.
	ListInlinePolicies(ctx context.Context, kind, owner string) ([]string, error)
	// DeleteInlinePolicy returns ErrNoSuchPolicy if absent.
	DeleteInlinePolicy(ctx context.Context, kind, owner, name string) error

	// CreatePolicy stores a managed policy and its first version (v1,
	// the default). ErrEntityExists if the ARN is taken.
	CreatePolicy(ctx context.Context, p ManagedPolicy, document string) error
	GetPolicy(ctx context.Context, arn string) (ManagedPolicy, error)
	// ListPolicies returns up to limit policies with ARNs after after, in byte order.
	ListPolicies(ctx context.Context, after string, limit int) ([]ManagedPolicy, error)
	// DeletePolicy returns ErrDeleteConflict while the policy is attached
	// or has versions other than the default.
	DeletePolicy(ctx context.Context, arn string) error
	// CreatePolicyVersion adds the next version; ErrLimitExceeded when the
	// policy already has max versions.
	CreatePolicyVersion(ctx context.Context, arn, document string, setDefault bool, max int, now time.Time) (PolicyVersion, error)
	GetPolicyVersion(ctx context.Context, arn, version string) (PolicyVersion, error)
	// ListPolicyVersions returns the versions, newest first.
	ListPolicyVersions(ctx context.Context, arn string) ([]PolicyVersion, error)
	// DeletePolicyVersion returns ErrDeleteConflict for the default version.
	DeletePolicyVersion(ctx context.Context, arn, version string) error
	SetDefaultPolicyVersion(ctx context.Context, arn, version string, now time.Time) error
	// AttachPolicy attaches a managed policy to a user, group or role
	// (idempotent); ErrLimitExceeded past max attachments on the owner.
	AttachPolicy(ctx context.Context, kind, owner, arn string, max int) error
	// DetachPolicy returns ErrNoSuchEntity if the policy is not attached.
	DetachPolicy(ctx context.Context, kind, owner, arn string) error
	// AttachedPolicies returns the policies attached to an owner, by ARN.
	AttachedPolicies(ctx context.Context, kind, owner string) ([]ManagedPolicy, error)
}
