// Package worker runs Talus's background jobs: each named job runs on an
// interval (or continuously) until the pool stops. A shared job runs on one
// gateway at a time among all gateways on one metadata store: it runs only
// while its gateway holds the job's lease (meta.Leases), which is renewed
// while the gateway lives and taken over by another gateway once it
// expires. A shared job can store a checkpoint (its cursor) under the
// lease, fenced by the lease's token, so that after a crash the next run,
// on this gateway or another, resumes instead of starting over. Every job
// reports its progress (Pool.Status).
//
// It knows nothing of what jobs do; it must not import the S3 API.
package worker
