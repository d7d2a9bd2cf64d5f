package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Presign signs r in its query string for S3 (a presigned URL), valid for
// expires from now, signing only the host: it appends X-Amz-Algorithm,
// X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders,
// X-Amz-Security-Token (when token is not "") and X-Amz-Signature to
// r.URL.RawQuery. As for Sign, r.URL.Path must be the decoded key path.
func Presign(r *http.Request, accessKey, secret, region, token string, expires time.Duration, now time.Time) {
	now = now.UTC()
	amzDate := now.Format(iso8601)
	date := amzDate[:8]
	scope := date + "/" + region + "/s3/aws4_request"
	secs := int64(expires / time.Second)
	if secs < 1 {
		secs = 1
	}
	add := []QueryParam{
		{"X-Amz-Algorithm", algorithm},
		{"X-Amz-Credential", accessKey + "/" + scope},
		{"X-Amz-Date", amzDate},
		{"X-Amz-Expires", strconv.FormatInt(secs, 10)},
		{"X-Amz-SignedHeaders", "host"},
	}
	if token != "" {
		add = append(add, QueryParam{"X-Amz-Security-Token", token})
	}
	var q strings.Builder
	q.WriteString(r.URL.RawQuery)
	for _, p := range add {
		if q.Len() > 0 {
			q.WriteByte('&')
		}
		q.WriteString(uriEncode(p.Key, false))
		q.WriteByte('=')
		q.WriteString(uriEncode(p.Value, false))
	}
	r.URL.RawQuery = q.String()
	sanitizeHost(r)
	query := canonicalQuery(ParseQuery(r.URL.RawQuery), "", true)
	creq := canonicalRequest(r, canonicalURI(r), query, []string{"host"}, "host", unsignedPayload)
	sum := sha256.Sum256(creq)
	sts := algorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	sig := hexHMAC(serviceKey(secret, date, region, "s3"), []byte(sts))
	r.URL.RawQuery += "&X-Amz-Signature=" + string(sig[:])
}
