package meta

import (
	"time"

	"talus/internal/s3"
)

// Lifecycle is a bucket's lifecycle configuration as stored. Its rules
// mirror s3.LifecycleRule; Rules converts them for evaluation.
type Lifecycle struct {
	Rules []LifecycleRule `json:"rules"`
	// TransitionMinSize is the x-amz-transition-default-minimum-object-size
	// the configuration was written with ("all_storage_classes_128K" or
	// "varies_by_storage_class"; "" when the client sent none, which S3
	// treats as all_storage_classes_128K).
	TransitionMinSize string `json:"transMin,omitempty"`
}

// LifecycleRule is one stored lifecycle rule (see s3.LifecycleRule).
type LifecycleRule struct {
	ID                             string                          `json:"id"`
	Status                         string                          `json:"status"`
	Filter                         LifecycleFilter                 `json:"filter,omitzero"`
	Expiration                     *LifecycleExpiration            `json:"exp,omitempty"`
	NoncurrentVersionExpiration    *NoncurrentVersionExpiration    `json:"ncExp,omitempty"`
	AbortIncompleteMultipartUpload *AbortIncompleteMultipartUpload `json:"abort,omitempty"`
	Transitions                    []LifecycleTransition           `json:"trans,omitempty"`
	NoncurrentVersionTransitions   []NoncurrentVersionTransition   `json:"ncTrans,omitempty"`
}

// LifecycleFilter is a rule's filter (see s3.LifecycleFilter).
type LifecycleFilter struct {
	Prefix                string         `json:"prefix,omitempty"`
	Tags                  []LifecycleTag `json:"tags,omitempty"`
	ObjectSizeGreaterThan *int64         `json:"gt,omitempty"`
	ObjectSizeLessThan    *int64         `json:"lt,omitempty"`
	// Form is how the filter was written: one of the s3.LifecycleFilter*
	// constants ("v1" for the bare Prefix of PutBucketLifecycle).
	Form string `json:"form,omitempty"`
}

// LifecycleTag is one tag condition of a filter.
type LifecycleTag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// LifecycleExpiration is a rule's Expiration action.
type LifecycleExpiration struct {
	Days                      int       `json:"days,omitempty"`
	Date                      time.Time `json:"date,omitzero"`
	ExpiredObjectDeleteMarker bool      `json:"eodm,omitempty"`
}

// NoncurrentVersionExpiration is a rule's NoncurrentVersionExpiration.
type NoncurrentVersionExpiration struct {
	NoncurrentDays          int `json:"days,omitempty"`
	NewerNoncurrentVersions int `json:"newer,omitempty"`
}

// AbortIncompleteMultipartUpload is a rule's upload abort action.
type AbortIncompleteMultipartUpload struct {
	DaysAfterInitiation int `json:"days"`
}

// LifecycleTransition is a rule's Transition (kept for storage classes).
type LifecycleTransition struct {
	Days         int       `json:"days,omitempty"`
	Date         time.Time `json:"date,omitzero"`
	StorageClass string    `json:"class"`
}

// NoncurrentVersionTransition is a rule's NoncurrentVersionTransition.
type NoncurrentVersionTransition struct {
	NoncurrentDays          int    `json:"days,omitempty"`
	NewerNoncurrentVersions int    `json:"newer,omitempty"`
	StorageClass            string `json:"class"`
}

// S3Rules returns the configuration's rules in s3's types, for
// s3.LifecycleNext and friends. A nil Lifecycle has no rules.
func (l *Lifecycle) S3Rules() []s3.LifecycleRule {
	if l == nil {
		return nil
	}
	out := make([]s3.LifecycleRule, len(l.Rules))
	for i, r := range l.Rules {
		o := s3.LifecycleRule{
			ID:     r.ID,
			Status: r.Status,
			Filter: s3.LifecycleFilter{
				Prefix:                r.Filter.Prefix,
				ObjectSizeGreaterThan: r.Filter.ObjectSizeGreaterThan,
				ObjectSizeLessThan:    r.Filter.ObjectSizeLessThan,
				Form:                  r.Filter.Form,
			},
		}
		for _, t := range r.Filter.Tags {
			o.Filter.Tags = append(o.Filter.Tags, s3.Tag{Key: t.Key, Value: t.Value})
		}
		if e := r.Expiration; e != nil {
			o.Expiration = &s3.LifecycleExpiration{Days: e.Days, Date: e.Date, ExpiredObjectDeleteMarker: e.ExpiredObjectDeleteMarker}
		}
		if e := r.NoncurrentVersionExpiration; e != nil {
			o.NoncurrentVersionExpiration = &s3.NoncurrentVersionExpiration{NoncurrentDays: e.NoncurrentDays, NewerNoncurrentVersions: e.NewerNoncurrentVersions}
		}
		if a := r.AbortIncompleteMultipartUpload; a != nil {
			o.AbortIncompleteMultipartUpload = &s3.AbortIncompleteMultipartUpload{DaysAfterInitiation: a.DaysAfterInitiation}
		}
		for _, t := range r.Transitions {
			o.Transitions = append(o.Transitions, s3.LifecycleTransition(t))
		}
		for _, t := range r.NoncurrentVersionTransitions {
			o.NoncurrentVersionTransitions = append(o.NoncurrentVersionTransitions, s3.NoncurrentVersionTransition(t))
		}
		out[i] = o
	}
	return out
}

// LifecycleFromS3 builds the stored form of a validated configuration.
func LifecycleFromS3(rules []s3.LifecycleRule, transitionMinSize string) *Lifecycle {
	l := &Lifecycle{Rules: make([]LifecycleRule, len(rules)), TransitionMinSize: transitionMinSize}
	for i, r := range rules {
		o := LifecycleRule{
			ID:     r.ID,
			Status: r.Status,
			Filter: LifecycleFilter{
				Prefix:                r.Filter.Prefix,
				ObjectSizeGreaterThan: r.Filter.ObjectSizeGreaterThan,
				ObjectSizeLessThan:    r.Filter.ObjectSizeLessThan,
				Form:                  r.Filter.Form,
			},
		}
		for _, t := range r.Filter.Tags {
			o.Filter.Tags = append(o.Filter.Tags, LifecycleTag{Key: t.Key, Value: t.Value})
		}
		if e := r.Expiration; e != nil {
			o.Expiration = &LifecycleExpiration{Days: e.Days, Date: e.Date, ExpiredObjectDeleteMarker: e.ExpiredObjectDeleteMarker}
		}
		if e := r.NoncurrentVersionExpiration; e != nil {
			o.NoncurrentVersionExpiration = &NoncurrentVersionExpiration{NoncurrentDays: e.NoncurrentDays, NewerNoncurrentVersions: e.NewerNoncurrentVersions}
		}
		if a := r.AbortIncompleteMultipartUpload; a != nil {
			o.AbortIncompleteMultipartUpload = &AbortIncompleteMultipartUpload{DaysAfterInitiation: a.DaysAfterInitiation}
		}
		for _, t := range r.Transitions {
			o.Transitions = append(o.Transitions, LifecycleTransition(t))
		}
		for _, t := range r.NoncurrentVersionTransitions {
			o.NoncurrentVersionTransitions = append(o.NoncurrentVersionTransitions, NoncurrentVersionTransition(t))
		}
		l.Rules[i] = o
	}
	return l
}
