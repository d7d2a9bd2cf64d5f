package replicate

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"time"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/worker"
)

// Replication runs in lanes, one per destination (a rule's destination
// bucket ARN), each reading the journal from its own durable cursor
// (CursorName), so a destination that is down or slow holds back only
// itself: the others keep replicating, and it catches up, in order, when
// it is back. The base lane, on the cursor meta.ReplicationCursor, starts
// the lane of each destination a configuration names (its cursor created
// just before the first record it must see) and fails the PENDING
// versions no rule selects any more. A version selected for several
// destinations becomes COMPLETED when the last of its lanes copied it
// (finish); the lanes run in one process (the job's lease holder).

// lanePrefix begins every destination lane's cursor name.
const lanePrefix = meta.ReplicationCursor + ":"

// CursorName is the journal cursor of the lane of destination arn.
func CursorName(arn string) string { return lanePrefix + arn }

// Lane timings.
const (
	pruneInterval      = 5 * time.Second
	reportInterval     = time.Second
	cursorSaveInterval = 250 * time.Millisecond
	idleWait           = 10 * time.Second
)

// lanes is the running lanes' state.
type lanes struct {
	mu sync.Mutex
	// pos is the seq each running lane has handled through.
	pos map[string]int64
	// lag is how old the oldest record a lane has not handled is (nanoseconds).
	lag  map[string]int64
	stop map[string]func() // cancels the lane and waits for it to end
	// start starts a lane (set for the run; called with mu held).
	start func(arn string, from int64)
	// figures are the lanes' pending records and lag at the last report.
	figures []DestinationStats
}

// run is one run of the job: the base lane and the destination lanes,
// until ctx ends.
func (r *Replicator) run(ctx context.Context, run *worker.Run) error {
	base, err := r.cfg.Meta.GetJournalCursor(ctx, meta.ReplicationCursor)
	if errors.Is(err, meta.ErrNoSuchCursor) {
		// No replication configuration was ever stored (PutBucketReplication
		// creates the cursor): nothing to read, and no journal held back.
		// Look again soon (one row read), so a first rule acts at once.
		pause(ctx, time.Second)
		return nil
	}
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	l := &r.lanes
	l.mu.Lock()
	l.pos, l.lag, l.stop = map[string]int64{}, map[string]int64{}, map[string]func(){}
	l.start = func(arn string, from int64) {
		if _, ok := l.stop[arn]; ok {
			return
		}
		lctx, lcancel := context.WithCancel(ctx)
		done := make(chan struct{})
		l.stop[arn] = func() { lcancel(); <-done }
		l.pos[arn] = from
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done)
			r.lane(lctx, run, arn, from)
		}()
	}
	l.mu.Unlock()
	defer func() {
		cancel()
		wg.Wait()
	}()
	cs, err := r.cfg.Meta.ListJournalCursors(ctx)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if arn, ok := strings.CutPrefix(c.Name, lanePrefix); ok {
			l.mu.Lock()
			l.start(arn, c.Seq)
			l.mu.Unlock()
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.baseLane(ctx, run, base.Seq)
	}()
	t := time.NewTicker(reportInterval)
	defer t.Stop()
	lastPrune := time.Now()
	for {
		r.report(ctx, run)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if time.Since(lastPrune) < pruneInterval {
			continue
		}
		lastPrune = time.Now()
		if err := r.prune(ctx); err != nil && ctx.Err() == nil {
			r.cfg.Logger.Warn("replication: listing destinations", "err", err)
		}
	}
}

// ensureLane starts the lane of arn, creating its cursor at seq at if it
// has none.
func (r *Replicator) ensureLane(ctx context.Context, arn string, at int64) error {
	l := &r.lanes
	l.mu.Lock()
	_, running := l.stop[arn]
	l.mu.Unlock()
	if running {
		return nil
	}
	from := at
	c, err := r.cfg.Meta.GetJournalCursor(ctx, CursorName(arn))
	switch {
	case errors.Is(err, meta.ErrNoSuchCursor):
		if err := r.cfg.Meta.SetJournalCursor(ctx, CursorName(arn), at); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		from = c.Seq
	}
	l.mu.Lock()
	if ctx.Err() == nil {
		l.start(arn, from)
	}
	l.mu.Unlock()
	return nil
}

// prune stops the lanes of destinations no configuration names any more
// and removes their cursors, so the journal is not kept for them.
func (r *Replicator) prune(ctx context.Context) error {
	// Only lanes running before the configurations are read: a lane the
	// base lane starts meanwhile is for a configuration the listing may miss.
	l := &r.lanes
	l.mu.Lock()
	running := make([]string, 0, len(l.stop))
	for arn := range l.stop {
		running = append(running, arn)
	}
	l.mu.Unlock()
	named := map[string]bool{}
	after := ""
	for {
		bs, err := r.cfg.Meta.ListBuckets(ctx, "", "", after, 1000)
		if err != nil {
			return err
		}
		for _, b := range bs {
			if rc := b.Config.Replication; rc != nil {
				for _, ru := range rc.Rules {
					named[ru.Destination.Bucket] = true
				}
			}
		}
		if len(bs) < 1000 {
			break
		}
		after = bs[len(bs)-1].Name
	}
	var gone []string
	for _, arn := range running {
		if !named[arn] {
			gone = append(gone, arn)
		}
	}
	for _, arn := range gone {
		l.mu.Lock()
		stop := l.stop[arn]
		l.mu.Unlock()
		if stop == nil {
			continue
		}
		stop() // outside mu: the lane may be in finish
		l.mu.Lock()
		delete(l.stop, arn)
		delete(l.pos, arn)
		delete(l.lag, arn)
		l.mu.Unlock()
		if err := r.cfg.Meta.DeleteJournalCursor(ctx, CursorName(arn)); err != nil {
			return err
		}
		r.cfg.Logger.Info("replication: destination no longer configured; its lane stopped", "destination", arn)
	}
	return nil
}

// lane replicates to destination arn: it reads the journal after its
// cursor and handles each record for arn, in order. A failure retries
// the record after a growing pause, so nothing is skipped; other lanes
// go on meanwhile.
func (r *Replicator) lane(ctx context.Context, run *worker.Run, arn string, pos int64) {
	name := CursorName(arn)
	saved, lastSave := pos, time.Now()
	save := func(ctx context.Context) {
		if pos == saved {
			return
		}
		if err := r.cfg.Meta.SetJournalCursor(ctx, name, pos); err != nil {
			if ctx.Err() == nil {
				r.cfg.Logger.Warn("replication cursor not saved", "destination", arn, "err", err)
			}
			return
		}
		saved, lastSave = pos, time.Now()
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		save(sctx)
	}()
	var backoff time.Duration
	fails := 0
	for ctx.Err() == nil {
		recs, err := r.cfg.Meta.ReadJournal(ctx, pos, r.cfg.Batch)
		if errors.Is(err, meta.ErrJournalTrimmed) {
			// Records were trimmed unread: their versions stay PENDING, and
			// talus admin replicate --existing picks them up.
			last, lerr := r.cfg.Meta.JournalSeq(ctx)
			if lerr == nil {
				r.cfg.Logger.Error("replication fell behind the journal's retention; run talus admin replicate --existing on the source buckets", "destination", arn, "cursor", pos, "journal", last)
				pos = last
				r.advance(arn, pos, 0)
				save(ctx)
			}
			continue
		}
		if err != nil {
			if ctx.Err() == nil {
				r.cfg.Logger.Warn("replication: reading the journal", "destination", arn, "err", err)
				pause(ctx, r.cfg.RetryMin)
			}
			continue
		}
		if len(recs) == 0 {
			r.advance(arn, pos, 0)
			save(ctx)
			wctx, cancel := context.WithTimeout(ctx, idleWait)
			r.cfg.Meta.WaitJournal(wctx, pos)
			cancel()
			continue
		}
		buckets := map[string]*meta.Bucket{}
		for i := range recs {
			rec := &recs[i]
			err := r.handle(ctx, buckets, rec, arn)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				// The destination is unreachable or failing: keep the
				// record and retry it after a growing pause.
				backoff = min(max(backoff*2, r.cfg.RetryMin), r.cfg.RetryMax)
				run.Error(err)
				if fails++; fails&(fails-1) == 0 {
					r.cfg.Logger.Warn("replication failed; retrying", "destination", arn, "bucket", rec.Bucket, "key", rec.Key, "version", rec.VersionID,
						"failures", fails, "retry_in", backoff, "err", err)
				}
				r.advance(arn, pos, r.cfg.Now().Sub(rec.Time))
				r.retrying(ctx, buckets, rec, arn)
				save(ctx)
				pause(ctx, backoff)
				break
			}
			backoff, fails = 0, 0
			pos = rec.Seq
			r.advance(arn, pos, 0)
			run.Done(1)
		}
		if time.Since(lastSave) >= cursorSaveInterval {
			save(ctx)
		}
		run.At(arn + " seq " + itoa(pos))
	}
}

// advance records that lane arn has handled through seq, and how old its
// oldest unhandled record is.
func (r *Replicator) advance(arn string, seq int64, lag time.Duration) {
	l := &r.lanes
	l.mu.Lock()
	if _, ok := l.stop[arn]; ok {
		l.pos[arn] = max(l.pos[arn], seq)
		l.lag[arn] = int64(lag)
	}
	l.mu.Unlock()
}

// finish records the outcome of copying o to rule's destination (failed:
// refused for good) and sets the source's status: FAILED at once, or
// COMPLETED once every destination a rule selects it for has it.
func (r *Replicator) finish(ctx context.Context, o *meta.Object, rule *s3.ReplicationRule, rules []*s3.ReplicationRule, seq int64, failed error) error {
	l := &r.lanes
	l.mu.Lock()
	defer l.mu.Unlock()
	arn := rule.Destination.Bucket
	if _, ok := l.stop[arn]; ok {
		l.pos[arn] = max(l.pos[arn], seq)
	}
	if failed != nil {
		r.stats.failed.Add(1)
		return r.failed(ctx, o, rule, failed)
	}
	r.stats.replicated.Add(1)
	r.replicatedLate(ctx, o, rule)
	for _, ru := range rules {
		d := ru.Destination.Bucket
		if d == arn {
			continue
		}
		if p, ok := l.pos[d]; !ok || p < seq {
			return nil // that lane has not copied it yet: it finishes
		}
	}
	if len(rules) > 1 {
		// Another destination may have refused it (FAILED stays).
		cur, err := r.cfg.Meta.GetObject(ctx, o.Bucket, o.Key, o.VersionID)
		if errors.Is(err, meta.ErrNoSuchKey) || errors.Is(err, meta.ErrNoSuchVersion) {
			return nil
		}
		if err != nil {
			return err
		}
		if cur.Seq != o.Seq || cur.Attrs.ReplicationStatus != s3.ReplicationPending {
			return nil
		}
	}
	return r.setStatus(ctx, o, s3.ReplicationCompleted)
}

// baseLane starts the lanes of the destinations configurations name and
// fails PENDING versions that no rule selects any more (the configuration
// or the rule was deleted before they were copied).
func (r *Replicator) baseLane(ctx context.Context, run *worker.Run, pos int64) {
	saved := pos
	for ctx.Err() == nil {
		recs, err := r.cfg.Meta.ReadJournal(ctx, pos, r.cfg.Batch)
		if errors.Is(err, meta.ErrJournalTrimmed) {
			if last, lerr := r.cfg.Meta.JournalSeq(ctx); lerr == nil {
				pos = last
			}
			continue
		}
		if err == nil && len(recs) == 0 {
			if pos != saved {
				if err = r.cfg.Meta.SetJournalCursor(ctx, meta.ReplicationCursor, pos); err == nil {
					saved = pos
				}
			}
			wctx, cancel := context.WithTimeout(ctx, idleWait)
			r.cfg.Meta.WaitJournal(wctx, pos)
			cancel()
			continue
		}
		buckets := map[string]*meta.Bucket{}
		for i := 0; err == nil && i < len(recs); i++ {
			if err = r.baseRecord(ctx, buckets, &recs[i]); err == nil {
				pos = recs[i].Seq
			}
		}
		if err == nil && pos != saved {
			if err = r.cfg.Meta.SetJournalCursor(ctx, meta.ReplicationCursor, pos); err == nil {
				saved = pos
			}
		}
		if err != nil && ctx.Err() == nil {
			run.Error(err)
			r.cfg.Logger.Warn("replication: base lane", "err", err)
			pause(ctx, r.cfg.RetryMin)
		}
	}
}

func (r *Replicator) baseRecord(ctx context.Context, buckets map[string]*meta.Bucket, rec *meta.Record) error {
	b, err := r.bucket(ctx, buckets, rec.Bucket)
	if err != nil || b == nil {
		return err
	}
	rc := b.Config.Replication
	if rc != nil {
		for _, ru := range rc.Rules {
			// The lane's cursor, if new, is just before this record.
			if err := r.ensureLane(ctx, ru.Destination.Bucket, rec.Seq-1); err != nil {
				return err
			}
		}
	}
	if rec.Type != meta.RecordCreate || !rec.Pending || rec.Replica {
		return nil
	}
	ro := s3.ReplicationObject{Key: rec.Key, Tags: rec.Tags, SSEC: rec.Encryption == "SSE-C", SSEKMS: strings.HasSuffix(rec.Encryption, "SSE-KMS")}
	if len(rc.Select(ro)) > 0 {
		return nil // its lanes copy it
	}
	o, err := r.cfg.Meta.GetObject(ctx, rec.Bucket, rec.Key, rec.VersionID)
	if errors.Is(err, meta.ErrNoSuchKey) || errors.Is(err, meta.ErrNoSuchVersion) {
		return nil
	}
	if err != nil {
		return err
	}
	if o.Seq != rec.VersionSeq || o.Attrs.ReplicationStatus != s3.ReplicationPending || len(rc.Select(o.Replication())) > 0 {
		return nil
	}
	r.stats.failed.Add(1)
	return r.notTracked(ctx, o)
}

// report updates the pending count and lag: the slowest lane's.
func (r *Replicator) report(ctx context.Context, run *worker.Run) {
	last, err := r.cfg.Meta.JournalSeq(ctx)
	if err != nil {
		return
	}
	l := &r.lanes
	l.mu.Lock()
	low, lag := last, int64(0)
	figs := make([]DestinationStats, 0, len(l.pos))
	for arn, p := range l.pos {
		low, lag = min(low, p), max(lag, l.lag[arn])
		figs = append(figs, DestinationStats{ARN: arn, Pending: max(last-p, 0), Lag: time.Duration(l.lag[arn])})
	}
	sort.Slice(figs, func(i, j int) bool { return figs[i].ARN < figs[j].ARN })
	l.figures = figs
	l.mu.Unlock()
	r.stats.pending.Store(max(last-low, 0))
	r.stats.lagNanos.Store(lag)
	run.Backlog(max(last-low, 0))
}

// pause waits d or until ctx ends.
func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
