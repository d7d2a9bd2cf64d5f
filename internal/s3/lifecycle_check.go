package s3

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Lifecycle configuration limits S3 enforces.
const (
	MaxLifecycleRules   = 1000
	MaxLifecycleRuleID  = 255
	MaxLifecycleObjSize = 1099511627776000 // the bound of ObjectSizeGreaterThan/LessThan
)

// Values of x-amz-transition-default-minimum-object-size.
const (
	TransitionMinSizeAll     = "all_storage_classes_128K"
	TransitionMinSizeByClass = "varies_by_storage_class"
)

// LifecycleRuleInput is a rule as the client wrote it: a nil pointer is
// an element the document leaves out.
type LifecycleRuleInput struct {
	ID string
	// Prefix is the rule-level prefix of PutBucketLifecycle (and the
	// deprecated member of the current API).
	Prefix                         *string
	Filter                         *LifecycleFilterInput
	Status                         string
	Expiration                     *LifecycleExpirationInput
	Transitions                    []LifecycleTransitionInput
	NoncurrentVersionTransitions   []LifecycleTransitionInput
	NoncurrentVersionExpiration    *NoncurrentVersionExpirationInput
	AbortIncompleteMultipartUpload *AbortIncompleteMultipartUploadInput
}

// LifecycleFilterInput is a <Filter> as written: at most one member set.
type LifecycleFilterInput struct {
	Prefix                *string
	Tag                   *Tag
	ObjectSizeGreaterThan *int64
	ObjectSizeLessThan    *int64
	And                   *LifecycleAndInput
	// Members counts the child elements the filter holds (to refuse two
	// conditions outside <And>).
	Members int
}

// LifecycleAndInput is a filter's <And>.
type LifecycleAndInput struct {
	Prefix                *string
	Tags                  []Tag
	ObjectSizeGreaterThan *int64
	ObjectSizeLessThan    *int64
}

// LifecycleExpirationInput is an <Expiration> as written. Date is the
// ISO 8601 text; ExpiredObjectDeleteMarker the xs:boolean text.
type LifecycleExpirationInput struct {
	Date                      *string
	Days                      *int64
	ExpiredObjectDeleteMarker *string
}

// NoncurrentVersionExpirationInput is a <NoncurrentVersionExpiration>.
type NoncurrentVersionExpirationInput struct {
	NoncurrentDays          *int64
	NewerNoncurrentVersions *int64
}

// AbortIncompleteMultipartUploadInput is an <AbortIncompleteMultipartUpload>.
type AbortIncompleteMultipartUploadInput struct {
	DaysAfterInitiation *int64
}

// LifecycleTransitionInput is a <Transition> (Days or Date) or a
// <NoncurrentVersionTransition> (NoncurrentDays in Days, and
// NewerNoncurrentVersions).
type LifecycleTransitionInput struct {
	Date                    *string
	Days                    *int64
	NewerNoncurrentVersions *int64
	StorageClass            *string
}

// LifecycleErrorKind is the S3 error code of a refused configuration.
type LifecycleErrorKind int

// Kinds of LifecycleError.
const (
	LifecycleMalformed       LifecycleErrorKind = iota // MalformedXML
	LifecycleInvalidArgument                           // InvalidArgument
	LifecycleInvalidRequest                            // InvalidRequest
	LifecycleNotImplemented                            // NotImplemented (501)
)

// LifecycleError is a configuration S3 refuses, with S3's message
// (empty for MalformedXML, whose message is fixed). ArgumentName and
// ArgumentValue, when set, go into an InvalidArgument error.
type LifecycleError struct {
	Kind          LifecycleErrorKind
	Message       string
	ArgumentName  string
	ArgumentValue string
}

func (e *LifecycleError) Error() string { return e.Message }

func lcMalformed() error { return &LifecycleError{Kind: LifecycleMalformed} }

func lcInvalidArg(msg string) error {
	return &LifecycleError{Kind: LifecycleInvalidArgument, Message: msg}
}

func lcInvalidReq(msg string) error {
	return &LifecycleError{Kind: LifecycleInvalidRequest, Message: msg}
}

// transitionClasses are the storage classes a transition may name.
var transitionClasses = map[string]bool{
	"GLACIER": true, "STANDARD_IA": true, "ONEZONE_IA": true, "INTELLIGENT_TIERING": true,
	"DEEP_ARCHIVE": true, "GLACIER_IR": true,
}

// transitionMinDays is the least Days (NoncurrentDays) a transition to
// the class may name: S3 keeps objects 30 days in STANDARD before the
// infrequent access classes.
var transitionMinDays = map[string]int{"STANDARD_IA": 30, "ONEZONE_IA": 30}

// CheckTransitionMinSize validates x-amz-transition-default-minimum-object-size
// and returns the value in force ("" means all_storage_classes_128K).
func CheckTransitionMinSize(v string) (string, error) {
	switch v {
	case "", TransitionMinSizeAll, TransitionMinSizeByClass:
		return v, nil
	}
	return "", lcInvalidReq("Invalid TransitionDefaultMinimumObjectSize found: " + v)
}

// CheckLifecycle validates a configuration as PutBucketLifecycleConfiguration
// and PutBucketLifecycle do and returns its rules, with an ID generated
// for each rule that has none.
//
// A configuration whose first rule has a <Filter> is in the current form
// (the V2 API): every rule must then use <Filter>. Otherwise it is the
// deprecated form, where every rule names a bare <Prefix>, prefixes of
// rules taking the same kind of action may not overlap, and
// NewerNoncurrentVersions does not exist.
func CheckLifecycle(in []LifecycleRuleInput) ([]LifecycleRule, error) {
	if len(in) == 0 {
		return nil, lcInvalidReq("At least one lifecycle rule must be specified.")
	}
	if len(in) > MaxLifecycleRules {
		return nil, lcInvalidReq("The number of lifecycle rules must not exceed the allowed limit of 1000 rules.")
	}
	ids := map[string]bool{}
	for _, r := range in {
		if r.ID == "" {
			continue
		}
		if len(r.ID) > MaxLifecycleRuleID {
			return nil, lcInvalidArg("ID length should not exceed allowed limit of 255")
		}
		if ids[r.ID] {
			return nil, lcInvalidArg("Rule ID must be unique. Found same ID for more than one rule")
		}
		ids[r.ID] = true
	}
	v2 := in[0].Filter != nil
	out := make([]LifecycleRule, len(in))
	for i := range in {
		r, err := checkLifecycleRule(&in[i], v2)
		if err != nil {
			return nil, err
		}
		if r.ID == "" {
			for r.ID == "" || ids[r.ID] {
				r.ID = NewLifecycleRuleID()
			}
			ids[r.ID] = true
		}
		out[i] = r
	}
	if !v2 {
		if err := checkOverlap(out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// NewLifecycleRuleID returns an ID for a rule written without one, in the
// form S3 generates: a random UUID, base64-encoded.
func NewLifecycleRuleID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	u := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	return base64.StdEncoding.EncodeToString([]byte(u))
}

func checkLifecycleRule(in *LifecycleRuleInput, v2 bool) (LifecycleRule, error) {
	r := LifecycleRule{ID: in.ID, Status: in.Status}
	if in.Status != LifecycleEnabled && in.Status != LifecycleDisabled {
		return r, lcMalformed()
	}
	switch {
	case in.Prefix == nil && in.Filter == nil:
		return r, lcMalformed()
	case v2 && in.Prefix != nil:
		return r, lcInvalidReq("Base level prefix cannot be used in Lifecycle V2, prefixes are only supported in the Filter.")
	case !v2 && in.Filter != nil:
		return r, lcInvalidReq("Filter element can only be used in Lifecycle V2.")
	case !v2:
		r.Filter = LifecycleFilter{Prefix: *in.Prefix, Form: LifecycleFilterV1}
	default:
		f, err := checkLifecycleFilter(in.Filter)
		if err != nil {
			return r, err
		}
		r.Filter = f
	}
	if in.Expiration == nil && in.NoncurrentVersionExpiration == nil && in.AbortIncompleteMultipartUpload == nil &&
		len(in.Transitions) == 0 && len(in.NoncurrentVersionTransitions) == 0 {
		return r, lcInvalidReq("At least one action needs to be specified in a rule")
	}
	if e := in.Expiration; e != nil {
		exp, err := checkExpiration(e)
		if err != nil {
			return r, err
		}
		r.Expiration = exp
	}
	if e := in.NoncurrentVersionExpiration; e != nil {
		if e.NoncurrentDays == nil {
			return r, lcMalformed()
		}
		if *e.NoncurrentDays <= 0 || *e.NoncurrentDays > maxDays {
			return r, lcInvalidArg("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer")
		}
		newer, err := checkNewer(e.NewerNoncurrentVersions, v2)
		if err != nil {
			return r, err
		}
		r.NoncurrentVersionExpiration = &NoncurrentVersionExpiration{NoncurrentDays: int(*e.NoncurrentDays), NewerNoncurrentVersions: newer}
	}
	if a := in.AbortIncompleteMultipartUpload; a != nil {
		if a.DaysAfterInitiation == nil {
			return r, lcMalformed()
		}
		if *a.DaysAfterInitiation <= 0 || *a.DaysAfterInitiation > maxDays {
			return r, lcInvalidArg("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
		}
		r.AbortIncompleteMultipartUpload = &AbortIncompleteMultipartUpload{DaysAfterInitiation: int(*a.DaysAfterInitiation)}
	}
	tags := len(r.Filter.Tags) > 0
	sizes := r.Filter.ObjectSizeGreaterThan != nil || r.Filter.ObjectSizeLessThan != nil
	marker := in.Expiration != nil && in.Expiration.ExpiredObjectDeleteMarker != nil
	switch {
	case marker && tags:
		return r, lcInvalidReq("ExpiredObjectDeleteMarker cannot be specified with Tags.")
	case marker && sizes:
		return r, lcInvalidReq("ExpiredObjectDeleteMarker cannot be specified with Object Size.")
	case r.AbortIncompleteMultipartUpload != nil && tags:
		return r, lcInvalidReq("AbortIncompleteMultipartUpload cannot be specified with Tags.")
	case r.AbortIncompleteMultipartUpload != nil && sizes:
		return r, lcInvalidReq("AbortIncompleteMultipartUpload cannot be specified with Object Size.")
	}
	if err := checkTransitions(in, &r, v2); err != nil {
		return r, err
	}
	return r, nil
}

// maxDays is the largest day count (the schema's xs:int).
const maxDays = 1<<31 - 1

func checkLifecycleFilter(in *LifecycleFilterInput) (LifecycleFilter, error) {
	var f LifecycleFilter
	if in.Members > 1 {
		return f, lcMalformed()
	}
	switch {
	case in.Members == 0:
		f.Form = LifecycleFilterEmpty
		return f, nil
	case in.And != nil:
		f.Form = LifecycleFilterAnd
		if in.And.Prefix != nil {
			f.Prefix = *in.And.Prefix
		}
		f.Tags = in.And.Tags
		f.ObjectSizeGreaterThan, f.ObjectSizeLessThan = in.And.ObjectSizeGreaterThan, in.And.ObjectSizeLessThan
	default:
		f.Form = LifecycleFilterSingle
		if in.Prefix != nil {
			f.Prefix = *in.Prefix
		}
		if in.Tag != nil {
			f.Tags = []Tag{*in.Tag}
		}
		f.ObjectSizeGreaterThan, f.ObjectSizeLessThan = in.ObjectSizeGreaterThan, in.ObjectSizeLessThan
	}
	seen := map[string]bool{}
	for _, t := range f.Tags {
		if t.Key == "" {
			return f, lcMalformed()
		}
		if seen[t.Key] {
			return f, lcInvalidReq("Duplicate Tag Keys are not allowed.")
		}
		seen[t.Key] = true
	}
	if gt := f.ObjectSizeGreaterThan; gt != nil && (*gt < 0 || *gt > MaxLifecycleObjSize) {
		return f, lcInvalidReq("'ObjectSizeGreaterThan' should be between 0 and 1099511627776000.")
	}
	if lt := f.ObjectSizeLessThan; lt != nil && (*lt < 1 || *lt > MaxLifecycleObjSize) {
		return f, lcInvalidReq("'ObjectSizeLessThan' should be between 1 and 1099511627776000.")
	}
	if gt, lt := f.ObjectSizeGreaterThan, f.ObjectSizeLessThan; gt != nil && lt != nil && *gt >= *lt {
		return f, lcInvalidReq("'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'.")
	}
	return f, nil
}

func checkExpiration(e *LifecycleExpirationInput) (*LifecycleExpiration, error) {
	n := 0
	for _, set := range []bool{e.Date != nil, e.Days != nil, e.ExpiredObjectDeleteMarker != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, lcMalformed()
	}
	out := &LifecycleExpiration{}
	switch {
	case e.Days != nil:
		if *e.Days <= 0 || *e.Days > maxDays {
			return nil, lcInvalidArg("'Days' for Expiration action must be a positive integer")
		}
		out.Days = int(*e.Days)
	case e.Date != nil:
		d, err := lifecycleDate(*e.Date)
		if err != nil {
			return nil, err
		}
		out.Date = d
	default:
		switch strings.TrimSpace(*e.ExpiredObjectDeleteMarker) {
		case "true", "1":
			out.ExpiredObjectDeleteMarker = true
		case "false", "0":
		default:
			return nil, lcMalformed()
		}
	}
	return out, nil
}

// lifecycleDate parses an ISO 8601 Date, which must be midnight UTC.
func lifecycleDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		if t, err = time.Parse("2006-01-02T15:04:05.999999999", s); err != nil {
			if t, err = time.Parse(time.DateOnly, s); err != nil {
				return time.Time{}, lcMalformed()
			}
		}
	}
	t = t.UTC()
	if t.Hour() != 0 || t.Minute() != 0 || t.Second() != 0 || t.Nanosecond() != 0 {
		return time.Time{}, &LifecycleError{Kind: LifecycleInvalidArgument, Message: "'Date' must be at midnight GMT", ArgumentName: "Date", ArgumentValue: s}
	}
	return t, nil
}

func checkNewer(n *int64, v2 bool) (int, error) {
	if n == nil {
		return 0, nil
	}
	if !v2 {
		return 0, lcInvalidReq("NewerNoncurrentVersions element can only be used in Lifecycle V2.")
	}
	if *n <= 0 || *n > maxDays {
		return 0, lcInvalidArg("'NewerNoncurrentVersions' must be a positive integer")
	}
	return int(*n), nil
}

// checkTransitions checks a rule's transitions as S3 does and adds them
// to r.
func checkTransitions(in *LifecycleRuleInput, r *LifecycleRule, v2 bool) error {
	exp := r.Expiration
	dated := exp != nil && !exp.Date.IsZero()
	counted := exp != nil && exp.Days > 0
	classes := map[string]bool{}
	for _, t := range in.Transitions {
		if t.StorageClass == nil || !transitionClasses[*t.StorageClass] || (t.Days == nil) == (t.Date == nil) || t.NewerNoncurrentVersions != nil {
			return lcMalformed()
		}
		if t.Days != nil {
			if *t.Days < 0 || *t.Days > maxDays {
				return lcInvalidArg("'Days' for Transition action must be a positive integer")
			}
			if min := transitionMinDays[*t.StorageClass]; *t.Days < int64(min) {
				return lcInvalidArg(fmt.Sprintf("'Days' in Transition action must be greater than or equal to %d for storageClass '%s'", min, *t.StorageClass))
			}
			counted = true
			r.Transitions = append(r.Transitions, LifecycleTransition{Days: int(*t.Days), StorageClass: *t.StorageClass})
		} else {
			d, err := lifecycleDate(*t.Date)
			if err != nil {
				return err
			}
			dated = true
			r.Transitions = append(r.Transitions, LifecycleTransition{Date: d, StorageClass: *t.StorageClass})
		}
		if classes[*t.StorageClass] {
			return lcInvalidReq("'StorageClass' must be different for 'Transition' actions in same 'Rule'")
		}
		classes[*t.StorageClass] = true
	}
	if dated && counted {
		return lcInvalidReq("Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule")
	}
	classes = map[string]bool{}
	for _, t := range in.NoncurrentVersionTransitions {
		if t.StorageClass == nil || !transitionClasses[*t.StorageClass] || t.Days == nil || t.Date != nil {
			return lcMalformed()
		}
		if *t.Days < 0 || *t.Days > maxDays {
			return lcInvalidArg("'NoncurrentDays' for NoncurrentVersionTransition action must be a positive integer")
		}
		if min := transitionMinDays[*t.StorageClass]; *t.Days < int64(min) {
			return lcInvalidArg(fmt.Sprintf("'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or equal to %d for storageClass '%s'", min, *t.StorageClass))
		}
		newer, err := checkNewer(t.NewerNoncurrentVersions, v2)
		if err != nil {
			return err
		}
		r.NoncurrentVersionTransitions = append(r.NoncurrentVersionTransitions,
			NoncurrentVersionTransition{NoncurrentDays: int(*t.Days), NewerNoncurrentVersions: newer, StorageClass: *t.StorageClass})
		if classes[*t.StorageClass] {
			return lcInvalidReq("'StorageClass' must be different for 'NoncurrentVersionTransition' actions in same 'Rule'")
		}
		classes[*t.StorageClass] = true
	}
	return checkTransitionDays(r)
}

// checkTransitionDays refuses the day combinations S3 refuses: an
// expiration due no later than a transition of the same rule, and a
// transition out of STANDARD_IA or ONEZONE_IA less than 30 days after the
// transition into it (objects stay there at least 30 days).
func checkTransitionDays(r *LifecycleRule) error {
	filter := fmt.Sprintf("(prefix=%s)", r.Filter.Prefix)
	type step struct {
		days  int
		class string
	}
	check := func(field, expAction, trAction string, exp int, steps []step) error {
		for _, a := range steps {
			if exp > 0 && exp <= a.days {
				return lcInvalidArg(fmt.Sprintf("'%s' in the %s action for filter '%s' must be greater than '%s' in the %s action for StorageClass '%s' for filter '%s'",
					field, expAction, filter, field, trAction, a.class, filter))
			}
			if transitionMinDays[a.class] == 0 {
				continue
			}
			for _, b := range steps {
				if b.days > a.days && b.days < a.days+30 || b.days == a.days && b.class != a.class {
					return lcInvalidArg(fmt.Sprintf("'%s' in the %s action for StorageClass '%s' for filter '%s' must be 30 days more than filter '%s' in the %s action for StorageClass '%s'",
						field, trAction, b.class, filter, filter, trAction, a.class))
				}
			}
		}
		return nil
	}
	var cur, nonc []step
	for _, t := range r.Transitions {
		if t.Date.IsZero() {
			cur = append(cur, step{t.Days, t.StorageClass})
		}
	}
	for _, t := range r.NoncurrentVersionTransitions {
		nonc = append(nonc, step{t.NoncurrentDays, t.StorageClass})
	}
	exp := 0
	if r.Expiration != nil {
		exp = r.Expiration.Days
	}
	if err := check("Days", "Expiration", "Transition", exp, cur); err != nil {
		return err
	}
	exp = 0
	if r.NoncurrentVersionExpiration != nil {
		exp = r.NoncurrentVersionExpiration.NoncurrentDays
	}
	return check("NoncurrentDays", "NoncurrentVersionExpiration", "NoncurrentVersionTransition", exp, nonc)
}

// checkOverlap refuses, in the deprecated form, two rules whose prefixes
// overlap (one begins the other) and that take the same kind of action.
func checkOverlap(rules []LifecycleRule) error {
	kinds := []struct {
		name  string
		takes func(*LifecycleRule) bool
	}{
		{"Expiration", func(r *LifecycleRule) bool { return r.Expiration != nil }},
		{"NoncurrentVersionExpiration", func(r *LifecycleRule) bool { return r.NoncurrentVersionExpiration != nil }},
		{"AbortIncompleteMultipartUpload", func(r *LifecycleRule) bool { return r.AbortIncompleteMultipartUpload != nil }},
	}
	for _, k := range kinds {
		var prefixes []string
		for i := range rules {
			if k.takes(&rules[i]) {
				prefixes = append(prefixes, rules[i].Filter.Prefix)
			}
		}
		sort.Strings(prefixes)
		for i := 1; i < len(prefixes); i++ {
			if strings.HasPrefix(prefixes[i], prefixes[i-1]) {
				return lcInvalidReq(fmt.Sprintf("Found overlapping prefixes '%s' and '%s' for same action type '%s'", prefixes[i-1], prefixes[i], k.name))
			}
		}
	}
	return nil
}
