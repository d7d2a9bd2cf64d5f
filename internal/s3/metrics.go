package s3

import (
	"regexp"
	"strings"
)

// MaxMetricsConfigurations is S3's limit of request metrics
// configurations per bucket.
const MaxMetricsConfigurations = 1000

// MaxConfigurationIDLen bounds the Id of a metrics configuration.
const MaxConfigurationIDLen = 64

// ValidConfigurationID reports whether id is a metrics configuration Id
// S3 accepts: 1 to 64 letters, digits, periods, dashes and underscores.
func ValidConfigurationID(id string) bool {
	if id == "" || len(id) > MaxConfigurationIDLen {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

var accessPointARN = regexp.MustCompile(`^arn:aws[a-z-]*:s3:[a-z0-9-]+:[0-9]{12}:accesspoint/[a-z0-9-]{3,50}$`)

// ValidAccessPointARN reports whether v has the form of an S3 access
// point ARN.
func ValidAccessPointARN(v string) bool { return accessPointARN.MatchString(v) }

// MetricsFilter is what a request metrics configuration counts: the
// requests on keys with Prefix, on objects carrying every one of Tags,
// through AccessPoint. Unset fields match everything.
type MetricsFilter struct {
	Prefix      string
	Tags        map[string]string
	AccessPoint string
}

// Matches reports whether a request on key, whose object has objTags
// (nil when unknown or none), through accessPoint ("" for the bucket's
// own endpoint), is counted.
func (f MetricsFilter) Matches(key string, objTags map[string]string, accessPoint string) bool {
	if f.Prefix != "" && !strings.HasPrefix(key, f.Prefix) {
		return false
	}
	if f.AccessPoint != "" && f.AccessPoint != accessPoint {
		return false
	}
	for k, v := range f.Tags {
		if ov, ok := objTags[k]; !ok || ov != v {
			return false
		}
	}
	return true
}

// Operation classes of S3's CloudWatch request metrics.
const (
	MetricGet    = "GetRequests"
	MetricPut    = "PutRequests"
	MetricDelete = "DeleteRequests"
	MetricHead   = "HeadRequests"
	MetricPost   = "PostRequests"
	MetricList   = "ListRequests"
	MetricSelect = "SelectRequests"
)

// MetricClass is the CloudWatch request metric an operation counts
// under, besides AllRequests ("" for none).
func MetricClass(op, method string) string {
	switch op {
	case "ListObjects", "ListObjectsV2", "ListObjectVersions", "ListMultipartUploads", "ListParts":
		return MetricList
	case "SelectObjectContent":
		return MetricSelect
	}
	switch method {
	case "GET":
		return MetricGet
	case "PUT":
		return MetricPut
	case "DELETE":
		return MetricDelete
	case "HEAD":
		return MetricHead
	case "POST":
		return MetricPost
	}
	return ""
}
