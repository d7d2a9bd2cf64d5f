package sigv2

import (
	"net/http"
	"testing"
	"time"

	"github.com/minio/minio-go/v7/pkg/s3utils"
	"github.com/minio/minio-go/v7/pkg/signer"
)

// minioRequest builds a client request the way minio-go does: the object
// path escaped with s3utils.EncodePath.
func minioRequest(t *testing.T, method, host, path, rawQuery string) *http.Request {
	t.Helper()
	u := "http://" + host + s3utils.EncodePath(path)
	if rawQuery != "" {
		u += "?" + rawQuery
	}
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

var minioKeys = []string{
	"/bucket/plain.txt",
	"/bucket/with space/and+plus",
	"/bucket/fran\u00e7ais/\u65e5\u672c\u8a9e/\U0001F600.bin",
	"/bucket/specials!$&'()*,;=:@~_.-",
	"/bucket/dir//double/../dots/",
	"/bucket/percent%20literal",
	"/bucket",
	"/",
}

func TestMinioSignV2(t *testing.T) {
	for _, path := range minioKeys {
		for _, query := range []string{"", "acl", "uploadId=u%2F1&partNumber=7", "versionId=abc&response-content-type=text%2Fplain&prefix=x", "tagging&list-type=2", "retention&legal-hold"} {
			t.Run(path+"?"+query, func(t *testing.T) {
				req := minioRequest(t, "PUT", "127.0.0.1:9000", path, query)
				req.Header.Set("Content-Type", "application/octet-stream")
				req.Header.Set("Content-Md5", "1B2M2Y8AsgTpgAmY7PhCfg==")
				req.Header.Set("X-Amz-Meta-Color", "blue")
				req.Header.Set("x-amz-acl", "private")
				signed := signer.SignV2(*req, docAK, docSecret, false)
				sr := toServer(t, signed)
				if !IsV2(sr) {
					t.Fatal("IsV2 = false")
				}
				ak, err := Verify(sr, lookup, time.Now())
				mustOK(t, ak, err)

				// Tampered metadata.
				sr.Header.Set("X-Amz-Meta-Color", "red")
				_, err = Verify(sr, lookup, time.Now())
				wantCode(t, err, "SignatureDoesNotMatch", 403)
			})
		}
	}
}

func TestMinioSignV2VirtualHost(t *testing.T) {
	req := minioRequest(t, "GET", "mybucket.s3.local:9000", "/a key/b+c", "versions")
	signed := signer.SignV2(*req, docAK, docSecret, true)
	sr := toServer(t, signed)
	ak, err := VerifyOptions(sr, lookup, time.Now(), Options{Bucket: "mybucket"})
	mustOK(t, ak, err)
	_, err = Verify(sr, lookup, time.Now()) // bucket forgotten
	wantCode(t, err, "SignatureDoesNotMatch", 403)
}

func TestMinioSignV2Skew(t *testing.T) {
	req := minioRequest(t, "GET", "127.0.0.1:9000", "/bucket/k", "")
	sr := toServer(t, signer.SignV2(*req, docAK, docSecret, false))
	_, err := Verify(sr, lookup, time.Now().Add(20*time.Minute))
	wantCode(t, err, "RequestTimeTooSkewed", 403)
	_, err = Verify(sr, lookup, time.Now().Add(-20*time.Minute))
	wantCode(t, err, "RequestTimeTooSkewed", 403)
}

func TestMinioPreSignV2(t *testing.T) {
	for _, path := range minioKeys {
		t.Run(path, func(t *testing.T) {
			req := minioRequest(t, "GET", "127.0.0.1:9000", path, "response-content-disposition=attachment%3B%20filename%3D%22x%20y.txt%22&versionId=7")
			signed := signer.PreSignV2(*req, docAK, docSecret, 60, false)
			// minio-go leaves its Expires header on the request; a browser
			// following the URL sends none.
			signed.Header.Del("Expires")
			sr := toServer(t, signed)
			if !IsV2(sr) {
				t.Fatal("IsV2 = false")
			}
			now := time.Now()
			ak, err := Verify(sr, lookup, now)
			mustOK(t, ak, err)

			_, err = Verify(sr, lookup, now.Add(2*time.Minute))
			e := wantCode(t, err, "AccessDenied", 403)
			if e.Message != "Request has expired" {
				t.Fatalf("message %q", e.Message)
			}

			// Another version of the object with the same URL signature.
			q := sr.URL.Query()
			q.Set("versionId", "8")
			sr.URL.RawQuery = q.Encode()
			_, err = Verify(sr, lookup, now)
			wantCode(t, err, "SignatureDoesNotMatch", 403)
		})
	}
}

func TestMinioPreSignV2VirtualHost(t *testing.T) {
	req := minioRequest(t, "GET", "vbucket.example.test", "/x/y z", "")
	signed := signer.PreSignV2(*req, docAK, docSecret, 60, true)
	signed.Header.Del("Expires")
	sr := toServer(t, signed)
	ak, err := VerifyOptions(sr, lookup, time.Now(), Options{Bucket: "vbucket"})
	mustOK(t, ak, err)
}
