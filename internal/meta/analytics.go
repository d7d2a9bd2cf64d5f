package meta

import "time"

// AnalyticsConfig is one storage class analysis configuration of a bucket.
type AnalyticsConfig struct {
	ID string `json:"id"`
	// Filter: a key prefix and tags, all of which must match.
	Prefix string            `json:"prefix,omitempty"`
	Tags   map[string]string `json:"tags,omitempty"`
	// Export is set when the analysis is exported daily as CSV.
	Export      bool   `json:"export,omitempty"`
	DestBucket  string `json:"db,omitempty"`
	DestAccount string `json:"da,omitempty"`
	DestPrefix  string `json:"dp,omitempty"`
	// LastRun is when the last export was written (zero: never).
	LastRun time.Time `json:"last,omitzero"`
}
