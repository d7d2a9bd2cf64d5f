package mdtables

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3api"
	"talus/internal/worker"
)

// JobName is the worker job (and lease) of the metadata tables.
const JobName = "metadata-tables"

// DefaultInterval is the default freshness: a change is in the tables at
// most this long after it committed (plus the time a run takes).
const DefaultInterval = time.Minute

// DefaultCompactInterval is how often tables are compacted and old
// snapshots and expired journal records removed.
const DefaultCompactInterval = time.Hour

// Snapshot summary properties: the last journal record a table holds.
const summarySeq = "talus.journal-seq"

// batchRows bounds the rows held in memory before they are written.
const batchRows = 10000

// Config sets up the worker.
type Config struct {
	Meta    meta.Store
	Objects objectStore
	// Interval is the freshness interval (DefaultInterval when 0).
	Interval time.Duration
	// CompactInterval (DefaultCompactInterval when 0).
	CompactInterval time.Duration
	// CompactFiles: a table with more data files than this is compacted
	// (default 16).
	CompactFiles int
	Now          func() time.Time
	Logger       *slog.Logger
}

// Worker keeps every configured bucket's metadata tables.
type Worker struct {
	cfg         Config
	tables      *tables
	lastCompact map[string]time.Time
}

// New returns the worker.
func New(cfg Config) *Worker {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.CompactInterval <= 0 {
		cfg.CompactInterval = DefaultCompactInterval
	}
	if cfg.CompactFiles <= 0 {
		cfg.CompactFiles = 16
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Worker{cfg: cfg, tables: &tables{meta: cfg.Meta, objs: cfg.Objects}, lastCompact: map[string]time.Time{}}
}

// Job is the shared worker job: one gateway at a time writes the tables.
func (w *Worker) Job() worker.Job {
	return worker.Job{Name: JobName, Shared: true, Interval: w.cfg.Interval, Run: w.run}
}

func (w *Worker) run(ctx context.Context, r *worker.Run) error { return w.sync(ctx, r) }

// progress is what a run reports (worker.Run).
type progress interface {
	At(position string)
	Done(n int)
	Error(err error)
}

type noProgress struct{}

func (noProgress) At(string)   {}
func (noProgress) Done(int)    {}
func (noProgress) Error(error) {}

// RunOnce brings every configured bucket's tables up to date once, as one
// run of the job does.
func (w *Worker) RunOnce(ctx context.Context) error { return w.sync(ctx, noProgress{}) }

func (w *Worker) sync(ctx context.Context, r progress) error {
	live := map[string]bool{}
	n := 0
	after := ""
	for {
		bs, err := w.cfg.Meta.ListBuckets(ctx, "", "", after, 1000)
		if err != nil {
			return err
		}
		for _, b := range bs {
			c := b.Config.Metadata
			if c == nil {
				continue
			}
			live[cursorName(b.Name, c.Journal.ID)] = true
			r.At(b.Name)
			k, err := w.syncBucket(ctx, b.Name, b.Owner, c)
			n += k
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				w.cfg.Logger.Warn("metadata tables", "bucket", b.Name, "err", err)
				r.Error(err)
			}
		}
		if len(bs) < 1000 {
			break
		}
		after = bs[len(bs)-1].Name
	}
	r.Done(n)
	return w.dropCursors(ctx, live)
}

func cursorName(bucket, journalID string) string { return "mdtables/" + bucket + "/" + journalID }

// dropCursors deletes the cursors of configurations that are gone, so
// journal retention stops waiting for them.
func (w *Worker) dropCursors(ctx context.Context, live map[string]bool) error {
	cs, err := w.cfg.Meta.ListJournalCursors(ctx)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if strings.HasPrefix(c.Name, "mdtables/") && !live[c.Name] {
			if err := w.cfg.Meta.DeleteJournalCursor(ctx, c.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// syncBucket brings one bucket's tables up to date; it returns the rows
// written.
func (w *Worker) syncBucket(ctx context.Context, bucket, owner string, c *meta.MetadataConfig) (int, error) {
	if err := w.ensureTableBucket(ctx, c.TableBucket, owner); err != nil {
		code := "ServerInternalError"
		if errors.Is(err, errForeignTableBucket) {
			code = "AccessDeniedCreatingResources"
		}
		return 0, w.fail(ctx, bucket, c.Journal.ID, code, err)
	}
	if err := w.tables.create(ctx, c.TableBucket, c.Namespace, c.Journal.Name, c.Journal.ID, kindJournal, bucket, c.Journal.KMSKeyARN); err != nil {
		return 0, w.fail(ctx, bucket, c.Journal.ID, failCode(err), err)
	}
	n, err := w.appendJournal(ctx, bucket, c)
	if err != nil {
		return n, w.fail(ctx, bucket, c.Journal.ID, failCode(err), err)
	}
	if c.Journal.Status != s3.TableActive { // CREATING, or FAILED and now written
		if err := w.setStatus(ctx, bucket, c.Journal.ID, s3.TableActive); err != nil {
			return n, err
		}
	}
	if err := w.maybeCompactJournal(ctx, bucket, c); err != nil {
		return n, err
	}
	for _, x := range []struct {
		kind string
		t    *meta.MetadataTable
	}{{kindInventory, c.Inventory}, {kindAnnotation, c.Annotation}} {
		if x.t == nil || !x.t.Enabled {
			continue
		}
		if x.t.Role != "" {
			if err := w.checkRole(ctx, x.t.Role, bucket); err != nil {
				return n, w.fail(ctx, bucket, x.t.ID, failCode(err), err)
			}
		}
		k, err := w.syncSnapshotTable(ctx, bucket, c, x.kind, x.t)
		n += k
		if err != nil {
			return n, w.fail(ctx, bucket, x.t.ID, failCode(err), err)
		}
	}
	return n, nil
}

// roleChecker is the optional ability of the object store to say whether
// the metadata service can read a bucket's annotations as a role
// (s3api.Objects has it).
type roleChecker interface {
	CheckAnnotationRole(ctx context.Context, roleARN, bucket string) error
}

// checkRole checks an annotation table's role before its annotations
// are read; without the ability, a role is never honoured.
func (w *Worker) checkRole(ctx context.Context, roleARN, bucket string) error {
	rc, ok := w.cfg.Objects.(roleChecker)
	if !ok {
		return fmt.Errorf("%w: no role checker", s3api.ErrAnnotationRole)
	}
	return rc.CheckAnnotationRole(ctx, roleARN, bucket)
}

// failCode is the ErrorCode a table's failure is reported with:
// AccessDeniedCreatingResources when its role or KMS key cannot be used
// (as S3 reports missing permissions), else ServerInternalError.
func failCode(err error) string {
	if errors.Is(err, s3api.ErrAnnotationRole) || s3api.IsKMSError(err) {
		return "AccessDeniedCreatingResources"
	}
	return "ServerInternalError"
}

// errForeignTableBucket: the table bucket's name is another account's
// bucket, so the tables cannot go there.
var errForeignTableBucket = errors.New("mdtables: the table bucket belongs to another account")

// ensureTableBucket creates the table bucket (for owner, the source
// bucket's owner) and marks it as one. A bucket of that name owned by
// someone else is never written to.
func (w *Worker) ensureTableBucket(ctx context.Context, name, owner string) error {
	b, err := w.cfg.Meta.GetBucket(ctx, name)
	if err == nil && b.Owner != owner {
		return errForeignTableBucket
	}
	if err == nil && b.Config.Tables != nil {
		return nil
	}
	type bucketMaker interface {
		EnsureBucket(ctx context.Context, bucket, owner string) error
	}
	if errors.Is(err, meta.ErrNoSuchBucket) {
		bm, ok := w.cfg.Objects.(bucketMaker)
		if !ok {
			return err
		}
		if err := bm.EnsureBucket(ctx, name, owner); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	return w.cfg.Meta.UpdateBucket(ctx, name, func(b *meta.Bucket) error {
		if b.Config.Tables == nil {
			b.Config.Tables = &meta.TableBucket{}
		}
		return nil
	})
}

// setStatus sets the status of the table with id in bucket's
// configuration, if it is still configured.
func (w *Worker) setStatus(ctx context.Context, bucket, id, status string) error {
	return w.updateTable(ctx, bucket, id, func(t *meta.MetadataTable) { t.Status, t.ErrorCode, t.ErrorMessage = status, "", "" })
}

// fail records a table's failure (reported by the Get operations) and
// returns err.
func (w *Worker) fail(ctx context.Context, bucket, id, code string, err error) error {
	msg := "The metadata table could not be written; it is retried on every run."
	switch {
	case errors.Is(err, errForeignTableBucket):
		msg = "The table bucket is a bucket of another account; delete this configuration and use a table bucket of your own."
	case errors.Is(err, s3api.ErrAnnotationRole):
		msg = "The annotation table's IAM role cannot be used: " + err.Error() + ". It is retried on every run."
	case s3api.IsKMSError(err):
		msg = "The table's KMS key cannot be used (it must exist and be enabled); it is retried on every run."
	}
	w.updateTable(ctx, bucket, id, func(t *meta.MetadataTable) { t.Status, t.ErrorCode, t.ErrorMessage = s3.TableFailed, code, msg })
	return err
}

func (w *Worker) updateTable(ctx context.Context, bucket, id string, fn func(*meta.MetadataTable)) error {
	err := w.cfg.Meta.UpdateBucket(ctx, bucket, func(b *meta.Bucket) error {
		c := b.Config.Metadata
		if c == nil {
			return nil
		}
		for _, t := range []*meta.MetadataTable{&c.Journal, c.Inventory, c.Annotation} {
			if t != nil && t.ID == id {
				fn(t)
			}
		}
		return nil
	})
	if errors.Is(err, meta.ErrNoSuchBucket) {
		return nil
	}
	return err
}

// snapshotSeq is the journal sequence the table's current snapshot holds
// (0 without a snapshot).
func snapshotSeq(t *table.Table) int64 {
	s := t.CurrentSnapshot()
	if s == nil || s.Summary == nil {
		return 0
	}
	n, _ := strconv.ParseInt(s.Summary.Properties[summarySeq], 10, 64)
	return n
}

// appendJournal appends the bucket's journal records since the last run
// to the journal table. The snapshot's summary names the last record it
// holds and is committed before the cursor moves, so a crash in between
// resumes from the snapshot, never writing a record twice.
func (w *Worker) appendJournal(ctx context.Context, bucket string, c *meta.MetadataConfig) (int, error) {
	name := cursorName(bucket, c.Journal.ID)
	cur, err := w.cfg.Meta.GetJournalCursor(ctx, name)
	if errors.Is(err, meta.ErrNoSuchCursor) {
		cur.Seq = c.JournalStart
		err = w.cfg.Meta.SetJournalCursor(ctx, name, cur.Seq)
	}
	if err != nil {
		return 0, err
	}
	t, err := w.tables.load(ctx, c.TableBucket, c.Namespace, c.Journal.Name)
	if err != nil {
		return 0, err
	}
	after := max(cur.Seq, snapshotSeq(t))
	total := 0
	for {
		recs, err := w.cfg.Meta.ReadJournal(ctx, after, batchRows)
		if errors.Is(err, meta.ErrJournalTrimmed) {
			// Retention ran past us (the cursor protects what we have not
			// read, so only MaxRecords can do this): go on from what is left.
			last, serr := w.cfg.Meta.JournalSeq(ctx)
			if serr != nil {
				return total, serr
			}
			w.cfg.Logger.Warn("metadata journal table missed trimmed journal records", "bucket", bucket, "after", after)
			recs, err = w.cfg.Meta.ReadJournal(ctx, max(after, last-int64(batchRows)), batchRows)
		}
		if err != nil {
			return total, err
		}
		if len(recs) == 0 {
			break
		}
		var rows []Row
		for i := range recs {
			if recs[i].Bucket == bucket && !recs[i].IsReplicationEvent() {
				rows = append(rows, journalRow(&recs[i]))
			}
		}
		last := recs[len(recs)-1].Seq
		if len(rows) > 0 {
			if t, err = w.appendRows(ctx, t, kindJournal, rows, iceberg.Properties{summarySeq: strconv.FormatInt(last, 10)}); err != nil {
				return total, err
			}
			total += len(rows)
		}
		if err := w.cfg.Meta.SetJournalCursor(ctx, name, last); err != nil {
			return total, err
		}
		after = last
		if len(recs) < batchRows {
			break
		}
	}
	return total, nil
}

// appendRows commits rows as one new snapshot of t.
func (w *Worker) appendRows(ctx context.Context, t *table.Table, kind string, rows []Row, props iceberg.Properties) (*table.Table, error) {
	rb, err := newRecordBuilder(kind, t.Schema())
	if err != nil {
		return nil, err
	}
	defer rb.release()
	for i := range rows {
		if err := rb.add(&rows[i]); err != nil {
			return nil, err
		}
	}
	rec := rb.flush()
	defer rec.Release()
	rdr, err := array.NewRecordReader(rb.schema, []arrow.RecordBatch{rec})
	if err != nil {
		return nil, err
	}
	defer rdr.Release()
	tx := t.NewTransaction()
	if err := tx.Append(ctx, rdr, props); err != nil {
		return nil, err
	}
	return tx.Commit(ctx)
}

// syncSnapshotTable backfills the inventory (or annotation) table, then
// rebuilds it whenever the bucket changed: the table is overwritten with
// the bucket's current versions (or their annotations) in one snapshot,
// read page by page in bounded memory.
func (w *Worker) syncSnapshotTable(ctx context.Context, bucket string, c *meta.MetadataConfig, kind string, inv *meta.MetadataTable) (int, error) {
	if err := w.tables.create(ctx, c.TableBucket, c.Namespace, inv.Name, inv.ID, kind, bucket, inv.KMSKeyARN); err != nil {
		return 0, err
	}
	if inv.Status == s3.TableCreating {
		if err := w.setStatus(ctx, bucket, inv.ID, s3.TableBackfilling); err != nil {
			return 0, err
		}
		inv.Status = s3.TableBackfilling
	}
	t, err := w.tables.load(ctx, c.TableBucket, c.Namespace, inv.Name)
	if err != nil {
		return 0, err
	}
	seq, err := w.cfg.Meta.JournalSeq(ctx)
	if err != nil {
		return 0, err
	}
	if t.CurrentSnapshot() != nil && inv.Status == s3.TableActive {
		keys, ok, err := w.changedKeys(ctx, bucket, snapshotSeq(t), seq)
		if err != nil {
			return 0, err
		}
		if ok && len(keys) == 0 {
			return 0, nil
		}
		if ok {
			return w.applyChanges(ctx, t, bucket, kind, keys, seq)
		}
		// Too many changes, or the journal no longer has them: rebuild.
	}
	scan := &inventoryScan{ctx: ctx, m: w.cfg.Meta, objs: w.cfg.Objects, bucket: bucket, annotations: kind == kindAnnotation}
	rb, err := newRecordBuilder(kind, t.Schema())
	if err != nil {
		return 0, err
	}
	defer rb.release()
	rdr := array.ReaderFromIter(rb.schema, scan.batches(rb))
	defer rdr.Release()
	tx := t.NewTransaction()
	if err := tx.Overwrite(ctx, rdr, iceberg.Properties{summarySeq: strconv.FormatInt(seq, 10)}); err != nil {
		return 0, err
	}
	t, err = tx.Commit(ctx)
	if err != nil {
		return 0, err
	}
	if err := w.expireSnapshots(ctx, t); err != nil {
		return scan.rows, err
	}
	if inv.Status != s3.TableActive {
		return scan.rows, w.setStatus(ctx, bucket, inv.ID, s3.TableActive)
	}
	return scan.rows, nil
}

// maxIncremental is the most changed keys a run applies to a table in
// place; with more, the table is rebuilt from the listing.
var maxIncremental = 1000

// changedKeys returns the keys of bucket with journal records in
// (from, to], in order; ok is false when there are more than
// maxIncremental or the journal no longer has them all.
func (w *Worker) changedKeys(ctx context.Context, bucket string, from, to int64) (keys []string, ok bool, err error) {
	seen := map[string]bool{}
	for from < to {
		recs, err := w.cfg.Meta.ReadJournal(ctx, from, batchRows)
		if errors.Is(err, meta.ErrJournalTrimmed) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		if len(recs) == 0 {
			break
		}
		for i := range recs {
			if recs[i].Seq > to {
				break
			}
			if recs[i].Bucket == bucket && !recs[i].IsReplicationEvent() && !seen[recs[i].Key] {
				if len(seen) == maxIncremental {
					return nil, false, nil
				}
				seen[recs[i].Key] = true
			}
		}
		from = recs[len(recs)-1].Seq
	}
	return slices.Sorted(maps.Keys(seen)), true, nil
}

// applyChanges brings an inventory (or annotation) table up to date for
// the changed keys alone, in one commit: their rows are deleted (copy on
// write: only the data files holding them are rewritten) and their
// current rows appended. A table grown to more than CompactFiles data
// files is then compacted.
func (w *Worker) applyChanges(ctx context.Context, t *table.Table, bucket, kind string, keys []string, seq int64) (int, error) {
	scan := &inventoryScan{ctx: ctx, m: w.cfg.Meta, objs: w.cfg.Objects, bucket: bucket, annotations: kind == kindAnnotation}
	rb, err := newRecordBuilder(kind, t.Schema())
	if err != nil {
		return 0, err
	}
	defer rb.release()
	col := "key"
	if kind == kindAnnotation {
		col = "object_key"
	}
	props := iceberg.Properties{summarySeq: strconv.FormatInt(seq, 10)}
	tx := t.NewTransaction()
	if err := tx.Delete(ctx, iceberg.IsIn(iceberg.Reference(col), keys...), props); err != nil {
		return 0, err
	}
	// The keys' rows, streamed in batches of bounded size.
	rows := func(yield func(arrow.RecordBatch, error) bool) {
		for _, k := range keys {
			if err := scan.addKey(rb, k); err != nil {
				yield(nil, err)
				return
			}
			if scan.textBytes >= maxBatchText || rb.n >= batchRows {
				scan.textBytes = 0
				if !yield(rb.flush(), nil) {
					return
				}
			}
		}
		if rb.n > 0 {
			yield(rb.flush(), nil)
		}
	}
	rdr := array.ReaderFromIter(rb.schema, rows)
	defer rdr.Release()
	if err := tx.Append(ctx, rdr, props); err != nil {
		return 0, err
	}
	nt, err := tx.Commit(ctx)
	if err != nil {
		return 0, err
	}
	if files(nt) > w.cfg.CompactFiles {
		if err := w.compact(ctx, nt, 0); err != nil {
			return scan.rows, fmt.Errorf("compact %s table: %w", kind, err)
		}
		return scan.rows, nil
	}
	return scan.rows, w.expireSnapshots(ctx, nt)
}

// files is the data file count of t's current snapshot.
func files(t *table.Table) int {
	s := t.CurrentSnapshot()
	if s == nil || s.Summary == nil {
		return 0
	}
	n, _ := strconv.Atoi(s.Summary.Properties["total-data-files"])
	return n
}

// inventoryScan lists a bucket's current versions (or their
// annotations) in pages.
type inventoryScan struct {
	ctx         context.Context
	m           meta.Store
	objs        objectStore
	bucket      string
	annotations bool
	rows        int
	// textBytes: annotation payload bytes in the batch being built.
	textBytes int
}

// maxBatchText bounds the annotation payload bytes held in one batch.
const maxBatchText = 32 << 20

// addAnnotations adds the rows of o's annotations.
func (s *inventoryScan) addAnnotations(rb *recordBuilder, o *meta.Object) error {
	after := ""
	for {
		_, as, err := s.m.ListAnnotations(s.ctx, s.bucket, o.Key, o.VersionID, meta.AnnotationListOptions{After: after, Limit: scanPage})
		if errors.Is(err, meta.ErrNoSuchKey) || errors.Is(err, meta.ErrNoSuchVersion) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, a := range as {
			row := annotationRow(o, &a)
			text, err := s.objs.AnnotationText(s.ctx, s.bucket, o.Key, o.VersionID, a.Name)
			if errors.Is(err, s3api.ErrNoSuchObject) {
				continue // gone since the listing; the next rebuild agrees
			}
			if err != nil {
				return err
			}
			row.Text, row.HasText = string(text), true
			if err := rb.add(&row); err != nil {
				return err
			}
			s.rows++
			s.textBytes += len(text)
		}
		if len(as) < scanPage {
			return nil
		}
		after = as[len(as)-1].Name
	}
}

const scanPage = 1000

// addKey adds the rows of key's current version (or its annotations);
// none when it has none or it is a delete marker, as the listing leaves
// those out.
func (s *inventoryScan) addKey(rb *recordBuilder, key string) error {
	objs, err := s.m.ScanLatest(s.ctx, s.bucket, key, key, 1)
	if err != nil || len(objs) == 0 || objs[0].Key != key {
		return err
	}
	return s.addObject(rb, &objs[0])
}

// addObject adds the rows of one listed version.
func (s *inventoryScan) addObject(rb *recordBuilder, o *meta.Object) error {
	if s.annotations {
		return s.addAnnotations(rb, o)
	}
	// The scan leaves out attributes (tags, metadata, encryption).
	full, err := s.m.GetObject(s.ctx, s.bucket, o.Key, o.VersionID)
	if errors.Is(err, meta.ErrNoSuchKey) || errors.Is(err, meta.ErrNoSuchVersion) {
		return nil // gone since the scan; the next run agrees
	}
	if err != nil {
		return err
	}
	rec := meta.NewRecord(s.ctx, meta.RecordCreate, "", full)
	row := inventoryRow(&rec)
	if err := rb.add(&row); err != nil {
		return err
	}
	s.rows++
	return nil
}

func (s *inventoryScan) batches(rb *recordBuilder) func(yield func(arrow.RecordBatch, error) bool) {
	return func(yield func(arrow.RecordBatch, error) bool) {
		start := ""
		for {
			objs, err := s.m.ScanLatest(s.ctx, s.bucket, "", start, scanPage)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, o := range objs {
				if err := s.addObject(rb, &o); err != nil {
					yield(nil, err)
					return
				}
				if s.textBytes >= maxBatchText {
					s.textBytes = 0
					if !yield(rb.flush(), nil) {
						return
					}
				}
			}
			if rb.n > 0 || len(objs) < scanPage {
				s.textBytes = 0
				if !yield(rb.flush(), nil) {
					return
				}
			}
			if len(objs) < scanPage {
				return
			}
			start = objs[len(objs)-1].Key + "\x00"
		}
	}
}

// expireSnapshots removes snapshots older than the freshness interval
// times ten (keeping the last five) and the files only they used.
func (w *Worker) expireSnapshots(ctx context.Context, t *table.Table) error {
	if len(t.Metadata().Snapshots()) <= 5 {
		return nil
	}
	tx := t.NewTransaction()
	if err := tx.ExpireSnapshots(table.WithOlderThan(10*w.cfg.Interval), table.WithRetainLast(5)); err != nil {
		return err
	}
	_, err := tx.Commit(ctx)
	return err
}

// maybeCompactJournal rewrites the journal table's data files into one
// snapshot of few large files, leaving out records older than the record
// expiration, once per CompactInterval (or sooner when it has more than
// CompactFiles data files).
func (w *Worker) maybeCompactJournal(ctx context.Context, bucket string, c *meta.MetadataConfig) error {
	t, err := w.tables.load(ctx, c.TableBucket, c.Namespace, c.Journal.Name)
	if err != nil {
		return err
	}
	snap := t.CurrentSnapshot()
	if snap == nil {
		return nil
	}
	files := 0
	if snap.Summary != nil {
		files, _ = strconv.Atoi(snap.Summary.Properties["total-data-files"])
	}
	key := c.Journal.ID
	if files <= w.cfg.CompactFiles && w.cfg.Now().Sub(w.lastCompact[key]) < w.cfg.CompactInterval {
		return nil
	}
	if w.lastCompact[key].IsZero() && files <= w.cfg.CompactFiles {
		w.lastCompact[key] = w.cfg.Now() // first sight: start the clock
		return nil
	}
	if err := w.compact(ctx, t, c.ExpirationDays); err != nil {
		return fmt.Errorf("compact journal table: %w", err)
	}
	w.lastCompact[key] = w.cfg.Now()
	return nil
}

// compact rewrites t as one overwrite snapshot keeping the rows newer than
// days (all when 0), then expires old snapshots.
func (w *Worker) compact(ctx context.Context, t *table.Table, days int) error {
	var opts []table.ScanOption
	if days > 0 {
		cutoff := w.cfg.Now().Add(-time.Duration(days) * 24 * time.Hour).UTC()
		opts = append(opts, table.WithRowFilter(iceberg.GreaterThanEqual(iceberg.Reference("record_timestamp"), cutoff.UnixMicro())))
	}
	sc, it, err := t.Scan(opts...).ToArrowRecords(ctx)
	if err != nil {
		return err
	}
	rdr := array.ReaderFromIter(sc, it)
	defer rdr.Release()
	props := iceberg.Properties{summarySeq: strconv.FormatInt(snapshotSeq(t), 10)}
	tx := t.NewTransaction()
	if err := tx.Overwrite(ctx, rdr, props); err != nil {
		return err
	}
	t, err = tx.Commit(ctx)
	if err != nil {
		return err
	}
	return w.expireSnapshots(ctx, t)
}
