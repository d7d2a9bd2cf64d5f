package s3xml

import "encoding/xml"

// RequestPaymentConfiguration is PutBucketRequestPayment's body and
// GetBucketRequestPayment's answer.
type RequestPaymentConfiguration struct {
	XMLName xml.Name `xml:"RequestPaymentConfiguration"`
	NS      string   `xml:"xmlns,attr,omitempty"`
	Payer   string   `xml:"Payer"`
}

// AccelerateConfiguration is the Transfer Acceleration document.
type AccelerateConfiguration struct {
	XMLName xml.Name `xml:"AccelerateConfiguration"`
	NS      string   `xml:"xmlns,attr,omitempty"`
	Status  string   `xml:"Status,omitempty"`
}

// AbacStatus is PutBucketAbac's body and GetBucketAbac's answer.
type AbacStatus struct {
	XMLName xml.Name `xml:"AbacStatus"`
	NS      string   `xml:"xmlns,attr,omitempty"`
	Status  string   `xml:"Status,omitempty"`
}

// MetricsConfiguration is one request metrics configuration.
type MetricsConfiguration struct {
	XMLName xml.Name       `xml:"MetricsConfiguration"`
	NS      string         `xml:"xmlns,attr,omitempty"`
	ID      *string        `xml:"Id"`
	Filter  *MetricsFilter `xml:"Filter"`
}

// MetricsFilter selects the requests a configuration counts: one of
// Prefix, Tag, AccessPointArn or And.
type MetricsFilter struct {
	Prefix         *string     `xml:"Prefix"`
	Tag            *TagXML     `xml:"Tag"`
	AccessPointArn *string     `xml:"AccessPointArn"`
	And            *MetricsAnd `xml:"And"`
}

// MetricsAnd is a conjunction of a prefix, tags and an access point.
type MetricsAnd struct {
	Prefix         *string  `xml:"Prefix"`
	Tags           []TagXML `xml:"Tag"`
	AccessPointArn *string  `xml:"AccessPointArn"`
}

// ListMetricsConfigurationsResult answers ListBucketMetricsConfigurations.
type ListMetricsConfigurationsResult struct {
	XMLName               xml.Name               `xml:"ListMetricsConfigurationsResult"`
	NS                    string                 `xml:"xmlns,attr"`
	IsTruncated           bool                   `xml:"IsTruncated"`
	ContinuationToken     string                 `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string                 `xml:"NextContinuationToken,omitempty"`
	Configurations        []MetricsConfiguration `xml:"MetricsConfiguration"`
}
