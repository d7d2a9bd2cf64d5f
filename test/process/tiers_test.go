package process

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// TestTierFlags: a bad tier configuration refuses the start (exit 1, a
// message, nothing written); a good one keeps a class's data in its tier,
// and a remote tier's secret never reaches the log.
func TestTierFlags(t *testing.T) {
	tierDir := t.TempDir()
	creds := filepath.Join(t.TempDir(), "creds")
	if err := os.WriteFile(creds, []byte("AKREMOTE\nremote-secret-never-logged\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRefuseStart(t, "the kind is dir: or s3:", []struct{ env, args []string }{{nil, []string{"--tier", "cold=tape:/x"}}})
	mustRefuseStart(t, "not configured", []struct{ env, args []string }{{nil, []string{"--storage-class-tier", "GLACIER=cold"}}})
	mustRefuseStart(t, "cannot be mapped", []struct{ env, args []string }{{nil, []string{"--tier", "cold=dir:" + tierDir, "--storage-class-tier", "OUTPOSTS=cold"}}})
	mustRefuseStart(t, "needs credentials", []struct{ env, args []string }{{nil, []string{"--tier", "far=s3:http://127.0.0.1:1/bkt"}}})
	mustRefuseStart(t, "tier name", []struct{ env, args []string }{{nil, []string{"--tier", "Cold=dir:" + tierDir}}})
	mustRefuseStart(t, "tier far", []struct{ env, args []string }{
		{nil, []string{"--tier", "far=s3:http://127.0.0.1:1/bkt", "--tier-credentials", "far=" + creds}},
		{[]string{"TALUS_TIER_FAR_ACCESS_KEY=AK", "TALUS_TIER_FAR_SECRET_KEY=remote-secret-never-logged"}, []string{"--tier", "far=s3:http://127.0.0.1:1/bkt"}},
	})

	ctx := context.Background()
	remote := testserver.StartProcess(t, talusBin, t.TempDir(), procAK, procSK)
	rc := testserver.NewClient(remote.URL, procAK, procSK)
	if _, err := rc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("tier")}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(creds, []byte(procAK+"\n"+procSK+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := testserver.StartProcess(t, talusBin, t.TempDir(), procAK, procSK, "--log-level", "debug",
		"--tier", "cold=dir:"+tierDir, "--tier", "far=s3:"+remote.URL+"/tier/x", "--tier-credentials", "far="+creds,
		"--storage-class-tier", "STANDARD_IA=cold", "--storage-class-tier", "DEEP_ARCHIVE=far")
	c := testserver.NewClient(p.URL, procAK, procSK)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("tiered")}); err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("t"), 100<<10)
	for key, class := range map[string]types.StorageClass{"ia": types.StorageClassStandardIa, "deep": types.StorageClassDeepArchive, "std": ""} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tiered"), Key: aws.String(key), Body: bytes.NewReader(body), StorageClass: class}); err != nil {
			t.Fatalf("PUT %s: %v", key, err)
		}
	}
	files := 0
	filepath.WalkDir(tierDir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files++
		}
		return err
	})
	if files != 1 {
		t.Fatalf("directory tier holds %d files, want the STANDARD_IA object's", files)
	}
	lo, err := rc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("tier"), Prefix: aws.String("x/")})
	if err != nil || len(lo.Contents) != 1 {
		t.Fatalf("remote tier lists %v (%v), want the DEEP_ARCHIVE object", lo, err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("tiered"), Key: aws.String("ia")})
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	p.Stop(t)
	if bytes.Contains([]byte(p.Log()), []byte(procSK)) {
		t.Fatal("the remote tier's secret key is in the log")
	}
}
