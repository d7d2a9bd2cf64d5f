package notify

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"talus/internal/meta"
	"talus/internal/worker"
)

// Config sets up a Service.
type Config struct {
	File   *File // nil: no targets
	Store  meta.Store
	HostID string // x-amz-id-2 of events
	Logger *slog.Logger
}

// Service holds the targets and delivers events to them.
type Service struct {
	file    File
	store   meta.Store
	hostID  string
	log     *slog.Logger
	targets []*target
	byARN   map[string]*target
}

// target is one configured target and its delivery state.
type target struct {
	cfg    TargetConfig // as configured (secret references unresolved)
	sender Sender
	stats  counters
}

// New opens the targets of cfg.File (connections are made on first use).
func New(cfg Config) (*Service, error) {
	s := &Service{store: cfg.Store, hostID: cfg.HostID, log: cfg.Logger, byARN: map[string]*target{}}
	if s.log == nil {
		s.log = slog.Default()
	}
	if cfg.File != nil {
		if err := cfg.File.check(); err != nil {
			return nil, err
		}
		s.file = cfg.File.withDefaults()
	} else {
		s.file = (&File{}).withDefaults()
	}
	for _, tc := range s.file.Targets {
		snd, err := newSender(tc.resolved())
		if err != nil {
			s.Close()
			return nil, err
		}
		t := &target{cfg: tc, sender: snd}
		s.targets = append(s.targets, t)
		s.byARN[tc.ARN] = t
		// The cursor exists from the start, so that the changes after
		// the server starts are kept for the target and sent.
		if s.store != nil {
			if _, err := s.startCursor(context.Background(), CursorName(tc.ARN)); err != nil {
				s.Close()
				return nil, err
			}
		}
	}
	return s, nil
}

// Close closes every target's connection.
func (s *Service) Close() {
	for _, t := range s.targets {
		t.sender.Close()
	}
}

// HasTarget reports whether arn is a configured (non-EventBridge) target.
func (s *Service) HasTarget(arn string) bool {
	t := s.byARN[arn]
	return t != nil && !t.cfg.EventBridge
}

// HasEventBridge reports whether some target takes EventBridge events.
func (s *Service) HasEventBridge() bool {
	for _, t := range s.targets {
		if t.cfg.EventBridge {
			return true
		}
	}
	return false
}

// Targets lists the configured targets (secrets left as configured).
func (s *Service) Targets() []TargetConfig {
	out := make([]TargetConfig, len(s.targets))
	for i, t := range s.targets {
		out[i] = t.cfg
	}
	return out
}

// TestEvent sends s3:TestEvent for bucket to the target arn.
func (s *Service) TestEvent(ctx context.Context, arn, bucket, requestID, hostID string) error {
	t := s.byARN[arn]
	if t == nil {
		return fmt.Errorf("notify: no target %s", arn)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(s.file.Timeout))
	defer cancel()
	return t.sender.Send(ctx, []Message{{ID: "test-" + requestID, Key: bucket + "/", Event: "s3:TestEvent", Body: S3TestEvent(bucket, requestID, hostID, time.Now())}})
}

// CursorName is the journal cursor of the target arn.
func CursorName(arn string) string { return "notify:" + arn }

// JobName is the shared worker job that delivers.
const JobName = "notify"

// Job is the delivery job: shared, so one gateway delivers; each run
// delivers to every target, each from its own cursor, until the run's
// context ends (the pool stops or the lease is lost).
func (s *Service) Job() worker.Job {
	return worker.Job{Name: JobName, Shared: true, Run: func(ctx context.Context, r *worker.Run) error {
		if len(s.targets) == 0 {
			<-ctx.Done()
			return nil
		}
		var wg sync.WaitGroup
		for _, t := range s.targets {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.deliver(ctx, t, r)
			}()
		}
		wg.Wait()
		return nil
	}}
}

// Deliver runs the delivery loops in the calling goroutine until ctx
// ends, without a lease: for tests and single-gateway tools.
func (s *Service) Deliver(ctx context.Context) {
	var wg sync.WaitGroup
	for _, t := range s.targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.deliver(ctx, t, nil)
		}()
	}
	wg.Wait()
}

// Stats reports every target's counters, by ARN.
func (s *Service) Stats() []TargetStats {
	out := make([]TargetStats, 0, len(s.targets))
	for _, t := range s.targets {
		out = append(out, t.stats.snapshot(t.cfg.ARN, t.cfg.Type))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	return out
}
