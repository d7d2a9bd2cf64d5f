package s3xml

import "encoding/xml"

// ServerSideEncryptionConfiguration is the bucket default encryption
// document of PutBucketEncryption and GetBucketEncryption.
type ServerSideEncryptionConfiguration struct {
	XMLName xml.Name                   `xml:"ServerSideEncryptionConfiguration"`
	NS      string                     `xml:"xmlns,attr,omitempty"`
	Rules   []ServerSideEncryptionRule `xml:"Rule"`
}

// ServerSideEncryptionRule is one Rule. Pointers tell an absent element
// from an empty one.
type ServerSideEncryptionRule struct {
	Default          *ServerSideEncryptionByDefault `xml:"ApplyServerSideEncryptionByDefault"`
	BlockedTypes     *BlockedEncryptionTypes        `xml:"BlockedEncryptionTypes"`
	BucketKeyEnabled *bool                          `xml:"BucketKeyEnabled"`
}

// ServerSideEncryptionByDefault names the algorithm and KMS key applied to
// new objects that ask for no encryption of their own.
type ServerSideEncryptionByDefault struct {
	SSEAlgorithm   string `xml:"SSEAlgorithm"`
	KMSMasterKeyID string `xml:"KMSMasterKeyID,omitempty"`
}

// BlockedEncryptionTypes lists the object encryption types new writes may
// not use (NONE or SSE-C).
type BlockedEncryptionTypes struct {
	EncryptionTypes []string `xml:"EncryptionType"`
}
