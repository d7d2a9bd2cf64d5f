package crash

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/meta"
	"talus/internal/meta/sqlite"
)

// change is one version a write made: a new version or a delete marker.
type change struct {
	key, versionID string
	marker         bool
}

func (c change) String() string { return fmt.Sprintf("%s@%s marker=%v", c.key, c.versionID, c.marker) }

// TestJournalKilledUnderLoad kills the server with SIGKILL while writers
// put and delete in a versioned bucket, three times over. After each kill
// the journal, read from the metadata store directly, must hold exactly
// one record per committed version (so every acknowledged write has one
// record, and a write that did not commit has none), with gap-free seqs.
func TestJournalKilledUnderLoad(t *testing.T) {
	dir := t.TempDir()
	const b = "journal-crash"
	p := start(t, dir)
	c := p.client()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	acked := map[change]bool{}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	for cycle := 1; cycle <= 3; cycle++ {
		c := p.client()
		var n atomic.Int64
		dur := 1200*time.Millisecond + time.Duration(rand.IntN(800))*time.Millisecond
		underLoad(p, dur, seed+uint64(cycle), func(g int, r *rand.Rand, killed *atomic.Bool) {
			var mine []string
			for i := 0; ; i++ {
				var ch change
				if len(mine) > 0 && r.IntN(4) == 0 {
					key := mine[r.IntN(len(mine))]
					out, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b), Key: aws.String(key)})
					if err != nil {
						if !killed.Load() {
							t.Errorf("DELETE %s failed before the kill: %v", key, err)
						}
						return
					}
					ch = change{key, aws.ToString(out.VersionId), true}
				} else {
					key := fmt.Sprintf("c%d/w%02d/%06d", cycle, g, i)
					body := make([]byte, r.IntN(3)*20<<10) // empty, inline or blob-sized
					out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(key), Body: bytes.NewReader(body)})
					if err != nil {
						if !killed.Load() {
							t.Errorf("PUT %s failed before the kill: %v", key, err)
						}
						return
					}
					ch = change{key, aws.ToString(out.VersionId), false}
					mine = append(mine, key)
				}
				mu.Lock()
				acked[ch] = true
				mu.Unlock()
				n.Add(1)
			}
		})
		if n.Load() == 0 {
			t.Fatalf("cycle %d: nothing acknowledged before the kill:\n%s", cycle, p.Log())
		}
		journaled, committed := journalAndVersions(t, filepath.Join(dir, "meta.db"), b)
		for ch := range acked {
			if journaled[ch] != 1 {
				t.Errorf("acknowledged %v has %d journal records", ch, journaled[ch])
			}
		}
		for ch, count := range journaled {
			if count != 1 || !committed[ch] {
				t.Errorf("journal has %d records of %v, committed: %v", count, ch, committed[ch])
			}
		}
		for ch := range committed {
			if journaled[ch] == 0 {
				t.Errorf("committed %v has no journal record", ch)
			}
		}
		t.Logf("cycle %d: %d writes acknowledged, %d versions committed, %d records", cycle, n.Load(), len(committed), len(journaled))
		if t.Failed() {
			t.FailNow()
		}
		p = start(t, dir)
	}
	p.stop()
}

// journalAndVersions opens the stopped server's metadata store and returns
// how many journal records name each change, and every version of bucket.
func journalAndVersions(t *testing.T, path, bucket string) (map[change]int, map[change]bool) {
	t.Helper()
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	journaled := map[change]int{}
	var seqs []int64
	for after := int64(0); ; {
		recs, err := s.ReadJournal(ctx, after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			break
		}
		for _, r := range recs {
			if r.Bucket != bucket || (r.Type == meta.RecordDelete) != r.DeleteMarker || (r.Type != meta.RecordCreate && r.Type != meta.RecordDelete) {
				t.Errorf("unexpected record %+v", r)
			}
			journaled[change{r.Key, r.VersionID, r.DeleteMarker}]++
			seqs = append(seqs, r.Seq)
			after = r.Seq
		}
	}
	if len(seqs) == 0 {
		t.Fatal("the journal is empty")
	}
	if !sort.SliceIsSorted(seqs, func(i, j int) bool { return seqs[i] < seqs[j] }) || seqs[len(seqs)-1]-seqs[0] != int64(len(seqs)-1) {
		t.Errorf("journal seqs are not gap-free: %d records from %d to %d", len(seqs), seqs[0], seqs[len(seqs)-1])
	}
	if last, err := s.JournalSeq(ctx); err != nil || last != seqs[len(seqs)-1] {
		t.Errorf("JournalSeq = %d, %v; last record %d", last, err, seqs[len(seqs)-1])
	}
	committed := map[change]bool{}
	var cur meta.VersionCursor
	for {
		vs, err := s.ScanVersions(ctx, bucket, "", cur, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) == 0 {
			break
		}
		for _, v := range vs {
			committed[change{v.Key, v.VersionID, v.DeleteMarker}] = true
			cur = meta.VersionCursor{Key: v.Key, Seq: v.Seq}
		}
	}
	return journaled, committed
}
