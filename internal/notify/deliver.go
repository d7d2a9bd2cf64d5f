package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/worker"
)

// deliver is one target's loop: read the journal after the target's
// cursor, send what the buckets' configurations select, in order, and
// move the cursor past each batch once the target accepted all of it. A
// failed send is retried, with exponential backoff, without skipping.
func (s *Service) deliver(ctx context.Context, t *target, run *worker.Run) {
	name := CursorName(t.cfg.ARN)
	pos, err := s.startCursor(ctx, name)
	for err != nil {
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("notify: reading cursor", "target", t.cfg.ARN, "err", err)
		if !sleep(ctx, time.Duration(s.file.MinBackoff)) {
			return
		}
		pos, err = s.startCursor(ctx, name)
	}
	backoff, fails := time.Duration(s.file.MinBackoff), 0
	saved, lastSave := pos, time.Now()
	defer func() {
		// Keep what was delivered since the last save.
		if pos != saved {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			s.store.SetJournalCursor(sctx, name, pos)
			cancel()
		}
	}()
	for ctx.Err() == nil {
		pos = s.boundBacklog(ctx, t, name, pos)
		recs, err := s.store.ReadJournal(ctx, pos, s.file.BatchSize)
		if errors.Is(err, meta.ErrJournalTrimmed) {
			pos = s.skipTrimmed(ctx, t, name, pos)
			continue
		}
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("notify: reading journal", "target", t.cfg.ARN, "err", err)
				sleep(ctx, backoff)
			}
			continue
		}
		t.stats.setLag(s.lag(ctx, pos))
		if run != nil {
			run.Backlog(s.backlog())
		}
		if len(recs) == 0 {
			if pos != saved {
				// Idle: save now, and wake at the next interval at the latest.
				if err := s.store.SetJournalCursor(ctx, name, pos); err == nil {
					saved, lastSave = pos, time.Now()
				}
			}
			s.store.WaitJournal(ctx, pos)
			continue
		}
		msgs := s.messages(ctx, t, recs)
		for len(msgs) > 0 {
			sctx, cancel := context.WithTimeout(ctx, time.Duration(s.file.Timeout))
			err := t.sender.Send(sctx, msgs)
			cancel()
			if err == nil {
				t.stats.sent(len(msgs))
				if run != nil {
					run.Done(len(msgs))
				}
				backoff, fails = time.Duration(s.file.MinBackoff), 0
				break
			}
			if ctx.Err() != nil {
				return
			}
			t.stats.failed(err)
			if run != nil {
				run.Error(fmt.Errorf("%s: %w", t.cfg.ARN, err))
			}
			// Logged on the 1st, 2nd, 4th, 8th... failure in a row: an
			// outage does not flood the log.
			if fails++; fails&(fails-1) == 0 {
				s.log.Warn("notify: send failed, retrying", "target", t.cfg.ARN, "events", len(msgs), "failures", fails, "retry_in", backoff, "err", err)
			}
			if !sleep(ctx, backoff) {
				return
			}
			backoff = min(2*backoff, time.Duration(s.file.MaxBackoff))
		}
		pos = recs[len(recs)-1].Seq
		// The cursor is a write to the metadata store: saved at most every
		// cursorSaveInterval, so that a busy journal does not double the
		// store's writes. A crash resends what was sent since (at least once).
		if time.Since(lastSave) >= cursorSaveInterval {
			if err := s.store.SetJournalCursor(ctx, name, pos); err != nil && ctx.Err() == nil {
				s.log.Warn("notify: saving cursor", "target", t.cfg.ARN, "err", err)
			} else if err == nil {
				saved, lastSave = pos, time.Now()
			}
		}
		if run != nil {
			run.At(fmt.Sprintf("%s seq %d", t.cfg.ARN, pos))
		}
	}
}

// cursorSaveInterval bounds how often a target's cursor is written.
const cursorSaveInterval = 250 * time.Millisecond

// startCursor returns the target's position, creating its cursor at the
// journal's end the first time: a new target gets the changes from then on.
func (s *Service) startCursor(ctx context.Context, name string) (int64, error) {
	c, err := s.store.GetJournalCursor(ctx, name)
	if err == nil {
		return c.Seq, nil
	}
	if !errors.Is(err, meta.ErrNoSuchCursor) {
		return 0, err
	}
	pos, err := s.store.JournalSeq(ctx)
	if err != nil {
		return 0, err
	}
	return pos, s.store.SetJournalCursor(ctx, name, pos)
}

func (s *Service) lag(ctx context.Context, pos int64) int64 {
	head, err := s.store.JournalSeq(ctx)
	if err != nil {
		return 0
	}
	return head - pos
}

// boundBacklog drops the oldest records when the target lags more than
// MaxBacklog behind the journal's end, counting and logging the loss.
func (s *Service) boundBacklog(ctx context.Context, t *target, name string, pos int64) int64 {
	head, err := s.store.JournalSeq(ctx)
	if err != nil || head-pos <= s.file.MaxBacklog {
		return pos
	}
	next := head - s.file.MaxBacklog
	s.dropped(ctx, t, name, pos, next, "backlog over max_backlog")
	return next
}

// skipTrimmed moves past records retention removed before the target read
// them: the first readable position is found by bisection.
func (s *Service) skipTrimmed(ctx context.Context, t *target, name string, pos int64) int64 {
	head, err := s.store.JournalSeq(ctx)
	if err != nil {
		sleep(ctx, time.Duration(s.file.MinBackoff))
		return pos
	}
	lo, hi := pos, head // ReadJournal(hi) always works: nothing after the end
	for lo+1 < hi {
		mid := lo + (hi-lo)/2
		if _, err := s.store.ReadJournal(ctx, mid, 1); errors.Is(err, meta.ErrJournalTrimmed) {
			lo = mid
		} else {
			hi = mid
		}
	}
	s.dropped(ctx, t, name, pos, hi, "journal trimmed before delivery")
	return hi
}

func (s *Service) dropped(ctx context.Context, t *target, name string, from, to int64, why string) {
	t.stats.lost(to - from)
	s.log.Error("notify: events lost", "target", t.cfg.ARN, "records", to-from, "from_seq", from+1, "to_seq", to, "reason", why)
	if err := s.store.SetJournalCursor(ctx, name, to); err != nil && ctx.Err() == nil {
		s.log.Warn("notify: saving cursor", "target", t.cfg.ARN, "err", err)
	}
}

// messages selects, for target t, the events of recs their buckets'
// configurations ask for. Configurations are read at delivery time.
func (s *Service) messages(ctx context.Context, t *target, recs []meta.Record) []Message {
	buckets := map[string]*meta.Bucket{}
	var out []Message
	for i := range recs {
		r := &recs[i]
		name := r.S3EventName()
		if name == "" {
			continue
		}
		b, ok := buckets[r.Bucket]
		if !ok {
			if got, err := s.store.GetBucket(ctx, r.Bucket); err == nil {
				b = &got
			}
			buckets[r.Bucket] = b
		}
		if b == nil || b.Config.Notification == nil {
			continue
		}
		n := b.Config.Notification
		if t.cfg.EventBridge {
			if body := EventBridgeJSON(r, b); n.EventBridge && body != nil {
				out = append(out, Message{ID: fmt.Sprintf("%d-eventbridge", r.Seq), Key: r.Bucket + "/" + r.Key, Event: name, Body: body})
			}
			continue
		}
		for _, rule := range n.Rules {
			sr := s3.NotificationRule(rule)
			if rule.ARN != t.cfg.ARN || !sr.Matches(name, r.Key) {
				continue
			}
			out = append(out, Message{ID: fmt.Sprintf("%d-%s", r.Seq, rule.ID), Key: r.Bucket + "/" + r.Key, Event: name,
				Body: EventJSON(r, b, rule.ID, s.hostID)})
		}
	}
	return out
}

// sleep waits d or until ctx ends; false if ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-tm.C:
		return true
	}
}
