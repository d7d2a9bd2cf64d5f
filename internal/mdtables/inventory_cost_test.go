package mdtables

import (
	"fmt"
	"testing"
	"time"

	"talus/internal/meta"
)

// BenchmarkInventoryOneChange measures a run that brings a live inventory
// table of 10,000 objects up to date after one object changed: the
// per-run cost of keeping the inventory fresh.
//
//	go test -run XXX -bench InventoryOneChange -benchtime 5x ./internal/mdtables/
func BenchmarkInventoryOneChange(b *testing.B) {
	t := &testing.T{}
	e := newEnv(t)
	e.t = t
	for i := range 10000 {
		o := &meta.Object{Bucket: "src", Key: fmt.Sprintf("k%05d", i), Size: 1, ETag: `"e"`, Modified: time.Now(), Inline: []byte("x")}
		if _, err := e.m.PutObject(ctx, o, meta.PutOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	e.configure(true, 0)
	if err := e.w.RunOnce(ctx); err != nil { // the backfill
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		o := &meta.Object{Bucket: "src", Key: fmt.Sprintf("k%05d", i%10000), Size: 2, ETag: `"f"`, Modified: time.Now(), Inline: []byte("xy")}
		if _, err := e.m.PutObject(ctx, o, meta.PutOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := e.w.RunOnce(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
