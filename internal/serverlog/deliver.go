package serverlog

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"talus/internal/worker"
)

// ServicePrincipal is the principal log objects are written as; a target
// bucket's policy must allow it s3:PutObject.
const ServicePrincipal = "logging.s3.amazonaws.com"

// ErrRefused is what a Deliverer returns when the target refuses the log
// object for good (no bucket, no permission): its records are dropped, as
// S3 drops them. Any other error keeps them for the next run.
var ErrRefused = errors.New("serverlog: delivery refused")

// Delivery is one log object to write.
type Delivery struct {
	Bucket, Key   string
	SourceBucket  string
	SourceAccount string
	Data          []byte
}

// Deliverer writes log objects into target buckets as ServicePrincipal.
type Deliverer interface {
	DeliverLog(ctx context.Context, d Delivery) error
}

// Job returns the delivery job: every interval it rotates the spool and
// writes each ready file's records as log objects, one per source bucket
// and target (and event day, for EventTime partitions). Object keys are
// derived from the spool file, so a run that stops half way and runs
// again writes the same keys: no duplicates, no gaps. Each gateway
// delivers its own spool, so the job is not shared.
func (s *Sink) Job(interval time.Duration, d Deliverer) worker.Job {
	return worker.Job{Name: "access-log-delivery", Delay: interval, Interval: interval,
		Run: func(ctx context.Context, r *worker.Run) error {
			n, err := s.Deliver(ctx, d)
			r.Done(n)
			if left, berr := s.Backlog(); berr == nil {
				r.Backlog(left)
			}
			return err
		}}
}

// Deliver delivers every ready spool file and returns the records delivered.
func (s *Sink) Deliver(ctx context.Context, d Deliverer) (int, error) {
	if err := s.Rotate(); err != nil {
		return 0, err
	}
	files, err := s.ready()
	if err != nil {
		return 0, err
	}
	total := 0
	for _, name := range files {
		n, err := s.deliverFile(ctx, d, name)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

type group struct {
	first Entry
	lines []string
}

func (s *Sink) deliverFile(ctx context.Context, d Deliverer, name string) (int, error) {
	path := filepath.Join(s.dir, name)
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	groups := map[string]*group{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var e Entry
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue // a torn last line after a crash
		}
		k := groupKey(e)
		g := groups[k]
		if g == nil {
			g = &group{first: e}
			groups[k] = g
		}
		g.lines = append(g.lines, e.Line)
	}
	f.Close()
	if err := sc.Err(); err != nil {
		return 0, err
	}
	delivered := fileTime(name)
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	n := 0
	for _, k := range keys {
		g := groups[k]
		sum := sha256.Sum256([]byte(name + "\x00" + k))
		unique := strings.ToUpper(hex.EncodeToString(sum[:8]))
		data := []byte(strings.Join(g.lines, "\n") + "\n")
		err := d.DeliverLog(ctx, Delivery{Bucket: g.first.Target, Key: ObjectKey(g.first, delivered, unique),
			SourceBucket: g.first.SourceBucket, SourceAccount: g.first.SourceAccount, Data: data})
		switch {
		case errors.Is(err, ErrRefused):
			s.log.Warn("access log delivery refused; records dropped", "target", g.first.Target, "source", g.first.SourceBucket, "records", len(g.lines), "err", err)
		case err != nil:
			return n, err
		default:
			n += len(g.lines)
		}
	}
	return n, os.Remove(path)
}

func groupKey(e Entry) string {
	k := e.Target + "\x00" + e.Prefix + "\x00" + strconv.FormatBool(e.Partitioned) + "\x00" + strconv.FormatBool(e.EventDate) +
		"\x00" + e.SourceBucket + "\x00" + e.SourceAccount + "\x00" + e.SourceRegion
	if e.Partitioned && e.EventDate {
		k += "\x00" + e.Time.UTC().Format("2006-01-02")
	}
	return k
}

// fileTime is the rotation time a ready file's name carries.
func fileTime(name string) time.Time {
	s := strings.TrimPrefix(name, readyPrefix)
	if i := strings.IndexByte(s, '-'); i > 0 {
		s = s[:i]
	}
	ns, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Now().UTC()
	}
	return time.Unix(0, ns).UTC()
}

// ObjectKey is a log object's key, as S3 forms it:
// TargetPrefixYYYY-mm-DD-HH-MM-SS-UniqueString, or for partitioned
// prefixes TargetPrefix + SourceAccountId/SourceRegion/SourceBucket/
// YYYY/MM/DD/YYYY-MM-DD-hh-mm-ss-UniqueString, dated by the delivery
// time or (EventTime) the records' day.
func ObjectKey(e Entry, delivered time.Time, unique string) string {
	stamp := delivered.UTC().Format("2006-01-02-15-04-05") + "-" + unique
	if !e.Partitioned {
		return e.Prefix + stamp
	}
	day := delivered.UTC()
	if e.EventDate {
		day = e.Time.UTC()
	}
	return e.Prefix + e.SourceAccount + "/" + e.SourceRegion + "/" + e.SourceBucket + "/" + day.Format("2006/01/02") + "/" + stamp
}
