package analytics

import (
	"bytes"
	"context"
	"encoding/csv"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"talus/internal/meta"
	"talus/internal/worker"
)

// ServicePrincipal writes the exports; the destination bucket's policy
// must allow it s3:PutObject (the same principal as inventory, as in S3).
const ServicePrincipal = "s3.amazonaws.com"

// Header is the export's first line: AWS's columns, in order.
var Header = []string{"Date", "ConfigId", "Filter", "StorageClass", "ObjectAge", "ObjectCount", "DataUploaded_MB",
	"Storage_MB", "DataRetrieved_MB", "GetRequestCount", "CumulativeAccessRatio", "ObjectAgeForSIATransition",
	"RecommendedObjectAgeForSIATransition"}

// DateFormat is the Date column's layout: MM-DD-YYYY, as AWS documents it.
const DateFormat = "01-02-2006"

// Object is one export object to write.
type Object struct {
	Bucket, Key   string
	SourceBucket  string
	SourceAccount string
	Data          []byte
}

// Config sets up the export worker.
type Config struct {
	Meta     meta.Store
	Counters *Counters
	Put      func(ctx context.Context, o Object) error
	Account  func(ctx context.Context, canonicalID string) string
	Day      time.Duration
	Logger   *slog.Logger
	Now      func() time.Time
}

// Worker writes the daily exports.
type Worker struct{ cfg Config }

// New returns the export worker.
func New(cfg Config) *Worker {
	if cfg.Day <= 0 {
		cfg.Day = 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Worker{cfg: cfg}
}

// Job runs a pass every tenth of a day. It is shared, so that each
// export is written once among gateways on one metadata store; the access
// counts it exports are those of the gateway holding the lease (an
// estimate, as S3's own analysis is).
func (w *Worker) Job() worker.Job {
	return worker.Periodic("analytics-export", true /* shared */, w.cfg.Day/10, w.cfg.Day/10, w.Pass)
}

// Pass writes every export that is due (once a day per configuration).
func (w *Worker) Pass(ctx context.Context) (int, error) {
	done := 0
	err := meta.EachBucket(ctx, w.cfg.Meta, func(b meta.Bucket) error {
		for _, c := range b.Config.Analytics {
			if !c.Export || (!c.LastRun.IsZero() && w.cfg.Now().Sub(c.LastRun) < w.cfg.Day) {
				continue
			}
			if err := w.Export(ctx, b, c); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				w.cfg.Logger.Warn("storage class analysis export failed", "bucket", b.Name, "id", c.ID, "err", err)
			}
			done++
		}
		return nil
	})
	return done, err
}

type groupStats struct {
	count, storage, uploaded int64
}

// Export writes one configuration's export: a row per storage class and
// object age group (and ALL), from a scan of the latest versions that
// pass the filter and the GET counts since the last export.
func (w *Worker) Export(ctx context.Context, b meta.Bucket, c meta.AnalyticsConfig) error {
	now := w.cfg.Now().UTC()
	stats := map[string]map[int]*groupStats{"STANDARD": {}}
	start := ""
	for {
		page, err := w.cfg.Meta.ScanLatest(ctx, b.Name, c.Prefix, start, 1000)
		if err != nil {
			return err
		}
		for i := range page {
			o := &page[i]
			start = o.Key + "\x00"
			if len(c.Tags) > 0 {
				full, err := w.cfg.Meta.GetObject(ctx, b.Name, o.Key, o.VersionID)
				if err != nil || !Matches(c, o.Key, full.Attrs.Tags) {
					continue
				}
			}
			class := o.StorageClass
			if class == "" {
				class = "STANDARD"
			}
			if stats[class] == nil {
				stats[class] = map[int]*groupStats{}
			}
			g := groupOf(int(now.Sub(o.Modified)/w.cfg.Day), o.Size)
			s := stats[class][g]
			if s == nil {
				s = &groupStats{}
				stats[class][g] = s
			}
			s.count++
			s.storage += o.Size
			if now.Sub(o.Modified) < w.cfg.Day {
				s.uploaded += o.Size
			}
		}
		if len(page) < 1000 {
			break
		}
	}
	counts := w.cfg.Counters.take(b.Name, c.ID)
	data := exportCSV(now, c, stats, counts)
	prefix := c.DestPrefix
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	err := w.cfg.Put(ctx, Object{Bucket: c.DestBucket, Key: prefix + b.Name + "/" + c.ID + "/" + now.Format("2006-01-02") + ".csv",
		SourceBucket: b.Name, SourceAccount: w.cfg.Account(ctx, b.Owner), Data: data})
	if err != nil {
		w.cfg.Counters.restore(b.Name, c.ID, counts)
		return err
	}
	return w.cfg.Meta.UpdateBucket(ctx, b.Name, func(nb *meta.Bucket) error {
		for i := range nb.Config.Analytics {
			if nb.Config.Analytics[i].ID == c.ID {
				nb.Config.Analytics[i].LastRun = now
			}
		}
		return nil
	})
}

// FilterText is the export's Filter column: the prefix and the tags.
func FilterText(c meta.AnalyticsConfig) string {
	parts := []string{}
	if c.Prefix != "" {
		parts = append(parts, "prefix="+c.Prefix)
	}
	keys := make([]string, 0, len(c.Tags))
	for k := range c.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts = append(parts, "tag:"+k+"="+c.Tags[k])
	}
	return strings.Join(parts, " ")
}

func mb(n int64) string { return strconv.FormatFloat(float64(n)/(1<<20), 'f', 6, 64) }

func exportCSV(now time.Time, c meta.AnalyticsConfig, stats map[string]map[int]*groupStats, counts map[int]access) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(Header)
	classes := make([]string, 0, len(stats))
	for k := range stats {
		classes = append(classes, k)
	}
	sort.Strings(classes)
	date, filter := now.Format(DateFormat), FilterText(c)
	for _, class := range classes {
		var all groupStats
		var allAccess access
		for g, group := range AgeGroups {
			s := stats[class][g]
			if s == nil {
				s = &groupStats{}
			}
			var a access
			if class == "STANDARD" {
				a = counts[g] // GETs are counted per age group, not per class
			}
			all.count += s.count
			all.storage += s.storage
			all.uploaded += s.uploaded
			allAccess.gets += a.gets
			allAccess.retrieved += a.retrieved
			w.Write(row(date, c.ID, filter, class, group.Name, *s, a))
		}
		// Objects too small for an age group count only in ALL.
		if s := stats[class][smallGroup]; s != nil {
			all.count += s.count
			all.storage += s.storage
			all.uploaded += s.uploaded
		}
		if class == "STANDARD" {
			allAccess.gets += counts[smallGroup].gets
			allAccess.retrieved += counts[smallGroup].retrieved
		}
		w.Write(row(date, c.ID, filter, class, "ALL", all, allAccess))
	}
	w.Flush()
	return buf.Bytes()
}

func row(date, id, filter, class, age string, s groupStats, a access) []string {
	ratio := ""
	if s.storage > 0 {
		ratio = strconv.FormatFloat(float64(a.retrieved)/float64(s.storage), 'f', 6, 64)
	}
	return []string{date, id, filter, class, age, strconv.FormatInt(s.count, 10), mb(s.uploaded), mb(s.storage),
		mb(a.retrieved), strconv.FormatInt(a.gets, 10), ratio, "", ""}
}
