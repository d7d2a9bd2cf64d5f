package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"talus/internal/meta"
)

// TestConditionalPutAcrossPools: gateways (stores with pools of their own)
// race If-None-Match PUTs of one key: exactly one wins. Meanwhile they also
// write other keys, and a reader follows the journal as it grows: every
// page resumes exactly after the last record read, so no later seq was
// ever visible before an earlier one, and at the end the reader has seen
// every seq from 1 to the last, each once.
func TestConditionalPutAcrossPools(t *testing.T) {
	dsn := freshDSN(t)
	const gateways, racers, fillers = 3, 8, 4
	stores := make([]*Store, gateways)
	for i := range stores {
		stores[i] = openStore(t, dsn)
		defer stores[i].Close()
	}
	ctx := context.Background()
	if err := stores[0].CreateBucket(ctx, meta.Bucket{Name: "b", Owner: "o"}); err != nil {
		t.Fatal(err)
	}
	reader := openStore(t, dsn)
	defer reader.Close()

	stop := make(chan struct{})
	var readErr error
	var seen []int64
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		var last int64
		for {
			// The reader is done after an empty read that began once the
			// writers had all returned: it then holds every record.
			stopped := false
			select {
			case <-stop:
				stopped = true
			default:
			}
			recs, err := reader.ReadJournal(ctx, last, 50)
			if err != nil {
				readErr = err
				return
			}
			for _, r := range recs {
				if r.Seq != last+1 {
					readErr = fmt.Errorf("record %d read right after %d", r.Seq, last)
					return
				}
				last = r.Seq
				seen = append(seen, r.Seq)
			}
			if len(recs) == 0 && stopped {
				return
			}
		}
	}()

	ifNoneMatch := meta.PutOptions{Check: func(cur *meta.Object) error {
		if cur != nil {
			return meta.ErrPreconditionFailed
		}
		return nil
	}}
	var wins, refused atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < racers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			o := &meta.Object{Bucket: "b", Key: "contested", ETag: fmt.Sprintf(`"%d"`, i), Inline: []byte{byte(i)}}
			_, err := stores[i%gateways].PutObject(ctx, o, ifNoneMatch)
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, meta.ErrPreconditionFailed):
				refused.Add(1)
			default:
				t.Errorf("racer %d: %v", i, err)
			}
		}(i)
	}
	for i := 0; i < fillers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			for j := 0; j < 25; j++ {
				o := &meta.Object{Bucket: "b", Key: fmt.Sprintf("fill/%d/%d", i, j), ETag: `"f"`}
				if _, err := stores[i%gateways].PutObject(ctx, o, meta.PutOptions{}); err != nil {
					t.Errorf("filler %d: %v", i, err)
					return
				}
			}
		}(i)
	}
	close(start)
	wg.Wait()
	close(stop)
	select {
	case <-readDone:
	case <-time.After(2 * time.Minute):
		t.Fatal("journal reader did not finish")
	}
	if readErr != nil {
		t.Fatalf("journal reader: %v", readErr)
	}
	if wins.Load() != 1 || refused.Load() != racers-1 {
		t.Fatalf("%d conditional PUTs won and %d were refused; want 1 and %d", wins.Load(), refused.Load(), racers-1)
	}
	last, err := reader.JournalSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := int64(1 + fillers*25)
	if last != want || int64(len(seen)) != want {
		t.Fatalf("journal ends at %d and the reader saw %d records; want %d of each", last, len(seen), want)
	}
	for i, seq := range seen {
		if seq != int64(i+1) {
			t.Fatalf("record %d has seq %d", i, seq)
		}
	}
	o, err := reader.GetObject(ctx, "b", "contested", "")
	if err != nil || o.VersionID != meta.NullVersion {
		t.Fatalf("contested key: %+v, %v", o, err)
	}
}
