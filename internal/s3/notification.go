package s3

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
)

// Event notification rules: the event types a configuration may name,
// wildcard matching, key filters and PutBucketNotificationConfiguration's
// validation.

// NotificationEvents are the event types S3 accepts in a notification
// configuration, wildcards included.
var NotificationEvents = map[string]bool{
	"s3:ReducedRedundancyLostObject": true,
	"s3:ObjectCreated:*":             true, "s3:ObjectCreated:Put": true, "s3:ObjectCreated:Post": true,
	"s3:ObjectCreated:Copy": true, "s3:ObjectCreated:CompleteMultipartUpload": true,
	"s3:ObjectRemoved:*": true, "s3:ObjectRemoved:Delete": true, "s3:ObjectRemoved:DeleteMarkerCreated": true,
	"s3:ObjectRestore:*": true, "s3:ObjectRestore:Post": true, "s3:ObjectRestore:Completed": true,
	"s3:ObjectRestore:Delete": true,
	"s3:Replication:*":        true, "s3:Replication:OperationFailedReplication": true,
	"s3:Replication:OperationNotTracked": true, "s3:Replication:OperationMissedThreshold": true,
	"s3:Replication:OperationReplicatedAfterThreshold": true,
	"s3:ObjectTagging:*": true, "s3:ObjectTagging:Put": true, "s3:ObjectTagging:Delete": true,
	"s3:ObjectAcl:Put":         true,
	"s3:LifecycleExpiration:*": true, "s3:LifecycleExpiration:Delete": true,
	"s3:LifecycleExpiration:DeleteMarkerCreated": true,
	"s3:LifecycleTransition":                     true,
	"s3:IntelligentTiering":                      true,
	"s3:ObjectAnnotation:*":                      true, "s3:ObjectAnnotation:Put": true, "s3:ObjectAnnotation:Delete": true,
}

// EventMatches reports whether configured (an event type, possibly a
// wildcard such as s3:ObjectCreated:*) covers the concrete event name.
func EventMatches(configured, event string) bool {
	if p, ok := strings.CutSuffix(configured, "*"); ok {
		return strings.HasPrefix(event, p)
	}
	return configured == event
}

// Notification destinations' kinds, named as the XML elements are.
const (
	NotifyQueue  = "Queue"
	NotifyTopic  = "Topic"
	NotifyLambda = "LambdaFunction"
)

// NotificationRule is one Queue, Topic or LambdaFunction configuration.
type NotificationRule struct {
	ID     string
	Kind   string
	ARN    string
	Events []string
	// Prefix and Suffix are the key filter's rules ("" when absent).
	Prefix string
	Suffix string
}

// Matches reports whether an event on key is one r sends.
func (r *NotificationRule) Matches(event, key string) bool {
	if !strings.HasPrefix(key, r.Prefix) || !strings.HasSuffix(key, r.Suffix) {
		return false
	}
	for _, e := range r.Events {
		if EventMatches(e, event) {
			return true
		}
	}
	return false
}

// FilterRule is one FilterRule element of a configuration's key filter.
type FilterRule struct{ Name, Value string }

// NotificationError is a configuration S3 refuses: Malformed is
// MalformedXML, otherwise InvalidArgument with Message and the argument.
type NotificationError struct {
	Malformed bool
	Message   string
	ArgName   string
	ArgValue  string
}

func (e *NotificationError) Error() string { return e.Message }

func invalidNotification(msg, name, value string) error {
	return &NotificationError{Message: msg, ArgName: name, ArgValue: value}
}

// KeyFilter turns a configuration's filter rules into its prefix and
// suffix: at most one of each, named prefix or suffix (in any case), values
// of at most 1024 bytes.
func KeyFilter(rules []FilterRule) (prefix, suffix string, err error) {
	var seenP, seenS bool
	for _, fr := range rules {
		if len(fr.Value) > 1024 {
			return "", "", invalidNotification("The filter rule value exceeds the maximum length.", "FilterRule", fr.Value)
		}
		switch strings.ToLower(fr.Name) {
		case "prefix":
			if seenP {
				return "", "", invalidNotification("Cannot specify more than one prefix rule in a filter.", "FilterRule", fr.Name)
			}
			seenP, prefix = true, fr.Value
		case "suffix":
			if seenS {
				return "", "", invalidNotification("Cannot specify more than one suffix rule in a filter.", "FilterRule", fr.Name)
			}
			seenS, suffix = true, fr.Value
		default:
			return "", "", invalidNotification("filter rule name must be either prefix or suffix", "FilterRule", fr.Name)
		}
	}
	return prefix, suffix, nil
}

// arnService is the ARN service each destination kind must name.
var arnService = map[string]string{NotifyQueue: "sqs", NotifyTopic: "sns", NotifyLambda: "lambda"}

// DestinationKindMatches reports whether arn names a destination of kind
// (arn:aws:sqs:... for queues, arn:aws:sns:... for topics,
// arn:aws:lambda:...:function:... for functions).
func DestinationKindMatches(kind, arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != arnService[kind] || parts[5] == "" {
		return false
	}
	return kind != NotifyLambda || strings.HasPrefix(parts[5], "function:")
}

// CheckNotification validates a configuration as
// PutBucketNotificationConfiguration does: each rule has a destination and
// at least one known event; two rules whose key filters can both match a
// key must not share an event type. Rules without an ID get one.
func CheckNotification(rules []NotificationRule) error {
	for i := range rules {
		r := &rules[i]
		if r.ARN == "" || len(r.Events) == 0 {
			return &NotificationError{Malformed: true}
		}
		for _, e := range r.Events {
			if !NotificationEvents[e] {
				return invalidNotification("The event is not supported for notifications", "Event", e)
			}
		}
		if len(r.ID) > 255 {
			return invalidNotification("The ID must be no longer than 255 characters", "Id", r.ID)
		}
		if r.ID == "" {
			r.ID = newNotificationID()
		}
	}
	for i := range rules {
		for j := i + 1; j < len(rules); j++ {
			if rulesOverlap(&rules[i], &rules[j]) {
				return invalidNotification("Configurations overlap. Configurations on the same bucket cannot share a common event type.", "Event", "")
			}
		}
	}
	return nil
}

// rulesOverlap: some key passes both filters (one prefix extends the other
// and one suffix extends the other) and some event passes both event lists.
func rulesOverlap(a, b *NotificationRule) bool {
	if !strings.HasPrefix(a.Prefix, b.Prefix) && !strings.HasPrefix(b.Prefix, a.Prefix) {
		return false
	}
	if !strings.HasSuffix(a.Suffix, b.Suffix) && !strings.HasSuffix(b.Suffix, a.Suffix) {
		return false
	}
	for _, x := range a.Events {
		for _, y := range b.Events {
			if EventMatches(x, y) || EventMatches(y, x) {
				return true
			}
		}
	}
	return false
}

// newNotificationID names a rule configured without an ID, as S3 does
// with a random string.
func newNotificationID() string {
	b := make([]byte, 30)
	rand.Read(b)
	return base64.RawStdEncoding.EncodeToString(b)
}

// EventKey encodes an object key for an event message as S3 does: URL
// encoding that keeps '/' and writes a space as '+'.
func EventKey(key string) string {
	return strings.ReplaceAll(URLEncodeKey(key), "%20", "+")
}
