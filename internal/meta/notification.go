package meta

// Notification is a bucket's event notification configuration.
type Notification struct {
	Rules []NotificationRule `json:"rules,omitempty"`
	// EventBridge sends every event to the operator's EventBridge targets.
	EventBridge bool `json:"eb,omitempty"`
}

// NotificationRule is one Queue, Topic or LambdaFunction configuration.
// Its fields are those of s3.NotificationRule, in the same order, so the
// API converts directly.
type NotificationRule struct {
	ID     string   `json:"id"`
	Kind   string   `json:"kind"`
	ARN    string   `json:"arn"`
	Events []string `json:"events"`
	Prefix string   `json:"prefix,omitempty"`
	Suffix string   `json:"suffix,omitempty"`
}
