package analytics

import (
	"sync"
	"time"

	"talus/internal/meta"
)

// AgeGroups are the ObjectAge groups of AWS's export, in days.
var AgeGroups = []struct {
	Name     string
	From, To int // To < 0: no upper bound
}{
	{"000-014", 0, 14}, {"015-029", 15, 29}, {"030-044", 30, 44}, {"045-059", 45, 59},
	{"060-074", 60, 74}, {"075-089", 75, 89}, {"090-119", 90, 119}, {"120-149", 120, 149},
	{"150-179", 150, 179}, {"180-364", 180, 364}, {"365-729", 365, 729}, {"730+", 730, -1},
}

// MinAgedSize is the size from which an object is in an age group: as in
// AWS's export, smaller objects count only in the ALL rows.
const MinAgedSize = 128 << 10

// smallGroup is the group key of objects under MinAgedSize (ALL only).
const smallGroup = -1

// groupOf is the group key of an object aged days and size bytes big.
func groupOf(days int, size int64) int {
	if size < MinAgedSize {
		return smallGroup
	}
	return ageGroup(days)
}

// ageGroup is the index of the group of an object aged days.
func ageGroup(days int) int {
	for i, g := range AgeGroups {
		if days >= g.From && (g.To < 0 || days <= g.To) {
			return i
		}
	}
	return 0
}

type counterKey struct {
	bucket, id string
	group      int
}

type access struct {
	gets      int64
	retrieved int64
}

// Counters count GET requests and bytes retrieved per configuration and
// object age group since the last export. They are kept in memory on the
// gateway that served the requests: a restart loses the counts not yet
// exported (S3's analysis is itself an estimate).
type Counters struct {
	day time.Duration
	mu  sync.Mutex
	m   map[counterKey]*access
}

// NewCounters returns empty counters; day is one lifecycle day, the unit
// of object age.
func NewCounters(day time.Duration) *Counters {
	if day <= 0 {
		day = 24 * time.Hour
	}
	return &Counters{day: day, m: map[counterKey]*access{}}
}

// Matches reports whether an object's key and tags pass a configuration's filter.
func Matches(c meta.AnalyticsConfig, key string, tags map[string]string) bool {
	if len(key) < len(c.Prefix) || key[:len(c.Prefix)] != c.Prefix {
		return false
	}
	for k, v := range c.Tags {
		if tags[k] != v {
			return false
		}
	}
	return true
}

// Get counts one GET of an object of size bytes last modified at
// modified, that sent n bytes.
func (c *Counters) Get(bucket, id string, modified time.Time, size, n int64, now time.Time) {
	k := counterKey{bucket, id, groupOf(int(now.Sub(modified)/c.day), size)}
	c.mu.Lock()
	a := c.m[k]
	if a == nil {
		a = &access{}
		c.m[k] = a
	}
	a.gets++
	a.retrieved += n
	c.mu.Unlock()
}

// take returns and resets the counts of one configuration, by age group.
func (c *Counters) take(bucket, id string) map[int]access {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[int]access{}
	for k, a := range c.m {
		if k.bucket == bucket && k.id == id {
			out[k.group] = *a
			delete(c.m, k)
		}
	}
	return out
}

// restore puts counts back after a failed export.
func (c *Counters) restore(bucket, id string, counts map[int]access) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for g, a := range counts {
		k := counterKey{bucket, id, g}
		cur := c.m[k]
		if cur == nil {
			cur = &access{}
			c.m[k] = cur
		}
		cur.gets += a.gets
		cur.retrieved += a.retrieved
	}
}
