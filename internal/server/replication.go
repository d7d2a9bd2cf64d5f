package server

import (
	"context"
	"io"
	"net/http"

	"talus/internal/iam"
	"talus/internal/meta"
	"talus/internal/replicate"
	"talus/internal/s3api"
)

// newReplicator sets up bucket replication: it reads sources through the
// API's decrypting path, writes to buckets on this Talus through the API
// in process, and unseals remote secrets with the data directory's key.
func (s *Server) newReplicator(api *s3api.API, ids *iam.Resolver) *replicate.Replicator {
	r := replicate.New(replicate.Config{
		Meta:   s.meta,
		Open:   func(ctx context.Context, o *meta.Object) (io.ReadCloser, error) { return api.OpenVersion(ctx, o) },
		Local:  func(owner string) http.RoundTripper { return api.LocalTransport(owner) },
		Unseal: ids.Sealer().Open,
		Region: s.cfg.Region,
		Logger: s.log,
		// A replication-time minute is the lifecycle day's 1/1440th (a
		// minute unless the day is scaled for tests).
		Minute:             s.cfg.LifecycleDay / (24 * 60),
		MultipartThreshold: s.cfg.ReplicationMultipartThreshold,
		PartSize:           s.cfg.ReplicationPartSize,
	})
	r.SetTrigger(func(job string) { s.workers.Trigger(job) })
	return r
}

// Replication returns the replication worker (for its figures).
func (s *Server) Replication() *replicate.Replicator { return s.repl }
