package s3xml

import "encoding/xml"

// The S3 Metadata documents (V1 metadataTable, V2 metadataConfiguration
// and the three table updates). Pointers tell an absent element from an
// empty one; element order follows the service model.

// MetadataTableConfiguration is CreateBucketMetadataTableConfiguration's
// body (V1).
type MetadataTableConfiguration struct {
	XMLName     xml.Name             `xml:"MetadataTableConfiguration"`
	Destination *S3TablesDestination `xml:"S3TablesDestination"`
}

// S3TablesDestination names a V1 table: the caller's table bucket and a
// table name in namespace aws_s3_metadata.
type S3TablesDestination struct {
	TableBucketArn *string `xml:"TableBucketArn"`
	TableName      *string `xml:"TableName"`
}

// GetBucketMetadataTableConfigurationResult is the V1 Get answer.
type GetBucketMetadataTableConfigurationResult struct {
	XMLName xml.Name                         `xml:"GetBucketMetadataTableConfigurationResult"`
	NS      string                           `xml:"xmlns,attr,omitempty"`
	Result  MetadataTableConfigurationResult `xml:"MetadataTableConfigurationResult"`
	Status  string                           `xml:"Status"`
	Error   *MetadataErrorDetails            `xml:"Error,omitempty"`
}

// MetadataTableConfigurationResult wraps the V1 destination.
type MetadataTableConfigurationResult struct {
	Destination S3TablesDestinationResult `xml:"S3TablesDestinationResult"`
}

// S3TablesDestinationResult is where a V1 table lives.
type S3TablesDestinationResult struct {
	TableBucketArn string `xml:"TableBucketArn"`
	TableName      string `xml:"TableName"`
	TableArn       string `xml:"TableArn"`
	TableNamespace string `xml:"TableNamespace"`
}

// MetadataErrorDetails reports why a table could not be created or
// written; it is part of a Get answer, not an HTTP error.
type MetadataErrorDetails struct {
	ErrorCode    string `xml:"ErrorCode,omitempty"`
	ErrorMessage string `xml:"ErrorMessage,omitempty"`
}

// MetadataConfiguration is CreateBucketMetadataConfiguration's body (V2).
type MetadataConfiguration struct {
	XMLName    xml.Name                      `xml:"MetadataConfiguration"`
	Journal    *JournalTableConfiguration    `xml:"JournalTableConfiguration"`
	Inventory  *InventoryTableConfiguration  `xml:"InventoryTableConfiguration"`
	Annotation *AnnotationTableConfiguration `xml:"AnnotationTableConfiguration"`
}

// JournalTableConfiguration is the journal part of a V2 configuration and
// the root of UpdateBucketMetadataJournalTableConfiguration's body (which
// has no EncryptionConfiguration).
type JournalTableConfiguration struct {
	XMLName          xml.Name                         `xml:"JournalTableConfiguration"`
	RecordExpiration *RecordExpiration                `xml:"RecordExpiration"`
	Encryption       *MetadataTableEncryptionSettings `xml:"EncryptionConfiguration"`
}

// RecordExpiration says whether and after how many days journal records
// expire.
type RecordExpiration struct {
	Expiration *string `xml:"Expiration"`
	Days       *string `xml:"Days"`
}

// MetadataTableEncryptionSettings is a table's server-side encryption.
type MetadataTableEncryptionSettings struct {
	SseAlgorithm *string `xml:"SseAlgorithm"`
	KmsKeyArn    *string `xml:"KmsKeyArn"`
}

// InventoryTableConfiguration is the inventory part of a V2 configuration
// and the root of UpdateBucketMetadataInventoryTableConfiguration's body.
type InventoryTableConfiguration struct {
	XMLName    xml.Name                         `xml:"InventoryTableConfiguration"`
	State      *string                          `xml:"ConfigurationState"`
	Encryption *MetadataTableEncryptionSettings `xml:"EncryptionConfiguration"`
}

// AnnotationTableConfiguration is the annotation part of a V2
// configuration and the root of its Update body.
type AnnotationTableConfiguration struct {
	XMLName    xml.Name                         `xml:"AnnotationTableConfiguration"`
	State      *string                          `xml:"ConfigurationState"`
	Encryption *MetadataTableEncryptionSettings `xml:"EncryptionConfiguration"`
	Role       *string                          `xml:"Role"`
}

// GetBucketMetadataConfigurationResult is the V2 Get answer.
type GetBucketMetadataConfigurationResult struct {
	XMLName xml.Name                    `xml:"GetBucketMetadataConfigurationResult"`
	NS      string                      `xml:"xmlns,attr,omitempty"`
	Result  MetadataConfigurationResult `xml:"MetadataConfigurationResult"`
}

// MetadataConfigurationResult is a V2 (or V1, seen through V2)
// configuration with its tables' states.
type MetadataConfigurationResult struct {
	Destination DestinationResult                `xml:"DestinationResult"`
	Journal     *JournalTableConfigurationResult `xml:"JournalTableConfigurationResult,omitempty"`
	Inventory   *MetadataTableResult             `xml:"InventoryTableConfigurationResult,omitempty"`
	Annotation  *MetadataTableResult             `xml:"AnnotationTableConfigurationResult,omitempty"`
}

// DestinationResult is the table bucket and namespace of the tables.
type DestinationResult struct {
	TableBucketType string `xml:"TableBucketType"`
	TableBucketArn  string `xml:"TableBucketArn"`
	TableNamespace  string `xml:"TableNamespace"`
}

// JournalTableConfigurationResult is the journal table's state.
type JournalTableConfigurationResult struct {
	TableStatus      string                `xml:"TableStatus"`
	Error            *MetadataErrorDetails `xml:"Error,omitempty"`
	TableName        string                `xml:"TableName"`
	TableArn         string                `xml:"TableArn,omitempty"`
	RecordExpiration RecordExpirationOut   `xml:"RecordExpiration"`
}

// RecordExpirationOut is RecordExpiration as Get renders it.
type RecordExpirationOut struct {
	Expiration string `xml:"Expiration"`
	Days       int    `xml:"Days,omitempty"`
}

// MetadataTableResult is the inventory or annotation table's state.
type MetadataTableResult struct {
	ConfigurationState string                `xml:"ConfigurationState"`
	TableStatus        string                `xml:"TableStatus,omitempty"`
	Error              *MetadataErrorDetails `xml:"Error,omitempty"`
	TableName          string                `xml:"TableName,omitempty"`
	TableArn           string                `xml:"TableArn,omitempty"`
	Role               string                `xml:"Role,omitempty"`
}
