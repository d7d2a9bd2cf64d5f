package s3api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

// Notifier knows the operator's notification targets. The notification
// package implements it; without one no destination validates.
type Notifier interface {
	// HasTarget reports whether arn is a configured target.
	HasTarget(arn string) bool
	// HasEventBridge reports whether an EventBridge-format target exists.
	HasEventBridge() bool
	// TestEvent sends s3:TestEvent for bucket to the target arn and
	// reports whether it was delivered.
	TestEvent(ctx context.Context, arn, bucket, requestID, hostID string) error
}

// maxNotificationBody bounds a notification configuration document.
const maxNotificationBody = 1 << 20

func (a *API) getBucketNotification(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	doc := s3xml.NotificationConfiguration{NS: s3xml.NS}
	if n := b.Config.Notification; n != nil {
		for _, r := range n.Rules {
			t := s3xml.NotificationTarget{ID: r.ID, Events: r.Events}
			if r.Prefix != "" || r.Suffix != "" {
				t.Filter = &s3xml.NotificationFilter{}
				if r.Prefix != "" {
					t.Filter.S3Key.Rules = append(t.Filter.S3Key.Rules, s3xml.FilterRule{Name: "Prefix", Value: r.Prefix})
				}
				if r.Suffix != "" {
					t.Filter.S3Key.Rules = append(t.Filter.S3Key.Rules, s3xml.FilterRule{Name: "Suffix", Value: r.Suffix})
				}
			}
			switch r.Kind {
			case s3.NotifyTopic:
				t.Topic = r.ARN
				doc.Topics = append(doc.Topics, t)
			case s3.NotifyQueue:
				t.Queue = r.ARN
				doc.Queues = append(doc.Queues, t)
			case s3.NotifyLambda:
				t.CloudFunction = r.ARN
				doc.Lambdas = append(doc.Lambdas, t)
			}
		}
		if n.EventBridge {
			doc.EventBridge = &s3xml.EventBridgeConfiguration{}
		}
	}
	return xmlResponse(http.StatusOK, doc), nil
}

func (a *API) putBucketNotification(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	skip, err := skipDestinationValidation(req)
	if err != nil {
		return nil, err
	}
	body, err := a.readSmallBody(req, maxNotificationBody)
	if err != nil {
		return nil, err
	}
	var doc s3xml.NotificationConfiguration
	if err := s3xml.Decode(bytesReader(body), maxNotificationBody, "NotificationConfiguration", &doc); err != nil {
		return nil, s3err.New(s3err.MalformedXML)
	}
	rules, err := notificationRules(&doc)
	if err != nil {
		return nil, err
	}
	n := &meta.Notification{EventBridge: doc.EventBridge != nil}
	for _, r := range rules {
		n.Rules = append(n.Rules, meta.NotificationRule(r))
	}
	if !skip {
		if err := a.validateDestinations(ctx, req, n); err != nil {
			return nil, err
		}
	}
	if len(n.Rules) == 0 && !n.EventBridge {
		n = nil
	}
	if err := a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error { b.Config.Notification = n; return nil }); err != nil {
		return nil, err
	}
	return newResponse(http.StatusOK), nil
}

// skipDestinationValidation reads x-amz-skip-destination-validation.
func skipDestinationValidation(req *request) (bool, error) {
	switch v := strings.ToLower(req.Header.Get("x-amz-skip-destination-validation")); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, s3err.Newf(s3err.InvalidArgument, "Invalid value for x-amz-skip-destination-validation").
		With("ArgumentName", "x-amz-skip-destination-validation").With("ArgumentValue", req.Header.Get("x-amz-skip-destination-validation"))
}

// notificationRules converts and validates the document's rules.
func notificationRules(doc *s3xml.NotificationConfiguration) ([]s3.NotificationRule, error) {
	var rules []s3.NotificationRule
	add := func(kind string, ts []s3xml.NotificationTarget, arn func(*s3xml.NotificationTarget) string) error {
		for i := range ts {
			t := &ts[i]
			r := s3.NotificationRule{ID: t.ID, Kind: kind, ARN: arn(t), Events: t.Events}
			if t.Filter != nil {
				p, s, err := s3.KeyFilter(filterRules(t.Filter.S3Key.Rules))
				if err != nil {
					return notificationErr(err)
				}
				r.Prefix, r.Suffix = p, s
			}
			rules = append(rules, r)
		}
		return nil
	}
	if err := add(s3.NotifyTopic, doc.Topics, func(t *s3xml.NotificationTarget) string { return t.Topic }); err != nil {
		return nil, err
	}
	if err := add(s3.NotifyQueue, doc.Queues, func(t *s3xml.NotificationTarget) string { return t.Queue }); err != nil {
		return nil, err
	}
	if err := add(s3.NotifyLambda, doc.Lambdas, func(t *s3xml.NotificationTarget) string { return t.CloudFunction }); err != nil {
		return nil, err
	}
	if err := s3.CheckNotification(rules); err != nil {
		return nil, notificationErr(err)
	}
	return rules, nil
}

func filterRules(in []s3xml.FilterRule) []s3.FilterRule {
	out := make([]s3.FilterRule, len(in))
	for i, r := range in {
		out[i] = s3.FilterRule(r)
	}
	return out
}

func notificationErr(err error) error {
	var ne *s3.NotificationError
	if !errors.As(err, &ne) {
		return err
	}
	if ne.Malformed {
		return s3err.New(s3err.MalformedXML)
	}
	e := s3err.Newf(s3err.InvalidArgument, "%s", ne.Message)
	if ne.ArgName != "" {
		e = e.With("ArgumentName", ne.ArgName).With("ArgumentValue", ne.ArgValue)
	}
	return e
}

// validateDestinations checks, as S3 does, that each destination exists
// and accepts the s3:TestEvent sent to it; S3 names every failing one as
// ArgumentName1, ArgumentValue1, ArgumentName2 ...
func (a *API) validateDestinations(ctx context.Context, req *request, n *meta.Notification) error {
	var failed [][2]string
	seen := map[string]bool{}
	for _, r := range n.Rules {
		if seen[r.ARN] {
			continue
		}
		seen[r.ARN] = true
		switch {
		case !s3.DestinationKindMatches(r.Kind, r.ARN):
			failed = append(failed, [2]string{r.ARN, "The destination ARN is not a valid " + r.Kind + " ARN"})
		case a.cfg.Notifier == nil || !a.cfg.Notifier.HasTarget(r.ARN):
			failed = append(failed, [2]string{r.ARN, "The destination is not a configured notification target"})
		default:
			if err := a.cfg.Notifier.TestEvent(ctx, r.ARN, req.bucket, req.id, req.hostID); err != nil {
				a.log.Warn("notification test event failed", "bucket", req.bucket, "target", r.ARN, "err", err)
				failed = append(failed, [2]string{r.ARN, "The destination did not accept the test message"})
			}
		}
	}
	if n.EventBridge && (a.cfg.Notifier == nil || !a.cfg.Notifier.HasEventBridge()) {
		failed = append(failed, [2]string{"EventBridgeConfiguration", "No EventBridge notification target is configured"})
	}
	if len(failed) == 0 {
		return nil
	}
	e := s3err.Newf(s3err.InvalidArgument, "Unable to validate the following destination configurations")
	for i, f := range failed {
		e = e.With(fmt.Sprintf("ArgumentName%d", i+1), f[0]).With(fmt.Sprintf("ArgumentValue%d", i+1), f[1])
	}
	return e
}
