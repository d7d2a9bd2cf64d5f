package s3

import (
	"crypto/md5"
	"encoding/hex"
	"strconv"
)

// ETagFromMD5 renders a single-part ETag: the quoted hex MD5 of the body.
func ETagFromMD5(sum []byte) string {
	b := make([]byte, 0, 2+hex.EncodedLen(len(sum)))
	b = append(b, '"')
	b = hex.AppendEncode(b, sum)
	b = append(b, '"')
	return string(b)
}

// MultipartETag renders the ETag S3 gives a completed multipart upload: the
// quoted hex MD5 of the concatenated binary part MD5s, then "-" and the part
// count. Clients rely on this shape to tell multipart objects apart.
func MultipartETag(partMD5s [][]byte) string {
	h := md5.New()
	for _, p := range partMD5s {
		h.Write(p)
	}
	var sum [md5.Size]byte
	b := make([]byte, 0, 2+2*md5.Size+1+20)
	b = append(b, '"')
	b = hex.AppendEncode(b, h.Sum(sum[:0]))
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(len(partMD5s)), 10)
	b = append(b, '"')
	return string(b)
}
