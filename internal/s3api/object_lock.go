package s3api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"talus/internal/checksum"
	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

var errMissingLockConfig = s3err.Newf(s3err.InvalidRequest, "Bucket is missing Object Lock Configuration")

func lockedError() error {
	return s3err.Newf(s3err.AccessDenied, "Access Denied because object protected by object lock.")
}

// lockOf returns a version's object lock state.
func lockOf(o *meta.Object) s3.Lock {
	return s3.Lock{Mode: o.Attrs.LockMode, Until: o.Attrs.LockUntil, LegalHold: o.Attrs.LockLegalHold == "ON"}
}

// bypassGovernance reports whether the request asks to bypass GOVERNANCE
// retention and holds s3:BypassGovernanceRetention on the object.
func (a *API) bypassGovernance(ctx context.Context, req *request, key string) bool {
	if !strings.EqualFold(req.Header.Get("x-amz-bypass-governance-retention"), "true") {
		return false
	}
	return a.allowed(ctx, req, "s3:BypassGovernanceRetention", arn(req.bucket, key, true), nil) == nil
}

// hasIntegrity reports whether the request carries Content-MD5 or an
// additional checksum (as a header or a trailer).
func hasIntegrity(h http.Header) bool {
	if h.Get("Content-MD5") != "" || h.Get("x-amz-trailer") != "" {
		return true
	}
	for _, alg := range checksum.Algorithms {
		if h.Get(alg.HeaderName()) != "" {
			return true
		}
	}
	return false
}

// requireIntegrity enforces S3's rule that some requests carry Content-MD5 or a checksum.
func requireIntegrity(h http.Header) error {
	if !hasIntegrity(h) {
		return s3err.Newf(s3err.InvalidRequest, "Content-MD5 OR x-amz-checksum- HTTP header is required for this request.")
	}
	return nil
}

// lockFor applies the object lock headers of a write (or the bucket's
// default retention) to attrs.
func (a *API) lockFor(h http.Header, b meta.Bucket, attrs *meta.Attrs) error {
	attrs.LockMode, attrs.LockUntil, attrs.LockLegalHold = "", time.Time{}, ""
	mode, until, hold := h.Get("x-amz-object-lock-mode"), h.Get("x-amz-object-lock-retain-until-date"), h.Get("x-amz-object-lock-legal-hold")
	if mode == "" && until == "" && hold == "" {
		if d := b.Config.DefaultRetention; b.ObjectLock && d != nil {
			attrs.LockMode, attrs.LockUntil = d.Mode, s3.RetainUntil(a.cfg.Now().UTC(), d.Days, d.Years)
		}
		return nil
	}
	if !b.ObjectLock {
		return errMissingLockConfig
	}
	if (mode == "") != (until == "") {
		return s3err.Newf(s3err.InvalidArgument, "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied")
	}
	if mode != "" {
		if mode != s3.Governance && mode != s3.Compliance {
			return s3err.Newf(s3err.InvalidArgument, "Unknown wormMode directive.").With("ArgumentName", "x-amz-object-lock-mode").With("ArgumentValue", mode)
		}
		t, err := parseLockDate(until)
		if err != nil {
			return s3err.Newf(s3err.InvalidArgument, "The retain until date must be provided in ISO 8601 format").With("ArgumentName", "x-amz-object-lock-retain-until-date")
		}
		if !t.After(a.cfg.Now()) {
			return s3err.Newf(s3err.InvalidArgument, "The retain until date must be in the future!")
		}
		attrs.LockMode, attrs.LockUntil = mode, t
	} else if d := b.Config.DefaultRetention; d != nil {
		attrs.LockMode, attrs.LockUntil = d.Mode, s3.RetainUntil(a.cfg.Now().UTC(), d.Days, d.Years)
	}
	switch hold {
	case "":
	case "ON", "OFF":
		attrs.LockLegalHold = hold
	default:
		return s3err.Newf(s3err.InvalidArgument, "Legal Hold must be either of 'ON' or 'OFF'")
	}
	return nil
}

// needsLockIntegrity reports whether a write to b with these headers must
// carry Content-MD5 or a checksum (S3 requires it when a retention applies).
func needsLockIntegrity(h http.Header, b meta.Bucket) bool {
	return h.Get("x-amz-object-lock-mode") != "" || h.Get("x-amz-object-lock-legal-hold") != "" ||
		(b.ObjectLock && b.Config.DefaultRetention != nil)
}

func parseLockDate(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z0700", "2006-01-02T15:04:05Z0700"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("bad date")
}

// setLockHeaders adds a version's object lock headers to GET/HEAD.
func setLockHeaders(h http.Header, o *meta.Object) {
	if o.Attrs.LockMode != "" {
		h.Set("x-amz-object-lock-mode", o.Attrs.LockMode)
		h.Set("x-amz-object-lock-retain-until-date", o.Attrs.LockUntil.UTC().Format(time.RFC3339))
	}
	if o.Attrs.LockLegalHold != "" {
		h.Set("x-amz-object-lock-legal-hold", o.Attrs.LockLegalHold)
	}
}

func (a *API) putObjectLockConfiguration(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	if err := requireIntegrity(req.Header); err != nil {
		return nil, err
	}
	var doc s3xml.ObjectLockConfiguration
	if err := a.readXML(req, "ObjectLockConfiguration", &doc); err != nil {
		return nil, err
	}
	if doc.ObjectLockEnabled != "Enabled" {
		return nil, s3err.New(s3err.MalformedXML)
	}
	var def *meta.DefaultRetention
	if doc.Rule != nil {
		d := doc.Rule.DefaultRetention
		if d == nil || (d.Mode != s3.Governance && d.Mode != s3.Compliance) || (d.Days == nil) == (d.Years == nil) {
			return nil, s3err.New(s3err.MalformedXML)
		}
		def = &meta.DefaultRetention{Mode: d.Mode}
		if d.Days != nil {
			def.Days = *d.Days
		} else {
			def.Years = *d.Years
		}
		if def.Days < 0 || def.Years < 0 || (def.Days == 0 && def.Years == 0) || def.Days > 36500 || def.Years > 100 {
			return nil, s3err.New(s3err.InvalidRetentionPeriod)
		}
	}
	err := a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error {
		if !b.ObjectLock && b.Versioning != meta.Enabled {
			return s3err.Newf(s3err.InvalidBucketState, "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
		}
		b.ObjectLock = true
		b.Config.DefaultRetention = def
		return nil
	})
	if err != nil {
		return nil, err
	}
	return newResponse(http.StatusOK), nil
}

func (a *API) getObjectLockConfiguration(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	if !b.ObjectLock {
		return nil, s3err.New(s3err.ObjectLockConfigurationNotFound).With("BucketName", req.bucket)
	}
	out := s3xml.ObjectLockConfiguration{NS: s3xml.NS, ObjectLockEnabled: "Enabled"}
	if d := b.Config.DefaultRetention; d != nil {
		dr := &s3xml.DefaultRetention{Mode: d.Mode}
		if d.Years > 0 {
			dr.Years = &d.Years
		} else {
			dr.Days = &d.Days
		}
		out.Rule = &s3xml.ObjectLockRule{DefaultRetention: dr}
	}
	return xmlResponse(http.StatusOK, out), nil
}

// lockBucket loads the bucket of a retention or legal hold request; it
// must have object lock.
func (a *API) lockBucket(ctx context.Context, req *request) error {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return err
	}
	if !b.ObjectLock {
		return errMissingLockConfig
	}
	return nil
}

func (a *API) getObjectRetention(ctx context.Context, req *request) (*response, error) {
	if err := a.lockBucket(ctx, req); err != nil {
		return nil, err
	}
	o, err := a.lookupVersion(ctx, req)
	if err != nil {
		return nil, err
	}
	if o.Attrs.LockMode == "" {
		return nil, s3err.New(s3err.NoSuchObjectLockConfiguration)
	}
	return xmlResponse(http.StatusOK, s3xml.Retention{NS: s3xml.NS, Mode: o.Attrs.LockMode, RetainUntilDate: s3xml.Time(o.Attrs.LockUntil)}), nil
}

func (a *API) putObjectRetention(ctx context.Context, req *request) (*response, error) {
	if err := a.lockBucket(ctx, req); err != nil {
		return nil, err
	}
	if err := requireIntegrity(req.Header); err != nil {
		return nil, err
	}
	var doc s3xml.Retention
	if err := a.readXML(req, "Retention", &doc); err != nil {
		return nil, err
	}
	var until time.Time
	switch {
	case doc.Mode == "" && doc.RetainUntilDate == "":
		// Removes the retention (GOVERNANCE with bypass only).
	case doc.Mode != s3.Governance && doc.Mode != s3.Compliance:
		return nil, s3err.New(s3err.MalformedXML)
	default:
		var err error
		if until, err = parseLockDate(doc.RetainUntilDate); err != nil {
			return nil, s3err.New(s3err.MalformedXML)
		}
		if !until.After(a.cfg.Now()) {
			return nil, s3err.Newf(s3err.InvalidArgument, "The retain until date must be in the future!")
		}
	}
	bypass := a.bypassGovernance(ctx, req, req.key)
	_, err := a.updateVersion(ctx, req, func(o *meta.Object) error {
		if err := s3.CheckRetentionChange(lockOf(o), doc.Mode, until, bypass, a.cfg.Now()); err != nil {
			return lockedError()
		}
		o.Attrs.LockMode, o.Attrs.LockUntil = doc.Mode, until
		return nil
	})
	if err != nil {
		return nil, err
	}
	return newResponse(http.StatusOK), nil
}

func (a *API) getObjectLegalHold(ctx context.Context, req *request) (*response, error) {
	if err := a.lockBucket(ctx, req); err != nil {
		return nil, err
	}
	o, err := a.lookupVersion(ctx, req)
	if err != nil {
		return nil, err
	}
	if o.Attrs.LockLegalHold == "" {
		return nil, s3err.New(s3err.NoSuchObjectLockConfiguration)
	}
	return xmlResponse(http.StatusOK, s3xml.LegalHold{NS: s3xml.NS, Status: o.Attrs.LockLegalHold}), nil
}

func (a *API) putObjectLegalHold(ctx context.Context, req *request) (*response, error) {
	if err := a.lockBucket(ctx, req); err != nil {
		return nil, err
	}
	if err := requireIntegrity(req.Header); err != nil {
		return nil, err
	}
	var doc s3xml.LegalHold
	if err := a.readXML(req, "LegalHold", &doc); err != nil {
		return nil, err
	}
	if doc.Status != "ON" && doc.Status != "OFF" {
		return nil, s3err.New(s3err.MalformedXML)
	}
	_, err := a.updateVersion(ctx, req, func(o *meta.Object) error {
		o.Attrs.LockLegalHold = doc.Status
		return nil
	})
	if err != nil {
		return nil, err
	}
	return newResponse(http.StatusOK), nil
}
