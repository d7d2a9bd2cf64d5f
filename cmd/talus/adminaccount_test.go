package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/testserver"
)

func TestAdminAccountCommands(t *testing.T) {
	srv := testserver.Start(t)
	t.Setenv("TALUS_ROOT_ACCESS_KEY", testserver.AccessKey)
	t.Setenv("TALUS_ROOT_SECRET_KEY", testserver.SecretKey)
	admin := func(args ...string) (string, error) {
		var out strings.Builder
		err := runAdmin(append([]string{"--endpoint", srv.URL}, args...), &out)
		return out.String(), err
	}
	run := func(args ...string) string {
		t.Helper()
		out, err := admin(args...)
		if err != nil {
			t.Fatalf("admin %v: %v", args, err)
		}
		return out
	}
	out := run("account", "create", "--name", "bee", "--email", "bee@example.com")
	var created map[string]any
	if err := json.Unmarshal([]byte(out), &created); err != nil {
		t.Fatalf("account create printed %q: %v", out, err)
	}
	id, _ := created["AccountId"].(string)
	cid, _ := created["CanonicalUserId"].(string)
	ak, _ := created["AccessKeyId"].(string)
	sk, _ := created["SecretAccessKey"].(string)
	if len(id) != 12 || id == "000000000000" || len(cid) != 64 || len(ak) != 20 || len(sk) != 40 {
		t.Fatalf("account create: %q", out)
	}
	if _, err := admin("account", "create", "--name", "bee"); err == nil || !strings.Contains(err.Error(), "EntityAlreadyExists") {
		t.Fatalf("a second account named bee: %v", err)
	}
	if out := run("account", "list"); !strings.Contains(out, "000000000000\t") || !strings.Contains(out, id+"\t"+cid+"\tbee\tbee@example.com") {
		t.Fatalf("account list: %q", out)
	}
	if out := run("account", "show", id); !strings.Contains(out, `"AccountName": "bee"`) || strings.Contains(out, "SecretAccessKey") {
		t.Fatalf("account show: %q", out)
	}
	// The new root key works, and owns what it creates.
	c := testserver.NewClient(srv.URL, ak, sk)
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("bee-bucket")}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin("account", "delete", id); err == nil || !strings.Contains(err.Error(), "DeleteConflict") {
		t.Fatalf("deleting an account that owns a bucket: %v", err)
	}
	if _, err := c.DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: aws.String("bee-bucket")}); err != nil {
		t.Fatal(err)
	}
	// Only the administrator's account manages accounts.
	t.Setenv("TALUS_ROOT_ACCESS_KEY", ak)
	t.Setenv("TALUS_ROOT_SECRET_KEY", sk)
	if _, err := admin("account", "list"); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("bee listing accounts: %v", err)
	}
	t.Setenv("TALUS_ROOT_ACCESS_KEY", testserver.AccessKey)
	t.Setenv("TALUS_ROOT_SECRET_KEY", testserver.SecretKey)
	if _, err := admin("account", "delete", "000000000000"); err == nil || !strings.Contains(err.Error(), "DeleteConflict") {
		t.Fatalf("deleting the administrator's account: %v", err)
	}
	run("account", "delete", id)
	if _, err := admin("account", "show", id); err == nil || !strings.Contains(err.Error(), "NoSuchEntity") {
		t.Fatalf("showing a deleted account: %v", err)
	}
	if _, err := c.ListBuckets(context.Background(), &s3.ListBucketsInput{}); err == nil {
		t.Fatal("a deleted account's root key still works")
	}
}
