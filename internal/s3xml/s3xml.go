// Package s3xml holds S3's request and response XML documents. Response
// roots carry S3's namespace; request decoding ignores namespaces because
// clients differ in whether they send one.
package s3xml

import (
	"encoding/xml"
	"errors"
	"io"
	"time"
)

// NS is S3's XML namespace.
const NS = "http://s3.amazonaws.com/doc/2006-03-01/"

// TimeFormat is how S3 writes timestamps in XML.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// Time formats t as S3 does in XML bodies.
func Time(t time.Time) string { return t.UTC().Format(TimeFormat) }

// Error is S3's error document.
type Error struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Extra     []Elem   `xml:",any"`
	Resource  string   `xml:"Resource,omitempty"`
	RequestID string   `xml:"RequestId"`
	HostID    string   `xml:"HostId"`
}

// Elem is a free-form element inside an error document.
type Elem struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

// Owner identifies a bucket or object owner.
type Owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName,omitempty"`
}

// ListAllMyBucketsResult answers ListBuckets.
type ListAllMyBucketsResult struct {
	XMLName           xml.Name     `xml:"ListAllMyBucketsResult"`
	NS                string       `xml:"xmlns,attr"`
	Owner             Owner        `xml:"Owner"`
	Buckets           []BucketInfo `xml:"Buckets>Bucket"`
	ContinuationToken string       `xml:"ContinuationToken,omitempty"`
	Prefix            string       `xml:"Prefix,omitempty"`
}

// BucketInfo is one bucket in ListBuckets.
type BucketInfo struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion,omitempty"`
}

// CreateBucketConfiguration is CreateBucket's optional body.
type CreateBucketConfiguration struct {
	LocationConstraint string `xml:"LocationConstraint"`
}

// LocationConstraint answers GetBucketLocation.
type LocationConstraint struct {
	XMLName xml.Name `xml:"LocationConstraint"`
	NS      string   `xml:"xmlns,attr"`
	Value   string   `xml:",chardata"`
}

// Object is one entry of a listing.
type Object struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	Owner        *Owner `xml:"Owner,omitempty"`
	StorageClass string `xml:"StorageClass"`
}

// CommonPrefix is a folded group of keys.
type CommonPrefix struct {
	Prefix string `xml:"Prefix"`
}

// ListBucketResult answers ListObjects (v1).
type ListBucketResult struct {
	XMLName        xml.Name       `xml:"ListBucketResult"`
	NS             string         `xml:"xmlns,attr"`
	Name           string         `xml:"Name"`
	Prefix         string         `xml:"Prefix"`
	Marker         string         `xml:"Marker"`
	NextMarker     string         `xml:"NextMarker,omitempty"`
	MaxKeys        int            `xml:"MaxKeys"`
	Delimiter      string         `xml:"Delimiter,omitempty"`
	IsTruncated    bool           `xml:"IsTruncated"`
	EncodingType   string         `xml:"EncodingType,omitempty"`
	Contents       []Object       `xml:"Contents"`
	CommonPrefixes []CommonPrefix `xml:"CommonPrefixes"`
}

// ListBucketResultV2 answers ListObjectsV2.
type ListBucketResultV2 struct {
	XMLName               xml.Name       `xml:"ListBucketResult"`
	NS                    string         `xml:"xmlns,attr"`
	Name                  string         `xml:"Name"`
	Prefix                string         `xml:"Prefix"`
	StartAfter            string         `xml:"StartAfter,omitempty"`
	ContinuationToken     string         `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	KeyCount              int            `xml:"KeyCount"`
	MaxKeys               int            `xml:"MaxKeys"`
	Delimiter             string         `xml:"Delimiter,omitempty"`
	IsTruncated           bool           `xml:"IsTruncated"`
	EncodingType          string         `xml:"EncodingType,omitempty"`
	Contents              []Object       `xml:"Contents"`
	CommonPrefixes        []CommonPrefix `xml:"CommonPrefixes"`
}

// Delete is DeleteObjects' request body.
type Delete struct {
	Quiet   bool               `xml:"Quiet"`
	Objects []ObjectIdentifier `xml:"Object"`
}

// ObjectIdentifier names a key and optionally a version.
type ObjectIdentifier struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId"`
}

// DeleteResult answers DeleteObjects.
type DeleteResult struct {
	XMLName xml.Name      `xml:"DeleteResult"`
	NS      string        `xml:"xmlns,attr"`
	Deleted []DeletedItem `xml:"Deleted"`
	Errors  []DeleteError `xml:"Error"`
}

// DeletedItem is one successful deletion.
type DeletedItem struct {
	Key                   string `xml:"Key"`
	VersionID             string `xml:"VersionId,omitempty"`
	DeleteMarker          bool   `xml:"DeleteMarker,omitempty"`
	DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId,omitempty"`
}

// DeleteError is one failed deletion.
type DeleteError struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
}

// ErrMalformed is returned by Decode for any body that is not the expected document.
var ErrMalformed = errors.New("s3xml: malformed XML")

// Decode reads one XML document of at most limit bytes into v. The root
// element's local name must be root. Trailing content after the root is
// rejected, as is a body over the limit.
func Decode(r io.Reader, limit int64, root string, v any) error {
	lr := &io.LimitedReader{R: r, N: limit + 1}
	d := xml.NewDecoder(lr)
	for {
		tok, err := d.Token()
		if err != nil {
			return ErrMalformed
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local != root {
				return ErrMalformed
			}
			if err := d.DecodeElement(v, &se); err != nil {
				return ErrMalformed
			}
			break
		}
	}
	// Only whitespace, comments and processing instructions may follow.
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return ErrMalformed
		}
		switch t := tok.(type) {
		case xml.CharData:
			for _, c := range t {
				if c != ' ' && c != '\n' && c != '\r' && c != '\t' {
					return ErrMalformed
				}
			}
		case xml.Comment, xml.ProcInst:
		default:
			return ErrMalformed
		}
	}
	if lr.N <= 0 {
		return ErrMalformed
	}
	return nil
}
