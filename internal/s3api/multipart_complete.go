package s3api

import (
	"net/http"
	"strconv"
	"strings"

	"talus/internal/meta"
	"talus/internal/s3err"
)

// completeHeaders holds the CompleteMultipartUpload headers that assert
// what the upload is: its checksum type and the object's total size.
type completeHeaders struct {
	checksumType string
	size         int64 // -1: not given
}

func parseCompleteHeaders(h http.Header) (completeHeaders, error) {
	c := completeHeaders{checksumType: strings.ToUpper(h.Get("x-amz-checksum-type")), size: -1}
	if c.checksumType != "" && c.checksumType != "COMPOSITE" && c.checksumType != "FULL_OBJECT" {
		return c, s3err.Newf(s3err.InvalidRequest, "Value for x-amz-checksum-type header is invalid.")
	}
	if v := h.Get("x-amz-mp-object-size"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return c, s3err.Newf(s3err.InvalidRequest, "Value for x-amz-mp-object-size header is invalid.")
		}
		c.size = n
	}
	return c, nil
}

// checkUpload runs before the parts are assembled.
func (c completeHeaders) checkUpload(u meta.Upload) error {
	if c.checksumType != "" && c.checksumType != u.ChecksumType {
		t := u.ChecksumType
		if t == "" {
			t = "null"
		}
		return s3err.Newf(s3err.InvalidRequest, "The upload was created using the %s checksum mode. The complete request must use the same checksum mode.", t)
	}
	return nil
}

// checkObject runs on the assembled object.
func (c completeHeaders) checkObject(o *meta.Object) error {
	if c.size >= 0 && c.size != o.Size {
		return s3err.Newf(s3err.InvalidRequest, "The provided 'x-amz-mp-object-size' header value %d does not match what was computed: %d", c.size, o.Size)
	}
	return nil
}
