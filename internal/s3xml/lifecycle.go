package s3xml

import (
	"encoding/xml"
	"errors"
)

// LifecycleConfiguration is the body of PutBucketLifecycleConfiguration
// and PutBucketLifecycle and the answer of their GETs. Optional elements
// are pointers so that an empty element can be told from a missing one.
type LifecycleConfiguration struct {
	XMLName xml.Name        `xml:"LifecycleConfiguration"`
	NS      string          `xml:"xmlns,attr,omitempty"`
	Rules   []LifecycleRule `xml:"Rule"`
}

// LifecycleRule is one rule. Prefix is the deprecated rule-level prefix
// (the only filter of PutBucketLifecycle).
type LifecycleRule struct {
	ID                             string                          `xml:"ID,omitempty"`
	Prefix                         *string                         `xml:"Prefix"`
	Filter                         *LifecycleFilter                `xml:"Filter"`
	Status                         string                          `xml:"Status"`
	Transitions                    []LifecycleTransition           `xml:"Transition"`
	NoncurrentVersionTransitions   []NoncurrentVersionTransition   `xml:"NoncurrentVersionTransition"`
	Expiration                     *LifecycleExpiration            `xml:"Expiration"`
	NoncurrentVersionExpiration    *NoncurrentVersionExpiration    `xml:"NoncurrentVersionExpiration"`
	AbortIncompleteMultipartUpload *AbortIncompleteMultipartUpload `xml:"AbortIncompleteMultipartUpload"`
}

// LifecycleFilter is a rule's <Filter>: at most one of its members.
type LifecycleFilter struct {
	Prefix                *string       `xml:"Prefix"`
	Tag                   *TagXML       `xml:"Tag"`
	ObjectSizeGreaterThan *int64        `xml:"ObjectSizeGreaterThan"`
	ObjectSizeLessThan    *int64        `xml:"ObjectSizeLessThan"`
	And                   *LifecycleAnd `xml:"And"`
	// Members counts the child elements read (decoding only).
	Members int `xml:"-"`
}

// LifecycleAnd joins a filter's conditions.
type LifecycleAnd struct {
	Prefix                *string  `xml:"Prefix"`
	Tags                  []TagXML `xml:"Tag"`
	ObjectSizeGreaterThan *int64   `xml:"ObjectSizeGreaterThan"`
	ObjectSizeLessThan    *int64   `xml:"ObjectSizeLessThan"`
}

// LifecycleExpiration is a rule's <Expiration>. ExpiredObjectDeleteMarker
// is kept as text so that only an xs:boolean is accepted.
type LifecycleExpiration struct {
	Date                      *string `xml:"Date"`
	Days                      *int64  `xml:"Days"`
	ExpiredObjectDeleteMarker *string `xml:"ExpiredObjectDeleteMarker"`
}

// NoncurrentVersionExpiration is a rule's <NoncurrentVersionExpiration>.
type NoncurrentVersionExpiration struct {
	NoncurrentDays          *int64 `xml:"NoncurrentDays"`
	NewerNoncurrentVersions *int64 `xml:"NewerNoncurrentVersions"`
}

// AbortIncompleteMultipartUpload is a rule's <AbortIncompleteMultipartUpload>.
type AbortIncompleteMultipartUpload struct {
	DaysAfterInitiation *int64 `xml:"DaysAfterInitiation"`
}

// LifecycleTransition is a rule's <Transition>.
type LifecycleTransition struct {
	Date         *string `xml:"Date"`
	Days         *int64  `xml:"Days"`
	StorageClass *string `xml:"StorageClass"`
}

// NoncurrentVersionTransition is a rule's <NoncurrentVersionTransition>.
type NoncurrentVersionTransition struct {
	NoncurrentDays          *int64  `xml:"NoncurrentDays"`
	NewerNoncurrentVersions *int64  `xml:"NewerNoncurrentVersions"`
	StorageClass            *string `xml:"StorageClass"`
}

// errUnknownFilterMember: a <Filter> child the schema does not define.
var errUnknownFilterMember = errors.New("s3xml: unknown Filter member")

// UnmarshalXML reads a <Filter>, counting its members so that two
// conditions outside <And> can be refused.
func (f *LifecycleFilter) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			f.Members++
			var dst any
			switch t.Name.Local {
			case "Prefix":
				f.Prefix = new(string)
				dst = f.Prefix
			case "Tag":
				f.Tag = new(TagXML)
				dst = f.Tag
			case "ObjectSizeGreaterThan":
				f.ObjectSizeGreaterThan = new(int64)
				dst = f.ObjectSizeGreaterThan
			case "ObjectSizeLessThan":
				f.ObjectSizeLessThan = new(int64)
				dst = f.ObjectSizeLessThan
			case "And":
				f.And = new(LifecycleAnd)
				dst = f.And
			default:
				return errUnknownFilterMember
			}
			if err := d.DecodeElement(dst, &t); err != nil {
				return err
			}
		}
	}
}
