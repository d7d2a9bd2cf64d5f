package s3xml

import "encoding/xml"

// PutObjectAnnotationOutput answers PutObjectAnnotation (the root is the
// output shape's name: the operation has no xmlName trait).
type PutObjectAnnotationOutput struct {
	XMLName        xml.Name `xml:"PutObjectAnnotationOutput"`
	NS             string   `xml:"xmlns,attr"`
	Key            string   `xml:"Key"`
	AnnotationName string   `xml:"AnnotationName"`
}

// ListObjectAnnotationsOutput answers ListObjectAnnotations. There is no
// IsTruncated: a NextContinuationToken means more.
type ListObjectAnnotationsOutput struct {
	XMLName               xml.Name          `xml:"ListObjectAnnotationsOutput"`
	NS                    string            `xml:"xmlns,attr"`
	Annotations           []AnnotationEntry `xml:"Annotations>AnnotationEntry"`
	Bucket                string            `xml:"Bucket"`
	Key                   string            `xml:"Key"`
	AnnotationPrefix      string            `xml:"AnnotationPrefix,omitempty"`
	MaxAnnotationResults  int               `xml:"MaxAnnotationResults"`
	AnnotationCount       int               `xml:"AnnotationCount"`
	ContinuationToken     string            `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string            `xml:"NextContinuationToken,omitempty"`
}

// AnnotationEntry is one annotation in a list; ChecksumAlgorithm is a
// flattened list.
type AnnotationEntry struct {
	AnnotationName    string   `xml:"AnnotationName"`
	LastModified      string   `xml:"LastModified"`
	ETag              string   `xml:"ETag"`
	ChecksumAlgorithm []string `xml:"ChecksumAlgorithm"`
	Size              int64    `xml:"Size"`
}
