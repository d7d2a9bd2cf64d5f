package inventory

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"talus/internal/meta"
	"talus/internal/worker"
)

// ServicePrincipal is the principal reports are written as; the
// destination bucket's policy must allow it s3:PutObject.
const ServicePrincipal = "inventory.s3.amazonaws.com"

// Object is one report object to write into the destination bucket.
type Object struct {
	Bucket, Key   string
	SourceBucket  string
	SourceAccount string
	ContentType   string
	Data          []byte
	// SSE is "" (the bucket's default), "AES256" or "aws:kms" with KMSKeyID.
	SSE, KMSKeyID string
}

// Config sets up the inventory worker.
type Config struct {
	Meta meta.Store
	// Put writes a report object as ServicePrincipal.
	Put func(ctx context.Context, o Object) error
	// Account maps a bucket owner's canonical ID to its account ID.
	Account func(ctx context.Context, canonicalID string) string
	// Day is one lifecycle day: Daily reports come once a day, Weekly
	// once every seven.
	Day    time.Duration
	Logger *slog.Logger
	Now    func() time.Time
}

// Worker writes the scheduled reports.
type Worker struct{ cfg Config }

// New returns the inventory worker.
func New(cfg Config) *Worker {
	if cfg.Day <= 0 {
		cfg.Day = 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Worker{cfg: cfg}
}

// Job runs a pass every tenth of a day on one gateway at a time.
func (w *Worker) Job() worker.Job {
	return worker.Periodic("inventory", true /* shared */, w.cfg.Day/10, w.cfg.Day/10, w.Pass)
}

// rowsPerFile bounds a data file (and what one report holds in memory).
var rowsPerFile = 100_000

// Pass writes every report that is due and returns how many it wrote.
func (w *Worker) Pass(ctx context.Context) (int, error) {
	done := 0
	err := meta.EachBucket(ctx, w.cfg.Meta, func(b meta.Bucket) error {
		for _, c := range b.Config.Inventory {
			if !c.Enabled || !w.due(c) {
				continue
			}
			if err := w.Report(ctx, b, c); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				w.cfg.Logger.Warn("inventory report failed", "bucket", b.Name, "id", c.ID, "err", err)
			}
			done++
		}
		return nil
	})
	return done, err
}

func (w *Worker) due(c meta.InventoryConfig) bool {
	period := w.cfg.Day
	if c.Frequency == "Weekly" {
		period *= 7
	}
	return c.LastRun.IsZero() || w.cfg.Now().Sub(c.LastRun) >= period
}

// Report writes one report of configuration c of bucket b: its data
// files, manifest.json, manifest.checksum and hive symlink.txt, in AWS's
// layout under the destination prefix. The run time is recorded once the
// report is complete, so a report cut short is written again.
func (w *Worker) Report(ctx context.Context, b meta.Bucket, c meta.InventoryConfig) error {
	now := w.cfg.Now().UTC()
	if c.Format != CSV && c.Format != Parquet {
		return fmt.Errorf("inventory: format %s is not supported", c.Format)
	}
	acct := w.cfg.Account(ctx, b.Owner)
	base := c.DestPrefix
	if base != "" && !strings.HasSuffix(base, "/") {
		base += "/"
	}
	base += b.Name + "/" + c.ID + "/"
	put := func(key, ctype string, data []byte) error {
		return w.cfg.Put(ctx, Object{Bucket: c.DestBucket, Key: key, SourceBucket: b.Name, SourceAccount: acct,
			ContentType: ctype, Data: data, SSE: sseHeader(c.SSE), KMSKeyID: c.KMSKeyID})
	}
	all := c.Versions == "All"
	cols := columns(all, c.Fields)
	attrs := false
	for _, col := range cols {
		attrs = attrs || needsAttrs[col]
	}
	stamp := now.Format("2006-01-02T15-04Z")
	var files []ManifestFile
	newFile := func() dataFile {
		if c.Format == Parquet {
			return newParquetFile(cols)
		}
		return newCSVFile(cols)
	}
	ext := map[string]string{CSV: ".csv.gz", Parquet: ".parquet"}[c.Format]
	cur := newFile()
	flush := func() error {
		if cur.rows() == 0 && len(files) > 0 {
			return nil
		}
		data, err := cur.finish()
		if err != nil {
			return err
		}
		sum := sha256.Sum256([]byte(b.Name + "\x00" + c.ID + "\x00" + stamp + "\x00" + strconv.Itoa(len(files))))
		key := base + "data/" + uuidOf(sum[:16]) + ext
		if err := put(key, "application/octet-stream", data); err != nil {
			return err
		}
		files = append(files, ManifestFile{Key: key, Size: int64(len(data)), MD5checksum: md5hex(data)})
		cur = newFile()
		return nil
	}
	var cursor meta.VersionCursor
	for {
		page, err := w.cfg.Meta.ScanVersions(ctx, b.Name, c.FilterPrefix, cursor, 1000)
		if err != nil {
			return err
		}
		for i := range page {
			o := &page[i]
			cursor.Key, cursor.Seq = o.Key, o.Seq
			if !all && (!o.IsLatest || o.DeleteMarker) {
				continue
			}
			if attrs && !o.DeleteMarker {
				full, err := w.cfg.Meta.GetObject(ctx, b.Name, o.Key, o.VersionID)
				if err != nil {
					continue // deleted since the scan
				}
				o.Attrs = full.Attrs
			}
			if err := cur.add(b.Name, o); err != nil {
				return err
			}
			if cur.rows() >= rowsPerFile {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if len(page) < 1000 {
			break
		}
	}
	if err := flush(); err != nil {
		return err
	}
	m := Manifest{SourceBucket: b.Name, DestinationBucket: "arn:aws:s3:::" + c.DestBucket, Version: "2016-11-30",
		CreationTimestamp: strconv.FormatInt(now.UnixMilli(), 10), FileFormat: c.Format, FileSchema: fileSchema(c.Format, cols), Files: files}
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	// The manifest is written last, so that a reader who sees it finds
	// every file it names, its checksum and the hive symlink too.
	var sym strings.Builder
	for _, f := range files {
		sym.WriteString("s3://" + c.DestBucket + "/" + f.Key + "\n")
	}
	if err := put(base+"hive/dt="+now.Format("2006-01-02-15-04")+"/symlink.txt", "text/plain", []byte(sym.String())); err != nil {
		return err
	}
	if err := put(base+stamp+"/manifest.checksum", "text/plain", []byte(md5hex(mj))); err != nil {
		return err
	}
	if err := put(base+stamp+"/manifest.json", "application/json", mj); err != nil {
		return err
	}
	return w.cfg.Meta.UpdateBucket(ctx, b.Name, func(nb *meta.Bucket) error {
		for i := range nb.Config.Inventory {
			if nb.Config.Inventory[i].ID == c.ID {
				nb.Config.Inventory[i].LastRun = now
				return nil
			}
		}
		return errNoConfig
	})
}

var errNoConfig = errors.New("inventory: configuration deleted during the report")

func sseHeader(v string) string {
	switch v {
	case "SSE-S3":
		return "AES256"
	case "SSE-KMS":
		return "aws:kms"
	}
	return ""
}

func uuidOf(b []byte) string {
	h := fmt.Sprintf("%x", b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
