package s3remote_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/blob"
	"talus/internal/blob/blobtest"
	"talus/internal/blob/s3remote"
	"talus/internal/testserver"
)

// The conformance suite against a second Talus server: each subtest gets
// a fresh prefix of one remote bucket.
func TestConformanceAgainstTalus(t *testing.T) {
	srv := testserver.Start(t)
	if _, err := srv.Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("tier")}); err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s, err := s3remote.Open(t.Context(), s3remote.Config{Endpoint: srv.URL, Bucket: "tier", Prefix: fmt.Sprintf("p%d/", n.Add(1)),
			AccessKey: testserver.AccessKey, SecretKey: testserver.SecretKey})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestOpenRefusesMissingBucketOrBadKeys(t *testing.T) {
	srv := testserver.Start(t)
	if _, err := s3remote.Open(t.Context(), s3remote.Config{Endpoint: srv.URL, Bucket: "absent", AccessKey: testserver.AccessKey, SecretKey: testserver.SecretKey}); err == nil {
		t.Fatal("Open of a missing bucket succeeded")
	}
	srv.Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("b")})
	if _, err := s3remote.Open(t.Context(), s3remote.Config{Endpoint: srv.URL, Bucket: "b", AccessKey: testserver.AccessKey, SecretKey: "wrong"}); err == nil {
		t.Fatal("Open with a wrong secret succeeded")
	}
}

func TestParseURL(t *testing.T) {
	for _, c := range []struct{ in, ep, b, p string }{
		{"https://h:9000/bkt", "https://h:9000", "bkt", ""},
		{"http://127.0.0.1:1/bkt/cold/x", "http://127.0.0.1:1", "bkt", "cold/x/"},
	} {
		ep, b, p, err := s3remote.ParseURL(c.in)
		if err != nil || ep != c.ep || b != c.b || p != c.p {
			t.Errorf("ParseURL(%q) = %q %q %q %v", c.in, ep, b, p, err)
		}
	}
	for _, bad := range []string{"ftp://h/b", "https://h", "https://h/", "https://u:p@h/b", "https://h/b?x=1"} {
		if _, _, _, err := s3remote.ParseURL(bad); err == nil {
			t.Errorf("ParseURL(%q) accepted", bad)
		}
	}
}
