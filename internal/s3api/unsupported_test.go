package s3api

import (
	"crypto/md5"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"talus/internal/s3err"
)

func TestUnsupportedGate(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	sum := md5.Sum(key)
	k64, m64 := base64.StdEncoding.EncodeToString(key), base64.StdEncoding.EncodeToString(sum[:])
	ssec := map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256", "x-amz-server-side-encryption-customer-key": k64, "x-amz-server-side-encryption-customer-key-MD5": m64}
	copyC := map[string]string{"x-amz-copy-source-server-side-encryption-customer-algorithm": "AES256", "x-amz-copy-source-server-side-encryption-customer-key": k64, "x-amz-copy-source-server-side-encryption-customer-key-MD5": m64}
	for _, tc := range []struct {
		name   string
		op     string
		hdr    map[string]string
		secure bool
		code   s3err.Code // "" = accepted
		header string     // the Header element of a NotImplemented
	}{
		{"no headers", "PutObject", nil, false, "", ""},
		{"SSE-C over TLS", "PutObject", ssec, true, "", ""},
		{"SSE-C read over TLS", "GetObject", ssec, true, "", ""},
		{"SSE-C part over TLS", "UploadPart", ssec, true, "", ""},
		{"SSE-C over HTTP", "HeadObject", ssec, false, s3err.InvalidRequest, ""},
		{"copy source SSE-C", "UploadPartCopy", copyC, true, "", ""},
		{"copy source SSE-C over HTTP", "CopyObject", copyC, false, s3err.InvalidRequest, ""},
		{"SSE-C with another method", "PutObject", map[string]string{"x-amz-server-side-encryption": "AES256",
			"x-amz-server-side-encryption-customer-algorithm": "AES256", "x-amz-server-side-encryption-customer-key": k64, "x-amz-server-side-encryption-customer-key-MD5": m64}, true, s3err.InvalidArgument, ""},
		{"copy source SSE-C on a plain PUT", "PutObject", copyC, true, "", ""},
		{"SSE-C where S3 takes none", "DeleteObject", ssec, true, "", ""},
		{"SSE-S3 on a part", "UploadPart", map[string]string{"x-amz-server-side-encryption": "AES256"}, true, s3err.InvalidArgument, ""},
		{"KMS key on a read", "GetObject", map[string]string{"x-amz-server-side-encryption-aws-kms-key-id": "k"}, true, s3err.InvalidArgument, ""},
		{"SSE-S3 on a POST upload", "PostObject", map[string]string{"x-amz-server-side-encryption": "AES256"}, false, "", ""},
		{"bucket key not a boolean", "PutObject", map[string]string{"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-bucket-key-enabled": "yes"}, false, s3err.InvalidArgument, ""},
		{"annotation COPY", "CopyObject", map[string]string{"x-amz-object-annotation-directive": "COPY"}, false, "", ""},
		{"annotation EXCLUDE", "CopyObject", map[string]string{"x-amz-object-annotation-directive": "EXCLUDE"}, false, "", ""},
		{"annotation lower-case", "CopyObject", map[string]string{"x-amz-object-annotation-directive": "copy"}, false, s3err.InvalidArgument, ""},
		{"CRC32 algorithm", "PutObject", map[string]string{"x-amz-sdk-checksum-algorithm": "CRC32", "x-amz-checksum-crc32": "AAAAAA=="}, false, "", ""},
		{"MD5 algorithm", "PutObject", map[string]string{"x-amz-sdk-checksum-algorithm": "md5"}, false, s3err.NotImplemented, "x-amz-sdk-checksum-algorithm"},
		{"SHA512 trailer", "UploadPart", map[string]string{"x-amz-trailer": "x-amz-checksum-sha512"}, false, s3err.NotImplemented, "x-amz-checksum-sha512"},
		{"CRC32 trailer", "UploadPart", map[string]string{"x-amz-trailer": "x-amz-checksum-crc32"}, false, "", ""},
		{"XXHASH3 on an annotation", "PutObjectAnnotation", map[string]string{"x-amz-sdk-checksum-algorithm": "XXHASH3", "x-amz-checksum-xxhash3": "AAAAAAAAAAA="}, false, "", ""},
		{"SHA512 trailer on an annotation", "PutObjectAnnotation", map[string]string{"x-amz-trailer": "x-amz-checksum-sha512"}, false, "", ""},
		{"MD5 on a tagging put", "PutObjectTagging", map[string]string{"x-amz-checksum-md5": "AAAAAAAAAAAAAAAAAAAAAA=="}, false, s3err.NotImplemented, "x-amz-checksum-md5"},
		{"archive class", "CreateMultipartUpload", map[string]string{"x-amz-storage-class": "DEEP_ARCHIVE"}, false, "", ""},
		{"IA class", "PutObject", map[string]string{"x-amz-storage-class": "ONEZONE_IA"}, false, "", ""},
		{"outposts class", "CopyObject", map[string]string{"x-amz-storage-class": "OUTPOSTS"}, false, s3err.InvalidStorageClass, ""},
		{"If-Match on a GET", "GetObject", map[string]string{"If-Match": `"x"`}, false, "", ""},
		{"If-Match on a DELETE", "DeleteObject", map[string]string{"If-Match": `"x"`}, false, s3err.NotImplemented, "If-Match"},
		{"optional attributes", "ListObjectVersions", map[string]string{"x-amz-optional-object-attributes": "RestoreStatus"}, false, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.hdr {
				h.Set(k, v)
			}
			err := unsupported(tc.op, h.Get, tc.secure)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e, ok := s3err.As(err)
			if !ok || e.Code != tc.code {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
			if tc.header != "" && (e.Extra["Header"] != tc.header || !strings.Contains(e.Message, tc.header)) {
				t.Fatalf("Header %q, message %q; want %s named", e.Extra["Header"], e.Message, tc.header)
			}
			if strings.Contains(e.Error(), k64) {
				t.Fatal("the customer key is echoed")
			}
		})
	}
}

func TestUnimplementedTable(t *testing.T) {
	for k, op := range unimplemented {
		if _, ok := operations[k]; ok {
			t.Errorf("%v (%s) is implemented", k, op.name)
		}
		if op.name == "" || op.action == "" {
			t.Errorf("%v: name %q action %q", k, op.name, op.action)
		}
		if k.sub != "annotation-list" && !subresources[k.sub] {
			t.Errorf("%v: %q is not a subresource the router sees", k, k.sub)
		}
	}
}
