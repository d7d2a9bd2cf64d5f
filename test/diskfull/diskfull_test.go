// Package diskfull runs the server on a small real file system (a tmpfs
// mounted by the test; needs root, as CI has) and fills it.
package diskfull

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"talus/internal/server"
	"talus/internal/space"
	"talus/internal/testserver"
)

var ctx = context.Background()

// mountTmpfs mounts a tmpfs of size bytes and returns its path.
func mountTmpfs(t *testing.T, size int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root (CI runs as root)")
	}
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("mount tmpfs: %v: %s", err, out)
	}
	// Registered before the server starts, so it runs after the server stops.
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount: %v: %s", err, out)
		}
	})
	return dir
}

func free(t *testing.T, dir string) uint64 {
	t.Helper()
	u, err := space.Statfs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return u.Free
}

// fill writes a file in dir until the file system is full, as another
// program sharing the disk would.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, chunk := range []int{1 << 20, 4 << 10, 512} {
		buf := make([]byte, chunk)
		for {
			if _, err := f.Write(buf); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatal(err)
				}
				break
			}
		}
	}
	if n := free(t, dir); n != 0 {
		t.Fatalf("after filling, %d bytes free", n)
	}
	return path
}

// wantFull fails unless err is the documented full-disk error: 507
// InsufficientStorage, which the SDK does not retry.
func wantFull(t *testing.T, what string, err error) {
	t.Helper()
	var ae smithy.APIError
	var re *awshttp.ResponseError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InsufficientStorage" || !errors.As(err, &re) || re.HTTPStatusCode() != 507 {
		t.Fatalf("%s: %v, want 507 InsufficientStorage", what, err)
	}
}

func put(c *s3.Client, key string, body []byte) error {
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("full"), Key: aws.String(key), Body: bytes.NewReader(body)})
	return err
}

func listKeys(t *testing.T, c *s3.Client) []string {
	t.Helper()
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("full")})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, *o.Key)
	}
	return keys
}

func tmpFiles(t *testing.T, data string) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(data, "blobs", "tmp"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func limits(minFree uint64, reserve int64) testserver.Option {
	return func(c *server.Config) {
		c.MinFreeSpace = space.Threshold{Bytes: minFree}
		c.SpaceReserve = reserve
	}
}

func body(i, n int) []byte { return bytes.Repeat([]byte{byte('a' + i%26)}, n) }

func TestFullDisk(t *testing.T) {
	if _, ok := retry.DefaultRetryableHTTPStatusCodes[507]; ok {
		t.Fatal("the SDK retries 507; the full-disk error must not be retryable")
	}
	mnt := mountTmpfs(t, 48<<20)
	data := filepath.Join(mnt, "data")

	// 1. No threshold, no reserve: a write that hits ENOSPC gets 507, leaves
	// no temp file and no object.
	srv := testserver.Start(t, testserver.WithDir(data), limits(0, 0))
	c := srv.Client()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("full")}); err != nil {
		t.Fatal(err)
	}
	if err := put(c, "before", body(0, 1<<20)); err != nil {
		t.Fatal(err)
	}
	filler := fill(t, mnt)
	wantFull(t, "PUT on a full disk", put(c, "enospc", body(1, 2<<20)))
	// A small (inline) PUT either fits in the WAL's existing pages or fails
	// the same way; it never gets a 500.
	if err := put(c, "enospc-small", []byte("x")); err != nil {
		wantFull(t, "small PUT on a full disk", err)
	}
	if got := tmpFiles(t, data); len(got) != 0 {
		t.Fatalf("temp files left after ENOSPC: %v", got)
	}
	for _, k := range listKeys(t, c) {
		if k == "enospc" {
			t.Fatal("failed PUT is listed")
		}
	}
	os.Remove(filler)
	srv.Stop(t)

	// 2. A threshold and a reserve: writes are refused below the threshold
	// while deletes still work; then another program fills the disk and
	// deletes must still commit and free space.
	const minFree, reserve = 8 << 20, 4 << 20
	srv = testserver.Start(t, testserver.WithDir(data), limits(minFree, reserve))
	c = srv.Client()
	reservePath := filepath.Join(data, space.ReserveName)
	if fi, err := os.Stat(reservePath); err != nil || fi.Size() != reserve {
		t.Fatalf("reserve file: %v %v", fi, err)
	}
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("full"), Key: aws.String("mpu")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("full"), Key: aws.String("mpu"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(body(2, 2<<20))}); err != nil {
		t.Fatal(err)
	}
	var stored []string
	for i := 0; ; i++ {
		if i > 60 {
			t.Fatal("the threshold never refused a PUT")
		}
		key := fmt.Sprintf("obj%02d", i)
		err := put(c, key, body(i, 1<<20))
		if err != nil {
			wantFull(t, "PUT below the threshold", err)
			break
		}
		stored = append(stored, key)
	}
	if f := free(t, mnt); f >= minFree || f < minFree-(2<<20) {
		t.Fatalf("refused with %d bytes free; threshold %d", f, minFree)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("full"), Key: aws.String("copy"), CopySource: aws.String("full/obj00")})
	wantFull(t, "CopyObject below the threshold", err)
	_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("full"), Key: aws.String("mpu2")})
	wantFull(t, "CreateMultipartUpload below the threshold", err)
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("full"), Key: aws.String("mpu"), UploadId: up.UploadId,
		PartNumber: aws.Int32(2), Body: bytes.NewReader(body(3, 1<<20))})
	wantFull(t, "UploadPart below the threshold", err)

	// Another program fills the disk, and the server restarts: the reserve
	// is released before the stores open, so a DELETE commits and frees space.
	filler = fill(t, mnt)
	srv.Stop(t)
	srv = testserver.Start(t, testserver.WithDir(data), limits(minFree, reserve))
	c = srv.Client()
	if _, err := os.Stat(reservePath); !os.IsNotExist(err) {
		t.Fatalf("reserve still held after a restart on a full disk: %v", err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("full"), Key: aws.String(stored[0])}); err != nil {
		t.Fatalf("DeleteObject on a full disk: %v", err)
	}
	if f := free(t, mnt); f < 1<<20 {
		t.Fatalf("DeleteObject freed nothing: %d bytes free", f)
	}
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("full"), Key: aws.String("mpu"), UploadId: up.UploadId}); err != nil {
		t.Fatalf("AbortMultipartUpload on a full disk: %v", err)
	}
	before := free(t, mnt)
	var objs []types.ObjectIdentifier
	for _, k := range stored[1 : len(stored)/2] {
		objs = append(objs, types.ObjectIdentifier{Key: aws.String(k)})
	}
	dout, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("full"), Delete: &types.Delete{Objects: objs}})
	if err != nil || len(dout.Errors) != 0 || len(dout.Deleted) != len(objs) {
		t.Fatalf("DeleteObjects: %v %+v", err, dout)
	}
	// The metadata commit itself may take a few pages.
	if after := free(t, mnt); after < before+uint64(len(objs)-1)<<20 {
		t.Fatalf("DeleteObjects of %d MiB freed only %d bytes", len(objs), after-before)
	}
	kept := append([]string{"before"}, stored[len(stored)/2:]...)

	// Space is back: new writes work and the reserve returns.
	if err := put(c, "after", body(7, 1<<20)); err != nil {
		t.Fatalf("PUT after freeing space: %v", err)
	}
	kept = append(kept, "after")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if fi, err := os.Stat(reservePath); err == nil && fi.Size() == reserve {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("reserve not re-created once space was back")
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The disk fills again while the server runs: the delete's commit fails
	// for want of space, the reserve is released and the commit retried.
	filler2 := fill(t, mnt)
	last := kept[len(kept)-2]
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("full"), Key: aws.String(last)}); err != nil {
		t.Fatalf("DeleteObject on a disk filled while serving: %v", err)
	}
	if _, err := os.Stat(reservePath); !os.IsNotExist(err) {
		t.Fatalf("reserve still held on a full disk: %v", err)
	}
	kept = append(kept[:len(kept)-2], kept[len(kept)-1])
	os.Remove(filler2)
	srv.Stop(t)

	// 3. After a restart everything is consistent: exactly the kept objects,
	// whole, and no blob that no object names.
	srv = testserver.Start(t, testserver.WithDir(data), limits(minFree, reserve))
	c = srv.Client()
	got := listKeys(t, c)
	sort.Strings(kept)
	if fmt.Sprint(got) != fmt.Sprint(kept) {
		t.Fatalf("after restart: keys %v, want %v", got, kept)
	}
	for _, k := range kept {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("full"), Key: aws.String(k)})
		if err != nil {
			t.Fatalf("GET %s: %v", k, err)
		}
		b, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil || len(b) != 1<<20 {
			t.Fatalf("GET %s: %d bytes, %v", k, len(b), err)
		}
	}
	var blobs int
	filepath.WalkDir(filepath.Join(data, "blobs"), func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			blobs++
		}
		return nil
	})
	if blobs != len(kept) {
		t.Fatalf("%d blob files for %d objects", blobs, len(kept))
	}
	if err := put(c, "restarted", []byte("ok")); err != nil {
		t.Fatalf("PUT after restart: %v", err)
	}
	os.Remove(filler)
}
