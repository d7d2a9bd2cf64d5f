package s3xml

import "encoding/xml"

// CORSConfiguration is PutBucketCors' body and GetBucketCors' answer.
type CORSConfiguration struct {
	XMLName xml.Name   `xml:"CORSConfiguration"`
	NS      string     `xml:"xmlns,attr,omitempty"`
	Rules   []CORSRule `xml:"CORSRule"`
}

// CORSRule is one rule of a CORS configuration.
type CORSRule struct {
	ID             string   `xml:"ID,omitempty"`
	AllowedHeaders []string `xml:"AllowedHeader"`
	AllowedMethods []string `xml:"AllowedMethod"`
	AllowedOrigins []string `xml:"AllowedOrigin"`
	ExposeHeaders  []string `xml:"ExposeHeader"`
	MaxAgeSeconds  *int     `xml:"MaxAgeSeconds,omitempty"`
}

// WebsiteConfiguration is PutBucketWebsite's body and GetBucketWebsite's
// answer. Optional elements are pointers so that an empty element can be
// told from a missing one.
type WebsiteConfiguration struct {
	XMLName               xml.Name               `xml:"WebsiteConfiguration"`
	NS                    string                 `xml:"xmlns,attr,omitempty"`
	RedirectAllRequestsTo *RedirectAllRequestsTo `xml:"RedirectAllRequestsTo,omitempty"`
	IndexDocument         *IndexDocument         `xml:"IndexDocument,omitempty"`
	ErrorDocument         *ErrorDocument         `xml:"ErrorDocument,omitempty"`
	RoutingRules          *RoutingRules          `xml:"RoutingRules,omitempty"`
}

// RedirectAllRequestsTo sends every request of a website elsewhere.
type RedirectAllRequestsTo struct {
	HostName *string `xml:"HostName"`
	Protocol string  `xml:"Protocol,omitempty"`
}

// IndexDocument names the index document suffix.
type IndexDocument struct {
	Suffix string `xml:"Suffix"`
}

// ErrorDocument names the error document's key.
type ErrorDocument struct {
	Key string `xml:"Key"`
}

// RoutingRules holds a website's routing rules.
type RoutingRules struct {
	Rules []RoutingRule `xml:"RoutingRule"`
}

// RoutingRule is one routing rule.
type RoutingRule struct {
	Condition *RoutingCondition `xml:"Condition,omitempty"`
	Redirect  *RoutingRedirect  `xml:"Redirect,omitempty"`
}

// RoutingCondition is when a routing rule applies.
type RoutingCondition struct {
	HTTPErrorCodeReturnedEquals string `xml:"HttpErrorCodeReturnedEquals,omitempty"`
	KeyPrefixEquals             string `xml:"KeyPrefixEquals,omitempty"`
}

// RoutingRedirect is where a routing rule sends a request.
type RoutingRedirect struct {
	HostName             string `xml:"HostName,omitempty"`
	HTTPRedirectCode     string `xml:"HttpRedirectCode,omitempty"`
	Protocol             string `xml:"Protocol,omitempty"`
	ReplaceKeyPrefixWith string `xml:"ReplaceKeyPrefixWith,omitempty"`
	ReplaceKeyWith       string `xml:"ReplaceKeyWith,omitempty"`
}
