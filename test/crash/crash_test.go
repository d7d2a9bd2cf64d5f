// Package crash kills a real talus process with SIGKILL in the middle of
// write traffic and checks, after a restart on the same data directory, that
// every acknowledged write survived intact and nothing else became visible.
package crash

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/blob"
	"talus/internal/server"
	"talus/internal/testserver"
)

const (
	accessKey = "AKIATALUSCRASH000001"
	secretKey = "talus-crash-secret-key-0123456789abcdef"
	bucket    = "crash"
	inlineMax = 32 << 10 // the binary's default --inline-max

	writers       = 16
	keysPerWriter = 8
)

var ctx = context.Background()

// talusBin is the binary under test: $TALUS_BIN, or built once by TestMain.
var talusBin string

func TestMain(m *testing.M) {
	bin, cleanup, err := testserver.BuildBinary()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	talusBin = bin
	code := m.Run()
	cleanup()
	os.Exit(code)
}

// proc is a running talus process.
type proc struct {
	*testserver.Process
	t *testing.T
}

// start runs talus on dir with a kernel-chosen port and waits until it is ready.
func start(t *testing.T, dir string) *proc {
	t.Helper()
	return &proc{Process: testserver.StartProcess(t, talusBin, dir, accessKey, secretKey), t: t}
}

func (p *proc) client() *s3.Client {
	return testserver.NewClient(p.URL, accessKey, secretKey)
}

func (p *proc) kill() { p.t.Helper(); p.Kill(p.t) }

func (p *proc) stop() { p.t.Helper(); p.Stop(p.t) }

// version is one content a key can hold.
type version struct {
	md5  [16]byte
	size int64
}

func (v *version) etag() string { return `"` + hex.EncodeToString(v.md5[:]) + `"` }

func (v *version) String() string {
	if v == nil {
		return "<absent>"
	}
	return fmt.Sprintf("%d B md5 %x", v.size, v.md5)
}

// keyState is what a key may hold after a crash: its last acknowledged
// content (nil: absent), or, if a PUT of the key was in flight when the
// server died, that PUT's content. Each key is written by one goroutine at a
// time, so there is at most one write in flight per key.
type keyState struct {
	acked   *version
	pending *version
}

// model tracks every key the workload has touched.
type model struct {
	keys map[string]*keyState
}

func newModel() *model {
	m := &model{keys: map[string]*keyState{}}
	for g := 0; g < writers; g++ {
		for k := 0; k < keysPerWriter; k++ {
			m.keys[keyName(g, k)] = &keyState{}
		}
	}
	return m
}

func keyName(g, k int) string { return fmt.Sprintf("w%02d/key-%02d", g, k) }

// sizeOf draws an object size: empty, tiny, inline, small blob or 1-3 MiB blob.
func sizeOf(r *rand.Rand, blobsOnly bool) int {
	classes := []func() int{
		func() int { return 0 },
		func() int { return 1 << 10 },
		func() int { return 20 << 10 },
		func() int { return 100 << 10 },
		func() int { return 1<<20 + r.IntN(2<<20+1) },
	}
	if blobsOnly {
		classes = classes[3:]
	}
	return classes[r.IntN(len(classes))]()
}

// loadStats summarises one burst of traffic.
type loadStats struct {
	acked, inFlight, inFlightBlob int
}

// load runs writers goroutines of PUTs against p, kills p with SIGKILL after
// dur, and updates m: acknowledged PUTs become acked, the PUT each goroutine
// had outstanding at the kill becomes pending.
func load(t *testing.T, p *proc, m *model, dur time.Duration, seed uint64, blobsOnly bool) loadStats {
	t.Helper()
	c := p.client()
	var acked atomic.Int64
	underLoad(p, dur, seed, func(g int, r *rand.Rand, killed *atomic.Bool) {
		buf := make([]byte, 3<<20)
		for {
			key := keyName(g, r.IntN(keysPerWriter))
			st := m.keys[key]
			body := buf[:sizeOf(r, blobsOnly)]
			fillRandom(r, body)
			v := &version{md5: md5.Sum(body), size: int64(len(body))}
			st.pending = v
			_, err := c.PutObject(ctx, &s3.PutObjectInput{
				Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body),
			})
			if err != nil {
				if !killed.Load() {
					t.Errorf("PUT %s (%d B) failed before the kill: %v", key, len(body), err)
				}
				return // st.pending stays: the write may or may not have landed
			}
			st.acked, st.pending = v, nil
			acked.Add(1)
		}
	})
	s := loadStats{acked: int(acked.Load())}
	for _, st := range m.keys {
		if st.pending != nil {
			s.inFlight++
			if st.pending.size > inlineMax {
				s.inFlightBlob++
			}
		}
	}
	return s
}

// underLoad runs fn in writers goroutines, each with its own random
// source, kills p with SIGKILL after dur and waits for them. fn returns
// once a request fails; killed tells whether that came after the kill.
func underLoad(p *proc, dur time.Duration, seed uint64, fn func(g int, r *rand.Rand, killed *atomic.Bool)) {
	var killed atomic.Bool
	var wg sync.WaitGroup
	for g := 0; g < writers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(g, rand.New(rand.NewPCG(seed, uint64(g))), &killed)
		}()
	}
	time.Sleep(dur)
	killed.Store(true)
	p.kill()
	wg.Wait()
}

func fillRandom(r *rand.Rand, b []byte) {
	for len(b) >= 8 {
		v := r.Uint64()
		b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24), byte(v>>32), byte(v>>40), byte(v>>48), byte(v>>56)
		b = b[8:]
	}
	for i := range b {
		b[i] = byte(r.Uint32())
	}
}

// listed is one entry of a listing.
type listed struct {
	size int64
	etag string
}

func listAll(t *testing.T, c *s3.Client) map[string]listed {
	t.Helper()
	out := map[string]listed{}
	pg := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), MaxKeys: aws.Int32(50)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListObjectsV2: %v", err)
		}
		for _, o := range page.Contents {
			k := aws.ToString(o.Key)
			if _, dup := out[k]; dup {
				t.Errorf("listing returned %q twice", k)
			}
			out[k] = listed{size: aws.ToInt64(o.Size), etag: aws.ToString(o.ETag)}
		}
	}
	return out
}

// get reads key in full and returns its size and MD5.
func get(c *s3.Client, key string) (*version, error) {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	h := md5.New()
	n, err := io.Copy(h, out.Body)
	if err != nil {
		return nil, fmt.Errorf("reading body: %w", err)
	}
	if cl := aws.ToInt64(out.ContentLength); cl != n {
		return nil, fmt.Errorf("Content-Length %d but %d bytes", cl, n)
	}
	v := &version{size: n}
	h.Sum(v.md5[:0])
	return v, nil
}

// verify checks the restarted server p against m and then resolves m to what
// the server actually holds (no key pending any more). It returns the listing.
func verify(t *testing.T, p *proc, m *model) map[string]listed {
	t.Helper()
	c := p.client()
	list := listAll(t, c)
	for key := range list {
		if _, ok := m.keys[key]; !ok {
			t.Errorf("listing shows %q, which was never written", key)
		}
	}
	names := make([]string, 0, len(m.keys))
	for k := range m.keys {
		names = append(names, k)
	}
	sort.Strings(names)
	tookPending := 0
	for _, key := range names {
		st := m.keys[key]
		l, inList := list[key]
		if !inList {
			if st.acked != nil {
				_, err := get(c, key)
				t.Errorf("acknowledged %s (%v) missing from the listing (GET: %v)", key, st.acked, err)
			}
			// Absent is right when the key was never acknowledged; the
			// in-flight PUT, if any, did not land.
			st.pending = nil
			continue
		}
		if st.acked == nil && st.pending == nil {
			t.Errorf("listing shows %q (%d B), which was never acknowledged nor in flight", key, l.size)
			continue
		}
		got, err := get(c, key)
		if err != nil {
			t.Errorf("GET %s (listed, %d B): %v", key, l.size, err)
			continue
		}
		if got.size != l.size {
			t.Errorf("GET %s: %d bytes, listing says %d", key, got.size, l.size)
		}
		switch {
		case st.acked != nil && *got == *st.acked:
		case st.pending != nil && *got == *st.pending:
			tookPending++
		default:
			t.Errorf("%s holds %v; want the acknowledged %v or the in-flight %v", key, got, st.acked, st.pending)
			continue
		}
		if l.etag != got.etag() {
			t.Errorf("%s: listed ETag %s, content MD5 %s", key, l.etag, got.etag())
		}
		st.acked, st.pending = got, nil
	}
	t.Logf("verified %d listed objects (%d hold the write that was in flight at the kill)", len(list), tookPending)
	return list
}

// TestKillDuringWrites runs three cycles of write load, SIGKILL mid-traffic
// and restart over the same data directory.
func TestKillDuringWrites(t *testing.T) {
	dir := t.TempDir()
	p := start(t, dir)
	if _, err := p.client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	m := newModel()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	for cycle := 1; cycle <= 3; cycle++ {
		dur := 1500*time.Millisecond + time.Duration(rand.IntN(1000))*time.Millisecond
		s := load(t, p, m, dur, seed+uint64(cycle), false)
		t.Logf("cycle %d: killed after %v; %d PUTs acknowledged, %d in flight (%d of them blob-sized)",
			cycle, dur.Round(time.Millisecond), s.acked, s.inFlight, s.inFlightBlob)
		if s.acked == 0 {
			t.Fatalf("cycle %d: no PUT was acknowledged before the kill:\n%s", cycle, p.Log())
		}
		p = start(t, dir)
		verify(t, p, m)
		if t.Failed() {
			t.Fatalf("cycle %d failed; server log:\n%s", cycle, p.Log())
		}
	}
	p.stop()
}

// blobFiles counts committed blobs (root/ab/cd/<id>) and files left in tmp/.
func blobFiles(t *testing.T, root string) (blobs, temps int) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		name := d.Name()
		switch {
		case strings.HasPrefix(rel, "tmp/"):
			temps++
		case blob.ValidID(name) && rel == name[:2]+"/"+name[2:4]+"/"+name:
			blobs++
		default:
			t.Errorf("unexpected file in the blob store: %s", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking %s: %v", root, err)
	}
	return blobs, temps
}

// TestCrashOrphanBlobs crashes the server while blob-sized PUTs are in flight
// and checks that the blobs they leave behind are invisible through S3, are
// all unreferenced, and are exactly what the orphan sweeper removes.
func TestCrashOrphanBlobs(t *testing.T) {
	dir := t.TempDir()
	p := start(t, dir)
	if _, err := p.client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	m := newModel()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	s := load(t, p, m, 1500*time.Millisecond, seed, true)
	t.Logf("killed with %d PUTs acknowledged, %d in flight", s.acked, s.inFlight)

	root := filepath.Join(dir, "blobs")
	onDisk, temps := blobFiles(t, root)

	p = start(t, dir)
	list := verify(t, p, m)
	referenced := 0
	for _, l := range list {
		if l.size > inlineMax {
			referenced++ // no versioning: one blob per live blob-sized object
		}
	}
	orphans := onDisk - referenced
	t.Logf("after the crash: %d blob files, %d referenced, %d orphans, %d temp files", onDisk, referenced, orphans, temps)
	if orphans < 0 {
		t.Fatalf("%d live blob-sized objects but only %d blob files", referenced, onDisk)
	}
	// Each in-flight PUT leaves at most one orphan: its own uncommitted blob,
	// or the blob it replaced when it committed but died before deleting it.
	if orphans > s.inFlight {
		t.Errorf("%d orphan blobs, but only %d PUTs were in flight", orphans, s.inFlight)
	}
	p.stop()

	// Run the server's own sweeper over the data with no grace period.
	srv, err := server.New(server.Config{
		Address: "127.0.0.1:0", DataDir: dir, Region: testserver.Region,
		AccessKey: accessKey, SecretKey: secretKey, InlineMax: inlineMax,
		SweepGrace: time.Nanosecond,
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatalf("listen: %v", err)
	}
	go srv.Serve()
	defer srv.Shutdown(ctx)
	removed, err := srv.Sweep(ctx)
	if err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	left, tempsLeft := blobFiles(t, root)
	t.Logf("sweep removed %d blobs; %d blob files and %d temp files left", removed, left, tempsLeft)
	if removed != orphans {
		t.Errorf("sweep removed %d blobs, want the %d orphans", removed, orphans)
	}
	if left != referenced {
		t.Errorf("%d blob files after the sweep, want %d (one per live blob-sized object)", left, referenced)
	}
	if tempsLeft != 0 {
		t.Errorf("%d temp files left after the sweep", tempsLeft)
	}
	// Nothing live went with the orphans.
	in := &proc{Process: &testserver.Process{URL: "http://" + srv.Addr().String()}, t: t}
	verify(t, in, m)
}
