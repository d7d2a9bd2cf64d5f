package iamapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"talus/internal/meta"
)

// olapActions are Talus's S3 Object Lambda administration actions, for the
// administrator's account only: the operator configures Object Lambda
// access points (AWS's CreateAccessPointForObjectLambda is an S3 Control
// operation, which Talus does not serve).
var olapActions = map[string]bool{
	"TalusCreateObjectLambdaAccessPoint": true, "TalusListObjectLambdaAccessPoints": true,
	"TalusDeleteObjectLambdaAccessPoint": true,
}

// olapName is AWS's rule for access point names: 3 to 45 lower-case
// letters, digits and hyphens, neither first nor last a hyphen.
var olapName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,43}[a-z0-9]$`)

// olapFeatures are the AllowedFeatures values AWS accepts.
var olapFeatures = map[string]bool{
	"GetObject-Range": true, "GetObject-PartNumber": true, "HeadObject-Range": true, "HeadObject-PartNumber": true,
}

type olapInfo struct {
	Name            string   `xml:"Name"`
	AccountID       string   `xml:"AccountId"`
	Alias           string   `xml:"Alias"`
	Bucket          string   `xml:"Bucket"`
	Transformer     string   `xml:"Transformer"`
	Payload         string   `xml:"Payload"`
	AllowedFeatures []string `xml:"AllowedFeatures>member"`
	CreateDate      string   `xml:"CreateDate"`
}

func (h *Handler) olapStore() (meta.ObjectLambda, error) {
	s, ok := h.store.(meta.ObjectLambda)
	if !ok {
		return nil, errf(http.StatusNotImplemented, "NotImplemented", "This metadata store keeps no Object Lambda access points.")
	}
	return s, nil
}

func (h *Handler) olapAction(c *call) (response, error) {
	s, err := h.olapStore()
	if err != nil {
		return nil, err
	}
	ctx, form := c.ctx, c.form
	switch c.action {
	case "TalusCreateObjectLambdaAccessPoint":
		name, err := h.param(form, "Name", olapName)
		if err != nil {
			return nil, err
		}
		bucket, err := h.param(form, "Bucket", nil)
		if err != nil {
			return nil, err
		}
		tr, err := h.param(form, "Transformer", nil)
		if err != nil {
			return nil, err
		}
		if u, err := url.Parse(tr); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, errf(http.StatusBadRequest, "ValidationError", "The transformer must be an http:// or https:// URL.")
		}
		payload := form.Get("Payload")
		if payload != "" && !json.Valid([]byte(payload)) {
			return nil, errf(http.StatusBadRequest, "ValidationError", "The payload must be a JSON document.")
		}
		var features []string
		for _, f := range strings.Split(form.Get("AllowedFeatures"), ",") {
			if f = strings.TrimSpace(f); f == "" {
				continue
			}
			if !olapFeatures[f] {
				return nil, errf(http.StatusBadRequest, "ValidationError", "The allowed feature %s is not one of GetObject-Range, GetObject-PartNumber, HeadObject-Range, HeadObject-PartNumber.", f)
			}
			features = append(features, f)
		}
		bs, isBuckets := h.store.(interface {
			GetBucket(ctx context.Context, name string) (meta.Bucket, error)
		})
		if !isBuckets {
			return nil, errf(http.StatusNotImplemented, "NotImplemented", "This metadata store keeps no buckets.")
		}
		b, err := bs.GetBucket(ctx, bucket)
		if errors.Is(err, meta.ErrNoSuchBucket) {
			return nil, errf(http.StatusNotFound, "NoSuchEntity", "The bucket %s does not exist.", bucket)
		} else if err != nil {
			return nil, err
		}
		// The access point belongs to the bucket owner's account.
		acct, err := h.ids.AccountByCanonicalID(ctx, b.Owner)
		if err != nil {
			return nil, errf(http.StatusBadRequest, "ValidationError", "The owner of bucket %s has no account.", bucket)
		}
		ap := meta.ObjectLambdaAccessPoint{Account: acct.ID, Name: name, Bucket: bucket, Transformer: tr, Payload: payload,
			AllowedFeatures: features, Created: h.now().UTC()}
		if err := s.PutObjectLambdaAccessPoint(ctx, ap); errors.Is(err, meta.ErrObjectLambdaAccessPointExists) {
			return nil, errf(http.StatusConflict, "EntityAlreadyExists", "Account %s already has an Object Lambda access point named %s.", acct.ID, name)
		} else if err != nil {
			return nil, err
		}
		return ok(c, struct {
			AccessPoint olapInfo `xml:"AccessPoint"`
		}{infoOf(ap)})
	case "TalusListObjectLambdaAccessPoints":
		all, err := s.ListObjectLambdaAccessPoints(ctx)
		if err != nil {
			return nil, err
		}
		out := []olapInfo{}
		for _, ap := range all {
			out = append(out, infoOf(ap))
		}
		return ok(c, struct {
			AccessPoints []olapInfo `xml:"AccessPoints>member"`
		}{out})
	case "TalusDeleteObjectLambdaAccessPoint":
		name, err := h.param(form, "Name", olapName)
		if err != nil {
			return nil, err
		}
		acct := form.Get("AccountId")
		if acct != "" && !accountID.MatchString(acct) {
			return nil, errf(http.StatusBadRequest, "ValidationError", "The account ID must be 12 digits.")
		}
		if acct == "" {
			// The one access point of that name, whichever account has it.
			all, err := s.ListObjectLambdaAccessPoints(ctx)
			if err != nil {
				return nil, err
			}
			for _, ap := range all {
				if ap.Name != name {
					continue
				}
				if acct != "" {
					return nil, errf(http.StatusBadRequest, "ValidationError", "Several accounts have an Object Lambda access point named %s: name the account.", name)
				}
				acct = ap.Account
			}
		}
		if err := s.DeleteObjectLambdaAccessPoint(ctx, acct, name); errors.Is(err, meta.ErrNoSuchObjectLambdaAccessPoint) || acct == "" {
			return nil, errf(http.StatusNotFound, "NoSuchEntity", "The Object Lambda access point %s cannot be found.", name)
		} else if err != nil {
			return nil, err
		}
		return ok(c, nil)
	}
	return nil, errf(http.StatusBadRequest, "InvalidAction", "The action %s is not valid for this web service.", c.action)
}

func infoOf(ap meta.ObjectLambdaAccessPoint) olapInfo {
	return olapInfo{Name: ap.Name, AccountID: ap.Account, Alias: ap.Name + "-" + ap.Account, Bucket: ap.Bucket, Transformer: ap.Transformer,
		Payload: ap.Payload, AllowedFeatures: ap.AllowedFeatures, CreateDate: isoTime(ap.Created)}
}
