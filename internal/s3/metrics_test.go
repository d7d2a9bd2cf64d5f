package s3

import (
	"strings"
	"testing"
)

func TestValidConfigurationID(t *testing.T) {
	for id, want := range map[string]bool{"a": true, "Entire-bucket_1.x": true, strings.Repeat("a", 64): true,
		"": false, strings.Repeat("a", 65): false, "has space": false, "slash/": false, "ü": false} {
		if got := ValidConfigurationID(id); got != want {
			t.Errorf("ValidConfigurationID(%q) = %v", id, got)
		}
	}
	if !ValidAccessPointARN("arn:aws:s3:us-east-1:123456789012:accesspoint/my-ap") || ValidAccessPointARN("arn:aws:s3:::bucket") {
		t.Error("access point ARN check")
	}
}

func TestMetricsFilterMatches(t *testing.T) {
	ap := "arn:aws:s3:us-east-1:123456789012:accesspoint/ap1"
	for _, c := range []struct {
		f    MetricsFilter
		key  string
		tags map[string]string
		ap   string
		want bool
	}{
		{MetricsFilter{}, "any", nil, "", true},
		{MetricsFilter{Prefix: "logs/"}, "logs/a", nil, "", true},
		{MetricsFilter{Prefix: "logs/"}, "img/a", nil, "", false},
		{MetricsFilter{Tags: map[string]string{"t": "1"}}, "k", map[string]string{"t": "1", "u": "2"}, "", true},
		{MetricsFilter{Tags: map[string]string{"t": "1"}}, "k", map[string]string{"t": "2"}, "", false},
		{MetricsFilter{Tags: map[string]string{"t": "1"}}, "k", nil, "", false},
		{MetricsFilter{Prefix: "p", Tags: map[string]string{"t": "1", "u": "2"}}, "px", map[string]string{"t": "1", "u": "2"}, "", true},
		{MetricsFilter{Prefix: "p", Tags: map[string]string{"t": "1", "u": "2"}}, "px", map[string]string{"t": "1"}, "", false},
		{MetricsFilter{AccessPoint: ap}, "k", nil, "", false},
		{MetricsFilter{AccessPoint: ap}, "k", nil, ap, true},
	} {
		if got := c.f.Matches(c.key, c.tags, c.ap); got != c.want {
			t.Errorf("%+v.Matches(%q, %v, %q) = %v", c.f, c.key, c.tags, c.ap, got)
		}
	}
	if MetricClass("ListObjectsV2", "GET") != MetricList || MetricClass("GetObject", "GET") != MetricGet || MetricClass("DeleteObjects", "POST") != MetricPost {
		t.Error("MetricClass")
	}
}
