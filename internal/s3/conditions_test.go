package s3

import (
	"testing"
	"time"
)

func TestCheckRead(t *testing.T) {
	const etag = `"abc"`
	lm := time.Date(2024, 5, 1, 12, 0, 0, 500_000_000, time.UTC) // sub-second on purpose
	at := func(d time.Duration) *time.Time { t := lm.Truncate(time.Second).Add(d); return &t }
	tests := []struct {
		name string
		c    Conditions
		want Outcome
	}{
		{"none", Conditions{}, OK},

		{"if-match hit", Conditions{IfMatch: `"abc"`}, OK},
		{"if-match unquoted", Conditions{IfMatch: `abc`}, OK},
		{"if-match weak", Conditions{IfMatch: `W/"abc"`}, OK},
		{"if-match star", Conditions{IfMatch: `*`}, OK},
		{"if-match list", Conditions{IfMatch: `"x", "abc"`}, OK},
		{"if-match miss", Conditions{IfMatch: `"x"`}, PreconditionFailed},
		{"if-match list miss", Conditions{IfMatch: `"x", "y"`}, PreconditionFailed},
		{"if-match case", Conditions{IfMatch: `"ABC"`}, PreconditionFailed},

		{"ius same second", Conditions{IfUnmodifiedSince: at(0)}, OK},
		{"ius later", Conditions{IfUnmodifiedSince: at(time.Hour)}, OK},
		{"ius earlier", Conditions{IfUnmodifiedSince: at(-time.Second)}, PreconditionFailed},
		{"if-match wins over ius", Conditions{IfMatch: etag, IfUnmodifiedSince: at(-time.Hour)}, OK},
		{"if-match miss with ius ok", Conditions{IfMatch: `"x"`, IfUnmodifiedSince: at(time.Hour)}, PreconditionFailed},

		{"inm hit", Conditions{IfNoneMatch: etag}, NotModified},
		{"inm star", Conditions{IfNoneMatch: `*`}, NotModified},
		{"inm weak list", Conditions{IfNoneMatch: `"x",W/"abc"`}, NotModified},
		{"inm miss", Conditions{IfNoneMatch: `"x"`}, OK},

		{"ims same second", Conditions{IfModifiedSince: at(0)}, NotModified},
		{"ims later", Conditions{IfModifiedSince: at(time.Hour)}, NotModified},
		{"ims earlier", Conditions{IfModifiedSince: at(-time.Second)}, OK},
		{"inm miss overrides ims", Conditions{IfNoneMatch: `"x"`, IfModifiedSince: at(time.Hour)}, OK},
		{"inm hit with ims modified", Conditions{IfNoneMatch: etag, IfModifiedSince: at(-time.Hour)}, NotModified},

		// 412 checks come before 304 checks.
		{"if-match miss and inm hit", Conditions{IfMatch: `"x"`, IfNoneMatch: etag}, PreconditionFailed},
		{"ius fail and ims not modified", Conditions{IfUnmodifiedSince: at(-time.Hour), IfModifiedSince: at(time.Hour)}, PreconditionFailed},
		{"if-match hit and inm hit", Conditions{IfMatch: etag, IfNoneMatch: etag}, NotModified},
		{"if-match hit, ius fail, ims not modified", Conditions{IfMatch: etag, IfUnmodifiedSince: at(-time.Hour), IfModifiedSince: at(time.Hour)}, NotModified},
	}
	for _, tt := range tests {
		if got := CheckRead(tt.c, etag, lm); got != tt.want {
			t.Errorf("%s: CheckRead = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCheckReadTimeZones(t *testing.T) {
	lm := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	ims := lm.In(time.FixedZone("X", 5*3600))
	if got := CheckRead(Conditions{IfModifiedSince: &ims}, `"e"`, lm); got != NotModified {
		t.Errorf("same instant in another zone: got %v, want NotModified", got)
	}
}

func TestCheckWrite(t *testing.T) {
	tests := []struct {
		name                 string
		ifMatch, ifNoneMatch string
		exists               bool
		want                 Outcome
	}{
		{"unconditional new", "", "", false, OK},
		{"unconditional overwrite", "", "", true, OK},
		{"inm star new", "", "*", false, OK},
		{"inm star exists", "", "*", true, PreconditionFailed},
		{"if-match hit", `"abc"`, "", true, OK},
		{"if-match miss", `"x"`, "", true, PreconditionFailed},
		{"if-match missing object", `"abc"`, "", false, PreconditionFailed},
		{"if-match star exists", "*", "", true, OK},
		{"if-match star missing", "*", "", false, PreconditionFailed},
		{"inm etag other", "", `"x"`, true, OK},
		{"inm etag same", "", `"abc"`, true, PreconditionFailed},
	}
	for _, tt := range tests {
		etag := ""
		if tt.exists {
			etag = `"abc"`
		}
		if got := CheckWrite(tt.ifMatch, tt.ifNoneMatch, tt.exists, etag); got != tt.want {
			t.Errorf("%s: CheckWrite = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestOutcomeString(t *testing.T) {
	for o, want := range map[Outcome]string{OK: "OK", NotModified: "NotModified", PreconditionFailed: "PreconditionFailed", 7: "Outcome(7)"} {
		if got := o.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(o), got, want)
		}
	}
}
