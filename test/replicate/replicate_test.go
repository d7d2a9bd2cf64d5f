package replicate

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// TestTalusToTalus: a version written on one Talus becomes COMPLETED
// there and a REPLICA with the same version ID, body, metadata and tags on
// another; delete markers follow when the rule says so.
func TestTalusToTalus(t *testing.T) {
	_, dst := talus(t, t.TempDir(), freeAddr(t))
	srcProc, src := talus(t, t.TempDir(), freeAddr(t))
	versioned(t, dst, "dst")
	versioned(t, src, "src")
	admin(t, srcProc.URL, "remote", "add", "peer", "--endpoint", endpointOf(dst), "--access-key", rootAK, "--secret-key", rootSK, "--path-style")
	replicateTo(t, src, "src", "arn:talus:s3:peer::dst", true)

	body := []byte("replicated between two processes")
	vid := put(t, src, "src", "k", body)
	if st := status(src, "src", "k", vid); st != types.ReplicationStatusPending && st != types.ReplicationStatusCompleted {
		t.Fatalf("status right after the write: %q", st)
	}
	waitStatus(t, src, "src", "k", vid, types.ReplicationStatusCompleted, 30*time.Second)
	got, out := get(t, dst, "dst", "k", vid)
	if string(got) != string(body) || out.ReplicationStatus != types.ReplicationStatusReplica || out.Metadata["n"] != fmt.Sprint(len(body)) ||
		aws.ToInt32(out.TagCount) != 1 || out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("replica %q %+v", got, out)
	}
	// A tag change follows the version (same ID on both sides).
	if _, err := src.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("src"), Key: aws.String("k"), VersionId: aws.String(vid),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("x"), Value: aws.String("1")}, {Key: aws.String("y"), Value: aws.String("2")}}}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		tg, err := dst.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("dst"), Key: aws.String("k"), VersionId: aws.String(vid)})
		if err == nil && len(tg.TagSet) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica tags %+v, %v", tg, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	del, err := src.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("src"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(30 * time.Second)
	for {
		_, ms := versions(t, dst, "dst", "k")
		if len(ms) == 1 {
			if aws.ToString(ms[0].VersionId) != aws.ToString(del.VersionId) {
				t.Fatalf("replicated marker %s, source marker %s", aws.ToString(ms[0].VersionId), aws.ToString(del.VersionId))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("delete marker not replicated")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// endpointOf is the base endpoint a client was made for.
func endpointOf(c *s3.Client) string { return aws.ToString(c.Options().BaseEndpoint) }

// TestDestinationOutage: writes made while the destination is down stay
// PENDING and are replicated once it is back.
func TestDestinationOutage(t *testing.T) {
	dstDir, dstAddr := t.TempDir(), freeAddr(t)
	dstProc, dst := talus(t, dstDir, dstAddr)
	srcProc, src := talus(t, t.TempDir(), freeAddr(t))
	versioned(t, dst, "dst")
	versioned(t, src, "src")
	admin(t, srcProc.URL, "remote", "add", "peer", "--endpoint", dstProc.URL, "--access-key", rootAK, "--secret-key", rootSK, "--path-style")
	replicateTo(t, src, "src", "arn:talus:s3:peer::dst", false)
	first := put(t, src, "src", "first", []byte("before the outage"))
	waitStatus(t, src, "src", "first", first, types.ReplicationStatusCompleted, 30*time.Second)

	dstProc.Kill(t)
	vids := map[string]string{}
	for i := range 10 {
		k := fmt.Sprintf("during/%d", i)
		vids[k] = put(t, src, "src", k, []byte(k))
	}
	time.Sleep(2 * time.Second)
	for k, v := range vids {
		if st := status(src, "src", k, v); st != types.ReplicationStatusPending {
			t.Fatalf("%s while the destination is down: %q, want PENDING", k, st)
		}
	}
	_, dst = talus(t, dstDir, dstAddr)
	for k, v := range vids {
		waitStatus(t, src, "src", k, v, types.ReplicationStatusCompleted, 90*time.Second)
		if got, _ := get(t, dst, "dst", k, v); string(got) != k {
			t.Fatalf("%s on the destination: %q", k, got)
		}
	}
}

// TestKillDuringReplication: kill -9 of the source while it replicates
// loses no version and duplicates none (the replica keeps the source's
// version ID, and a second write of it is a no-op).
func TestKillDuringReplication(t *testing.T) {
	_, dst := talus(t, t.TempDir(), freeAddr(t))
	srcDir, srcAddr := t.TempDir(), freeAddr(t)
	srcProc, src := talus(t, srcDir, srcAddr)
	versioned(t, dst, "dst")
	versioned(t, src, "src")
	admin(t, srcProc.URL, "remote", "add", "peer", "--endpoint", endpointOf(dst), "--access-key", rootAK, "--secret-key", rootSK, "--path-style")
	replicateTo(t, src, "src", "arn:talus:s3:peer::dst", false)

	const n = 60
	var mu sync.Mutex
	vids := map[string]string{}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 4 {
				k := fmt.Sprintf("k%03d", i)
				v := put(t, src, "src", k, make([]byte, 64<<10))
				mu.Lock()
				vids[k] = v
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	// Kill while replication is under way.
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := dst.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("dst")})
		if err == nil && len(out.Versions) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	srcProc.Kill(t)
	if out, err := dst.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("dst")}); err == nil {
		t.Logf("killed the source with %d of %d versions replicated", len(out.Versions), n)
	}
	_, src = talus(t, srcDir, srcAddr)
	for k, v := range vids {
		waitStatus(t, src, "src", k, v, types.ReplicationStatusCompleted, 90*time.Second)
	}
	for k, v := range vids {
		vs, ms := versions(t, dst, "dst", k)
		if len(vs) != 1 || len(ms) != 0 || aws.ToString(vs[0].VersionId) != v {
			t.Fatalf("%s on the destination: %d versions, %d markers, want exactly version %s", k, len(vs), len(ms), v)
		}
	}
}

// TestTalusToMoto: replication to an S3 server that is not Talus (moto):
// a plain PUT there (new version IDs), with the body, metadata and tags;
// delete markers when the rule says so; existing objects on request.
func TestTalusToMoto(t *testing.T) {
	motoURL := moto(t)
	mc := testserver.NewClient(motoURL, "testing", "testing")
	versioned(t, mc, "moto-dst")
	srcProc, src := talus(t, t.TempDir(), freeAddr(t))
	versioned(t, src, "src")
	old := put(t, src, "src", "old", []byte("existed before the rule"))
	admin(t, srcProc.URL, "remote", "add", "moto", "--endpoint", motoURL, "--access-key", "testing", "--secret-key", "testing", "--path-style")
	admin(t, srcProc.URL, "remote", "list")
	replicateTo(t, src, "src", "arn:talus:s3:moto::moto-dst", true)

	body := []byte("to moto")
	vid := put(t, src, "src", "k", body)
	waitStatus(t, src, "src", "k", vid, types.ReplicationStatusCompleted, 30*time.Second)
	got, out := get(t, mc, "moto-dst", "k", "")
	if string(got) != string(body) || out.Metadata["n"] != fmt.Sprint(len(body)) || aws.ToInt32(out.TagCount) != 1 {
		t.Fatalf("moto copy %q %+v", got, out)
	}
	if status(src, "src", "old", old) != "" {
		t.Fatal("an existing object was replicated before it was asked for")
	}
	admin(t, srcProc.URL, "replicate", "--existing", "src")
	waitStatus(t, src, "src", "old", old, types.ReplicationStatusCompleted, 60*time.Second)
	if got, _ := get(t, mc, "moto-dst", "old", ""); string(got) != "existed before the rule" {
		t.Fatalf("existing object on moto: %q", got)
	}
	if _, err := src.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("src"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, ms := versions(t, mc, "moto-dst", "k")
		if len(ms) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("delete marker not replicated to moto")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if vs, _ := versions(t, mc, "moto-dst", "k"); len(vs) != 1 {
		t.Fatalf("moto has %d versions of k, want 1", len(vs))
	}
}
