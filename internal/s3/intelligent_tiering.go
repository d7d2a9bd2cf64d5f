package s3

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// MaxITConfigs is how many Intelligent-Tiering configurations a bucket
// may have.
const MaxITConfigs = 1000

// Forms an Intelligent-Tiering filter was written in.
const (
	ITFilterNone   = ""
	ITFilterEmpty  = "empty"
	ITFilterSingle = "single"
	ITFilterAnd    = "and"
)

// ITConfig is one Intelligent-Tiering configuration.
type ITConfig struct {
	ID       string
	Status   string // LifecycleEnabled or LifecycleDisabled
	Prefix   string
	Tags     []Tag
	Form     string
	Tierings []ITTiering
}

// ITTiering moves objects to AccessTier after Days days without access.
type ITTiering struct {
	AccessTier string
	Days       int
}

// ErrITInvalid is the kind of every refusal of CheckITConfig
// (InvalidArgument); the message is S3's.
var ErrITInvalid = errors.New("invalid Intelligent-Tiering configuration")

func itInvalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrITInvalid}, args...)...)
}

// ITMessage returns the client-facing message of a CheckITConfig error.
func ITMessage(err error) string {
	return strings.TrimPrefix(err.Error(), ErrITInvalid.Error()+": ")
}

// ValidConfigID reports whether id may name a bucket configuration
// (Intelligent-Tiering, analytics, inventory, metrics): 1 to 64 letters,
// digits, '-', '_' and '.'.
func ValidConfigID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// CheckITConfig validates a configuration put under queryID.
func CheckITConfig(c *ITConfig, queryID string) error {
	switch {
	case !ValidConfigID(queryID):
		return itInvalid("Invalid Id: an Id is 1 to 64 letters, digits, '-', '_' or '.'")
	case c.ID != queryID:
		return itInvalid("The Id in the configuration does not match the id parameter")
	case c.Status != LifecycleEnabled && c.Status != LifecycleDisabled:
		return itInvalid("The Status must be Enabled or Disabled")
	case len(c.Tierings) == 0:
		return itInvalid("At least one Tiering must be specified")
	}
	if _, err := CheckTags(c.Tags, MaxObjectTags); err != nil {
		return itInvalid("%s", err.Error())
	}
	days := map[string]int{}
	for _, t := range c.Tierings {
		lo := 0
		switch t.AccessTier {
		case ArchiveAccess:
			lo = 90
		case DeepArchiveAccess:
			lo = 180
		default:
			return itInvalid("Invalid AccessTier: %s", t.AccessTier)
		}
		if _, dup := days[t.AccessTier]; dup {
			return itInvalid("The AccessTier %s is specified more than once", t.AccessTier)
		}
		if t.Days < lo || t.Days > 730 {
			return itInvalid("The Days for %s must be between %d and 730", t.AccessTier, lo)
		}
		days[t.AccessTier] = t.Days
	}
	if a, ok := days[ArchiveAccess]; ok {
		if d, ok := days[DeepArchiveAccess]; ok && d <= a {
			return itInvalid("The Days for DEEP_ARCHIVE_ACCESS must be greater than the Days for ARCHIVE_ACCESS")
		}
	}
	return nil
}

// matches reports whether the configuration selects an object.
func (c *ITConfig) matches(key string, tags map[string]string) bool {
	if c.Status != LifecycleEnabled || !strings.HasPrefix(key, c.Prefix) {
		return false
	}
	for _, t := range c.Tags {
		if v, ok := tags[t.Key]; !ok || v != t.Value {
			return false
		}
	}
	return true
}

// ITArchiveDue returns the archive tier an INTELLIGENT_TIERING object
// (key, tags, last accessed at lastAccess) belongs in at now under the
// configurations: the deepest tier whose days without access have
// passed, "" when none.
func ITArchiveDue(configs []ITConfig, day time.Duration, key string, tags map[string]string, lastAccess, now time.Time) string {
	best := ""
	for i := range configs {
		c := &configs[i]
		if !c.matches(key, tags) {
			continue
		}
		for _, t := range c.Tierings {
			if now.Before(LifecycleDayEnd(lastAccess, t.Days, day)) {
				continue
			}
			if best == "" || t.AccessTier == DeepArchiveAccess {
				best = t.AccessTier
			}
		}
	}
	return best
}

// ITDeeper reports whether archive tier to is deeper than from.
func ITDeeper(from, to string) bool {
	rank := map[string]int{"": 0, ArchiveAccess: 1, DeepArchiveAccess: 2}
	return rank[to] > rank[from]
}
