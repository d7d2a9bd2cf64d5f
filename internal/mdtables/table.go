package mdtables

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/apache/iceberg-go"
	icebergio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"
	"github.com/google/uuid"

	"talus/internal/meta"
)

// ErrNoSuchTable: the table bucket has no such table.
var ErrNoSuchTable = errors.New("mdtables: no such table")

// errCommitConflict: the table moved on since it was loaded.
var errCommitConflict = errors.New("mdtables: table changed during commit")

// tables reads and commits the Iceberg tables of table buckets.
type tables struct {
	meta meta.Store
	objs objectStore
}

func (ts *tables) fs(ctx context.Context, kmsKey string) table.FSysF {
	return func(context.Context) (icebergio.IO, error) {
		return &objectIO{ctx: ctx, s: ts.objs, kmsKey: kmsKey}, nil
	}
}

// tableLocation is where a table's files go: s3://BUCKET/NS/NAME-ID.
func tableLocation(bucket, ns, name, id string) string {
	return fmt.Sprintf("s3://%s/%s/%s-%s", bucket, ns, name, id)
}

// create makes table ns.name with id in bucket unless it exists with that
// ID; an older table of the same name (a configuration made again) is
// replaced in the catalog, its files left in place. Its files are
// encrypted SSE-KMS under kmsKey when that is set.
func (ts *tables) create(ctx context.Context, bucket, ns, name, id, kind, source, kmsKey string) error {
	b, err := ts.meta.GetBucket(ctx, bucket)
	if err != nil {
		return err
	}
	if e := b.Config.Tables.Find(ns, name); e != nil && e.ID == id {
		return nil
	}
	tid, err := uuid.Parse(id)
	if err != nil {
		return err
	}
	loc := tableLocation(bucket, ns, name, id)
	props := iceberg.Properties{"format-version": "2", "write.parquet.compression-codec": "zstd",
		"talus.source-bucket": source, "talus.kind": kind}
	md, err := table.NewMetadataWithUUID(tableSchema(kind), iceberg.UnpartitionedSpec, table.UnsortedSortOrder, loc, props, tid)
	if err != nil {
		return err
	}
	mloc := fmt.Sprintf("%s/metadata/00000-%s.metadata.json", loc, uuid.NewString())
	if err := ts.writeMetadata(ctx, mloc, md, kmsKey); err != nil {
		return err
	}
	return ts.meta.UpdateBucket(ctx, bucket, func(b *meta.Bucket) error {
		if b.Config.Tables == nil {
			b.Config.Tables = &meta.TableBucket{}
		}
		e := meta.TableEntry{Namespace: ns, Name: name, ID: id, MetadataLocation: mloc, Created: time.UnixMilli(md.LastUpdatedMillis()).UTC(), Source: source, KMSKeyARN: kmsKey}
		if old := b.Config.Tables.Find(ns, name); old != nil {
			if old.ID == id {
				return nil
			}
			*old = e
			return nil
		}
		b.Config.Tables.Tables = append(b.Config.Tables.Tables, e)
		return nil
	})
}

func (ts *tables) writeMetadata(ctx context.Context, loc string, md table.Metadata, kmsKey string) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(md); err != nil {
		return err
	}
	return (&objectIO{ctx: ctx, s: ts.objs, kmsKey: kmsKey}).WriteFile(loc, buf.Bytes())
}

// entry returns a table's catalog entry.
func (ts *tables) entry(ctx context.Context, bucket, ns, name string) (meta.TableEntry, error) {
	b, err := ts.meta.GetBucket(ctx, bucket)
	if errors.Is(err, meta.ErrNoSuchBucket) {
		return meta.TableEntry{}, ErrNoSuchTable
	}
	if err != nil {
		return meta.TableEntry{}, err
	}
	e := b.Config.Tables.Find(ns, name)
	if e == nil {
		return meta.TableEntry{}, ErrNoSuchTable
	}
	return *e, nil
}

// readMetadata reads and parses a metadata file.
func (ts *tables) readMetadata(ctx context.Context, loc string) (table.Metadata, error) {
	f, err := (&objectIO{ctx: ctx, s: ts.objs}).Open(loc)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	return table.ParseMetadataBytes(b)
}

// load opens table ns.name of bucket for reading and committing.
func (ts *tables) load(ctx context.Context, bucket, ns, name string) (*table.Table, error) {
	e, err := ts.entry(ctx, bucket, ns, name)
	if err != nil {
		return nil, err
	}
	md, err := ts.readMetadata(ctx, e.MetadataLocation)
	if err != nil {
		return nil, err
	}
	return table.New(table.Identifier{ns, name}, md, e.MetadataLocation, ts.fs(ctx, e.KMSKeyARN), &committer{ts: ts, bucket: bucket}), nil
}

// committer is the table.CatalogIO of one table bucket: it applies a
// transaction's updates, writes the next metadata file and swaps the
// catalog entry to it if nobody else committed in between.
type committer struct {
	ts     *tables
	bucket string
}

func (c *committer) LoadTable(ctx context.Context, ident table.Identifier) (*table.Table, error) {
	if len(ident) != 2 {
		return nil, ErrNoSuchTable
	}
	return c.ts.load(ctx, c.bucket, ident[0], ident[1])
}

func (c *committer) CommitTable(ctx context.Context, ident table.Identifier, reqs []table.Requirement, updates []table.Update) (table.Metadata, string, error) {
	if len(ident) != 2 {
		return nil, "", ErrNoSuchTable
	}
	e, err := c.ts.entry(ctx, c.bucket, ident[0], ident[1])
	if err != nil {
		return nil, "", err
	}
	cur, err := c.ts.readMetadata(ctx, e.MetadataLocation)
	if err != nil {
		return nil, "", err
	}
	for _, r := range reqs {
		if err := r.Validate(cur); err != nil {
			return nil, "", err
		}
	}
	next, err := table.UpdateTableMetadata(cur, updates, e.MetadataLocation)
	if err != nil {
		return nil, "", err
	}
	version := e.Version + 1
	loc := fmt.Sprintf("%s/metadata/%05d-%s.metadata.json", next.Location(), version, uuid.NewString())
	if err := c.ts.writeMetadata(ctx, loc, next, e.KMSKeyARN); err != nil {
		return nil, "", err
	}
	err = c.ts.meta.UpdateBucket(ctx, c.bucket, func(b *meta.Bucket) error {
		x := b.Config.Tables.Find(ident[0], ident[1])
		if x == nil || x.MetadataLocation != e.MetadataLocation {
			return errCommitConflict
		}
		x.MetadataLocation, x.Version = loc, version
		return nil
	})
	if err != nil {
		// The new file is referenced by nothing; drop it.
		(&objectIO{ctx: ctx, s: c.ts.objs}).Remove(loc)
		return nil, "", err
	}
	return next, loc, nil
}
