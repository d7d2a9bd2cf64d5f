package s3xml

import "encoding/xml"

// ListAllMyDirectoryBucketsResult answers ListDirectoryBuckets.
type ListAllMyDirectoryBucketsResult struct {
	XMLName           xml.Name     `xml:"ListAllMyDirectoryBucketsResult"`
	NS                string       `xml:"xmlns,attr"`
	Buckets           []BucketInfo `xml:"Buckets>Bucket"`
	ContinuationToken string       `xml:"ContinuationToken,omitempty"`
}

// CreateSessionResult answers CreateSession.
type CreateSessionResult struct {
	XMLName     xml.Name           `xml:"CreateSessionResult"`
	NS          string             `xml:"xmlns,attr"`
	Credentials SessionCredentials `xml:"Credentials"`
}

// SessionCredentials are an S3 Express session's credentials.
type SessionCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	Expiration      string `xml:"Expiration"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
}
