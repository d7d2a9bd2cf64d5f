package s3xml

import "encoding/xml"

// IntelligentTieringConfiguration is the body of
// PutBucketIntelligentTieringConfiguration and
// GetBucketIntelligentTieringConfiguration (and an entry of the list).
type IntelligentTieringConfiguration struct {
	XMLName  xml.Name     `xml:"IntelligentTieringConfiguration"`
	NS       string       `xml:"xmlns,attr,omitempty"`
	ID       string       `xml:"Id"`
	Filter   *ITFilter    `xml:"Filter"`
	Status   string       `xml:"Status"`
	Tierings []TieringXML `xml:"Tiering"`
}

// ITFilter is an Intelligent-Tiering configuration's <Filter>.
type ITFilter struct {
	Prefix *string `xml:"Prefix"`
	Tag    *TagXML `xml:"Tag"`
	And    *ITAnd  `xml:"And"`
}

// ITAnd is a filter's <And>.
type ITAnd struct {
	Prefix *string  `xml:"Prefix"`
	Tags   []TagXML `xml:"Tag"`
}

// TieringXML is one <Tiering>.
type TieringXML struct {
	AccessTier string `xml:"AccessTier"`
	Days       int64  `xml:"Days"`
}

// ListBucketIntelligentTieringConfigurationsOutput is the list's body.
type ListBucketIntelligentTieringConfigurationsOutput struct {
	XMLName               xml.Name                          `xml:"ListBucketIntelligentTieringConfigurationsOutput"`
	NS                    string                            `xml:"xmlns,attr,omitempty"`
	IsTruncated           bool                              `xml:"IsTruncated"`
	ContinuationToken     string                            `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string                            `xml:"NextContinuationToken,omitempty"`
	Configurations        []IntelligentTieringConfiguration `xml:"IntelligentTieringConfiguration"`
}
