package iamapi

import "encoding/xml"

// result is an action's response built from a plain result struct:
// <ActionResponse><ActionResult>body</ActionResult><ResponseMetadata/>.
type result struct {
	action string
	body   any
	ns, id string
}

func (r *result) setRequestID(ns, id string) { r.ns, r.id = ns, id }

func (r *result) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Local: r.action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: r.ns}}}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if r.body != nil {
		if err := e.EncodeElement(r.body, xml.StartElement{Name: xml.Name{Local: r.action + "Result"}}); err != nil {
			return err
		}
	}
	if err := e.EncodeElement(responseMetadata{RequestID: r.id}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

// ok answers c's action with body (nil for actions without a result).
func ok(c *call, body any) (response, error) { return &result{action: c.action, body: body}, nil }

type groupInfo struct {
	Path       string `xml:"Path"`
	GroupName  string `xml:"GroupName"`
	GroupID    string `xml:"GroupId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

type roleInfo struct {
	Path                     string `xml:"Path"`
	RoleName                 string `xml:"RoleName"`
	RoleID                   string `xml:"RoleId"`
	Arn                      string `xml:"Arn"`
	CreateDate               string `xml:"CreateDate"`
	AssumeRolePolicyDocument string `xml:"AssumeRolePolicyDocument,omitempty"`
	Description              string `xml:"Description,omitempty"`
	MaxSessionDuration       int    `xml:"MaxSessionDuration"`
}

type policyInfo struct {
	PolicyName                    string `xml:"PolicyName"`
	PolicyID                      string `xml:"PolicyId"`
	Arn                           string `xml:"Arn"`
	Path                          string `xml:"Path"`
	DefaultVersionID              string `xml:"DefaultVersionId"`
	AttachmentCount               int    `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int    `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool   `xml:"IsAttachable"`
	Description                   string `xml:"Description,omitempty"`
	CreateDate                    string `xml:"CreateDate"`
	UpdateDate                    string `xml:"UpdateDate"`
}

type attachedPolicy struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

type versionInfo struct {
	Document         string `xml:"Document,omitempty"`
	VersionID        string `xml:"VersionId"`
	IsDefaultVersion bool   `xml:"IsDefaultVersion"`
	CreateDate       string `xml:"CreateDate"`
}

// namedPolicy is the result of Get{Group,Role}Policy: the owner's name
// element is named for its kind.
type namedPolicy struct{ ownerParam, owner, name, doc string }

func (n namedPolicy) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, kv := range [][2]string{{n.ownerParam, n.owner}, {"PolicyName", n.name}, {"PolicyDocument", n.doc}} {
		if err := e.EncodeElement(kv[1], xml.StartElement{Name: xml.Name{Local: kv[0]}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}
