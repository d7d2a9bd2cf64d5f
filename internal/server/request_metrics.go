package server

import "github.com/prometheus/client_golang/prometheus"

// RequestMetrics is the collector of the buckets' request metrics
// configurations, to be gathered with the server's other Prometheus
// collectors.
func (s *Server) RequestMetrics() prometheus.Collector { return s.reqMetrics }
