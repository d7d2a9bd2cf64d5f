package s3

import (
	"strconv"
	"strings"
	"time"
)

// Outcome is the result of evaluating conditional request headers.
type Outcome int

const (
	OK                 Outcome = iota // proceed normally
	NotModified                       // 304 Not Modified
	PreconditionFailed                // 412 Precondition Failed
)

func (o Outcome) String() string {
	switch o {
	case OK:
		return "OK"
	case NotModified:
		return "NotModified"
	case PreconditionFailed:
		return "PreconditionFailed"
	}
	return "Outcome(" + strconv.Itoa(int(o)) + ")"
}

// Conditions are the conditional headers of a GET or HEAD. Empty strings and
// nil times mean the header is absent.
type Conditions struct {
	IfMatch, IfNoneMatch               string
	IfModifiedSince, IfUnmodifiedSince *time.Time
}

// CheckRead evaluates c against an existing object with S3's precedence:
// a passing If-Match overrides a failing If-Unmodified-Since, and a present
// but non-matching If-None-Match overrides If-Modified-Since. Failures of
// the 412 pair are reported before the 304 pair.
func CheckRead(c Conditions, etag string, lastModified time.Time) Outcome {
	// HTTP dates carry whole seconds, so sub-second parts of lastModified
	// must not make an object look newer than the date the client echoes.
	lm := lastModified.Unix()
	if c.IfMatch != "" {
		if !etagListMatches(c.IfMatch, etag) {
			return PreconditionFailed
		}
	} else if c.IfUnmodifiedSince != nil && lm > c.IfUnmodifiedSince.Unix() {
		return PreconditionFailed
	}
	if c.IfNoneMatch != "" {
		if etagListMatches(c.IfNoneMatch, etag) {
			return NotModified
		}
	} else if c.IfModifiedSince != nil && lm <= c.IfModifiedSince.Unix() {
		return NotModified
	}
	return OK
}

// CheckWrite evaluates the conditional headers of a PUT (or
// CompleteMultipartUpload) against the current object, if any. S3 only
// accepts "*" for If-None-Match on writes; rejecting other values (501) is
// left to the caller, here any listed ETag is honoured.
func CheckWrite(ifMatch, ifNoneMatch string, exists bool, etag string) Outcome {
	if ifMatch != "" && (!exists || !etagListMatches(ifMatch, etag)) {
		return PreconditionFailed
	}
	if ifNoneMatch != "" && exists && etagListMatches(ifNoneMatch, etag) {
		return PreconditionFailed
	}
	return OK
}

// etagListMatches reports whether the header value (a comma-separated list
// of possibly quoted, possibly weak ETags, or "*") names etag. It assumes
// the object exists, which is what "*" asks.
func etagListMatches(header, etag string) bool {
	etag = NormalizeETag(etag)
	for item := range strings.SplitSeq(header, ",") {
		item = strings.TrimSpace(item)
		if item == "*" {
			return true
		}
		if item != "" && NormalizeETag(item) == etag {
			return true
		}
	}
	return false
}

// NormalizeETag strips a weak prefix and surrounding quotes; clients are sloppy
// about both and S3 compares the opaque value only.
func NormalizeETag(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "W/")
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	return s
}
