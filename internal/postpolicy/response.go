package postpolicy

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
)

// postResponse is the body S3 sends for success_action_status 201.
type postResponse struct {
	XMLName  xml.Name `xml:"PostResponse"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
}

// SuccessResponse says how to answer a successful PostObject, from the form
// fields (keys lower-cased, as Form.Fields):
//
//   - success_action_redirect, or else the legacy redirect, holding an
//     absolute http(s) URL: 303 See Other to that URL with bucket, key and
//     etag (quoted) appended to its query; no body. Any other value is
//     ignored, as S3 ignores it.
//   - else success_action_status "200": 200, no body; "201": 201 with a
//     PostResponse XML body (Location, Bucket, Key, ETag); anything else,
//     or nothing: 204, no body.
//
// etag may be given with or without its quotes; location is the object's
// URL. The caller also sets the ETag and Location headers, as S3 does.
func SuccessResponse(fields map[string]string, bucket, key, etag, location string) (status int, redirect string, xmlBody []byte) {
	fields = lowerKeys(fields)
	if !strings.HasPrefix(etag, "\"") {
		etag = "\"" + etag + "\""
	}
	for _, name := range [...]string{"success_action_redirect", "redirect"} {
		target := fields[name]
		if target == "" {
			continue
		}
		u, err := url.Parse(target)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			continue
		}
		add := "bucket=" + url.QueryEscape(bucket) + "&key=" + url.QueryEscape(key) + "&etag=" + url.QueryEscape(etag)
		if u.RawQuery == "" {
			u.RawQuery = add
		} else {
			u.RawQuery += "&" + add
		}
		return http.StatusSeeOther, u.String(), nil
	}
	switch strings.TrimSpace(fields["success_action_status"]) {
	case "200":
		return http.StatusOK, "", nil
	case "201":
		body, err := xml.Marshal(postResponse{Location: location, Bucket: bucket, Key: key, ETag: etag})
		if err != nil { // cannot happen: only strings
			return http.StatusNoContent, "", nil
		}
		return http.StatusCreated, "", append([]byte(xml.Header), body...)
	}
	return http.StatusNoContent, "", nil
}
