package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// opKind is what one timed request (or, for uploads, request sequence) was.
type opKind int

const (
	kPut opKind = iota
	kGet
	kDelete
	kList
	kUpload // a whole multipart upload
	kCreate // CreateMultipartUpload
	kPart   // UploadPart
	kComplete
	nKinds
)

var kindNames = [nKinds]string{"put", "get", "delete", "list", "upload", "create", "part", "complete"}

type kindStats struct {
	hist   *Histogram
	ops    int64 // successful
	bytes  int64
	items  int64 // list: objects listed
	errs   map[string]int64
	sample string // first error message
}

// stats belongs to one worker; mu is only contended by a multipart
// upload's part goroutines.
type stats struct {
	mu sync.Mutex
	k  [nKinds]*kindStats
}

func (s *stats) kind(k opKind) *kindStats {
	if s.k[k] == nil {
		s.k[k] = &kindStats{hist: NewHistogram(), errs: map[string]int64{}}
	}
	return s.k[k]
}

// live counters feed the progress line.
type live struct {
	ops, bytes, errs, items atomic.Int64
}

type runner struct {
	cfg  *Config
	c    *client
	pat  *pattern
	base string // key prefix of this workload: Prefix + workload + "/"
	live live

	seq     atomic.Int64 // put sequence
	tickets atomic.Int64
	limit   int64 // ops limit (0 = none)
	stopped atomic.Bool
	ctx     context.Context // measured phase; cancelled on interrupt

	mu    sync.Mutex
	fresh []string // mixed: keys put during the run, for deletes to take
}

func (r *runner) key(i int64) string {
	return r.base + fmt.Sprintf("%08d", i)
}

// record accounts for one finished operation. Operations cut short by
// cancellation (interrupt) are not counted.
func (r *runner) record(s *stats, k opKind, d time.Duration, bytes, items int64, err error) {
	if err != nil && r.ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	ks := s.kind(k)
	if err != nil {
		class := errorClass(err)
		ks.errs[class]++
		if ks.sample == "" {
			ks.sample = err.Error()
		}
	} else {
		ks.hist.Record(d)
		ks.ops++
		ks.bytes += bytes
		ks.items += items
	}
	s.mu.Unlock()
	switch {
	case k == kCreate || k == kComplete:
		// Part of an upload, which is what counts.
	case k == kPart:
		if err == nil {
			r.live.bytes.Add(bytes) // smoother than counting at completion
		}
	case err != nil:
		r.live.errs.Add(1)
	default:
		r.live.ops.Add(1)
		r.live.items.Add(items)
		if k != kUpload {
			r.live.bytes.Add(bytes)
		}
	}
}

// ticket reports whether another operation may start.
func (r *runner) ticket() (int64, bool) {
	if r.stopped.Load() || r.ctx.Err() != nil {
		return 0, false
	}
	t := r.tickets.Add(1)
	if r.limit > 0 && t > r.limit {
		return 0, false
	}
	return t - 1, true
}

// Run runs one benchmark: bucket, prepared objects, the measured phase,
// cleanup. It fails when the endpoint cannot be used at all (bucket or
// preparation failures, or every measured operation failing); other
// failures are counted in the result.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.Defaults(); err != nil {
		return nil, err
	}
	conns := max(cfg.Concurrency, cfg.PrepareConcurrency)
	if cfg.Workload == WorkloadMultipart {
		conns = max(conns, cfg.Concurrency*cfg.Uploads)
	}
	c, err := newClient(&cfg, conns)
	if err != nil {
		return nil, err
	}
	defer c.close()

	res := &Result{
		Workload: cfg.Workload, Endpoint: cfg.Endpoint, Bucket: cfg.Bucket, Size: cfg.Size,
		Objects: cfg.Objects, Concurrency: cfg.Concurrency, Payload: cfg.Payload, SSE: cfg.SSE,
	}
	if cfg.Workload == WorkloadMultipart {
		res.PartSize, res.Uploads, res.Objects = cfg.PartSize, cfg.Uploads, 0
	}
	if cfg.Workload == WorkloadMixed {
		res.Mix = cfg.Mix.String()
	}
	var rss *rssSampler
	if cfg.ServerPID > 0 {
		if rss, err = startRSS(cfg.ServerPID, 50*time.Millisecond); err != nil {
			return nil, err
		}
		defer func() {
			if rss != nil {
				rss.stop()
			}
		}()
	}

	maxBody := cfg.Size
	if cfg.Workload == WorkloadMultipart {
		maxBody = min(cfg.Size, cfg.PartSize)
	}
	r := &runner{
		cfg: &cfg, c: c, pat: newPattern(cfg.Seed, maxBody),
		base: cfg.Prefix + cfg.Workload + "/", ctx: ctx,
	}

	created, err := r.ensureBucket(ctx)
	if err != nil {
		return nil, fmt.Errorf("bucket %s at %s: %w", cfg.Bucket, cfg.Endpoint, err)
	}
	res.BucketCreated = created

	runErr := func() error {
		if n := r.prepareCount(); n > 0 {
			t0 := time.Now()
			if err := r.prepare(ctx, n); err != nil {
				return fmt.Errorf("preparing %d objects: %w", n, err)
			}
			res.Prepared = n
			res.PrepareSec = time.Since(t0).Seconds()
		}
		r.measure(ctx, res)
		if res.Ops == 0 && res.Errors > 0 {
			return fmt.Errorf("%s at %s: all %d operations failed (first error: %s)", cfg.Workload, cfg.Endpoint, res.Errors, res.ErrorSample)
		}
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted (%w)", ctx.Err())
		}
		return nil
	}()

	if !cfg.Keep {
		// Clean up even after an interrupt, within bounds.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Minute)
		t0 := time.Now()
		n, err := r.cleanup(cctx, created)
		cancel()
		res.Deleted = n
		res.CleanupSec = time.Since(t0).Seconds()
		if err != nil {
			res.CleanupError = err.Error()
		}
	}
	if rss != nil {
		res.ServerRSS = rss.stop()
		rss = nil
	}
	return res, runErr
}

func (r *runner) ensureBucket(ctx context.Context) (created bool, err error) {
	err = r.c.headBucket(ctx, r.cfg.Bucket)
	if err == nil {
		return false, nil
	}
	var se *s3Error
	if !errors.As(err, &se) || se.Status != 404 {
		return false, err
	}
	if err := r.c.createBucket(ctx, r.cfg.Bucket); err != nil {
		return false, err
	}
	return true, nil
}

func (r *runner) prepareCount() int64 {
	switch r.cfg.Workload {
	case WorkloadGet, WorkloadMixed, WorkloadList, WorkloadDelete:
		return int64(r.cfg.Objects)
	}
	return 0
}

// prepare puts objects 0..n-1, retrying each a few times.
func (r *runner) prepare(ctx context.Context, n int64) error {
	bodies := r.pat.bodies(r.cfg.Size)
	var next, done atomic.Int64
	var firstErr error
	var once sync.Once
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopProgress := r.progress("prepare", func() (string, bool) {
		d := done.Load()
		return fmt.Sprintf("%d/%d objects", d, n), d >= n
	})
	var wg sync.WaitGroup
	for range min(int64(r.cfg.PrepareConcurrency), n) {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= n || pctx.Err() != nil {
					return
				}
				var err error
				for try := range 3 {
					if try > 0 {
						time.Sleep(time.Duration(try) * 100 * time.Millisecond)
					}
					if err = r.c.put(pctx, r.cfg.Bucket, r.key(i), bodies[i%variants]); err == nil || pctx.Err() != nil {
						break
					}
				}
				if err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	stopProgress()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// measure runs the workload and fills in res.
func (r *runner) measure(ctx context.Context, res *Result) {
	cfg := r.cfg
	r.limit = cfg.Ops
	if cfg.Workload == WorkloadDelete && (r.limit == 0 || r.limit > int64(cfg.Objects)) {
		r.limit = int64(cfg.Objects)
	}
	workers := cfg.Concurrency
	if cfg.Workload == WorkloadMultipart {
		workers = cfg.Uploads
	}
	all := make([]*stats, workers)
	for i := range all {
		all[i] = &stats{}
	}
	start := time.Now()
	if cfg.Duration > 0 {
		t := time.AfterFunc(cfg.Duration, func() { r.stopped.Store(true) })
		defer t.Stop()
	}
	var last struct {
		t                   time.Time
		ops, bytes, items   int64
		rate, mibs, objRate float64
	}
	last.t = start
	stopProgress := r.progress(cfg.Workload, func() (string, bool) {
		now := time.Now()
		ops, bytes, items := r.live.ops.Load(), r.live.bytes.Load(), r.live.items.Load()
		dt := now.Sub(last.t).Seconds()
		if dt > 0.2 {
			last.rate = float64(ops-last.ops) / dt
			last.mibs = float64(bytes-last.bytes) / dt / (1 << 20)
			last.objRate = float64(items-last.items) / dt
			last.t, last.ops, last.bytes, last.items = now, ops, bytes, items
		}
		s := fmt.Sprintf("%4.0fs  ops %d  %.0f ops/s  %.1f MiB/s", now.Sub(start).Seconds(), ops, last.rate, last.mibs)
		if cfg.Workload == WorkloadList {
			s += fmt.Sprintf("  %.0f objects/s", last.objRate)
		}
		return s + fmt.Sprintf("  errors %d", r.live.errs.Load()), false
	})
	var wg sync.WaitGroup
	for w := range workers {
		s := all[w]
		rng := rand.New(rand.NewPCG(cfg.Seed, uint64(w)+1))
		wg.Go(func() { r.worker(s, rng) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	stopProgress()
	r.summarize(res, all, elapsed)
}

func (r *runner) worker(s *stats, rng *rand.Rand) {
	cfg := r.cfg
	ctx := r.ctx
	var listToken string
	var listSeen int64
	for {
		t, ok := r.ticket()
		if !ok {
			return
		}
		switch cfg.Workload {
		case WorkloadPut:
			r.opPut(s, r.nextPutKey())
		case WorkloadGet:
			r.opGet(s, r.key(rng.Int64N(int64(cfg.Objects))))
		case WorkloadDelete:
			t0 := time.Now()
			err := r.c.del(ctx, cfg.Bucket, r.key(t))
			r.record(s, kDelete, time.Since(t0), 0, 0, err)
		case WorkloadMixed:
			r.opMixed(s, rng)
		case WorkloadList:
			t0 := time.Now()
			n, next, truncated, err := r.c.listPage(ctx, cfg.Bucket, r.base, listToken, 1000)
			d := time.Since(t0)
			if err == nil {
				listSeen += int64(n)
				if !truncated && listSeen < int64(cfg.Objects) {
					err = fmt.Errorf("%w: a full listing returned %d objects, want %d", errShort, listSeen, cfg.Objects)
				}
			}
			r.record(s, kList, d, 0, int64(n), err)
			listToken = next
			if err != nil || !truncated {
				listToken, listSeen = "", 0 // start over
			}
		case WorkloadMultipart:
			r.opUpload(s, r.nextPutKey())
		}
	}
}

// nextPutKey is a fresh key, or one of the first Objects keys in turn.
func (r *runner) nextPutKey() string {
	i := r.seq.Add(1) - 1
	if r.cfg.Objects > 0 {
		i %= int64(r.cfg.Objects)
	}
	return r.key(i)
}

func (r *runner) bodyFor(key string, n int64) *body {
	bs := r.pat.bodies(n)
	h := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		h = (h ^ uint32(key[i])) * 16777619
	}
	return bs[h%variants]
}

func (r *runner) opPut(s *stats, key string) error {
	t0 := time.Now()
	err := r.c.put(r.ctx, r.cfg.Bucket, key, r.bodyFor(key, r.cfg.Size))
	r.record(s, kPut, time.Since(t0), r.cfg.Size, 0, err)
	return err
}

func (r *runner) opGet(s *stats, key string) {
	t0 := time.Now()
	n, err := r.c.get(r.ctx, r.cfg.Bucket, key)
	if err == nil && n != r.cfg.Size {
		err = fmt.Errorf("%w: GET %s returned %d bytes, want %d", errShort, key, n, r.cfg.Size)
	}
	r.record(s, kGet, time.Since(t0), n, 0, err)
}

func (r *runner) opMixed(s *stats, rng *rand.Rand) {
	m := r.cfg.Mix
	x := rng.IntN(m.Get + m.Put + m.Delete)
	switch {
	case x < m.Get:
		r.opGet(s, r.key(rng.Int64N(int64(r.cfg.Objects))))
	case x < m.Get+m.Put:
		key := r.base + "new/" + strconv.FormatInt(r.seq.Add(1)-1, 10)
		if r.opPut(s, key) == nil {
			r.mu.Lock()
			r.fresh = append(r.fresh, key)
			r.mu.Unlock()
		}
	default:
		r.mu.Lock()
		var key string
		if n := len(r.fresh); n > 0 {
			i := rng.IntN(n)
			key = r.fresh[i]
			r.fresh[i] = r.fresh[n-1]
			r.fresh = r.fresh[:n-1]
		}
		r.mu.Unlock()
		if key == "" {
			// Nothing put yet to delete: deleting a missing key is still a
			// DELETE (S3 answers 204).
			key = r.base + "new/missing-" + strconv.FormatInt(rng.Int64(), 36)
		}
		t0 := time.Now()
		err := r.c.del(r.ctx, r.cfg.Bucket, key)
		r.record(s, kDelete, time.Since(t0), 0, 0, err)
	}
}

// opUpload is one multipart upload: create, the parts with Concurrency in
// flight, complete. A failed upload is aborted.
func (r *runner) opUpload(s *stats, key string) {
	cfg := r.cfg
	ctx := r.ctx
	t0 := time.Now()
	id, err := r.c.createMultipart(ctx, cfg.Bucket, key)
	r.record(s, kCreate, time.Since(t0), 0, 0, err)
	if err != nil {
		r.record(s, kUpload, time.Since(t0), 0, 0, err)
		return
	}
	nParts := int((cfg.Size + cfg.PartSize - 1) / cfg.PartSize)
	etags := make([]string, nParts)
	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	for range min(cfg.Concurrency, nParts) {
		wg.Go(func() {
			for failed.Load() == nil {
				i := int(next.Add(1) - 1)
				if i >= nParts {
					return
				}
				size := min(cfg.PartSize, cfg.Size-int64(i)*cfg.PartSize)
				b := r.pat.bodies(size)[i%variants]
				p0 := time.Now()
				etag, err := r.c.uploadPart(ctx, cfg.Bucket, key, id, i+1, b)
				r.record(s, kPart, time.Since(p0), size, 0, err)
				if err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
				etags[i] = etag
			}
		})
	}
	wg.Wait()
	if p := failed.Load(); p != nil {
		err = *p
	} else {
		c0 := time.Now()
		err = r.c.completeMultipart(ctx, cfg.Bucket, key, id, etags)
		r.record(s, kComplete, time.Since(c0), 0, 0, err)
	}
	if err != nil {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		r.c.abortMultipart(actx, cfg.Bucket, key, id)
		cancel()
	}
	r.record(s, kUpload, time.Since(t0), cfg.Size, 0, err)
}

// cleanup deletes every object under the workload's prefix, then the bucket
// if this run created it.
func (r *runner) cleanup(ctx context.Context, created bool) (int64, error) {
	var keys []string
	token := ""
	for {
		page, next, err := r.c.listKeys(ctx, r.cfg.Bucket, r.base, token)
		if err != nil {
			return 0, fmt.Errorf("cleanup: listing: %w", err)
		}
		keys = append(keys, page...)
		if next == "" {
			break
		}
		token = next
	}
	var deleted atomic.Int64
	stop := r.progress("cleanup", func() (string, bool) {
		return fmt.Sprintf("deleted %d/%d objects", deleted.Load(), len(keys)), false
	})
	var firstErr error
	var once sync.Once
	batches := make(chan []string)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for b := range batches {
				if err := r.c.deleteObjects(ctx, r.cfg.Bucket, b); err != nil {
					once.Do(func() { firstErr = err })
					continue
				}
				deleted.Add(int64(len(b)))
			}
		})
	}
	for i := 0; i < len(keys); i += 1000 {
		batches <- keys[i:min(len(keys), i+1000)]
	}
	close(batches)
	wg.Wait()
	stop()
	if firstErr != nil {
		return deleted.Load(), fmt.Errorf("cleanup: %w", firstErr)
	}
	if created {
		if err := r.c.deleteBucket(ctx, r.cfg.Bucket); err != nil {
			return deleted.Load(), fmt.Errorf("cleanup: removing bucket %s: %w", r.cfg.Bucket, err)
		}
	}
	return deleted.Load(), nil
}

// progress prints line() every interval until the returned stop is called
// (or line reports completion). Without a progress writer it does nothing.
func (r *runner) progress(phase string, line func() (string, bool)) (stop func()) {
	w := r.cfg.Progress
	if w == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	print := func(s string) {
		if r.cfg.ProgressTTY {
			fmt.Fprintf(w, "\r\x1b[K[%s] %s", phase, s)
		} else {
			fmt.Fprintf(w, "[%s] %s\n", phase, s)
		}
	}
	wg.Go(func() {
		t := time.NewTicker(r.cfg.ProgressInterval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				s, finished := line()
				print(s)
				if finished {
					return
				}
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
		if r.cfg.ProgressTTY {
			fmt.Fprint(w, "\r\x1b[K")
		}
	}
}
