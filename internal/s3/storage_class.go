package s3

import (
	"time"
)

// Storage classes Talus treats specially; every S3 class is accepted and
// reported.
const (
	ClassStandard           = "STANDARD"
	ClassIntelligentTiering = "INTELLIGENT_TIERING"
	ClassGlacier            = "GLACIER"
	ClassDeepArchive        = "DEEP_ARCHIVE"
)

// Intelligent-Tiering archive tiers (x-amz-archive-status).
const (
	ArchiveAccess     = "ARCHIVE_ACCESS"
	DeepArchiveAccess = "DEEP_ARCHIVE_ACCESS"
)

// ArchiveClass reports whether objects of the class must be restored
// before they can be read.
func ArchiveClass(class string) bool { return class == ClassGlacier || class == ClassDeepArchive }

// classRank orders the classes from warm to cold as lifecycle's
// transition waterfall does.
var classRank = map[string]int{
	"": 0, ClassStandard: 0, "REDUCED_REDUNDANCY": 0, "STANDARD_IA": 1, ClassIntelligentTiering: 2,
	"ONEZONE_IA": 3, "GLACIER_IR": 4, ClassGlacier: 5, ClassDeepArchive: 6,
}

// TransitionAllowed reports whether lifecycle may move a version from
// class from to class to: only to a colder class, and never from
// ONEZONE_IA to GLACIER_IR (S3's waterfall).
func TransitionAllowed(from, to string) bool {
	rf, okf := classRank[from]
	rt, okt := classRank[to]
	if !okf || !okt || rt <= rf {
		return false
	}
	return !(from == "ONEZONE_IA" && to == "GLACIER_IR")
}

// transitionMinSize is the size below which S3 transitions nothing unless
// the rule's own size filter says otherwise.
const transitionMinSize = 128 << 10

// LifecycleTransitionDue returns the storage class the enabled rules
// move version v (now in class) to at now, and the rule that does it; ok
// is false when no transition is due. When several are due it picks the
// coldest, as S3 does. minSize is the configuration's
// x-amz-transition-default-minimum-object-size ("" is
// all_storage_classes_128K): objects under 128 KiB do not move unless
// the rule sets ObjectSizeGreaterThan, or, with varies_by_storage_class,
// the target is GLACIER or DEEP_ARCHIVE.
func LifecycleTransitionDue(rules []LifecycleRule, day time.Duration, v *LifecycleVersion, class, minSize string, now time.Time) (to, ruleID string, ok bool) {
	if v.DeleteMarker {
		return "", "", false
	}
	consider := func(r *LifecycleRule, target string, at time.Time) {
		if now.Before(at) || !TransitionAllowed(class, target) {
			return
		}
		if v.Size < transitionMinSize && r.Filter.ObjectSizeGreaterThan == nil &&
			!(minSize == TransitionMinSizeByClass && ArchiveClass(target)) {
			return
		}
		if !ok || classRank[target] > classRank[to] {
			to, ruleID, ok = target, r.ID, true
		}
	}
	for i := range rules {
		r := &rules[i]
		if r.Status != LifecycleEnabled || !r.Filter.Matches(v) {
			continue
		}
		if v.IsLatest {
			for _, t := range r.Transitions {
				at := t.Date
				if t.Date.IsZero() {
					at = LifecycleDayEnd(v.Modified, t.Days, day)
				}
				consider(r, t.StorageClass, at)
			}
			continue
		}
		for _, t := range r.NoncurrentVersionTransitions {
			if v.NewerNoncurrent < t.NewerNoncurrentVersions {
				continue
			}
			consider(r, t.StorageClass, LifecycleDayEnd(v.NoncurrentSince, t.NoncurrentDays, day))
		}
	}
	return to, ruleID, ok
}

// Restore retrieval tiers (GlacierJobParameters.Tier).
const (
	RestoreExpedited = "Expedited"
	RestoreStandard  = "Standard"
	RestoreBulk      = "Bulk"
)

// RestoreTime returns how long a restore takes, in hours of a 24-hour
// day, for an object of the class (and Intelligent-Tiering archive
// status) with the retrieval tier: the upper end of the times S3
// documents. ok is false for a combination S3 refuses (Expedited from
// DEEP_ARCHIVE or the Deep Archive Access tier).
func RestoreTime(class, archiveStatus, tier string) (hours float64, ok bool) {
	deep := class == ClassDeepArchive || archiveStatus == DeepArchiveAccess
	switch {
	case tier == RestoreExpedited && deep:
		return 0, false
	case tier == RestoreExpedited:
		return 5.0 / 60, true // 1-5 minutes
	case tier == RestoreBulk && deep:
		return 48, true
	case tier == RestoreBulk:
		return 12, true // 5-12 hours
	case deep:
		return 12, true
	default:
		return 5, true // 3-5 hours
	}
}

// ScaledHours converts hours of a 24-hour day to a lifecycle day of
// length day (a test clock shortens it).
func ScaledHours(hours float64, day time.Duration) time.Duration {
	if day <= 0 {
		day = 24 * time.Hour
	}
	return time.Duration(hours / 24 * float64(day))
}

// RestoreHeader formats x-amz-restore: ongoing-request="true" while a
// restore runs, then ongoing-request="false" with the restored copy's
// expiry-date (none for an Intelligent-Tiering restore, whose object
// stays restored).
func RestoreHeader(ongoing bool, expires time.Time) string {
	if ongoing {
		return `ongoing-request="true"`
	}
	if expires.IsZero() || expires.UTC().Year() > 9999 {
		return `ongoing-request="false"`
	}
	return `ongoing-request="false", expiry-date="` + expires.UTC().Format(httpTimeFormat) + `"`
}
