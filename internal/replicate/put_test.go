package replicate

import (
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3c "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"talus/internal/meta"
)

func respErr(status int) error {
	return &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: errors.New("x")}
}

func TestClassify(t *testing.T) {
	for status, perm := range map[int]bool{400: true, 403: true, 404: true, 408: false, 409: false, 429: false, 500: false, 503: false} {
		var pe *permanentError
		if got := errors.As(classify(respErr(status)), &pe); got != perm {
			t.Errorf("HTTP %d: permanent %v, want %v", status, got, perm)
		}
	}
	var pe *permanentError
	if errors.As(classify(errors.New("connection refused")), &pe) {
		t.Error("a network error is permanent")
	}
}

func TestPutInput(t *testing.T) {
	if got := encodeTags(map[string]string{"b": "2 3", "a": "x&y"}); got != "a=x%26y&b=2+3" {
		t.Errorf("tags %q", got)
	}
	in := &s3c.PutObjectInput{}
	grantHeaders(in, []meta.Grant{{ID: "c1", Permission: "FULL_CONTROL"}, {URI: "http://acs.amazonaws.com/groups/global/AllUsers", Permission: "READ"},
		{Email: "a@b", Permission: "READ"}})
	if aws.ToString(in.GrantFullControl) != `id="c1"` || aws.ToString(in.GrantRead) != `uri="http://acs.amazonaws.com/groups/global/AllUsers", emailAddress="a@b"` {
		t.Errorf("grants %q %q", aws.ToString(in.GrantFullControl), aws.ToString(in.GrantRead))
	}
	in = &s3c.PutObjectInput{}
	integrity(in, &meta.Object{ETag: `"900150983cd24fb0d6963f7d28e17f72"`, Attrs: meta.Attrs{ChecksumType: "FULL_OBJECT", Checksums: map[string]string{"CRC32": "NSRBwg=="}}})
	if aws.ToString(in.ContentMD5) != "kAFQmDzST7DWlj99KOF/cg==" || aws.ToString(in.ChecksumCRC32) != "NSRBwg==" {
		t.Errorf("integrity %q %q", aws.ToString(in.ContentMD5), aws.ToString(in.ChecksumCRC32))
	}
	in = &s3c.PutObjectInput{}
	integrity(in, &meta.Object{ETag: `"0123456789abcdef0123456789abcdef-2"`, Parts: []meta.Part{{}, {}}, Attrs: meta.Attrs{ChecksumType: "COMPOSITE", Checksums: map[string]string{"CRC32": "x"}}})
	if in.ContentMD5 != nil || in.ChecksumCRC32 != nil {
		t.Error("a multipart version's ETag or composite checksum was sent as the body's")
	}
}

func TestPartSizes(t *testing.T) {
	got := partSizes(&meta.Object{Size: 40 << 20}, 16<<20)
	if len(got) != 3 || got[0] != 16<<20 || got[1] != 16<<20 || got[2] != 8<<20 {
		t.Errorf("40 MiB in 16 MiB parts: %v", got)
	}
	got = partSizes(&meta.Object{Size: 11, Parts: []meta.Part{{Size: 5}, {Size: 5}, {Size: 1}}}, 16<<20)
	if len(got) != 3 || got[0] != 5 || got[2] != 1 {
		t.Errorf("a multipart version's parts: %v", got)
	}
	if got = partSizes(&meta.Object{}, 16<<20); len(got) != 1 || got[0] != 0 {
		t.Errorf("empty version: %v", got)
	}
}

func TestFailureReason(t *testing.T) {
	for code, want := range map[string]string{"NoSuchBucket": "DstBucketNotFound", "AccessDenied": "DstPutObjectNotPermitted", "KMS.NotFoundException": "DstKmsKeyNotFound"} {
		if got := failureReason(permanent(&smithy.GenericAPIError{Code: code})); got != want {
			t.Errorf("%s: %s, want %s", code, got, want)
		}
	}
	if got := failureReason(permanent(errors.New(`replication remote "x" is not configured`))); got != "DstBucketNotFound" {
		t.Errorf("missing remote: %s", got)
	}
}
