package server

import (
	"path/filepath"
	"time"

	"talus/internal/analytics"
	"talus/internal/inventory"
	"talus/internal/s3api"
	"talus/internal/serverlog"
)

// reports are the report deliveries: server access logs, inventory reports and storage class analysis exports.
type reports struct {
	accessLog *serverlog.Sink
	counters  *analytics.Counters
	api       *s3api.API
}

func (s *Server) openReports() error {
	if s.cfg.AccessLogInterval <= 0 {
		s.cfg.AccessLogInterval = 5 * time.Minute
	}
	sink, err := serverlog.Open(filepath.Join(s.cfg.DataDir, "accesslog"), s.log)
	if err != nil {
		return err
	}
	s.reports.accessLog = sink
	s.reports.counters = analytics.NewCounters(s.cfg.LifecycleDay)
	return nil
}

func (s *Server) startReports() {
	s.workers.Start(s.reports.accessLog.Job(s.cfg.AccessLogInterval, s.reports.api))
	s.workers.Start(inventory.New(inventory.Config{Meta: s.meta, Put: s.reports.api.PutReport,
		Account: s.reports.api.OwnerAccount, Day: s.cfg.LifecycleDay, Logger: s.log}).Job())
	s.workers.Start(analytics.New(analytics.Config{Meta: s.meta, Counters: s.reports.counters, Put: s.reports.api.PutExport,
		Account: s.reports.api.OwnerAccount, Day: s.cfg.LifecycleDay, Logger: s.log}).Job())
}

// closeReports makes every spooled record durable (after the last request).
func (s *Server) closeReports() error {
	if s.reports.accessLog == nil {
		return nil
	}
	err := s.reports.accessLog.Close()
	s.reports.accessLog = nil
	return err
}
