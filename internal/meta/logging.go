package meta

// Logging is a bucket's server access logging configuration: where the
// records of requests to the bucket are delivered.
type Logging struct {
	TargetBucket string         `json:"bucket"`
	TargetPrefix string         `json:"prefix,omitempty"`
	TargetGrants []LoggingGrant `json:"grants,omitempty"`
	// Partitioned selects PartitionedPrefix keys; DateSource is then
	// "EventTime" or "DeliveryTime" (the default).
	Partitioned bool   `json:"part,omitempty"`
	DateSource  string `json:"date,omitempty"`
}

// LoggingGrant is one TargetGrants entry: a grantee (canonical ID, group
// URI or email address) and FULL_CONTROL, READ or WRITE.
type LoggingGrant struct {
	ID         string `json:"id,omitempty"`
	URI        string `json:"uri,omitempty"`
	Email      string `json:"email,omitempty"`
	Permission string `json:"perm"`
}
