package s3api

import (
	"context"
	"errors"
	"net/http"

	"talus/internal/meta"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

func (a *API) getBucketVersioning(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	out := s3xml.VersioningConfiguration{NS: s3xml.NS, Status: b.Versioning}
	if b.Versioning != meta.Unversioned {
		out.MfaDelete = "Disabled"
	}
	return xmlResponse(http.StatusOK, out), nil
}

func (a *API) putBucketVersioning(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	var doc s3xml.VersioningConfiguration
	if err := a.readXML(req, "VersioningConfiguration", &doc); err != nil {
		return nil, err
	}
	switch doc.MfaDelete {
	case "", "Disabled":
	case "Enabled":
		return nil, s3err.Newf(s3err.InvalidRequest, "MFA Delete needs an MFA device, which Talus does not support; MfaDelete can only be Disabled.")
	default:
		return nil, s3err.New(s3err.MalformedXML)
	}
	switch doc.Status {
	case meta.Enabled, meta.Suspended:
	case "":
		if doc.MfaDelete != "" {
			return newResponse(http.StatusOK), nil // only MfaDelete=Disabled: nothing changes
		}
		return nil, s3err.New(s3err.IllegalVersioningConfiguration)
	default:
		return nil, s3err.New(s3err.MalformedXML)
	}
	err := a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error {
		if b.ObjectLock && doc.Status != meta.Enabled {
			return s3err.Newf(s3err.InvalidBucketState, "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.")
		}
		b.Versioning = doc.Status
		return nil
	})
	if err != nil {
		return nil, err
	}
	return newResponse(http.StatusOK), nil
}

func (a *API) listObjectVersions(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	lp, err := parseListParams(req.query)
	if err != nil {
		return nil, err
	}
	km, vm := req.query.Get("key-marker"), req.query.Get("version-id-marker")
	after := meta.VersionCursor{Key: km}
	if vm != "" {
		if km == "" {
			return nil, s3err.Newf(s3err.InvalidArgument, "A version-id marker cannot be specified without a key marker.").
				With("ArgumentName", "version-id-marker").With("ArgumentValue", vm)
		}
		if vm != meta.NullVersion && !meta.ValidVersionID(vm) {
			return nil, s3err.Newf(s3err.InvalidArgument, "Invalid version id specified").With("ArgumentName", "version-id-marker").With("ArgumentValue", vm)
		}
		o, err := a.meta.GetObject(ctx, req.bucket, km, vm)
		switch {
		case err == nil:
			after.Seq = o.Seq
		case errors.Is(err, meta.ErrNoSuchKey), errors.Is(err, meta.ErrNoSuchVersion):
			// The marker version is gone; resume after its key.
		default:
			return nil, err
		}
	}
	res, err := meta.ListVersions(ctx, a.meta, req.bucket, meta.VersionListOptions{Prefix: lp.prefix, Delimiter: lp.delimiter, After: after, MaxKeys: lp.maxKeys})
	if err != nil {
		return nil, err
	}
	out := s3xml.ListVersionsResult{
		NS: s3xml.NS, Name: req.bucket, Prefix: lp.enc(lp.prefix), KeyMarker: lp.enc(km), VersionIDMarker: vm,
		MaxKeys: lp.maxKeys, Delimiter: lp.enc(lp.delimiter), IsTruncated: res.Truncated, EncodingType: lp.encodingType(),
	}
	if res.Truncated {
		out.NextKeyMarker, out.NextVersionIDMarker = lp.enc(res.NextKey), res.NextVersionID
	}
	for _, e := range res.Entries {
		if e.Object == nil {
			out.CommonPrefixes = append(out.CommonPrefixes, s3xml.CommonPrefix{Prefix: lp.enc(e.CommonPrefix)})
			continue
		}
		o := e.Object
		v := s3xml.VersionEntry{Key: lp.enc(o.Key), VersionID: o.VersionID, IsLatest: o.IsLatest, LastModified: s3xml.Time(o.Modified),
			Owner: ptr(a.ownerXML(ctx, o.Owner))}
		if o.DeleteMarker {
			v.XMLName.Local = "DeleteMarker"
		} else {
			size := o.Size
			v.XMLName.Local, v.ETag, v.Size, v.StorageClass = "Version", o.ETag, &size, o.StorageClass
			v.RestoreStatus = a.restoreStatus(ctx, wantRestoreStatus(req), o)
		}
		out.Entries = append(out.Entries, v)
	}
	return xmlResponse(http.StatusOK, out), nil
}
