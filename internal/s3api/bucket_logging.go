package s3api

import (
	"context"
	"errors"
	"net/http"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

// maxLoggingBody bounds a BucketLoggingStatus document.
const maxLoggingBody = 64 << 10

func (a *API) getBucketLogging(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	doc := s3xml.BucketLoggingStatus{NS: s3xml.NS}
	if l := b.Config.Logging; l != nil {
		prefix := l.TargetPrefix
		le := &s3xml.LoggingEnabled{TargetBucket: l.TargetBucket, TargetPrefix: &prefix}
		if len(l.TargetGrants) > 0 {
			le.TargetGrants = &s3xml.TargetGrants{}
			for _, g := range l.TargetGrants {
				le.TargetGrants.Grants = append(le.TargetGrants.Grants, s3xml.GrantXML{Grantee: granteeXML(g.ID, g.URI, g.Email), Permission: g.Permission})
			}
		}
		if l.Partitioned {
			le.TargetObjectKeyFormat = &s3xml.TargetObjectKeyFormat{PartitionedPrefix: &s3xml.PartitionedPrefix{PartitionDateSource: l.DateSource}}
		} else {
			le.TargetObjectKeyFormat = &s3xml.TargetObjectKeyFormat{SimplePrefix: &struct{}{}}
		}
		doc.LoggingEnabled = le
	}
	return xmlResponse(http.StatusOK, doc), nil
}

func (a *API) putBucketLogging(ctx context.Context, req *request) (*response, error) {
	src, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	if !hasIntegrity(req.Header) {
		return nil, s3err.Newf(s3err.InvalidRequest, "Missing required header for this request: Content-Md5.")
	}
	body, err := a.readSmallBody(req, maxLoggingBody)
	if err != nil {
		return nil, err
	}
	var doc s3xml.BucketLoggingStatus
	if err := s3xml.Decode(bytesReader(body), maxLoggingBody, "BucketLoggingStatus", &doc); err != nil {
		return nil, s3err.New(s3err.MalformedXML)
	}
	cfg, err := a.loggingConfig(ctx, src, doc.LoggingEnabled)
	if err != nil {
		return nil, err
	}
	if err := a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error { b.Config.Logging = cfg; return nil }); err != nil {
		return nil, err
	}
	return newResponse(http.StatusOK), nil
}

// loggingConfig checks a LoggingEnabled element as S3 does: the target
// bucket exists, has the source's owner and region, and takes target
// grants only if its ACLs are enabled.
func (a *API) loggingConfig(ctx context.Context, src meta.Bucket, le *s3xml.LoggingEnabled) (*meta.Logging, error) {
	if le == nil {
		return nil, nil // logging disabled
	}
	if le.TargetBucket == "" {
		return nil, s3err.New(s3err.MalformedXML)
	}
	target, err := a.meta.GetBucket(ctx, le.TargetBucket)
	if errors.Is(err, meta.ErrNoSuchBucket) {
		return nil, s3err.New(s3err.InvalidTargetBucketForLogging).With("TargetBucket", le.TargetBucket)
	}
	if err != nil {
		return nil, err
	}
	if target.Owner != src.Owner {
		return nil, s3err.Newf(s3err.InvalidTargetBucketForLogging, "The owner for the bucket to be logged and the target bucket must be the same.").With("TargetBucket", le.TargetBucket)
	}
	if target.Region != src.Region {
		return nil, s3err.New(s3err.CrossLocationLoggingProhibited).With("TargetBucketLocation", target.Region).With("SourceBucketLocation", src.Region)
	}
	cfg := &meta.Logging{TargetBucket: le.TargetBucket}
	if le.TargetPrefix != nil {
		cfg.TargetPrefix = *le.TargetPrefix
	}
	if f := le.TargetObjectKeyFormat; f != nil {
		if f.SimplePrefix != nil && f.PartitionedPrefix != nil {
			return nil, s3err.New(s3err.MalformedXML)
		}
		if p := f.PartitionedPrefix; p != nil {
			switch p.PartitionDateSource {
			case "", "DeliveryTime", "EventTime":
			default:
				return nil, s3err.New(s3err.MalformedXML)
			}
			cfg.Partitioned, cfg.DateSource = true, p.PartitionDateSource
			if cfg.DateSource == "" {
				cfg.DateSource = "DeliveryTime"
			}
		}
	}
	if le.TargetGrants != nil && len(le.TargetGrants.Grants) > 0 {
		if aclsDisabled(target) {
			return nil, s3err.Newf(s3err.InvalidTargetBucketForLogging, "Target grants are not supported because the target bucket's Object Ownership is bucket owner enforced.").With("TargetBucket", le.TargetBucket)
		}
		var grants []s3.Grant
		for _, g := range le.TargetGrants.Grants {
			switch g.Permission {
			case s3.PermFullControl, s3.PermRead, s3.PermWrite:
			default:
				return nil, s3err.New(s3err.MalformedXML)
			}
			gr := s3.Grant{ID: g.Grantee.ID, URI: g.Grantee.URI, Email: g.Grantee.EmailAddress, Permission: g.Permission}
			if gr.ID == "" && gr.URI == "" && gr.Email == "" {
				return nil, s3err.New(s3err.MalformedXML)
			}
			grants = append(grants, gr)
		}
		grants, err := a.resolveEmails(ctx, grants)
		if err != nil {
			return nil, err
		}
		for _, g := range grants {
			cfg.TargetGrants = append(cfg.TargetGrants, meta.LoggingGrant{ID: g.ID, URI: g.URI, Email: g.Email, Permission: g.Permission})
		}
	}
	return cfg, nil
}

// granteeXML is a grantee element: a group URI, an email address or a
// canonical user ID.
func granteeXML(id, uri, email string) s3xml.Grantee {
	ge := s3xml.Grantee{XSI: s3xml.XSI}
	switch {
	case uri != "":
		ge.Type, ge.URI = "Group", uri
	case email != "":
		ge.Type, ge.EmailAddress = "AmazonCustomerByEmail", email
	default:
		ge.Type, ge.ID = "CanonicalUser", id
	}
	return ge
}
