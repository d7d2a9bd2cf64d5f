package s3

import (
	"errors"
	"fmt"
	"strings"
)

// Replication statuses (x-amz-replication-status).
const (
	ReplicationPending   = "PENDING"
	ReplicationCompleted = "COMPLETED"
	ReplicationFailed    = "FAILED"
	ReplicationReplica   = "REPLICA"
)

// ReplicaVersionHeader carries, on a write that replication sends to a
// Talus destination, the source's version ID: the replica keeps it, and a
// second write of it is a no-op, so a retried replication duplicates no
// version.
const ReplicaVersionHeader = "X-Talus-Replica-Version-Id"

// MaxReplicationRules is the most rules a replication configuration holds.
const MaxReplicationRules = 1000

// ReplicationConfig is a bucket's replication configuration, validated.
// It is stored as is (JSON) in the bucket's configuration.
type ReplicationConfig struct {
	Role  string            `json:"role"`
	Rules []ReplicationRule `json:"rules"`
	// ExistingRequested: the operator asked for the existing objects to be
	// replicated (by the rules with ExistingObjectReplication Enabled).
	ExistingRequested bool `json:"existingReq,omitempty"`
}

// ReplicationRule is one rule. V1 rules (a rule-level Prefix, no Filter)
// have no priority and always replicate delete markers; V2 rules have a
// Filter, a Priority and an explicit DeleteMarkerReplication.
type ReplicationRule struct {
	ID       string `json:"id"`
	Priority int    `json:"priority,omitempty"`
	Status   string `json:"status"`
	// V1 marks a rule written with the rule-level Prefix.
	V1     bool              `json:"v1,omitempty"`
	Filter ReplicationFilter `json:"filter,omitzero"`
	// FilterForm remembers how the V2 filter was written ("prefix", "tag",
	// "and", or "" for an empty <Filter/>) so GET answers it the same way.
	FilterForm              string `json:"filterForm,omitempty"`
	DeleteMarkerReplication string `json:"dmr,omitempty"` // Enabled, Disabled ("" in V1)
	ExistingObjects         string `json:"existing,omitempty"`
	ReplicaModifications    string `json:"replicaMods,omitempty"`
	SseKmsEncryptedObjects  string `json:"sseKms,omitempty"`
	// HasSelection says SourceSelectionCriteria was sent.
	HasSelection bool                   `json:"sel,omitempty"`
	Destination  ReplicationDestination `json:"dest"`
}

// ReplicationFilter selects objects by key prefix and tags (all must match).
type ReplicationFilter struct {
	Prefix string `json:"prefix,omitempty"`
	Tags   []Tag  `json:"tags,omitempty"`
}

// ReplicationDestination is where a rule replicates to.
type ReplicationDestination struct {
	// Bucket is the ARN as configured: arn:aws:s3:::BUCKET (this Talus) or
	// arn:talus:s3:REMOTE::BUCKET (a bucket on the remote endpoint REMOTE).
	Bucket        string `json:"bucket"`
	Account       string `json:"account,omitempty"`
	StorageClass  string `json:"class,omitempty"`
	OwnerOverride bool   `json:"ownerOverride,omitempty"` // AccessControlTranslation Owner=Destination
	ReplicaKMSKey string `json:"kms,omitempty"`           // EncryptionConfiguration ReplicaKmsKeyID
	HasEncryption bool   `json:"hasEnc,omitempty"`
	Metrics       string `json:"metrics,omitempty"` // Enabled, Disabled, "" when absent
	MetricsMins   int    `json:"metricsMins,omitempty"`
	RTC           string `json:"rtc,omitempty"`
	RTCMins       int    `json:"rtcMins,omitempty"`
}

// replicaClasses are the storage classes a replica may be given.
var replicaClasses = map[string]bool{
	"STANDARD": true, "REDUCED_REDUNDANCY": true, "STANDARD_IA": true, "ONEZONE_IA": true,
	"INTELLIGENT_TIERING": true, "GLACIER": true, "DEEP_ARCHIVE": true, "GLACIER_IR": true,
}

// ReplicationTarget is a destination bucket ARN taken apart.
type ReplicationTarget struct {
	Remote string // "" for this Talus
	Bucket string
}

// ParseReplicationTarget reads a destination bucket ARN.
func ParseReplicationTarget(arn string) (ReplicationTarget, bool) {
	if b, ok := strings.CutPrefix(arn, "arn:aws:s3:::"); ok && b != "" && !strings.Contains(b, "/") {
		return ReplicationTarget{Bucket: b}, true
	}
	if rest, ok := strings.CutPrefix(arn, "arn:talus:s3:"); ok {
		remote, b, ok := strings.Cut(rest, "::")
		if ok && remote != "" && b != "" && !strings.Contains(b, "/") && ValidRemoteName(remote) {
			return ReplicationTarget{Remote: remote, Bucket: b}, true
		}
	}
	return ReplicationTarget{}, false
}

// ValidRemoteName reports whether n can name a replication remote:
// 1-64 letters, digits, '-' and '_'.
func ValidRemoteName(n string) bool {
	if n == "" || len(n) > 64 {
		return false
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// ReplicationError is a configuration S3 refuses: Code is the S3 error
// code (InvalidRequest, InvalidArgument or MalformedXML).
type ReplicationError struct{ Code, Msg string }

func (e *ReplicationError) Error() string { return e.Code + ": " + e.Msg }

func replErr(code, format string, a ...any) error {
	return &ReplicationError{Code: code, Msg: fmt.Sprintf(format, a...)}
}

// ReplicationRuleInput is a rule as decoded, before validation: pointers
// tell absent elements from empty ones.
type ReplicationRuleInput struct {
	ID                      string
	Priority                *int
	Status                  string
	Prefix                  *string // rule-level (V1)
	HasFilter               bool
	FilterPrefix            *string
	FilterTag               *Tag
	HasAnd                  bool
	AndPrefix               *string
	AndTags                 []Tag
	DeleteMarkerReplication *string
	ExistingObjects         *string
	ReplicaModifications    *string
	SseKmsEncryptedObjects  *string
	HasSelection            bool
	Destination             ReplicationDestination
	HasOwnerTranslation     bool
	OwnerTranslation        string
}

func enabledDisabled(v *string) bool { return v == nil || *v == "Enabled" || *v == "Disabled" }

// CheckReplication validates a configuration as S3 does (apart from the
// buckets' versioning, which the caller checks) and returns it.
func CheckReplication(role string, in []ReplicationRuleInput) (*ReplicationConfig, error) {
	if len(in) == 0 || len(in) > MaxReplicationRules {
		return nil, replErr("MalformedXML", "")
	}
	cfg := &ReplicationConfig{Role: role}
	ids := map[string]bool{}
	v1, v2 := false, false
	for i, r := range in {
		if r.Status != "Enabled" && r.Status != "Disabled" {
			return nil, replErr("MalformedXML", "")
		}
		if !enabledDisabled(r.DeleteMarkerReplication) || !enabledDisabled(r.ExistingObjects) ||
			!enabledDisabled(r.ReplicaModifications) || !enabledDisabled(r.SseKmsEncryptedObjects) {
			return nil, replErr("MalformedXML", "")
		}
		if len(r.ID) > 255 {
			return nil, replErr("InvalidArgument", "ID length should not exceed allowed limit of 255")
		}
		id := r.ID
		if id == "" {
			id = fmt.Sprintf("rule-%d", i+1)
		}
		if ids[id] {
			return nil, replErr("InvalidArgument", "Rule Id must be unique")
		}
		ids[id] = true
		out := ReplicationRule{ID: id, Status: r.Status, HasSelection: r.HasSelection}
		switch {
		case r.Prefix != nil && r.HasFilter:
			return nil, replErr("MalformedXML", "")
		case r.HasFilter:
			v2 = true
			n := 0
			for _, set := range []bool{r.FilterPrefix != nil, r.FilterTag != nil, r.HasAnd} {
				if set {
					n++
				}
			}
			if n > 1 {
				return nil, replErr("MalformedXML", "")
			}
			switch {
			case r.FilterPrefix != nil:
				out.Filter.Prefix, out.FilterForm = *r.FilterPrefix, "prefix"
			case r.FilterTag != nil:
				out.Filter.Tags, out.FilterForm = []Tag{*r.FilterTag}, "tag"
			case r.HasAnd:
				out.FilterForm = "and"
				if r.AndPrefix != nil {
					out.Filter.Prefix = *r.AndPrefix
				}
				out.Filter.Tags = r.AndTags
			}
			if err := checkFilterTags(out.Filter.Tags); err != nil {
				return nil, err
			}
			if r.Priority == nil {
				return nil, replErr("InvalidRequest", "Priority must be specified for this version of Cross Region Replication configuration schema. Please refer to S3 Developer Guide for more information.")
			}
			if *r.Priority < 0 {
				return nil, replErr("InvalidArgument", "Priority must be a non-negative integer")
			}
			out.Priority = *r.Priority
			if r.DeleteMarkerReplication == nil {
				return nil, replErr("InvalidRequest", "DeleteMarkerReplication must be specified for this version of Cross Region Replication configuration schema. Please refer to S3 Developer Guide for more information.")
			}
			out.DeleteMarkerReplication = *r.DeleteMarkerReplication
			if out.DeleteMarkerReplication == "Enabled" && len(out.Filter.Tags) > 0 {
				return nil, replErr("InvalidRequest", "Delete marker replication is not supported if any Tag filter is specified. Please refer to S3 Developer Guide for more information.")
			}
		default:
			// V1: the rule-level prefix (required by the V1 schema).
			v1 = true
			if r.Prefix == nil {
				return nil, replErr("MalformedXML", "")
			}
			out.V1, out.Filter.Prefix = true, *r.Prefix
			if r.DeleteMarkerReplication != nil {
				return nil, replErr("InvalidRequest", "DeleteMarkerReplication cannot be used for this version of Cross Region Replication configuration schema. Please refer to S3 Developer Guide for more information.")
			}
			if r.Priority != nil {
				return nil, replErr("InvalidRequest", "Priority cannot be used for this version of Cross Region Replication configuration schema. Please refer to S3 Developer Guide for more information.")
			}
			if r.ExistingObjects != nil || r.ReplicaModifications != nil {
				return nil, replErr("InvalidRequest", "ExistingObjectReplication and ReplicaModifications cannot be used for this version of Cross Region Replication configuration schema. Please refer to S3 Developer Guide for more information.")
			}
		}
		out.ExistingObjects = deref(r.ExistingObjects, "Disabled")
		if r.ReplicaModifications != nil {
			out.ReplicaModifications = *r.ReplicaModifications
		}
		if r.SseKmsEncryptedObjects != nil {
			out.SseKmsEncryptedObjects = *r.SseKmsEncryptedObjects
		}
		d := r.Destination
		if _, ok := ParseReplicationTarget(d.Bucket); !ok {
			return nil, replErr("InvalidArgument", "Invalid bucket ARN.")
		}
		if d.StorageClass != "" && !replicaClasses[d.StorageClass] {
			return nil, replErr("MalformedXML", "")
		}
		if r.HasOwnerTranslation {
			if r.OwnerTranslation != "Destination" {
				return nil, replErr("MalformedXML", "")
			}
			if d.Account == "" {
				return nil, replErr("InvalidRequest", "Account is required when AccessControlTranslation is specified.")
			}
			d.OwnerOverride = true
		}
		if out.SseKmsEncryptedObjects == "Enabled" && d.ReplicaKMSKey == "" {
			return nil, replErr("InvalidRequest", "ReplicaKmsKeyID must be specified if SseKmsEncryptedObjects tag is present.")
		}
		if d.ReplicaKMSKey != "" && out.SseKmsEncryptedObjects != "Enabled" {
			return nil, replErr("InvalidRequest", "SseKmsEncryptedObjects must be specified if EncryptionConfiguration is present.")
		}
		if d.Metrics != "" && d.Metrics != "Enabled" && d.Metrics != "Disabled" || d.RTC != "" && d.RTC != "Enabled" && d.RTC != "Disabled" {
			return nil, replErr("MalformedXML", "")
		}
		if d.RTC == "Enabled" {
			if d.RTCMins != 15 {
				return nil, replErr("InvalidArgument", "Invalid ReplicationTime value. Minutes must be 15.")
			}
			if d.Metrics != "Enabled" {
				return nil, replErr("InvalidRequest", "Replication Time Control requires Metrics to be enabled.")
			}
		}
		if d.Metrics == "Enabled" && d.MetricsMins != 0 && d.MetricsMins != 15 {
			return nil, replErr("InvalidArgument", "Invalid EventThreshold value. Minutes must be 15.")
		}
		out.Destination = d
		cfg.Rules = append(cfg.Rules, out)
	}
	if v1 && v2 {
		return nil, replErr("InvalidRequest", "Rules of different versions of the Cross Region Replication configuration schema cannot be mixed. Please refer to S3 Developer Guide for more information.")
	}
	if v1 {
		// V1 rules may not overlap: S3 has no priority to choose between them.
		for i := range cfg.Rules {
			for j := i + 1; j < len(cfg.Rules); j++ {
				a, b := cfg.Rules[i].Filter.Prefix, cfg.Rules[j].Filter.Prefix
				if strings.HasPrefix(a, b) || strings.HasPrefix(b, a) {
					return nil, replErr("InvalidRequest", "Found overlapping rules in the replication configuration. Please refer to S3 Developer Guide for more information.")
				}
			}
		}
	}
	seen := map[int]bool{}
	for _, r := range cfg.Rules {
		if !r.V1 {
			if seen[r.Priority] {
				return nil, replErr("InvalidRequest", "Found overlapping priorities in the replication configuration. Each rule must have a unique priority. Please refer to S3 Developer Guide for more information.")
			}
			seen[r.Priority] = true
		}
	}
	return cfg, nil
}

func deref(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}

func checkFilterTags(tags []Tag) error {
	seen := map[string]bool{}
	for _, t := range tags {
		if t.Key == "" || seen[t.Key] {
			return replErr("InvalidRequest", "Duplicate Tag Keys are not allowed.")
		}
		seen[t.Key] = true
	}
	return nil
}

// ErrNoReplicationRule: no enabled rule selects the object.
var ErrNoReplicationRule = errors.New("s3: no replication rule applies")

// Matches reports whether the rule's filter selects key with tags.
func (r *ReplicationRule) Matches(key string, tags map[string]string) bool {
	if !strings.HasPrefix(key, r.Filter.Prefix) {
		return false
	}
	for _, t := range r.Filter.Tags {
		if v, ok := tags[t.Key]; !ok || v != t.Value {
			return false
		}
	}
	return true
}

// ReplicationObject is what rule selection looks at.
type ReplicationObject struct {
	Key     string
	Tags    map[string]string
	SSEKMS  bool // SSE-KMS or DSSE-KMS
	SSEC    bool
	Replica bool
}

// Select returns, per destination bucket, the enabled rule that applies
// to o: the one with the highest priority among those that match (V1
// rules cannot overlap). SSE-C objects are never replicated; SSE-KMS ones
// only by rules with SseKmsEncryptedObjects Enabled.
func (c *ReplicationConfig) Select(o ReplicationObject) []*ReplicationRule {
	if c == nil || o.SSEC {
		return nil
	}
	best := map[string]*ReplicationRule{}
	var order []string
	for i := range c.Rules {
		r := &c.Rules[i]
		if r.Status != "Enabled" || !r.Matches(o.Key, o.Tags) {
			continue
		}
		if o.SSEKMS && r.SseKmsEncryptedObjects != "Enabled" {
			continue
		}
		d := r.Destination.Bucket
		cur, ok := best[d]
		if !ok {
			order = append(order, d)
		}
		if !ok || r.Priority > cur.Priority {
			best[d] = r
		}
	}
	out := make([]*ReplicationRule, 0, len(order))
	for _, d := range order {
		out = append(out, best[d])
	}
	return out
}

// ReplicatesDeleteMarkers reports whether the rule copies delete markers.
func (r *ReplicationRule) ReplicatesDeleteMarkers() bool {
	return r.V1 || r.DeleteMarkerReplication == "Enabled"
}
