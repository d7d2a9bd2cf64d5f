package server

import (
	"crypto/sha256"
	"encoding/base64"

	"talus/internal/notify"
)

// openNotify opens the notification targets (none without a file) and
// creates their journal cursors before any request is served.
func (s *Server) openNotify() error {
	h := sha256.Sum256([]byte(gatewayID(s.cfg.DataDir)))
	n, err := notify.New(notify.Config{File: s.cfg.Notify, Store: s.meta, HostID: base64.StdEncoding.EncodeToString(h[:]), Logger: s.log})
	if err != nil {
		return err
	}
	s.notify = n
	return nil
}

// Notify returns the notification service (targets, counters).
func (s *Server) Notify() *notify.Service { return s.notify }
