package iamapi

import "encoding/xml"

// response is a successful IAM response document.
type response interface{ setRequestID(ns, id string) }

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

// respMeta ends every response; embedding it also sets the namespace.
type respMeta struct {
	NS               string           `xml:"xmlns,attr"`
	ResponseMetadata responseMetadata `xml:"ResponseMetadata"`
}

func (m *respMeta) setRequestID(ns, id string) { m.NS, m.ResponseMetadata.RequestID = ns, id }

type errorResponse struct {
	XMLName   xml.Name  `xml:"ErrorResponse"`
	NS        string    `xml:"xmlns,attr"`
	Error     errorBody `xml:"Error"`
	RequestID string    `xml:"RequestId"`
}

type errorBody struct {
	Type    string `xml:"Type"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// emptyResponse answers actions with no result (DeleteUser, ...).
type emptyResponse struct {
	XMLName xml.Name
	respMeta
}

type userInfo struct {
	Path       string `xml:"Path"`
	UserName   string `xml:"UserName"`
	UserID     string `xml:"UserId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

type userResult struct {
	User *userInfo `xml:"User"`
}

type createUserResponse struct {
	XMLName xml.Name   `xml:"CreateUserResponse"`
	Result  userResult `xml:"CreateUserResult"`
	respMeta
}

type getUserResponse struct {
	XMLName xml.Name   `xml:"GetUserResponse"`
	Result  userResult `xml:"GetUserResult"`
	respMeta
}

type listUsersResponse struct {
	XMLName xml.Name `xml:"ListUsersResponse"`
	Result  struct {
		Users       []*userInfo `xml:"Users>member"`
		IsTruncated bool        `xml:"IsTruncated"`
		Marker      string      `xml:"Marker,omitempty"`
	} `xml:"ListUsersResult"`
	respMeta
}

type accessKeyInfo struct {
	UserName        string `xml:"UserName"`
	AccessKeyID     string `xml:"AccessKeyId"`
	Status          string `xml:"Status"`
	SecretAccessKey string `xml:"SecretAccessKey,omitempty"`
	CreateDate      string `xml:"CreateDate"`
}

type accessKeyResult struct {
	AccessKey accessKeyInfo `xml:"AccessKey"`
}

type createAccessKeyResponse struct {
	XMLName xml.Name        `xml:"CreateAccessKeyResponse"`
	Result  accessKeyResult `xml:"CreateAccessKeyResult"`
	respMeta
}

type listAccessKeysResponse struct {
	XMLName xml.Name `xml:"ListAccessKeysResponse"`
	Result  struct {
		Keys        []accessKeyInfo `xml:"AccessKeyMetadata>member"`
		IsTruncated bool            `xml:"IsTruncated"`
	} `xml:"ListAccessKeysResult"`
	respMeta
}

type userPolicyResult struct {
	UserName       string `xml:"UserName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

type getUserPolicyResponse struct {
	XMLName xml.Name         `xml:"GetUserPolicyResponse"`
	Result  userPolicyResult `xml:"GetUserPolicyResult"`
	respMeta
}

type listUserPoliciesResponse struct {
	XMLName xml.Name `xml:"ListUserPoliciesResponse"`
	Result  struct {
		PolicyNames []string `xml:"PolicyNames>member"`
		IsTruncated bool     `xml:"IsTruncated"`
	} `xml:"ListUserPoliciesResult"`
	respMeta
}
