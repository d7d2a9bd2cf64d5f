package s3

import (
	"testing"
	"time"
)

func TestCheckDelete(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	future, past := now.Add(time.Hour), now.Add(-time.Hour)
	tests := []struct {
		name   string
		lock   Lock
		bypass bool
		ok     bool
	}{
		{"no lock", Lock{}, false, true},
		{"governance active", Lock{Mode: Governance, Until: future}, false, false},
		{"governance bypassed", Lock{Mode: Governance, Until: future}, true, true},
		{"governance expired", Lock{Mode: Governance, Until: past}, false, true},
		{"compliance active", Lock{Mode: Compliance, Until: future}, false, false},
		{"compliance bypass refused", Lock{Mode: Compliance, Until: future}, true, false},
		{"compliance expired", Lock{Mode: Compliance, Until: past}, false, true},
		{"legal hold", Lock{LegalHold: true}, true, false},
		{"legal hold over expired retention", Lock{Mode: Compliance, Until: past, LegalHold: true}, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := CheckDelete(tc.lock, tc.bypass, now); (err == nil) != tc.ok {
				t.Fatalf("CheckDelete = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestCheckRetentionChange(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	d1, d2 := now.Add(24*time.Hour), now.Add(48*time.Hour)
	gov := Lock{Mode: Governance, Until: d2}
	comp := Lock{Mode: Compliance, Until: d2}
	tests := []struct {
		name   string
		old    Lock
		mode   string
		until  time.Time
		bypass bool
		ok     bool
	}{
		{"set on unlocked", Lock{}, Compliance, d1, false, true},
		{"expired can change", Lock{Mode: Compliance, Until: now.Add(-time.Second)}, Governance, d1, false, true},
		{"compliance extend", comp, Compliance, d2.Add(time.Hour), false, true},
		{"compliance same date", comp, Compliance, d2, false, true},
		{"compliance shorten", comp, Compliance, d1, false, false},
		{"compliance shorten with bypass", comp, Compliance, d1, true, false},
		{"compliance to governance", comp, Governance, d2.Add(time.Hour), true, false},
		{"compliance remove", comp, "", time.Time{}, true, false},
		{"governance extend", gov, Governance, d2.Add(time.Hour), false, true},
		{"governance to compliance", gov, Compliance, d2, false, false},
		{"governance to compliance later", gov, Compliance, d2.Add(time.Hour), false, false},
		{"governance to compliance with bypass", gov, Compliance, d2, true, true},
		{"governance shorten", gov, Governance, d1, false, false},
		{"governance shorten with bypass", gov, Governance, d1, true, true},
		{"governance remove", gov, "", time.Time{}, false, false},
		{"governance remove with bypass", gov, "", time.Time{}, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := CheckRetentionChange(tc.old, tc.mode, tc.until, tc.bypass, now); (err == nil) != tc.ok {
				t.Fatalf("CheckRetentionChange = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestRetainUntil(t *testing.T) {
	from := time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)
	if got := RetainUntil(from, 0, 1); !got.Equal(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)) {
		t.Fatalf("1 year from leap day = %v", got)
	}
	if got := RetainUntil(from, 2, 0); !got.Equal(time.Date(2024, 3, 2, 12, 0, 0, 0, time.UTC)) {
		t.Fatalf("2 days = %v", got)
	}
}
