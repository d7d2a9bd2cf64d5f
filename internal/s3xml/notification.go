package s3xml

import "encoding/xml"

// NotificationConfiguration is PutBucketNotificationConfiguration's body
// and GetBucketNotificationConfiguration's answer. The deprecated
// PutBucketNotification sends the same elements (a single Event is one more
// Event element; InvocationRole is read and ignored, as S3 does since it
// stopped using it), so one type reads both.
type NotificationConfiguration struct {
	XMLName     xml.Name                  `xml:"NotificationConfiguration"`
	NS          string                    `xml:"xmlns,attr,omitempty"`
	Topics      []NotificationTarget      `xml:"TopicConfiguration"`
	Queues      []NotificationTarget      `xml:"QueueConfiguration"`
	Lambdas     []NotificationTarget      `xml:"CloudFunctionConfiguration"`
	EventBridge *EventBridgeConfiguration `xml:"EventBridgeConfiguration"`
}

// EventBridgeConfiguration is an empty element: present means enabled.
type EventBridgeConfiguration struct{}

// NotificationTarget is a TopicConfiguration, QueueConfiguration or
// CloudFunctionConfiguration: the destination is in the element of its kind.
type NotificationTarget struct {
	ID             string              `xml:"Id,omitempty"`
	Topic          string              `xml:"Topic,omitempty"`
	Queue          string              `xml:"Queue,omitempty"`
	CloudFunction  string              `xml:"CloudFunction,omitempty"`
	InvocationRole string              `xml:"InvocationRole,omitempty"`
	Events         []string            `xml:"Event"`
	Filter         *NotificationFilter `xml:"Filter,omitempty"`
}

// NotificationFilter is a configuration's key filter.
type NotificationFilter struct {
	S3Key struct {
		Rules []FilterRule `xml:"FilterRule"`
	} `xml:"S3Key"`
}

// FilterRule is one prefix or suffix rule.
type FilterRule struct {
	Name  string `xml:"Name"`
	Value string `xml:"Value"`
}
