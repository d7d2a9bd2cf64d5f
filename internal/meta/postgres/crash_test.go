package postgres

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"talus/internal/meta"
	"talus/internal/meta/postgres/pgtest"
)

// TestDatabaseKilledMidLoad: the PostgreSQL server is killed with SIGKILL
// (every process at once) while writers PUT; after a restart every PUT
// that was acknowledged is there, and the journal holds a record of each,
// numbered gap-free (records committed but not yet numbered when the
// server died are numbered once it is back).
func TestDatabaseKilledMidLoad(t *testing.T) {
	srv := pgtest.StartServer(t)
	dsn := srv.NewDatabase(t)
	u, _ := url.Parse(dsn)
	db := strings.TrimPrefix(u.Path, "/")
	s := openStore(t, dsn)
	ctx := context.Background()
	if err := s.CreateBucket(ctx, meta.Bucket{Name: "b", Owner: "o"}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	acked := map[string]bool{}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				key := fmt.Sprintf("w%d/%06d", w, i)
				if _, err := s.PutObject(ctx, &meta.Object{Bucket: "b", Key: key, ETag: `"e"`, Inline: []byte(key)}, meta.PutOptions{}); err != nil {
					return // the server is gone
				}
				mu.Lock()
				acked[key] = true
				mu.Unlock()
			}
		}(w)
	}
	// Kill once a good number of writes went through.
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d writes in two minutes", n)
		}
	}
	srv.Kill()
	wg.Wait()
	s.Close()
	srv.Restart(t)

	s2 := openStore(t, srv.DSN(db))
	defer s2.Close()
	for key := range acked {
		o, err := s2.GetObject(ctx, "b", key, "")
		if err != nil || string(o.Inline) != key {
			t.Fatalf("acknowledged %s after the crash: %+v, %v", key, o, err)
		}
	}
	// Every committed object has its journal record, numbered 1..n.
	var objects int
	if err := s2.db.QueryRowContext(ctx, `SELECT count(*) FROM versions`).Scan(&objects); err != nil {
		t.Fatal(err)
	}
	var recs []meta.Record
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		var err error
		if recs, err = s2.ReadJournal(ctx, 0, 1<<20); err != nil {
			t.Fatal(err)
		}
		if len(recs) >= objects || time.Now().After(deadline) {
			break
		}
	}
	if len(recs) != objects {
		t.Fatalf("%d objects but %d journal records after the crash", objects, len(recs))
	}
	for i, r := range recs {
		if r.Seq != int64(i+1) {
			t.Fatalf("journal record %d has seq %d", i, r.Seq)
		}
	}
	t.Logf("%d writes acknowledged before the kill, %d objects and records after", len(acked), objects)
}
