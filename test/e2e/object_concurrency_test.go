package e2e

import (
	"bytes"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

func TestObjectOverwriteAtomic(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "atomic")
	const writers, rounds, readers = 4, 12, 4
	// Bodies alternate between inline and blob storage.
	bodies := map[string][]byte{}
	var order [writers][][]byte
	for w := range writers {
		for i := range rounds {
			size := 1 << 10
			if (w+i)%2 == 0 {
				size = 200<<10 + w*1000 + i
			}
			b := randBytes(uint64(w*1000+i+1), size)
			bodies[etagFor(b)] = b
			order[w] = append(order[w], b)
		}
	}
	first := order[0][0]
	mustPut(t, c, "atomic", "hot", first)

	var done atomic.Bool
	var wg, rwg sync.WaitGroup
	var reads atomic.Int64
	errs := make(chan error, writers+readers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, b := range order[w] {
				if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("atomic"), Key: aws.String("hot"), Body: bytes.NewReader(b)}); err != nil {
					errs <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
			}
		}()
	}
	for r := range readers {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			for !done.Load() || reads.Load() < 20 {
				in := &s3.GetObjectInput{Bucket: aws.String("atomic"), Key: aws.String("hot")}
				if r%2 == 1 {
					in.Range = aws.String("bytes=512-")
				}
				out, err := c.GetObject(ctx, in)
				if err != nil {
					errs <- fmt.Errorf("reader %d: %w", r, err)
					return
				}
				var buf bytes.Buffer
				_, err = buf.ReadFrom(out.Body)
				out.Body.Close()
				if err != nil {
					errs <- fmt.Errorf("reader %d: reading body: %w", r, err)
					return
				}
				etag := aws.ToString(out.ETag)
				want, ok := bodies[etag]
				switch {
				case !ok:
					errs <- fmt.Errorf("reader %d: unknown ETag %s", r, etag)
					return
				case r%2 == 0 && etagFor(buf.Bytes()) != etag:
					errs <- fmt.Errorf("reader %d: body of %d bytes does not match ETag %s", r, buf.Len(), etag)
					return
				case r%2 == 1 && (!bytes.Equal(buf.Bytes(), want[512:]) ||
					aws.ToString(out.ContentRange) != "bytes 512-"+strconv.Itoa(len(want)-1)+"/"+strconv.Itoa(len(want))):
					errs <- fmt.Errorf("reader %d: range of %d bytes (%s) does not match ETag %s", r, buf.Len(), aws.ToString(out.ContentRange), etag)
					return
				case aws.ToInt64(out.ContentLength) != int64(buf.Len()):
					errs <- fmt.Errorf("reader %d: Content-Length %d, body %d", r, aws.ToInt64(out.ContentLength), buf.Len())
					return
				}
				reads.Add(1)
			}
		}()
	}
	wg.Wait()
	done.Store(true)
	rwg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	// The survivor is one complete body, and only its blob remains.
	final := mustGet(t, c, "atomic", "hot")
	if _, ok := bodies[etagFor(final)]; !ok {
		t.Fatalf("final body (%d bytes) is none of the written ones", len(final))
	}
	if len(final) > 32<<10 {
		waitBlobCount(t, srv, 1)
	} else {
		waitBlobCount(t, srv, 0)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("atomic"), Key: aws.String("hot")}); err != nil {
		t.Fatal(err)
	}
	waitBlobCount(t, srv, 0)
}

func TestObjectBlobCleanup(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "blobs")
	big := func(seed uint64) []byte { return randBytes(seed, 32<<10+1+int(seed)) }

	// The inline threshold: 32 KiB stays in the metadata, one more byte does not.
	mustPut(t, c, "blobs", "edge", randBytes(1, 32<<10))
	waitBlobCount(t, srv, 0)
	mustPut(t, c, "blobs", "edge", randBytes(2, 32<<10+1))
	waitBlobCount(t, srv, 1)

	keys := []string{"a", "b", "c", "d/e"}
	for i, k := range keys {
		mustPut(t, c, "blobs", k, big(uint64(i)))
	}
	waitBlobCount(t, srv, 5)
	// Overwrite with other large bodies: old blobs are freed.
	for i, k := range keys {
		b := big(uint64(10 + i))
		mustPut(t, c, "blobs", k, b)
		if got := mustGet(t, c, "blobs", k); !bytes.Equal(got, b) {
			t.Fatalf("%s: wrong body after overwrite", k)
		}
	}
	waitBlobCount(t, srv, 5)
	// Large to inline, inline back to large.
	mustPut(t, c, "blobs", "a", []byte("small"))
	mustPut(t, c, "blobs", "b", nil)
	waitBlobCount(t, srv, 3)
	mustPut(t, c, "blobs", "a", big(20))
	waitBlobCount(t, srv, 4)
	// Deletes, single and multiple.
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("blobs"), Key: aws.String("c")}); err != nil {
		t.Fatal(err)
	}
	waitBlobCount(t, srv, 3)
	_, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("blobs"), Delete: &types.Delete{Quiet: aws.Bool(true), Objects: objectIDs("a", "b", "d/e", "edge")}})
	if err != nil {
		t.Fatal(err)
	}
	waitBlobCount(t, srv, 0)
	// Refused conditional writes leave nothing behind either.
	mustPut(t, c, "blobs", "cond", big(30))
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("blobs"), Key: aws.String("cond"), Body: bytes.NewReader(big(31)), IfNoneMatch: aws.String("*")})
	mustCode(t, err, "PreconditionFailed")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("blobs"), Key: aws.String("cond"), Body: bytes.NewReader(big(32)), IfMatch: aws.String(`"nope"`)})
	mustCode(t, err, "PreconditionFailed")
	waitBlobCount(t, srv, 1)
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("blobs"), Key: aws.String("cond")}); err != nil {
		t.Fatal(err)
	}
	waitBlobCount(t, srv, 0)
	// Data survives a restart over the same directory, and is still freed.
	mustPut(t, c, "blobs", "persist", big(40))
	srv.Stop(t)
	srv2 := testserver.Start(t, testserver.WithDir(srv.Dir))
	c2 := srv2.Client()
	if got := mustGet(t, c2, "blobs", "persist"); !bytes.Equal(got, big(40)) {
		t.Fatal("wrong body after restart")
	}
	if _, err := c2.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("blobs"), Key: aws.String("persist")}); err != nil {
		t.Fatal(err)
	}
	waitBlobCount(t, srv2, 0)
}
