// Package sqlite is the embedded metadata store: pure-Go SQLite in WAL mode
// with synchronous=FULL. All writes go through one goroutine that commits
// whatever has queued up in a single transaction (group commit), so many
// concurrent writers share one fsync while each is durable when it returns.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"sync"
	"talus/internal/metrics"
	"time"

	"talus/internal/meta"
	"talus/internal/meta/sqlmeta"

	sqlite "modernc.org/sqlite" // also registers the "sqlite" driver
)

// maxBatch bounds how many writes share one transaction.
const maxBatch = 256

// Store implements meta.Store on SQLite.
type Store struct {
	// Base holds the methods whose SQL both stores share.
	sqlmeta.Base
	rdb  *sql.DB // read pool
	wdb  *sql.DB // one connection, used only by the writer goroutine
	wcon *sql.Conn
	r    reader
	wc   *stmtCache
	bc   *bucketCache
	reqs chan *writeReq
	quit chan struct{}
	wg   sync.WaitGroup
	once sync.Once
	now  func() time.Time
	// onFull, if set, is called when a commit fails for want of space; if
	// it frees some (true), the commit is tried once more.
	onFull func() bool
	// jw is woken by the commits that append journal records.
	jw sqlmeta.JournalWaiter
}

type writeReq struct {
	fn   func(tx *wtx) error
	done chan error
}

var _ meta.Store = (*Store)(nil)

// Open opens or creates the database file at path.
func Open(path string) (*Store, error) {
	q := url.Values{}
	for _, p := range []string{
		"busy_timeout(10000)",
		"journal_mode(WAL)",
		"synchronous(FULL)",
		"foreign_keys(1)",
		"cache_size(-8000)", // 8 MiB per connection: larger measured no faster, and bounds RSS
	} {
		q.Add("_pragma", p)
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	dsn := "file:" + path + "?" + q.Encode()
	wdb, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	if err := migrate(wdb); err != nil {
		wdb.Close()
		return nil, fmt.Errorf("sqlite: migrate %s: %w", path, err)
	}
	rdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		wdb.Close()
		return nil, err
	}
	n := 2 * runtime.GOMAXPROCS(0)
	rdb.SetMaxOpenConns(n)
	rdb.SetMaxIdleConns(n)
	// The writer keeps its one connection, so statements prepared on it
	// serve every transaction.
	wcon, err := wdb.Conn(context.Background())
	if err != nil {
		wdb.Close()
		rdb.Close()
		return nil, err
	}
	bc := newBucketCache()
	s := &Store{rdb: rdb, wdb: wdb, wcon: wcon, r: reader{c: newStmtCache(rdb), bc: bc}, wc: newStmtCache(wcon), bc: bc, reqs: make(chan *writeReq, maxBatch), quit: make(chan struct{}), now: time.Now}
	s.Base = sqlmeta.New(sqlBackend{s}, dialect)
	s.wg.Add(1)
	go s.writer()
	return s, nil
}

// Close stops the writer and closes the database.
func (s *Store) Close() error {
	s.once.Do(func() {
		close(s.quit)
		s.wg.Wait()
		s.r.c.close()
		s.wc.close()
		s.wcon.Close()
	})
	return errors.Join(s.rdb.Close(), s.wdb.Close())
}

// createPrivate creates the database file 0600 before SQLite opens it
// (SQLite gives the -wal and -shm files the main file's mode) and takes
// group and other access away from files an older version left open.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, fi.Mode().Perm()&0o700); err != nil {
				return fmt.Errorf("sqlite: %w", err)
			}
		}
	}
	return nil
}

var errClosed = errors.New("sqlite: store closed")

// OnFull sets the function called when a commit fails because the disk is
// full (see Store.onFull). Call it before the first write.
func (s *Store) OnFull(fn func() bool) { s.onFull = fn }

// isFull reports whether err is SQLite's SQLITE_FULL (any extended code).
func isFull(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == 13
}

// write runs fn in a write transaction, possibly shared with other writes.
// fn's error rolls back only fn's own changes. It waits for the commit even
// if ctx ends, so a caller never mistakes a committed write for a failed one.
func (s *Store) write(fn func(tx *wtx) error) error {
	r := &writeReq{fn: fn, done: make(chan error, 1)}
	select {
	case s.reqs <- r:
	case <-s.quit:
		return errClosed
	}
	return <-r.done
}

func (s *Store) writer() {
	defer s.wg.Done()
	batch := make([]*writeReq, 0, maxBatch)
	for {
		select {
		case r := <-s.reqs:
			batch = append(batch[:0], r)
		drain:
			for len(batch) < maxBatch {
				select {
				case r := <-s.reqs:
					batch = append(batch, r)
				default:
					break drain
				}
			}
			s.commit(batch)
		case <-s.quit:
			// Fail anything still queued; no new sends can succeed.
			for {
				select {
				case r := <-s.reqs:
					r.done <- errClosed
				default:
					return
				}
			}
		}
	}
}

func (s *Store) commit(batch []*writeReq) {
	start := time.Now()
	errs, err := s.tryCommit(batch)
	metrics.CommitBatchSize.Observe(float64(len(batch)))
	metrics.CommitDuration.Observe(time.Since(start).Seconds())
	// Only a transaction that failed whole may run again.
	if err != nil && isFull(err) && s.onFull != nil && s.onFull() {
		errs, err = s.tryCommit(batch)
	}
	// Each write gets its own failure if it had one, else the transaction's.
	for i, r := range batch {
		e := errs[i]
		if e == nil {
			e = err
		}
		if isFull(e) {
			e = fmt.Errorf("%w: %w", meta.ErrNoSpace, e)
		}
		r.done <- e
	}
}

// tryCommit runs batch in one transaction and returns each write's own
// error and the transaction's. A failed transaction is rolled back whole,
// so it can be run again.
func (s *Store) tryCommit(batch []*writeReq) ([]error, error) {
	ctx := context.Background()
	tx := &wtx{c: s.wc, bc: s.bc}
	defer tx.ended()
	errs := make([]error, len(batch))
	_, err := tx.ExecContext(ctx, "BEGIN IMMEDIATE")
	if err == nil {
		if len(batch) == 1 {
			// Alone in the transaction: its error rolls back everything.
			errs[0] = batch[0].fn(tx)
			err = errs[0]
		} else {
			for i, r := range batch {
				errs[i] = runSavepoint(ctx, tx, r.fn)
				if errs[i] != nil && isFatal(errs[i]) {
					err = errs[i]
					break
				}
			}
		}
		if err == nil {
			if _, err = tx.ExecContext(ctx, "COMMIT"); err == nil && tx.journaled {
				s.jw.Wake()
			}
		}
		// On SQLITE_FULL SQLite may have ended the transaction already.
		if err != nil {
			if _, rerr := tx.ExecContext(ctx, "ROLLBACK"); rerr != nil && !isFull(err) {
				err = errors.Join(err, rerr)
			}
		}
	}
	return errs, err
}

// runSavepoint isolates one write inside the shared transaction.
func runSavepoint(ctx context.Context, tx *wtx, fn func(*wtx) error) error {
	if _, err := tx.ExecContext(ctx, "SAVEPOINT w"); err != nil {
		return fatalErr{err}
	}
	ferr := fn(tx)
	if ferr != nil {
		if _, err := tx.ExecContext(ctx, "ROLLBACK TO w"); err != nil {
			return fatalErr{errors.Join(ferr, err)}
		}
	}
	if _, err := tx.ExecContext(ctx, "RELEASE w"); err != nil {
		return fatalErr{err}
	}
	return ferr
}

// fatalErr marks a failure of the shared transaction itself.
type fatalErr struct{ err error }

func (f fatalErr) Error() string { return f.err.Error() }
func (f fatalErr) Unwrap() error { return f.err }

func isFatal(err error) bool {
	var f fatalErr
	return errors.As(err, &f)
}

// nullable stores "" as NULL, keeping partial indexes small.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nanos(t time.Time) int64 { return t.UnixNano() }

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// --- buckets ---

func (s *Store) CreateBucket(ctx context.Context, b meta.Bucket) error {
	return s.write(func(tx *wtx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM buckets WHERE name = ?`, b.Name).Scan(&one)
		if err == nil {
			return meta.ErrBucketExists
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		config, err := json.Marshal(&b.Config)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO buckets(`+bucketCols+`) VALUES (?,?,?,?,?,?,?)`,
			b.Name, nanos(b.Created), b.Region, b.Owner, b.Versioning, b.ObjectLock, config)
		return err
	})
}

const bucketCols = `name, created, region, owner, versioning, object_lock, config`

type scanner = sqlmeta.Scanner

func scanBucket(r scanner) (meta.Bucket, error) {
	row, err := scanBucketRow(r)
	if err != nil {
		return meta.Bucket{}, err
	}
	return row.decode()
}

// decode returns the bucket a row holds, its config decoded afresh.
func (r bucketRow) decode() (meta.Bucket, error) {
	b := meta.Bucket{Name: r.name, Created: fromNanos(r.created), Region: r.region, Owner: r.owner, Versioning: r.versioning, ObjectLock: r.objectLock}
	if len(r.config) > 0 {
		if err := json.Unmarshal(r.config, &b.Config); err != nil {
			return b, fmt.Errorf("sqlite: decode config of bucket %s: %w", b.Name, err)
		}
	}
	return b, nil
}

type querier = sqlmeta.Querier

func (s *Store) GetBucket(ctx context.Context, name string) (meta.Bucket, error) {
	return getBucket(ctx, s.r, name)
}

func (s *Store) ListBuckets(ctx context.Context, owner, prefix, after string, limit int) ([]meta.Bucket, error) {
	q := `SELECT ` + bucketCols + ` FROM buckets WHERE name > ?`
	args := []any{after}
	if prefix != "" {
		q += ` AND name >= ?`
		args = append(args, prefix)
		if end := meta.PrefixEnd(prefix); end != "" {
			q += ` AND name < ?`
			args = append(args, end)
		}
	}
	if owner != "" {
		q += ` AND owner = ?`
		args = append(args, owner)
	}
	q += ` ORDER BY name LIMIT ?`
	return sqlmeta.QueryAll(ctx, s.r, q, append(args, limit), scanBucket)
}

func (s *Store) DeleteBucket(ctx context.Context, name string) error {
	return s.write(func(tx *wtx) error {
		if _, err := getBucket(ctx, tx, name); err != nil {
			return err
		}
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM versions WHERE bucket = ? LIMIT 1`, name).Scan(&one)
		if err == nil {
			return meta.ErrBucketNotEmpty
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// Uploads in progress go with the bucket; their part blobs become
		// orphans that the sweeper removes.
		if _, err := tx.ExecContext(ctx, `DELETE FROM upload_parts WHERE upload_id IN (SELECT upload_id FROM uploads WHERE bucket = ?)`, name); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM uploads WHERE bucket = ?`, name); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM buckets WHERE name = ?`, name)
		return err
	})
}

func (s *Store) UpdateBucket(ctx context.Context, name string, fn func(*meta.Bucket) error) error {
	return s.write(func(tx *wtx) error {
		b, err := getBucket(ctx, tx, name)
		if err != nil {
			return err
		}
		if err := fn(&b); err != nil {
			return err
		}
		config, err := json.Marshal(&b.Config)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE buckets SET region = ?, owner = ?, versioning = ?, object_lock = ?, config = ? WHERE name = ?`,
			b.Region, b.Owner, b.Versioning, b.ObjectLock, config, name)
		return err
	})
}

// --- objects ---

const versionCols = `seq, bucket, name, version_id, is_latest, delete_marker, size, etag, modified, storage_class, owner, blob_id, inline, attrs, upload_id`

// versionColsParts adds whether the version has parts, so that a lookup
// of a single-part object (most of them) needs no second query.
const versionColsParts = versionCols + `, EXISTS (SELECT 1 FROM version_parts WHERE version_parts.seq = versions.seq)`

func scanVersion(r scanner, extra ...any) (*meta.Object, error) {
	var o meta.Object
	var modified int64
	var blobID, uploadID sql.NullString
	var attrs []byte
	err := r.Scan(append([]any{&o.Seq, &o.Bucket, &o.Key, &o.VersionID, &o.IsLatest, &o.DeleteMarker, &o.Size, &o.ETag,
		&modified, &o.StorageClass, &o.Owner, &blobID, &o.Inline, &attrs, &uploadID}, extra...)...)
	if err != nil {
		return nil, err
	}
	o.Modified = fromNanos(modified)
	o.BlobID = blobID.String
	o.UploadID = uploadID.String
	if len(attrs) > 0 {
		if err := json.Unmarshal(attrs, &o.Attrs); err != nil {
			return nil, fmt.Errorf("sqlite: decode attrs of %s/%s: %w", o.Bucket, o.Key, err)
		}
	}
	return &o, nil
}

// loadParts fills o.Parts from the parts table.
func loadParts(ctx context.Context, q querier, o *meta.Object) error {
	rows, err := q.QueryContext(ctx, `SELECT number, size, etag, blob_id, checksums FROM version_parts WHERE seq = ? ORDER BY number`, o.Seq)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p meta.Part
		var ck []byte
		if err := rows.Scan(&p.Number, &p.Size, &p.ETag, &p.BlobID, &ck); err != nil {
			return err
		}
		if len(ck) > 0 {
			if err := json.Unmarshal(ck, &p.Checksums); err != nil {
				return err
			}
		}
		o.Parts = append(o.Parts, p)
	}
	return rows.Err()
}

// getVersion returns the latest version (versionID "") or a specific one, or nil.
func getVersion(ctx context.Context, q querier, bucket, key, versionID string) (*meta.Object, error) {
	var row *sql.Row
	if versionID == "" {
		row = q.QueryRowContext(ctx, `SELECT `+versionColsParts+` FROM versions WHERE bucket = ? AND name = ? AND is_latest = 1`, bucket, key)
	} else {
		row = q.QueryRowContext(ctx, `SELECT `+versionColsParts+` FROM versions WHERE bucket = ? AND name = ? AND version_id = ?`, bucket, key, versionID)
	}
	var hasParts bool
	o, err := scanVersion(row, &hasParts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !hasParts {
		return o, nil
	}
	if err := loadParts(ctx, q, o); err != nil {
		return nil, err
	}
	return o, nil
}

// mustGetVersion is getVersion with S3's errors for what is missing:
// the bucket, the key, or the version.
func mustGetVersion(ctx context.Context, tx *wtx, bucket, key, versionID string) (*meta.Object, error) {
	o, err := getVersion(ctx, tx, bucket, key, versionID)
	if err != nil || o != nil {
		return o, err
	}
	if _, err := getBucket(ctx, tx, bucket); err != nil {
		return nil, err
	}
	if versionID != "" {
		return nil, meta.ErrNoSuchVersion
	}
	return nil, meta.ErrNoSuchKey
}

func (s *Store) GetObject(ctx context.Context, bucket, key, versionID string) (*meta.Object, error) {
	return existingVersion(ctx, s.r, bucket, key, versionID)
}

// existingVersion is getVersion with a missing version an error:
// ErrNoSuchBucket, ErrNoSuchVersion or ErrNoSuchKey.
func existingVersion(ctx context.Context, q querier, bucket, key, versionID string) (*meta.Object, error) {
	o, err := getVersion(ctx, q, bucket, key, versionID)
	if err != nil {
		return nil, err
	}
	if o == nil {
		if _, err := getBucket(ctx, q, bucket); err != nil {
			return nil, err
		}
		if versionID != "" {
			return nil, meta.ErrNoSuchVersion
		}
		return nil, meta.ErrNoSuchKey
	}
	return o, nil
}

// removeVersion deletes a version row and its parts, returning the freed blobs.
func removeVersion(ctx context.Context, tx *wtx, o *meta.Object) ([]string, error) {
	var freed []string
	if o.BlobID != "" {
		freed = append(freed, o.BlobID)
	}
	for _, p := range o.Parts {
		freed = append(freed, p.BlobID)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM version_parts WHERE seq = ?`, o.Seq); err != nil {
		return nil, err
	}
	if err := removeAnnotations(ctx, tx, o); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM versions WHERE seq = ?`, o.Seq); err != nil {
		return nil, err
	}
	return freed, nil
}

func insertVersion(ctx context.Context, tx *wtx, o *meta.Object) error {
	attrs, err := json.Marshal(&o.Attrs)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO versions(bucket, name, version_id, is_latest, delete_marker, size, etag, modified, storage_class, owner, blob_id, inline, attrs, upload_id)
		VALUES (?,?,?,1,?,?,?,?,?,?,?,?,?,?)`,
		o.Bucket, o.Key, o.VersionID, o.DeleteMarker, o.Size, o.ETag, nanos(o.Modified), o.StorageClass, o.Owner,
		nullable(o.BlobID), o.Inline, attrs, nullable(o.UploadID))
	if err != nil {
		return err
	}
	if o.Seq, err = res.LastInsertId(); err != nil {
		return err
	}
	o.IsLatest = true
	for _, p := range o.Parts {
		var ck []byte
		if len(p.Checksums) > 0 {
			if ck, err = json.Marshal(p.Checksums); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO version_parts(seq, number, size, etag, blob_id, checksums) VALUES (?,?,?,?,?,?)`,
			o.Seq, p.Number, p.Size, p.ETag, p.BlobID, ck); err != nil {
			return err
		}
	}
	return nil
}

// addLatest makes o the latest version of its key, with version ID vid
// if set (a replica's) or a fresh one. Outside Enabled versioning o takes
// the null version's place.
func addLatest(ctx context.Context, tx *wtx, versioning string, o *meta.Object, now time.Time, vid string) ([]string, error) {
	var freed []string
	if versioning == meta.Enabled {
		o.VersionID = vid
		if vid == "" {
			o.VersionID = meta.NewVersionID(now)
		}
	} else {
		o.VersionID = meta.NullVersion
		old, err := getVersion(ctx, tx, o.Bucket, o.Key, meta.NullVersion)
		if err != nil {
			return nil, err
		}
		if old != nil {
			if freed, err = removeVersion(ctx, tx, old); err != nil {
				return nil, err
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE versions SET is_latest = 0 WHERE bucket = ? AND name = ? AND is_latest = 1`, o.Bucket, o.Key); err != nil {
		return nil, err
	}
	return freed, insertVersion(ctx, tx, o)
}

func (s *Store) PutObject(ctx context.Context, o *meta.Object, opts meta.PutOptions) (meta.PutResult, error) {
	var res meta.PutResult
	err := s.write(func(tx *wtx) error {
		b, err := getBucket(ctx, tx, o.Bucket)
		if err != nil {
			return err
		}
		if opts.Check != nil {
			cur, err := getVersion(ctx, tx, o.Bucket, o.Key, "")
			if err != nil {
				return err
			}
			if cur != nil && cur.DeleteMarker {
				cur = nil
			}
			if err := opts.Check(cur); err != nil {
				return err
			}
		}
		if o.Modified.IsZero() {
			o.Modified = s.now().UTC()
		}
		if opts.Annotations != nil {
			// The source may be the null version this put replaces.
			if err := holdAnnotations(ctx, tx, opts.Annotations); err != nil {
				return err
			}
		}
		if opts.VersionID != "" && b.Versioning == meta.Enabled {
			if have, err := getVersion(ctx, tx, o.Bucket, o.Key, opts.VersionID); err != nil {
				return err
			} else if have != nil {
				res = meta.PutResult{VersionID: have.VersionID, Existed: true}
				return nil
			}
		}
		freed, err := addLatest(ctx, tx, b.Versioning, o, s.now(), opts.VersionID)
		if err != nil {
			return err
		}
		if err := s.journal(ctx, tx, meta.RecordCreate, meta.CreateEvent(meta.ChangeFrom(ctx).Operation), o); err != nil {
			return err
		}
		if opts.Annotations != nil {
			if err := copyAnnotations(ctx, tx, opts.Annotations, o, s.now()); err != nil {
				return err
			}
		}
		res = meta.PutResult{VersionID: o.VersionID, Freed: freed}
		return nil
	})
	if err != nil {
		return meta.PutResult{}, err
	}
	return res, nil
}

func (s *Store) DeleteObject(ctx context.Context, bucket, key, versionID string, opts meta.DeleteOptions) (meta.DeleteResult, error) {
	var res meta.DeleteResult
	err := s.write(func(tx *wtx) error {
		res = meta.DeleteResult{}
		b, err := getBucket(ctx, tx, bucket)
		if err != nil {
			return err
		}
		if versionID == "" && opts.IfLatest != nil {
			cur, err := getVersion(ctx, tx, bucket, key, "")
			if err != nil {
				return err
			}
			if err := opts.IfLatest(cur); err != nil {
				return err
			}
		}
		if versionID == "" && b.Versioning != meta.Unversioned {
			// Add a delete marker; Suspended replaces the null version.
			marker := &meta.Object{Bucket: bucket, Key: key, DeleteMarker: true, Modified: s.now().UTC(), Attrs: opts.MarkerAttrs}
			mvid := ""
			if opts.MarkerVersionID != "" && b.Versioning == meta.Enabled {
				if have, err := getVersion(ctx, tx, bucket, key, opts.MarkerVersionID); err != nil {
					return err
				} else if have != nil {
					res = meta.DeleteResult{VersionID: have.VersionID, DeleteMarker: have.DeleteMarker}
					return nil
				}
				mvid = opts.MarkerVersionID
			}
			if b.Versioning == meta.Suspended {
				if old, err := getVersion(ctx, tx, bucket, key, meta.NullVersion); err != nil {
					return err
				} else if old != nil && opts.Check != nil {
					if err := opts.Check(old); err != nil {
						return err
					}
				}
			}
			freed, err := addLatest(ctx, tx, b.Versioning, marker, s.now(), mvid)
			if err != nil {
				return err
			}
			if err := s.journal(ctx, tx, meta.RecordDelete, meta.DeleteEvent(meta.ChangeFrom(ctx).Operation, true), marker); err != nil {
				return err
			}
			res = meta.DeleteResult{VersionID: marker.VersionID, DeleteMarker: true, Freed: freed}
			return nil
		}
		target := versionID
		if target == "" {
			target = meta.NullVersion
		}
		victim, err := getVersion(ctx, tx, bucket, key, target)
		if err != nil || victim == nil {
			return err
		}
		if opts.Check != nil {
			if err := opts.Check(victim); err != nil {
				return err
			}
		}
		freed, err := removeVersion(ctx, tx, victim)
		if err != nil {
			return err
		}
		if err := s.journal(ctx, tx, meta.RecordDelete, meta.DeleteEvent(meta.ChangeFrom(ctx).Operation, false), victim); err != nil {
			return err
		}
		if victim.IsLatest {
			if _, err := tx.ExecContext(ctx, `UPDATE versions SET is_latest = 1 WHERE seq = (SELECT MAX(seq) FROM versions WHERE bucket = ? AND name = ?)`, bucket, key); err != nil {
				return err
			}
		}
		res = meta.DeleteResult{VersionID: victim.VersionID, DeleteMarker: victim.DeleteMarker, Freed: freed}
		return nil
	})
	if err != nil {
		return meta.DeleteResult{}, err
	}
	return res, nil
}

func (s *Store) UpdateObject(ctx context.Context, bucket, key, versionID string, fn func(*meta.Object) error) (*meta.Object, error) {
	var out *meta.Object
	err := s.write(func(tx *wtx) error {
		o, err := mustGetVersion(ctx, tx, bucket, key, versionID)
		if err != nil {
			return err
		}
		before := o.Attrs.Clone()
		if err := fn(o); err != nil {
			return err
		}
		attrs, err := json.Marshal(&o.Attrs)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE versions SET attrs = ? WHERE seq = ?`, attrs, o.Seq); err != nil {
			return err
		}
		if err := s.journal(ctx, tx, meta.RecordUpdateMetadata, meta.UpdateEvent(meta.ChangeFrom(ctx).Operation, &before, &o.Attrs), o); err != nil {
			return err
		}
		out = o
		return nil
	})
	return out, err
}

// scanLatestQuery lists latest live versions through the partial covering
// index versions_live, which holds only latest non-marker rows: older
// versions of a key cost nothing here (TestScanLatestUsesLiveIndex).
func scanLatestQuery(bucket, prefix, start string, limit int) (string, []any) {
	if start < prefix {
		start = prefix
	}
	q := `SELECT name, version_id, size, etag, modified, storage_class, owner FROM versions
		WHERE bucket = ? AND is_latest = 1 AND delete_marker = 0 AND name >= ?`
	args := []any{bucket, start}
	if end := meta.PrefixEnd(prefix); prefix != "" && end != "" {
		q += ` AND name < ?`
		args = append(args, end)
	}
	q += ` ORDER BY name LIMIT ?`
	return q, append(args, limit)
}

func (s *Store) ScanLatest(ctx context.Context, bucket, prefix, start string, limit int) ([]meta.Object, error) {
	q, args := scanLatestQuery(bucket, prefix, start, limit)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]meta.Object, 0, limit)
	for rows.Next() {
		o := meta.Object{Bucket: bucket, IsLatest: true}
		var modified int64
		if err := rows.Scan(&o.Key, &o.VersionID, &o.Size, &o.ETag, &modified, &o.StorageClass, &o.Owner); err != nil {
			return nil, err
		}
		o.Modified = fromNanos(modified)
		out = append(out, o)
	}
	return out, rows.Err()
}

// scanVersionsQuery reads versions in (name, seq DESC) order from the
// versions_by_age index. The cursor's key is also a lower bound on name, so
// each page seeks to where the last one ended instead of scanning from the
// start of the bucket (TestScanVersionsSeeksToCursor).
func scanVersionsQuery(bucket, prefix string, c meta.VersionCursor, limit int) (string, []any) {
	q := `SELECT seq, name, version_id, is_latest, delete_marker, size, etag, modified, storage_class, owner FROM versions WHERE bucket = ?`
	args := []any{bucket}
	if lo := max(prefix, c.Start, c.Key); lo != "" {
		q += ` AND name >= ?`
		args = append(args, lo)
	}
	if end := meta.PrefixEnd(prefix); prefix != "" && end != "" {
		q += ` AND name < ?`
		args = append(args, end)
	}
	switch {
	case c.Key != "" && c.Seq > 0:
		q += ` AND (name > ? OR (name = ? AND seq < ?))`
		args = append(args, c.Key, c.Key, c.Seq)
	case c.Key != "":
		q += ` AND name > ?`
		args = append(args, c.Key)
	}
	q += ` ORDER BY name, seq DESC LIMIT ?`
	return q, append(args, limit)
}

func (s *Store) ScanVersions(ctx context.Context, bucket, prefix string, c meta.VersionCursor, limit int) ([]meta.Object, error) {
	q, args := scanVersionsQuery(bucket, prefix, c, limit)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]meta.Object, 0, limit)
	for rows.Next() {
		o := meta.Object{Bucket: bucket}
		var modified int64
		if err := rows.Scan(&o.Seq, &o.Key, &o.VersionID, &o.IsLatest, &o.DeleteMarker, &o.Size, &o.ETag, &modified, &o.StorageClass, &o.Owner); err != nil {
			return nil, err
		}
		o.Modified = fromNanos(modified)
		out = append(out, o)
	}
	return out, rows.Err()
}

func (s *Store) BlobReferenced(ctx context.Context, blobID string) (bool, error) {
	var one int
	err := s.r.QueryRowContext(ctx, `SELECT 1 FROM versions WHERE blob_id = ?
		UNION ALL SELECT 1 FROM version_parts WHERE blob_id = ?
		UNION ALL SELECT 1 FROM upload_parts WHERE blob_id = ? LIMIT 1`, blobID, blobID, blobID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func (s *Store) RenameObject(ctx context.Context, bucket, src, dst string, opts meta.RenameOptions) ([]string, error) {
	var freed []string
	err := s.write(func(tx *wtx) error {
		freed = nil
		b, err := getBucket(ctx, tx, bucket)
		if err != nil {
			return err
		}
		if b.Versioning != meta.Unversioned {
			return meta.ErrRenameVersioned
		}
		from, err := getVersion(ctx, tx, bucket, src, "")
		if err != nil {
			return err
		}
		if from != nil && from.DeleteMarker {
			from = nil
		}
		to, err := getVersion(ctx, tx, bucket, dst, "")
		if err != nil {
			return err
		}
		if to != nil && to.DeleteMarker {
			to = nil
		}
		if opts.Check != nil {
			if err := opts.Check(from, to); err != nil {
				return err
			}
		}
		if from == nil {
			return meta.ErrNoSuchKey
		}
		if src == dst {
			return nil
		}
		if to != nil {
			if freed, err = removeVersion(ctx, tx, to); err != nil {
				return err
			}
		}
		if err := s.journal(ctx, tx, meta.RecordDelete, meta.DeleteEvent(meta.ChangeFrom(ctx).Operation, false), from); err != nil {
			return err
		}
		moved := *from
		moved.Key = dst
		if opts.Edit != nil {
			moved.Attrs = from.Attrs.Clone()
			opts.Edit(&moved.Attrs)
		}
		attrs, err := json.Marshal(&moved.Attrs)
		if err != nil {
			return err
		}
		// The restores triggers follow the row's new name (UPDATE OF attrs).
		if _, err := tx.ExecContext(ctx, `UPDATE versions SET name = ?, attrs = ? WHERE seq = ?`, dst, attrs, from.Seq); err != nil {
			return err
		}
		return s.journal(ctx, tx, meta.RecordCreate, meta.CreateEvent(meta.ChangeFrom(ctx).Operation), &moved)
	})
	if err != nil {
		return nil, err
	}
	return freed, nil
}
