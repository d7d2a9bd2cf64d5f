package s3

import (
	"testing"
	"time"
)

func TestTransitionAllowed(t *testing.T) {
	for _, c := range []struct {
		from, to string
		ok       bool
	}{
		{"STANDARD", "STANDARD_IA", true}, {"STANDARD", "DEEP_ARCHIVE", true}, {"", "GLACIER", true},
		{"STANDARD_IA", "INTELLIGENT_TIERING", true}, {"STANDARD_IA", "STANDARD", false}, {"GLACIER", "GLACIER_IR", false},
		{"ONEZONE_IA", "GLACIER_IR", false}, {"ONEZONE_IA", "GLACIER", true}, {"GLACIER", "DEEP_ARCHIVE", true},
		{"DEEP_ARCHIVE", "DEEP_ARCHIVE", false}, {"STANDARD", "OUTPOSTS", false},
	} {
		if got := TransitionAllowed(c.from, c.to); got != c.ok {
			t.Errorf("TransitionAllowed(%s, %s) = %v", c.from, c.to, got)
		}
	}
}

func TestLifecycleTransitionDue(t *testing.T) {
	base := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	gt := int64(10)
	rules := []LifecycleRule{
		{ID: "ia", Status: LifecycleEnabled, Transitions: []LifecycleTransition{{Days: 30, StorageClass: "STANDARD_IA"}, {Days: 90, StorageClass: "GLACIER"}}},
		{ID: "small", Status: LifecycleEnabled, Filter: LifecycleFilter{Prefix: "s/", ObjectSizeGreaterThan: &gt}, Transitions: []LifecycleTransition{{Days: 1, StorageClass: "GLACIER_IR"}}},
		{ID: "nc", Status: LifecycleEnabled, NoncurrentVersionTransitions: []NoncurrentVersionTransition{{NoncurrentDays: 5, NewerNoncurrentVersions: 1, StorageClass: "DEEP_ARCHIVE"}}},
		{ID: "off", Status: LifecycleDisabled, Transitions: []LifecycleTransition{{Days: 0, StorageClass: "DEEP_ARCHIVE"}}},
	}
	big := &LifecycleVersion{Key: "k", Size: 1 << 20, Modified: base, IsLatest: true}
	for _, c := range []struct {
		v     *LifecycleVersion
		class string
		min   string
		at    time.Time
		to    string
	}{
		{big, "STANDARD", "", base.AddDate(0, 0, 29), ""},
		{big, "STANDARD", "", base.AddDate(0, 0, 31), "STANDARD_IA"},
		{big, "STANDARD", "", base.AddDate(0, 0, 91), "GLACIER"}, // the coldest of those due
		{big, "STANDARD_IA", "", base.AddDate(0, 0, 31), ""},     // already there
		{big, "GLACIER", "", base.AddDate(0, 0, 91), ""},         // never back to a warmer class
		// Under 128 KiB: nothing moves, unless the rule sets its own size
		// floor or varies_by_storage_class lets archive classes take it.
		{&LifecycleVersion{Key: "k", Size: 100, Modified: base, IsLatest: true}, "STANDARD", "", base.AddDate(0, 0, 100), ""},
		{&LifecycleVersion{Key: "k", Size: 100, Modified: base, IsLatest: true}, "STANDARD", TransitionMinSizeByClass, base.AddDate(0, 0, 100), "GLACIER"},
		{&LifecycleVersion{Key: "s/k", Size: 100, Modified: base, IsLatest: true}, "STANDARD", "", base.AddDate(0, 0, 2), "GLACIER_IR"},
		// Noncurrent: days since it became noncurrent, newer ones kept.
		{&LifecycleVersion{Key: "k", Size: 1 << 20, Modified: base, NoncurrentSince: base, NewerNoncurrent: 1}, "STANDARD", "", base.AddDate(0, 0, 6), "DEEP_ARCHIVE"},
		{&LifecycleVersion{Key: "k", Size: 1 << 20, Modified: base, NoncurrentSince: base, NewerNoncurrent: 0}, "STANDARD", "", base.AddDate(0, 0, 6), ""},
		{&LifecycleVersion{Key: "k", DeleteMarker: true, IsLatest: true, Modified: base}, "", "", base.AddDate(1, 0, 0), ""},
	} {
		to, _, ok := LifecycleTransitionDue(rules, 0, c.v, c.class, c.min, c.at)
		if to != c.to || ok != (c.to != "") {
			t.Errorf("%+v in %s at %v: %q %v, want %q", *c.v, c.class, c.at, to, ok, c.to)
		}
	}
}

func TestRestoreTimes(t *testing.T) {
	for _, c := range []struct {
		class, status, tier string
		hours               float64
		ok                  bool
	}{
		{"GLACIER", "", "Expedited", 5.0 / 60, true}, {"GLACIER", "", "Standard", 5, true}, {"GLACIER", "", "Bulk", 12, true},
		{"DEEP_ARCHIVE", "", "Expedited", 0, false}, {"DEEP_ARCHIVE", "", "Standard", 12, true}, {"DEEP_ARCHIVE", "", "Bulk", 48, true},
		{"INTELLIGENT_TIERING", "ARCHIVE_ACCESS", "Standard", 5, true}, {"INTELLIGENT_TIERING", "DEEP_ARCHIVE_ACCESS", "Bulk", 48, true},
	} {
		h, ok := RestoreTime(c.class, c.status, c.tier)
		if h != c.hours || ok != c.ok {
			t.Errorf("RestoreTime(%s, %s, %s) = %v %v", c.class, c.status, c.tier, h, ok)
		}
	}
	if d := ScaledHours(12, 2*time.Second); d != time.Second {
		t.Errorf("12 hours of a 2 s day = %v", d)
	}
	exp := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)
	if got := RestoreHeader(false, exp); got != `ongoing-request="false", expiry-date="Wed, 04 Mar 2026 00:00:00 GMT"` {
		t.Errorf("RestoreHeader = %s", got)
	}
	if got := RestoreHeader(true, exp); got != `ongoing-request="true"` {
		t.Errorf("RestoreHeader ongoing = %s", got)
	}
}

func TestCheckITConfig(t *testing.T) {
	ok := ITConfig{ID: "a", Status: "Enabled", Tierings: []ITTiering{{ArchiveAccess, 90}, {DeepArchiveAccess, 180}}}
	if err := CheckITConfig(&ok, "a"); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		cfg ITConfig
		id  string
	}{
		"id mismatch":  {ok, "b"},
		"empty id":     {ITConfig{Status: "Enabled", Tierings: ok.Tierings}, ""},
		"long id":      {ITConfig{ID: string(make([]byte, 65)), Status: "Enabled", Tierings: ok.Tierings}, string(make([]byte, 65))},
		"status":       {ITConfig{ID: "a", Status: "On", Tierings: ok.Tierings}, "a"},
		"no tierings":  {ITConfig{ID: "a", Status: "Enabled"}, "a"},
		"archive 89":   {ITConfig{ID: "a", Status: "Enabled", Tierings: []ITTiering{{ArchiveAccess, 89}}}, "a"},
		"deep 179":     {ITConfig{ID: "a", Status: "Enabled", Tierings: []ITTiering{{DeepArchiveAccess, 179}}}, "a"},
		"deep 731":     {ITConfig{ID: "a", Status: "Enabled", Tierings: []ITTiering{{DeepArchiveAccess, 731}}}, "a"},
		"duplicate":    {ITConfig{ID: "a", Status: "Enabled", Tierings: []ITTiering{{ArchiveAccess, 90}, {ArchiveAccess, 100}}}, "a"},
		"unknown tier": {ITConfig{ID: "a", Status: "Enabled", Tierings: []ITTiering{{"FREQUENT", 90}}}, "a"},
		"deep <= arch": {ITConfig{ID: "a", Status: "Enabled", Tierings: []ITTiering{{ArchiveAccess, 300}, {DeepArchiveAccess, 200}}}, "a"},
		"bad tag":      {ITConfig{ID: "a", Status: "Enabled", Tags: []Tag{{Key: ""}}, Tierings: ok.Tierings}, "a"},
	} {
		if err := CheckITConfig(&c.cfg, c.id); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestITArchiveDue(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cs := []ITConfig{
		{ID: "a", Status: "Enabled", Prefix: "p/", Tierings: []ITTiering{{ArchiveAccess, 90}, {DeepArchiveAccess, 180}}},
		{ID: "t", Status: "Enabled", Tags: []Tag{{Key: "k", Value: "v"}}, Tierings: []ITTiering{{DeepArchiveAccess, 200}}},
		{ID: "off", Status: "Disabled", Tierings: []ITTiering{{ArchiveAccess, 90}}},
	}
	for _, c := range []struct {
		key  string
		tags map[string]string
		days int
		want string
	}{
		{"p/x", nil, 89, ""}, {"p/x", nil, 91, ArchiveAccess}, {"p/x", nil, 181, DeepArchiveAccess},
		{"q/x", nil, 500, ""}, {"q/x", map[string]string{"k": "v"}, 201, DeepArchiveAccess}, {"q/x", map[string]string{"k": "w"}, 500, ""},
	} {
		if got := ITArchiveDue(cs, 0, c.key, c.tags, base, base.AddDate(0, 0, c.days)); got != c.want {
			t.Errorf("%s %v after %d days: %q, want %q", c.key, c.tags, c.days, got, c.want)
		}
	}
	if !ITDeeper("", ArchiveAccess) || !ITDeeper(ArchiveAccess, DeepArchiveAccess) || ITDeeper(DeepArchiveAccess, ArchiveAccess) {
		t.Error("ITDeeper")
	}
}
