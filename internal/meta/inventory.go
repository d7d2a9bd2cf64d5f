package meta

import "time"

// InventoryConfig is one S3 Inventory configuration of a bucket.
type InventoryConfig struct {
	ID      string `json:"id"`
	Enabled bool   `json:"on,omitempty"`
	// Destination: bucket name, its expected owner account, the report
	// format (CSV, Parquet), key prefix and report encryption ("",
	// "SSE-S3" or "SSE-KMS" with KMSKeyID).
	DestBucket  string `json:"db"`
	DestAccount string `json:"da,omitempty"`
	Format      string `json:"fmt"`
	DestPrefix  string `json:"dp,omitempty"`
	SSE         string `json:"sse,omitempty"`
	KMSKeyID    string `json:"kms,omitempty"`
	// FilterPrefix limits the report to keys under it.
	FilterPrefix string `json:"fp,omitempty"`
	// Versions is "All" or "Current".
	Versions  string   `json:"ver"`
	Fields    []string `json:"fields,omitempty"`
	Frequency string   `json:"freq"` // Daily or Weekly
	// LastRun is when the last report was written (zero: never).
	LastRun time.Time `json:"last,omitzero"`
}
