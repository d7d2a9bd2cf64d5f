package s3

import (
	"errors"
	"testing"
)

func TestDirectoryBucketZone(t *testing.T) {
	for _, tc := range []struct {
		name, zone string
		ok         bool
	}{
		{"bucket-base-name--usw2-az1--x-s3", "usw2-az1", true},
		{"a--use1-az4--x-s3", "use1-az4", true},
		{"logs--usw2-lax1-az1--x-s3", "usw2-lax1-az1", true},
		{"x1--apne1-az12--x-s3", "apne1-az12", true},
		{"base--x-s3", "", false},                                                       // no zone
		{"base--use1--x-s3", "", false},                                                 // not a zone ID
		{"base--USE1-AZ4--x-s3", "", false},                                             // upper case
		{"ba.se--use1-az4--x-s3", "", false},                                            // dots
		{"-base--use1-az4--x-s3", "", false},                                            // starts with '-'
		{"base---use1-az4--x-s3", "", false},                                            // base ends with '-'
		{"--use1-az4--x-s3", "", false},                                                 // no base name
		{"xn--a--use1-az4--x-s3", "", false},                                            // reserved prefix
		{"sthree-a--use1-az4--x-s3", "", false},                                         // reserved prefix
		{"a-s3alias--use1-az4--x-s3", "", false},                                        // reserved suffix on the base
		{"general-purpose", "", false},                                                  // no suffix
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa--use1-az4--x-s3", "", false}, // 64 characters
	} {
		zone, err := DirectoryBucketZone(tc.name)
		if tc.ok != (err == nil) || zone != tc.zone {
			t.Errorf("DirectoryBucketZone(%q) = %q, %v; want zone %q ok %v", tc.name, zone, err, tc.zone, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidBucketName) {
			t.Errorf("%q: error %v does not wrap ErrInvalidBucketName", tc.name, err)
		}
		if got := CheckAnyBucketName(tc.name) == nil; got != tc.ok && tc.name != "general-purpose" {
			t.Errorf("CheckAnyBucketName(%q) ok = %v", tc.name, got)
		}
	}
	if CheckAnyBucketName("general-purpose") != nil || CheckBucketName("a--use1-az4--x-s3") == nil {
		t.Error("general purpose names: CheckAnyBucketName must take them, CheckBucketName must refuse directory names")
	}
}
