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

// maxDeleteBody bounds a DeleteObjects request: 1000 keys of up to 1024
// bytes each, escaped, with version IDs and markup.
const maxDeleteBody = 2 << 20

func (a *API) deleteObject(ctx context.Context, req *request) (*response, error) {
	if err := checkKey(req.key); err != nil {
		return nil, err
	}
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	vid := req.query.Get("versionId")
	if _, ok := req.query["versionId"]; ok && vid == "" {
		return nil, s3err.Newf(s3err.InvalidArgument, "Version id cannot be the empty string").With("ArgumentName", "versionId")
	}
	if rvid, err := a.replicaWrite(ctx, req, "s3:ReplicateDelete"); err != nil || rvid != "" && vid == "" {
		if err != nil {
			return nil, err
		}
		return a.replicaDelete(ctx, req, rvid)
	}
	res, err := a.removeObject(ctx, req.bucket, req.key, vid, a.bypassGovernance(ctx, req, req.key))
	if err != nil {
		return nil, err
	}
	resp := newResponse(http.StatusNoContent)
	if res.DeleteMarker {
		resp.header.Set("x-amz-delete-marker", "true")
	}
	if res.VersionID == "" {
		res.VersionID = vid // S3 echoes a version that did not exist
	}
	setVersionID(resp.header, req, res.VersionID)
	return resp, nil
}

// removeObject deletes a key or version and frees its blobs.
func (a *API) removeObject(ctx context.Context, bucket, key, vid string, bypass bool) (meta.DeleteResult, error) {
	if vid != "" && vid != meta.NullVersion && !meta.ValidVersionID(vid) {
		return meta.DeleteResult{}, s3err.Newf(s3err.InvalidArgument, "Invalid version id specified").With("ArgumentName", "versionId").With("ArgumentValue", vid)
	}
	// Object lock is checked inside the transaction that removes the version.
	check := func(victim *meta.Object) error {
		if s3.CheckDelete(lockOf(victim), bypass, a.cfg.Now()) != nil {
			return lockedError()
		}
		return nil
	}
	res, err := a.meta.DeleteObject(ctx, bucket, key, vid, meta.DeleteOptions{Check: check})
	if err != nil {
		if errors.Is(err, meta.ErrNoSuchBucket) {
			return res, s3err.New(s3err.NoSuchBucket).With("BucketName", bucket)
		}
		return res, err
	}
	a.deleteBlobs(res.Freed...)
	return res, nil
}

func (a *API) deleteObjects(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	if !hasIntegrity(req.Header) {
		return nil, s3err.Newf(s3err.InvalidRequest, "Missing required header for this request: Content-Md5.")
	}

	body, err := a.readSmallBody(req, maxDeleteBody)
	if err != nil {
		return nil, err
	}
	var doc s3xml.Delete
	if err := s3xml.Decode(bytesReader(body), maxDeleteBody, "Delete", &doc); err != nil {
		return nil, s3err.New(s3err.MalformedXML)
	}
	if len(doc.Objects) == 0 || len(doc.Objects) > 1000 {
		return nil, s3err.New(s3err.MalformedXML)
	}
	out := s3xml.DeleteResult{NS: s3xml.NS}
	for _, obj := range doc.Objects {
		action := "s3:DeleteObject"
		if obj.VersionID != "" {
			action = "s3:DeleteObjectVersion"
		}
		err := checkKey(obj.Key)
		if err == nil {
			err = a.allowed(ctx, req, action, arn(req.bucket, obj.Key, true), nil)
		}
		if err != nil {
			e := toS3Error(err)
			out.Errors = append(out.Errors, s3xml.DeleteError{Key: obj.Key, VersionID: obj.VersionID, Code: string(e.Code), Message: e.Message})
			continue
		}
		if v := obj.VersionID; v != "" && v != meta.NullVersion && !meta.ValidVersionID(v) {
			// Unlike DeleteObject (InvalidArgument), S3 reports a malformed ID here as missing.
			e := s3err.New(s3err.NoSuchVersion)
			out.Errors = append(out.Errors, s3xml.DeleteError{Key: obj.Key, VersionID: v, Code: string(e.Code), Message: e.Message})
			continue
		}
		res, err := a.removeObject(ctx, req.bucket, obj.Key, obj.VersionID, a.bypassGovernance(ctx, req, obj.Key))
		if err != nil {
			e := toS3Error(err)
			if e.Status >= 500 {
				a.log.Error("delete in DeleteObjects failed", "id", req.id, "key", obj.Key, "err", err)
			}
			out.Errors = append(out.Errors, s3xml.DeleteError{Key: obj.Key, VersionID: obj.VersionID, Code: string(e.Code), Message: e.Message})
			continue
		}
		if doc.Quiet {
			continue
		}
		item := s3xml.DeletedItem{Key: obj.Key, VersionID: obj.VersionID}
		if res.DeleteMarker {
			// The marker created, or (deleting one by version ID) the marker removed.
			item.DeleteMarker = true
			item.DeleteMarkerVersionID = res.VersionID
		}
		out.Deleted = append(out.Deleted, item)
	}
	return xmlResponse(http.StatusOK, out), nil
}
