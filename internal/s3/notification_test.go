package s3

import (
	"errors"
	"testing"
)

func TestEventMatches(t *testing.T) {
	for _, c := range []struct {
		cfg, ev string
		want    bool
	}{
		{"s3:ObjectCreated:*", "s3:ObjectCreated:Put", true},
		{"s3:ObjectCreated:*", "s3:ObjectCreated:CompleteMultipartUpload", true},
		{"s3:ObjectCreated:*", "s3:ObjectRemoved:Delete", false},
		{"s3:ObjectRemoved:Delete", "s3:ObjectRemoved:Delete", true},
		{"s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated", false},
		{"s3:ObjectAnnotation:*", "s3:ObjectAnnotation:Delete", true},
	} {
		if got := EventMatches(c.cfg, c.ev); got != c.want {
			t.Errorf("EventMatches(%q, %q) = %v", c.cfg, c.ev, got)
		}
	}
}

func TestNotificationRuleMatches(t *testing.T) {
	r := NotificationRule{Events: []string{"s3:ObjectCreated:*"}, Prefix: "images/", Suffix: ".jpg"}
	if !r.Matches("s3:ObjectCreated:Copy", "images/a.jpg") {
		t.Error("matching key refused")
	}
	for _, k := range []string{"images/a.png", "docs/a.jpg"} {
		if r.Matches("s3:ObjectCreated:Put", k) {
			t.Errorf("%s matched", k)
		}
	}
	if r.Matches("s3:ObjectRemoved:Delete", "images/a.jpg") {
		t.Error("other event matched")
	}
}

func TestKeyFilter(t *testing.T) {
	p, s, err := KeyFilter([]FilterRule{{"Prefix", "a/"}, {"suffix", ".txt"}})
	if err != nil || p != "a/" || s != ".txt" {
		t.Fatalf("got %q %q %v", p, s, err)
	}
	for _, rules := range [][]FilterRule{
		{{"prefix", "a"}, {"prefix", "b"}},
		{{"suffix", "a"}, {"suffix", "b"}},
		{{"middle", "a"}},
	} {
		var ne *NotificationError
		if _, _, err := KeyFilter(rules); !errors.As(err, &ne) || ne.Malformed {
			t.Errorf("%v: %v, want InvalidArgument", rules, err)
		}
	}
}

func TestCheckNotification(t *testing.T) {
	q := "arn:aws:sqs:us-east-1:123456789012:q"
	ok := []NotificationRule{
		{ARN: q, Events: []string{"s3:ObjectCreated:*"}, Prefix: "a/"},
		{ARN: q, Events: []string{"s3:ObjectCreated:*"}, Prefix: "b/"},
		{ARN: q, Events: []string{"s3:ObjectRemoved:*"}},
		{ARN: q, Events: []string{"s3:ObjectCreated:Put"}, Prefix: "a/", Suffix: ".png"},
	}
	// The last overlaps the first: its keys all start with a/.
	if err := CheckNotification(ok[:3]); err != nil {
		t.Fatal(err)
	}
	if ok[0].ID == "" || ok[0].ID == ok[1].ID {
		t.Errorf("IDs not generated: %q %q", ok[0].ID, ok[1].ID)
	}
	if err := CheckNotification(ok); err == nil {
		t.Error("overlap accepted")
	}
	// Disjoint suffixes do not overlap.
	if err := CheckNotification([]NotificationRule{
		{ARN: q, Events: []string{"s3:ObjectCreated:*"}, Suffix: ".jpg"},
		{ARN: q, Events: []string{"s3:ObjectCreated:Put"}, Suffix: ".png"},
	}); err != nil {
		t.Error(err)
	}
	if err := CheckNotification([]NotificationRule{{ARN: q, Events: []string{"s3:ObjectCreated:Get"}}}); err == nil {
		t.Error("unknown event accepted")
	}
	var ne *NotificationError
	if err := CheckNotification([]NotificationRule{{ARN: q}}); !errors.As(err, &ne) || !ne.Malformed {
		t.Errorf("no events: %v", err)
	}
}

func TestDestinationKindMatches(t *testing.T) {
	for _, c := range []struct {
		kind, arn string
		want      bool
	}{
		{NotifyQueue, "arn:aws:sqs:us-east-1:123456789012:q", true},
		{NotifyQueue, "arn:aws:sns:us-east-1:123456789012:q", false},
		{NotifyTopic, "arn:aws:sns:us-east-1:123456789012:t", true},
		{NotifyLambda, "arn:aws:lambda:us-east-1:123456789012:function:f", true},
		{NotifyLambda, "arn:aws:lambda:us-east-1:123456789012:f", false},
		{NotifyQueue, "sqs:q", false},
	} {
		if got := DestinationKindMatches(c.kind, c.arn); got != c.want {
			t.Errorf("%s %s = %v", c.kind, c.arn, got)
		}
	}
}

func TestEventKey(t *testing.T) {
	if got := EventKey("dir/Happy Face+1=.jpg"); got != "dir/Happy+Face%2B1%3D.jpg" {
		t.Errorf("got %q", got)
	}
}
