package s3

// URLEncodeKey encodes a key, prefix, marker or delimiter for a listing
// answered with encoding-type=url, as S3 does: the RFC 3986 unreserved bytes
// (A-Z a-z 0-9 - . _ ~) and '/' are kept, every other byte (each byte of a
// multi-byte UTF-8 sequence too) becomes %XX with upper-case hex. A space is
// "%20" and '+' is "%2B", so both percent-decoding and form decoding give
// the key back.
func URLEncodeKey(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !keepInURL(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if keepInURL(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

func keepInURL(c byte) bool {
	switch {
	case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '-', '.', '_', '~', '/':
		return true
	}
	return false
}
