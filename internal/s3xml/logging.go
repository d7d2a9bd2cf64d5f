package s3xml

import "encoding/xml"

// BucketLoggingStatus is the server access logging document (Put and
// GetBucketLogging); no LoggingEnabled means logging is off.
type BucketLoggingStatus struct {
	XMLName        xml.Name        `xml:"BucketLoggingStatus"`
	NS             string          `xml:"xmlns,attr,omitempty"`
	LoggingEnabled *LoggingEnabled `xml:"LoggingEnabled"`
}

// LoggingEnabled says where access log records go.
type LoggingEnabled struct {
	TargetBucket          string                 `xml:"TargetBucket"`
	TargetPrefix          *string                `xml:"TargetPrefix"`
	TargetGrants          *TargetGrants          `xml:"TargetGrants"`
	TargetObjectKeyFormat *TargetObjectKeyFormat `xml:"TargetObjectKeyFormat"`
}

// TargetGrants are the grants given on delivered log objects.
type TargetGrants struct {
	Grants []GrantXML `xml:"Grant"`
}

// TargetObjectKeyFormat picks SimplePrefix or PartitionedPrefix keys.
type TargetObjectKeyFormat struct {
	SimplePrefix      *struct{}          `xml:"SimplePrefix"`
	PartitionedPrefix *PartitionedPrefix `xml:"PartitionedPrefix"`
}

// PartitionedPrefix dates the partition by EventTime or DeliveryTime.
type PartitionedPrefix struct {
	PartitionDateSource string `xml:"PartitionDateSource,omitempty"`
}
