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
