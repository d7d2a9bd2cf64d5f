package s3xml

import "encoding/xml"

// InventoryConfiguration is one S3 Inventory configuration.
type InventoryConfiguration struct {
	XMLName                xml.Name                 `xml:"InventoryConfiguration"`
	NS                     string                   `xml:"xmlns,attr,omitempty"`
	Destination            InventoryDestination     `xml:"Destination"`
	IsEnabled              bool                     `xml:"IsEnabled"`
	Filter                 *InventoryFilter         `xml:"Filter"`
	ID                     string                   `xml:"Id"`
	IncludedObjectVersions string                   `xml:"IncludedObjectVersions"`
	OptionalFields         *InventoryOptionalFields `xml:"OptionalFields"`
	Schedule               InventorySchedule        `xml:"Schedule"`
}

// InventoryDestination holds the S3 bucket a report goes to.
type InventoryDestination struct {
	S3BucketDestination InventoryS3Destination `xml:"S3BucketDestination"`
}

// InventoryS3Destination names the bucket (as an ARN), format, prefix and
// report encryption.
type InventoryS3Destination struct {
	AccountID  string               `xml:"AccountId,omitempty"`
	Bucket     string               `xml:"Bucket"`
	Format     string               `xml:"Format"`
	Prefix     string               `xml:"Prefix,omitempty"`
	Encryption *InventoryEncryption `xml:"Encryption"`
}

// InventoryEncryption is SSE-S3 or SSE-KMS for the report objects.
type InventoryEncryption struct {
	SSES3  *struct{}        `xml:"SSE-S3"`
	SSEKMS *InventorySSEKMS `xml:"SSE-KMS"`
}

// InventorySSEKMS names the KMS key of SSE-KMS reports.
type InventorySSEKMS struct {
	KeyID string `xml:"KeyId"`
}

// InventoryFilter limits a report to a key prefix.
type InventoryFilter struct {
	Prefix string `xml:"Prefix"`
}

// InventoryOptionalFields lists the extra columns.
type InventoryOptionalFields struct {
	Fields []string `xml:"Field"`
}

// InventorySchedule is Daily or Weekly.
type InventorySchedule struct {
	Frequency string `xml:"Frequency"`
}

// ListInventoryConfigurationsResult is ListBucketInventoryConfigurations' answer.
type ListInventoryConfigurationsResult struct {
	XMLName               xml.Name                 `xml:"ListInventoryConfigurationsResult"`
	NS                    string                   `xml:"xmlns,attr,omitempty"`
	Configurations        []InventoryConfiguration `xml:"InventoryConfiguration"`
	IsTruncated           bool                     `xml:"IsTruncated"`
	ContinuationToken     string                   `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string                   `xml:"NextContinuationToken,omitempty"`
}
