package s3xml

import "encoding/xml"

// AnalyticsConfiguration is one storage class analysis configuration.
type AnalyticsConfiguration struct {
	XMLName              xml.Name             `xml:"AnalyticsConfiguration"`
	NS                   string               `xml:"xmlns,attr,omitempty"`
	ID                   string               `xml:"Id"`
	Filter               *AnalyticsFilter     `xml:"Filter"`
	StorageClassAnalysis StorageClassAnalysis `xml:"StorageClassAnalysis"`
}

// AnalyticsFilter is a prefix, a tag, or an And of a prefix and tags.
type AnalyticsFilter struct {
	Prefix *string       `xml:"Prefix"`
	Tag    *TagXML       `xml:"Tag"`
	And    *AnalyticsAnd `xml:"And"`
}

// AnalyticsAnd combines a prefix and tags.
type AnalyticsAnd struct {
	Prefix *string  `xml:"Prefix"`
	Tags   []TagXML `xml:"Tag"`
}

// StorageClassAnalysis holds the optional daily export.
type StorageClassAnalysis struct {
	DataExport *AnalyticsDataExport `xml:"DataExport"`
}

// AnalyticsDataExport is where the daily CSV goes.
type AnalyticsDataExport struct {
	OutputSchemaVersion string               `xml:"OutputSchemaVersion"`
	Destination         AnalyticsDestination `xml:"Destination"`
}

// AnalyticsDestination wraps the S3 bucket destination.
type AnalyticsDestination struct {
	S3BucketDestination AnalyticsS3Destination `xml:"S3BucketDestination"`
}

// AnalyticsS3Destination names the bucket (an ARN), account, format and prefix.
type AnalyticsS3Destination struct {
	Format          string `xml:"Format"`
	BucketAccountID string `xml:"BucketAccountId,omitempty"`
	Bucket          string `xml:"Bucket"`
	Prefix          string `xml:"Prefix,omitempty"`
}

// ListBucketAnalyticsConfigurationResult is ListBucketAnalyticsConfigurations' answer.
type ListBucketAnalyticsConfigurationResult struct {
	XMLName               xml.Name                 `xml:"ListBucketAnalyticsConfigurationResult"`
	NS                    string                   `xml:"xmlns,attr,omitempty"`
	IsTruncated           bool                     `xml:"IsTruncated"`
	ContinuationToken     string                   `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string                   `xml:"NextContinuationToken,omitempty"`
	Configurations        []AnalyticsConfiguration `xml:"AnalyticsConfiguration"`
}
