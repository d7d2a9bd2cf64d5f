package lifecycle

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"

	"talus/internal/blob"
	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/worker"
)

// JobName is the worker job (and lease) name.
const JobName = "lifecycle"

// Config sets up a Worker.
type Config struct {
	Meta  meta.Store
	Blobs blob.Store
	// Day is how long one lifecycle day lasts (24h; shorter for tests).
	Day time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Batch is how many versions or uploads one scan reads (default 1000).
	Batch int
	// ClassTier names the tier that holds a storage class's data, or an
	// Intelligent-Tiering archive tier's ("": the default tier; nil: every
	// class is in the default tier). Blobs must be the tiered store.
	ClassTier func(class string) string
	Logger    *slog.Logger
}

// Worker applies lifecycle rules.
type Worker struct {
	cfg Config
}

// New returns a lifecycle worker.
func New(cfg Config) *Worker {
	if cfg.Day <= 0 {
		cfg.Day = 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 1000
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Worker{cfg: cfg}
}

// Interval is the pause between passes: a tenth of a lifecycle day, so an
// action is applied at most that long after it falls due.
func (w *Worker) Interval() time.Duration { return w.cfg.Day / 10 }

// Job returns the worker job that runs a pass every Interval, on one
// gateway at a time.
func (w *Worker) Job() worker.Job {
	iv := w.Interval()
	return worker.Job{Name: JobName, Shared: true, Interval: iv, Delay: min(iv, time.Minute), Run: w.Pass}
}

// checkpoint is where a pass is: the bucket, and within it the last key
// whose versions were all handled (Key), or in the upload phase the last
// upload handled. A pass resumes after it.
type checkpoint struct {
	Bucket   string `json:"bucket"`
	Uploads  bool   `json:"uploads,omitempty"`
	Key      string `json:"key,omitempty"`
	UploadID string `json:"upload,omitempty"`
}

// progress records and stores a pass's position.
type progress interface {
	Done(n int)
	Error(err error)
	At(position string)
	Backlog(n int64)
	Checkpoint(ctx context.Context) ([]byte, error)
	SaveCheckpoint(ctx context.Context, data []byte) error
}

var _ progress = (*worker.Run)(nil)

// Pass applies every bucket's rules once, resuming an interrupted pass
// from its checkpoint.
func (w *Worker) Pass(ctx context.Context, r *worker.Run) error { return w.pass(ctx, r) }

func (w *Worker) pass(ctx context.Context, r progress) error {
	var cp checkpoint
	if data, err := r.Checkpoint(ctx); err != nil {
		return err
	} else if data != nil {
		if err := json.Unmarshal(data, &cp); err != nil {
			w.cfg.Logger.Warn("lifecycle checkpoint unreadable; starting over", "err", err)
			cp = checkpoint{}
		}
	}
	resume := cp.Bucket != ""
	// The backlog is the buckets with rules the pass has still to scan.
	left, err := w.configured(ctx, cp.Bucket)
	if err != nil {
		return err
	}
	r.Backlog(left)
	after := ""
	if resume {
		w.cfg.Logger.Info("lifecycle pass resumes", "bucket", cp.Bucket, "key", cp.Key)
	}
	for {
		buckets, err := w.cfg.Meta.ListBuckets(ctx, "", "", after, 100)
		if err != nil {
			return err
		}
		for _, b := range buckets {
			after = b.Name
			if resume && b.Name < cp.Bucket {
				continue
			}
			start := checkpoint{Bucket: b.Name}
			if resume && b.Name == cp.Bucket {
				start = cp
			}
			resume = false
			if err := w.bucket(ctx, r, b, start); err != nil {
				return err
			}
			if hasRules(b) && left > 0 {
				left--
				r.Backlog(left)
			}
		}
		if len(buckets) < 100 {
			break
		}
	}
	r.Backlog(0)
	return r.SaveCheckpoint(ctx, nil)
}

// hasRules: the bucket has a lifecycle or Intelligent-Tiering configuration.
func hasRules(b meta.Bucket) bool {
	return b.Config.Lifecycle != nil || len(b.Config.IntelligentTiering) > 0
}

// configured counts the buckets with rules from the one named from on.
func (w *Worker) configured(ctx context.Context, from string) (int64, error) {
	var n int64
	err := meta.EachBucket(ctx, w.cfg.Meta, func(b meta.Bucket) error {
		if b.Name >= from && hasRules(b) {
			n++
		}
		return nil
	})
	return n, err
}

// save stores the pass's position.
func save(ctx context.Context, r progress, cp checkpoint) error {
	data, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	return r.SaveCheckpoint(ctx, data)
}

// bucket applies one bucket's rules from cp.
func (w *Worker) bucket(ctx context.Context, r progress, b meta.Bucket, cp checkpoint) error {
	if !hasRules(b) {
		return nil
	}
	if err := save(ctx, r, cp); err != nil {
		return err
	}
	if !cp.Uploads {
		if err := w.versions(ctx, r, b.Name, cp.Key); err != nil {
			return err
		}
		cp = checkpoint{Bucket: b.Name, Uploads: true}
		if err := save(ctx, r, cp); err != nil {
			return err
		}
	}
	return w.uploads(ctx, r, b.Name, cp)
}

// errGone ends a bucket's scan when the bucket or its configuration went away.
var errGone = errors.New("lifecycle: bucket or configuration gone")

// rules reads the bucket's current configuration (it may change during
// a pass).
func (w *Worker) rules(ctx context.Context, bucket string) (meta.Bucket, error) {
	b, err := w.cfg.Meta.GetBucket(ctx, bucket)
	if errors.Is(err, meta.ErrNoSuchBucket) {
		return b, errGone
	}
	if err != nil {
		return b, err
	}
	if b.Config.Lifecycle == nil && len(b.Config.IntelligentTiering) == 0 {
		return b, errGone
	}
	return b, nil
}

// itConfigs converts the bucket's Intelligent-Tiering configurations.
func itConfigs(cs []meta.IntelligentTiering) []s3.ITConfig {
	out := make([]s3.ITConfig, len(cs))
	for i, c := range cs {
		o := s3.ITConfig{ID: c.ID, Status: c.Status, Prefix: c.Prefix, Form: c.Form}
		for _, t := range c.Tags {
			o.Tags = append(o.Tags, s3.Tag{Key: t.Key, Value: t.Value})
		}
		for _, t := range c.Tierings {
			o.Tierings = append(o.Tierings, s3.ITTiering{AccessTier: t.AccessTier, Days: t.Days})
		}
		out[i] = o
	}
	return out
}

// versionPrefixes returns the sorted key prefixes the enabled rules and
// Intelligent-Tiering configurations that act on versions select, and
// whether any exists. nil with true means some rule selects every key.
func versionPrefixes(rules []s3.LifecycleRule, its []s3.ITConfig) ([]string, bool) {
	var out []string
	any := false
	for _, c := range its {
		if c.Status != s3.LifecycleEnabled {
			continue
		}
		if c.Prefix == "" {
			return nil, true
		}
		any = true
		out = append(out, c.Prefix)
	}
	for _, r := range rules {
		if r.Status != s3.LifecycleEnabled || (r.Expiration == nil && r.NoncurrentVersionExpiration == nil &&
			len(r.Transitions) == 0 && len(r.NoncurrentVersionTransitions) == 0) {
			continue
		}
		if r.Filter.Prefix == "" {
			return nil, true
		}
		any = true
		out = append(out, r.Filter.Prefix)
	}
	sort.Strings(out)
	return out, any
}

// skipTo returns where a scan standing on key should go next: "" when key
// starts with one of the prefixes (read it) or none is given, else the
// first prefix after key, or end true when no prefix is left.
func skipTo(prefixes []string, key string) (next string, end bool) {
	if prefixes == nil {
		return "", false
	}
	for _, p := range prefixes {
		if strings.HasPrefix(key, p) {
			return "", false
		}
		if p > key {
			return p, false
		}
	}
	return "", true
}

func needsTags(rules []s3.LifecycleRule) bool {
	for _, r := range rules {
		if r.Status == s3.LifecycleEnabled && len(r.Filter.Tags) > 0 {
			return true
		}
	}
	return false
}
