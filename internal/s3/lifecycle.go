package s3

import (
	"math"
	"strings"
	"time"
)

// Lifecycle rule statuses.
const (
	LifecycleEnabled  = "Enabled"
	LifecycleDisabled = "Disabled"
)

// LifecycleRule is one rule of a bucket's lifecycle configuration.
type LifecycleRule struct {
	// ID names the rule (at most 255 characters; S3 generates one when
	// the client sends none).
	ID string
	// Status is LifecycleEnabled or LifecycleDisabled.
	Status string
	Filter LifecycleFilter
	// Expiration acts on current versions (nil: no such action).
	Expiration *LifecycleExpiration
	// NoncurrentVersionExpiration acts on noncurrent versions.
	NoncurrentVersionExpiration *NoncurrentVersionExpiration
	// AbortIncompleteMultipartUpload acts on multipart uploads.
	AbortIncompleteMultipartUpload *AbortIncompleteMultipartUpload
	// Transitions and NoncurrentVersionTransitions are kept in the type
	// for storage classes; a configuration holding either is refused
	// until they are acted on.
	Transitions                  []LifecycleTransition
	NoncurrentVersionTransitions []NoncurrentVersionTransition
}

// LifecycleFilter selects the objects a rule applies to. Every
// condition set must hold: the key starts with Prefix, the object
// carries every tag in Tags, and its size lies strictly between the
// bounds.
type LifecycleFilter struct {
	Prefix string
	Tags   []Tag
	// ObjectSizeGreaterThan and ObjectSizeLessThan are nil when unset.
	ObjectSizeGreaterThan *int64
	ObjectSizeLessThan    *int64
	// Form says how the client wrote the filter, so GET returns it as
	// sent: LifecycleFilterV1 (a bare <Prefix> in the rule, the
	// PutBucketLifecycle form), LifecycleFilterNone (no Filter
	// element), LifecycleFilterEmpty (<Filter/>), LifecycleFilterSingle
	// (one condition directly in <Filter>) or LifecycleFilterAnd
	// (conditions inside <And>).
	Form string
}

// Forms a lifecycle filter was written in (LifecycleFilter.Form).
const (
	LifecycleFilterNone   = ""
	LifecycleFilterV1     = "v1"
	LifecycleFilterEmpty  = "empty"
	LifecycleFilterSingle = "single"
	LifecycleFilterAnd    = "and"
)

// LifecycleExpiration expires current versions: after Days days, on
// Date, or (ExpiredObjectDeleteMarker) removes a delete marker that is
// the only version left of its key.
type LifecycleExpiration struct {
	Days int
	// Date is midnight UTC; zero when unset.
	Date                      time.Time
	ExpiredObjectDeleteMarker bool
}

// NoncurrentVersionExpiration deletes a noncurrent version NoncurrentDays
// days after it became noncurrent, keeping the NewerNoncurrentVersions
// newest noncurrent versions (0: keep none).
type NoncurrentVersionExpiration struct {
	NoncurrentDays          int
	NewerNoncurrentVersions int
}

// AbortIncompleteMultipartUpload aborts uploads DaysAfterInitiation days
// after they were created.
type AbortIncompleteMultipartUpload struct {
	DaysAfterInitiation int
}

// LifecycleTransition moves current versions to StorageClass.
type LifecycleTransition struct {
	Days         int
	Date         time.Time
	StorageClass string
}

// NoncurrentVersionTransition moves noncurrent versions to StorageClass.
type NoncurrentVersionTransition struct {
	NoncurrentDays          int
	NewerNoncurrentVersions int
	StorageClass            string
}

// LifecycleAction is what a lifecycle rule does to a version.
type LifecycleAction int

// Lifecycle actions, from LifecycleDue.
const (
	// LifecycleNone: no rule acts on the version.
	LifecycleNone LifecycleAction = iota
	// LifecycleExpireCurrent expires the current version: delete it in
	// an unversioned bucket, add a delete marker in a versioned one.
	LifecycleExpireCurrent
	// LifecycleExpireNoncurrent permanently deletes a noncurrent version.
	LifecycleExpireNoncurrent
	// LifecycleRemoveDeleteMarker removes an expired object delete
	// marker (the only version left of its key).
	LifecycleRemoveDeleteMarker
)

// LifecycleVersion holds the facts about one object version that
// lifecycle rules look at.
type LifecycleVersion struct {
	Key  string
	Size int64
	Tags map[string]string
	// Modified is when the version was created.
	Modified time.Time
	// IsLatest: the version is the current one of its key.
	IsLatest     bool
	DeleteMarker bool
	// NoncurrentSince is when the version stopped being current (the
	// creation time of the version that replaced it); zero if latest.
	NoncurrentSince time.Time
	// NewerNoncurrent is how many noncurrent versions of the key are
	// newer than this one.
	NewerNoncurrent int
	// OnlyVersion: the key has no other version (with DeleteMarker and
	// IsLatest, an expired object delete marker).
	OnlyVersion bool
}

// LifecycleDue is an action a rule schedules, and when.
type LifecycleDue struct {
	Action LifecycleAction
	RuleID string
	// At is when the action becomes due; the action applies at any
	// time not before At.
	At time.Time
}

// LifecycleDayEnd returns when an action set for days days after t
// falls due: t plus days days, rounded up to the next day boundary. With
// a 24-hour day that is the next midnight UTC, as S3 computes it; with a
// shorter day (for tests) it is the next multiple of day since the Unix
// epoch. day <= 0 means 24 hours.
func LifecycleDayEnd(t time.Time, days int, day time.Duration) time.Time {
	if day <= 0 || day == 24*time.Hour {
		end := t.UTC().AddDate(0, 0, days)
		y, m, d := end.Date()
		r := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		if r.Before(end) {
			r = r.AddDate(0, 0, 1)
		}
		return r
	}
	if days > int(math.MaxInt64/int64(day))/2 {
		days = int(math.MaxInt64/int64(day)) / 2 // far beyond any test
	}
	end := t.Add(time.Duration(days) * day)
	ns, d := end.UnixNano(), int64(day)
	q := ns - ns%d
	if ns%d < 0 {
		q -= d
	}
	r := time.Unix(0, q)
	if r.Before(end) {
		r = r.Add(day)
	}
	return r.UTC()
}

// Matches reports whether the filter selects version v. A delete marker
// has no tags and size 0, so a tag condition never selects it and size
// bounds apply to it as to an empty object.
func (f *LifecycleFilter) Matches(v *LifecycleVersion) bool {
	if !strings.HasPrefix(v.Key, f.Prefix) {
		return false
	}
	for _, t := range f.Tags {
		val, ok := v.Tags[t.Key]
		if !ok || val != t.Value {
			return false
		}
	}
	if f.ObjectSizeGreaterThan != nil && !(v.Size > *f.ObjectSizeGreaterThan) {
		return false
	}
	if f.ObjectSizeLessThan != nil && !(v.Size < *f.ObjectSizeLessThan) {
		return false
	}
	return true
}

// LifecycleNext returns the earliest action the enabled rules schedule
// for version v (Action LifecycleNone when none does). The caller applies
// it when now is not before At. day is the length of a lifecycle day
// (<= 0: 24 hours).
//
// A current object version is expired by an Expiration with Days (from
// its creation) or Date; a current delete marker that is the key's only
// version is removed by ExpiredObjectDeleteMarker (at once) or by an
// Expiration with Days (at the same time a version would expire); a
// noncurrent version is deleted by NoncurrentVersionExpiration once it
// has been noncurrent for NoncurrentDays and at least
// NewerNoncurrentVersions newer noncurrent versions exist.
func LifecycleNext(rules []LifecycleRule, day time.Duration, v *LifecycleVersion) LifecycleDue {
	var best LifecycleDue
	consider := func(a LifecycleAction, id string, at time.Time) {
		if best.Action == LifecycleNone || at.Before(best.At) {
			best = LifecycleDue{Action: a, RuleID: id, At: at}
		}
	}
	for i := range rules {
		r := &rules[i]
		if r.Status != LifecycleEnabled || !r.Filter.Matches(v) {
			continue
		}
		switch {
		case v.IsLatest && v.DeleteMarker:
			if !v.OnlyVersion || r.Expiration == nil {
				continue
			}
			if r.Expiration.ExpiredObjectDeleteMarker {
				consider(LifecycleRemoveDeleteMarker, r.ID, v.Modified)
			} else if r.Expiration.Days > 0 {
				consider(LifecycleRemoveDeleteMarker, r.ID, LifecycleDayEnd(v.Modified, r.Expiration.Days, day))
			}
		case v.IsLatest:
			if at, ok := currentExpiry(r, v.Modified, day); ok {
				consider(LifecycleExpireCurrent, r.ID, at)
			}
		default:
			e := r.NoncurrentVersionExpiration
			if e == nil || e.NoncurrentDays <= 0 || v.NewerNoncurrent < e.NewerNoncurrentVersions {
				continue
			}
			consider(LifecycleExpireNoncurrent, r.ID, LifecycleDayEnd(v.NoncurrentSince, e.NoncurrentDays, day))
		}
	}
	return best
}

// currentExpiry is when rule r expires a current object version created
// at modified.
func currentExpiry(r *LifecycleRule, modified time.Time, day time.Duration) (time.Time, bool) {
	e := r.Expiration
	switch {
	case e == nil:
		return time.Time{}, false
	case e.Days > 0:
		return LifecycleDayEnd(modified, e.Days, day), true
	case !e.Date.IsZero():
		return e.Date, true
	}
	return time.Time{}, false
}

// LifecycleExpiry returns the rule and time at which the current object
// version v expires, for the x-amz-expiration response header: the
// earliest Expiration (Days or Date) of the enabled rules that select v.
// ok is false when no rule expires it.
func LifecycleExpiry(rules []LifecycleRule, day time.Duration, v *LifecycleVersion) (ruleID string, at time.Time, ok bool) {
	for i := range rules {
		r := &rules[i]
		if r.Status != LifecycleEnabled || !r.Filter.Matches(v) {
			continue
		}
		if t, has := currentExpiry(r, v.Modified, day); has && (!ok || t.Before(at)) {
			ruleID, at, ok = r.ID, t, true
		}
	}
	return ruleID, at, ok
}

// LifecycleAbortUpload returns when the enabled rules abort a multipart
// upload of key initiated at initiated: the earliest
// AbortIncompleteMultipartUpload among rules whose prefix selects the
// key (S3 refuses tag filters on such rules; size bounds do not apply
// to an upload). ok is false when no rule aborts it.
func LifecycleAbortUpload(rules []LifecycleRule, day time.Duration, key string, initiated time.Time) (ruleID string, at time.Time, ok bool) {
	for i := range rules {
		r := &rules[i]
		a := r.AbortIncompleteMultipartUpload
		if r.Status != LifecycleEnabled || a == nil || a.DaysAfterInitiation <= 0 ||
			!strings.HasPrefix(key, r.Filter.Prefix) || len(r.Filter.Tags) > 0 {
			continue
		}
		if t := LifecycleDayEnd(initiated, a.DaysAfterInitiation, day); !ok || t.Before(at) {
			ruleID, at, ok = r.ID, t, true
		}
	}
	return ruleID, at, ok
}

// ExpirationHeader formats x-amz-expiration as S3 sends it:
// expiry-date="Fri, 23 Dec 2012 00:00:00 GMT", rule-id="picture-deletion-rule".
// A rule ID a quoted header value cannot carry as it is (a control or
// non-ASCII character, '"', '\', or a space at either end) is
// percent-encoded whole. It returns "" for a date an HTTP date cannot
// express (after year 9999).
func ExpirationHeader(ruleID string, at time.Time) string {
	if at.UTC().Year() > 9999 {
		return ""
	}
	return `expiry-date="` + at.UTC().Format(httpTimeFormat) + `", rule-id="` + headerRuleID(ruleID) + `"`
}

// httpTimeFormat is net/http's TimeFormat (this package does not import net/http).
const httpTimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

func headerRuleID(id string) string {
	plain := !strings.HasPrefix(id, " ") && !strings.HasSuffix(id, " ")
	for i := 0; plain && i < len(id); i++ {
		c := id[i]
		plain = c >= ' ' && c <= '~' && c != '"' && c != '\\'
	}
	if plain {
		return id
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
