package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"talus/internal/meta"
)

// TestJournalSeqsGapFreeAfterRollback: writes that append a record and then
// fail, alone or sharing a group commit with writes that succeed, take
// their seqs back, so committed seqs stay consecutive.
func TestJournalSeqsGapFreeAfterRollback(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	fail := errors.New("fail after the record")
	write := func(i int) error {
		return s.write(func(tx *wtx) error {
			if err := s.journal(ctx, tx, meta.RecordCreate, meta.EventPut, &meta.Object{Bucket: "b", Key: fmt.Sprint(i), VersionID: meta.NullVersion}); err != nil {
				return err
			}
			if i%3 == 0 {
				return fail
			}
			return nil
		})
	}
	// Alone in its transaction, then many at once.
	if err := write(0); !errors.Is(err, fail) {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	committed := map[string]bool{}
	for i := 1; i <= 300; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := write(i)
			switch {
			case err == nil:
				mu.Lock()
				committed[fmt.Sprint(i)] = true
				mu.Unlock()
			case !errors.Is(err, fail):
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	recs, err := s.ReadJournal(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(committed) || len(committed) != 200 {
		t.Fatalf("%d records, %d committed", len(recs), len(committed))
	}
	for i, r := range recs {
		if r.Seq != int64(i+1) || !committed[r.Key] {
			t.Fatalf("record %d: seq %d key %s (committed %v)", i, r.Seq, r.Key, committed[r.Key])
		}
	}
	if last, _ := s.JournalSeq(ctx); last != 200 {
		t.Fatalf("JournalSeq = %d", last)
	}
}
