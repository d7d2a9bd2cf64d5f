package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/testserver"
)

// TestAdminOLAPCommands configures Object Lambda access points through
// 'talus admin olap' against a real server.
func TestAdminOLAPCommands(t *testing.T) {
	srv := testserver.Start(t)
	run := adminRunner(t, srv)
	fail := func(want string, args ...string) {
		t.Helper()
		var out strings.Builder
		err := runAdmin(append([]string{"--endpoint", srv.URL, "olap"}, args...), &out)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("olap %v: %v, want %s", args, err, want)
		}
	}
	if _, err := srv.Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("src")}); err != nil {
		t.Fatal(err)
	}
	out := run("olap", "create", "--name", "upper", "--bucket", "src", "--transformer", "http://127.0.0.1:1/fn",
		"--payload", `{"a":1}`, "--allowed-features", "GetObject-Range,GetObject-PartNumber")
	want := "arn:aws:s3-object-lambda:us-east-1:000000000000:accesspoint/upper\tsrc\thttp://127.0.0.1:1/fn\tGetObject-Range,GetObject-PartNumber\n"
	if out != want {
		t.Fatalf("create printed %q, want %q", out, want)
	}
	run("olap", "create", "--name", "plain", "--bucket", "src", "--transformer", "https://t.example/fn")
	if out := run("olap", "list"); out != "arn:aws:s3-object-lambda:us-east-1:000000000000:accesspoint/plain\tsrc\thttps://t.example/fn\t\n"+want {
		t.Fatalf("list printed %q", out)
	}
	fail("EntityAlreadyExists", "create", "--name", "upper", "--bucket", "src", "--transformer", "http://127.0.0.1:1/fn")
	fail("NoSuchEntity", "create", "--name", "other", "--bucket", "nosuch", "--transformer", "http://127.0.0.1:1/fn")
	fail("ValidationError", "create", "--name", "Bad_Name", "--bucket", "src", "--transformer", "http://127.0.0.1:1/fn")
	fail("ValidationError", "create", "--name", "other", "--bucket", "src", "--transformer", "ftp://x/fn")
	fail("ValidationError", "create", "--name", "other", "--bucket", "src", "--transformer", "http://x/fn", "--payload", "{not json")
	fail("ValidationError", "create", "--name", "other", "--bucket", "src", "--transformer", "http://x/fn", "--allowed-features", "ListObjects-Range")
	if out := run("olap", "delete", "upper"); out != "ok\n" {
		t.Fatalf("delete printed %q", out)
	}
	fail("NoSuchEntity", "delete", "upper")
	if out := run("olap", "list"); !strings.HasPrefix(out, "arn:aws:s3-object-lambda:us-east-1:000000000000:accesspoint/plain\t") || strings.Count(out, "\n") != 1 {
		t.Fatalf("list after delete printed %q", out)
	}
}
