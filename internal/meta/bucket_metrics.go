package meta

// MetricsConfig is one request metrics configuration of a bucket. An
// empty filter (no field set) selects every request on the bucket; set
// fields are ANDed.
type MetricsConfig struct {
	ID             string            `json:"id"`
	Prefix         string            `json:"prefix,omitempty"`
	Tags           map[string]string `json:"tags,omitempty"`
	AccessPointArn string            `json:"ap,omitempty"`
	// HasFilter tells <Filter/> absent (whole bucket) from present; both
	// select every request, but GetBucketMetricsConfiguration echoes it.
	HasFilter bool `json:"hasFilter,omitempty"`
	// And: the filter was written as an And element.
	And bool `json:"and,omitempty"`
}
