package meta

// IntelligentTiering is one of a bucket's S3 Intelligent-Tiering
// configurations: which INTELLIGENT_TIERING objects (Prefix and Tags)
// move to which archive tier after how many days without access.
type IntelligentTiering struct {
	ID       string         `json:"id"`
	Status   string         `json:"status"`
	Prefix   string         `json:"prefix,omitempty"`
	Tags     []LifecycleTag `json:"tags,omitempty"`
	Tierings []Tiering      `json:"tierings"`
	// Form is how the filter was written (s3.ITFilter* constants), so GET
	// answers it as sent.
	Form string `json:"form,omitempty"`
}

// Tiering is one archive tier of a configuration.
type Tiering struct {
	AccessTier string `json:"tier"`
	Days       int    `json:"days"`
}
