package s3

import "strings"

// MaxUserMetadataSize is S3's limit on user-defined metadata in a PUT
// request, in bytes as counted by UserMetadataSize.
const MaxUserMetadataSize = 2048

// UserMetadataPrefix introduces user-defined metadata headers.
const UserMetadataPrefix = "x-amz-meta-"

// UserMetadataSize returns the size S3 compares with MaxUserMetadataSize:
// the UTF-8 bytes of every key and value, with keys counted without the
// x-amz-meta- prefix. Keys may be given with or without the prefix (any
// case), so a map of raw header names and a map of stored names agree.
func UserMetadataSize(meta map[string]string) int {
	n := 0
	for k, v := range meta {
		if len(k) >= len(UserMetadataPrefix) && strings.EqualFold(k[:len(UserMetadataPrefix)], UserMetadataPrefix) {
			k = k[len(UserMetadataPrefix):]
		}
		n += len(k) + len(v)
	}
	return n
}

// StoredContentEncoding is the Content-Encoding S3 keeps for an object
// written with the header value v: v exactly as sent, less the aws-chunked
// token (transport framing of the request, not a property of the object)
// and the comma that separated it. A value that is only aws-chunked leaves
// no Content-Encoding ("").
func StoredContentEncoding(v string) string {
	if !strings.Contains(strings.ToLower(v), "aws-chunked") {
		return v
	}
	parts := strings.Split(v, ",")
	kept := parts[:0]
	for _, p := range parts {
		if t := strings.TrimSpace(p); t != "" && !strings.EqualFold(t, "aws-chunked") {
			kept = append(kept, p)
		}
	}
	return strings.TrimSpace(strings.Join(kept, ","))
}
