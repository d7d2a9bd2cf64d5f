package s3xml

import "encoding/xml"

// ReplicationConfiguration is the body of PutBucketReplication and the
// answer of GetBucketReplication. Optional elements are pointers so an
// empty element can be told from a missing one.
type ReplicationConfiguration struct {
	XMLName xml.Name          `xml:"ReplicationConfiguration"`
	NS      string            `xml:"xmlns,attr,omitempty"`
	Role    string            `xml:"Role"`
	Rules   []ReplicationRule `xml:"Rule"`
}

// ReplicationRule is one <Rule>.
type ReplicationRule struct {
	ID                        string                   `xml:"ID,omitempty"`
	Priority                  *int                     `xml:"Priority"`
	Status                    string                   `xml:"Status"`
	Prefix                    *string                  `xml:"Prefix"`
	Filter                    *ReplicationFilter       `xml:"Filter"`
	SourceSelectionCriteria   *SourceSelectionCriteria `xml:"SourceSelectionCriteria"`
	ExistingObjectReplication *StatusXML               `xml:"ExistingObjectReplication"`
	DeleteMarkerReplication   *StatusXML               `xml:"DeleteMarkerReplication"`
	Destination               ReplicationDestination   `xml:"Destination"`
}

// StatusXML is an element holding only <Status>.
type StatusXML struct {
	Status string `xml:"Status"`
}

// ReplicationFilter is a rule's <Filter>: at most one member.
type ReplicationFilter struct {
	Prefix *string         `xml:"Prefix"`
	Tag    *TagXML         `xml:"Tag"`
	And    *ReplicationAnd `xml:"And"`
}

// ReplicationAnd joins a prefix and tags.
type ReplicationAnd struct {
	Prefix *string  `xml:"Prefix"`
	Tags   []TagXML `xml:"Tag"`
}

// SourceSelectionCriteria selects SSE-KMS objects and replica changes.
type SourceSelectionCriteria struct {
	SseKmsEncryptedObjects *StatusXML `xml:"SseKmsEncryptedObjects"`
	ReplicaModifications   *StatusXML `xml:"ReplicaModifications"`
}

// ReplicationDestination is a rule's <Destination>.
type ReplicationDestination struct {
	Bucket                   string                    `xml:"Bucket"`
	Account                  string                    `xml:"Account,omitempty"`
	StorageClass             string                    `xml:"StorageClass,omitempty"`
	AccessControlTranslation *AccessControlTranslation `xml:"AccessControlTranslation"`
	EncryptionConfiguration  *ReplicaEncryption        `xml:"EncryptionConfiguration"`
	ReplicationTime          *ReplicationTime          `xml:"ReplicationTime"`
	Metrics                  *ReplicationMetrics       `xml:"Metrics"`
}

// AccessControlTranslation names the replica's owner.
type AccessControlTranslation struct {
	Owner string `xml:"Owner"`
}

// ReplicaEncryption is the replica's KMS key.
type ReplicaEncryption struct {
	ReplicaKmsKeyID string `xml:"ReplicaKmsKeyID,omitempty"`
}

// ReplicationMinutes holds <Minutes>.
type ReplicationMinutes struct {
	Minutes int `xml:"Minutes"`
}

// ReplicationTime is S3 Replication Time Control.
type ReplicationTime struct {
	Status string              `xml:"Status"`
	Time   *ReplicationMinutes `xml:"Time"`
}

// ReplicationMetrics is the destination's metrics setting.
type ReplicationMetrics struct {
	Status         string              `xml:"Status"`
	EventThreshold *ReplicationMinutes `xml:"EventThreshold"`
}
