package s3

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxRoutingRules is how many routing rules a website configuration may hold.
const MaxRoutingRules = 50

// Website is a bucket's static website configuration: either
// RedirectAll, or an index document suffix with an optional error
// document and routing rules.
type Website struct {
	IndexSuffix string
	ErrorKey    string
	RedirectAll *WebsiteRedirectAll
	Rules       []RoutingRule
}

// WebsiteRedirectAll sends every request to another host.
type WebsiteRedirectAll struct {
	HostName string
	Protocol string // "", "http" or "https"
}

// RoutingRule redirects requests that meet its condition (all requests
// when Condition is nil).
type RoutingRule struct {
	Condition *RoutingCondition
	Redirect  RoutingRedirect
}

// RoutingCondition is when a routing rule applies: a key prefix, an
// error status, or both.
type RoutingCondition struct {
	KeyPrefixEquals             string
	HTTPErrorCodeReturnedEquals string
}

// RoutingRedirect is where a routing rule sends the request.
type RoutingRedirect struct {
	Protocol             string
	HostName             string
	ReplaceKeyPrefixWith string
	ReplaceKeyWith       string
	HTTPRedirectCode     string
}

// WebsiteError is a configuration S3 refuses: Code is "MalformedXML",
// "InvalidArgument" (with ArgName and ArgValue) or "InvalidRequest".
type WebsiteError struct {
	Code     string
	Message  string
	ArgName  string
	ArgValue string
}

func (e *WebsiteError) Error() string { return e.Message }

const badProtocol = "Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically."

// CheckWebsite validates a configuration as PutBucketWebsite does.
// present tells which optional top-level elements the document had, so
// that an empty element can be told from a missing one: "ErrorDocument",
// "RoutingRules", "RedirectAllRequestsTo.HostName", and
// "Condition.N"/"Redirect.N" for routing rule N.
func CheckWebsite(w Website, present map[string]bool) error {
	if w.RedirectAll != nil {
		if w.IndexSuffix != "" || present["IndexDocument"] || present["ErrorDocument"] || present["RoutingRules"] {
			return &WebsiteError{Code: "InvalidArgument", Message: "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.", ArgName: "RedirectAllRequestsTo", ArgValue: "not null"}
		}
		if !present["RedirectAllRequestsTo.HostName"] {
			return &WebsiteError{Code: "MalformedXML"}
		}
		if w.RedirectAll.HostName == "" {
			return &WebsiteError{Code: "InvalidRequest", Message: `A host name must be provided to redirect all requests (e.g. "example.com").`}
		}
		if !validProtocol(w.RedirectAll.Protocol) {
			return &WebsiteError{Code: "InvalidRequest", Message: badProtocol}
		}
		return nil
	}
	if !present["IndexDocument"] {
		return &WebsiteError{Code: "InvalidArgument", Message: "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty", ArgName: "IndexDocument", ArgValue: "null"}
	}
	if w.IndexSuffix == "" || strings.Contains(w.IndexSuffix, "/") {
		return &WebsiteError{Code: "InvalidArgument", Message: "The IndexDocument Suffix is not well formed", ArgName: "IndexDocument", ArgValue: w.IndexSuffix}
	}
	if present["ErrorDocument"] && w.ErrorKey == "" {
		return &WebsiteError{Code: "MalformedXML"}
	}
	if present["RoutingRules"] && len(w.Rules) == 0 {
		return &WebsiteError{Code: "MalformedXML"}
	}
	if len(w.Rules) > MaxRoutingRules {
		return &WebsiteError{Code: "InvalidRequest", Message: fmt.Sprintf("%d routing rules provided, the number of routing rules in a website configuration is limited to %d.", len(w.Rules), MaxRoutingRules)}
	}
	for i, r := range w.Rules {
		if !present["Redirect."+strconv.Itoa(i)] {
			return &WebsiteError{Code: "MalformedXML"}
		}
		if c := r.Condition; c != nil {
			if c.KeyPrefixEquals == "" && c.HTTPErrorCodeReturnedEquals == "" {
				return &WebsiteError{Code: "InvalidRequest", Message: "Condition cannot be empty. To redirect all requests without a condition, the condition element shouldn't be present."}
			}
			if v := c.HTTPErrorCodeReturnedEquals; v != "" {
				if n, err := strconv.Atoi(v); err != nil || n < 400 || n > 599 {
					return &WebsiteError{Code: "InvalidRequest", Message: fmt.Sprintf("The provided HTTP error code (%s) is not valid. Valid codes are 4XX or 5XX.", v)}
				}
			}
		}
		d := r.Redirect
		if d.ReplaceKeyPrefixWith != "" && d.ReplaceKeyWith != "" {
			return &WebsiteError{Code: "InvalidRequest", Message: "You can only define ReplaceKeyPrefix or ReplaceKey but not both."}
		}
		if !validProtocol(d.Protocol) {
			return &WebsiteError{Code: "InvalidRequest", Message: badProtocol}
		}
		if v := d.HTTPRedirectCode; v != "" {
			if n, err := strconv.Atoi(v); err != nil || n < 301 || n > 399 {
				return &WebsiteError{Code: "InvalidRequest", Message: fmt.Sprintf("The provided HTTP redirect code (%s) is not valid. Valid codes are 3XX except 300.", v)}
			}
		}
	}
	return nil
}

func validProtocol(p string) bool { return p == "" || p == "http" || p == "https" }

// IndexKey returns the key a website request for key serves: the index
// document of the "folder" when key is empty or ends in '/'.
func (w Website) IndexKey(key string) string {
	if key == "" || strings.HasSuffix(key, "/") {
		return key + w.IndexSuffix
	}
	return key
}

// MatchRoutingRule returns the first routing rule that applies to a
// request for key that met status (0 before the object was looked up:
// only rules without an error-code condition can match then).
func (w Website) MatchRoutingRule(key string, status int) (*RoutingRule, bool) {
	for i := range w.Rules {
		r := &w.Rules[i]
		c := r.Condition
		if c == nil {
			if status == 0 {
				return r, true
			}
			continue
		}
		if c.HTTPErrorCodeReturnedEquals != "" {
			if status == 0 || c.HTTPErrorCodeReturnedEquals != strconv.Itoa(status) {
				continue
			}
		} else if status != 0 {
			continue
		}
		if strings.HasPrefix(key, c.KeyPrefixEquals) {
			return r, true
		}
	}
	return nil, false
}

// RedirectLocation builds the Location a routing rule sends a request
// for key to, and its status. host and scheme are the request's, used
// where the rule names none.
func (r *RoutingRule) RedirectLocation(key, host, scheme string) (string, int) {
	d := r.Redirect
	if d.HostName != "" {
		host = d.HostName
	}
	if d.Protocol != "" {
		scheme = d.Protocol
	}
	switch {
	case d.ReplaceKeyWith != "":
		key = d.ReplaceKeyWith
	case d.ReplaceKeyPrefixWith != "":
		prefix := ""
		if r.Condition != nil {
			prefix = r.Condition.KeyPrefixEquals
		}
		key = d.ReplaceKeyPrefixWith + strings.TrimPrefix(key, prefix)
	}
	code := 301
	if n, err := strconv.Atoi(d.HTTPRedirectCode); err == nil {
		code = n
	}
	return scheme + "://" + host + "/" + key, code
}
