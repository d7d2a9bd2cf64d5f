package s3api

import (
	"context"
	"net/http"

	"talus/internal/s3err"
)

// subresources are the query parameters that select an S3 operation other
// than the plain one on a bucket or object. A request naming one that has
// no handler gets NotImplemented, never a wrong success.
var subresources = map[string]bool{
	"abac": true, "accelerate": true, "acl": true, "analytics": true, "annotation": true,
	"attributes": true, "cors": true, "delete": true, "encryption": true,
	"intelligent-tiering": true, "inventory": true, "legal-hold": true, "lifecycle": true,
	"location": true, "logging": true, "metadataConfiguration": true,
	"metadataInventoryTable": true, "metadataJournalTable": true, "metadataTable": true,
	"metadataAnnotationTable": true, "metrics": true, "notification": true, "object-lock": true,
	"ownershipControls": true, "policy": true, "policyStatus": true, "publicAccessBlock": true,
	"renameObject": true, "replication": true, "requestPayment": true, "restore": true,
	"retention": true, "select": true, "session": true, "tagging": true, "torrent": true,
	"uploadId": true, "uploads": true, "versioning": true, "versions": true, "website": true,
}

// subresource returns the operation-selecting query parameter, if any.
func (req *request) subresource() string {
	for k := range req.query {
		if subresources[k] {
			return k
		}
	}
	return ""
}

// route picks the handler for a request.
func (a *API) route(req *request) handler {
	sub := req.subresource()
	m := req.Method
	switch {
	case req.bucket == "":
		if m == http.MethodGet && sub == "" {
			return a.listBuckets
		}
		return notImplemented
	case req.key == "":
		switch {
		case m == http.MethodPut && sub == "":
			return a.createBucket
		case m == http.MethodHead && sub == "":
			return a.headBucket
		case m == http.MethodDelete && sub == "":
			return a.deleteBucket
		case m == http.MethodGet && sub == "location":
			return a.getBucketLocation
		case m == http.MethodGet && sub == "":
			if req.query.Get("list-type") == "2" {
				return a.listObjectsV2
			}
			return a.listObjects
		case m == http.MethodPost && sub == "delete":
			return a.deleteObjects
		case m == http.MethodGet && sub == "uploads":
			return a.listMultipartUploads
		case m == http.MethodGet && sub == "versioning":
			return a.getBucketVersioning
		case m == http.MethodPut && sub == "versioning":
			return a.putBucketVersioning
		case m == http.MethodGet && sub == "versions":
			return a.listObjectVersions
		case m == http.MethodGet && sub == "object-lock":
			return a.getObjectLockConfiguration
		case m == http.MethodPut && sub == "object-lock":
			return a.putObjectLockConfiguration
		case m == http.MethodGet && sub == "tagging":
			return a.getBucketTagging
		case m == http.MethodPut && sub == "tagging":
			return a.putBucketTagging
		case m == http.MethodDelete && sub == "tagging":
			return a.deleteBucketTagging
		}
		return notImplemented
	default:
		switch {
		case m == http.MethodPut && sub == "":
			if req.Header.Get("x-amz-copy-source") != "" {
				return a.copyObject
			}
			return a.putObject
		case (m == http.MethodGet || m == http.MethodHead) && sub == "":
			return a.getObject
		case m == http.MethodDelete && sub == "":
			return a.deleteObject
		case m == http.MethodPost && sub == "uploads":
			return a.createMultipartUpload
		case m == http.MethodPut && sub == "uploadId":
			if req.Header.Get("x-amz-copy-source") != "" {
				return a.uploadPartCopy
			}
			return a.uploadPart
		case m == http.MethodPost && sub == "uploadId":
			return a.completeMultipartUpload
		case m == http.MethodDelete && sub == "uploadId":
			return a.abortMultipartUpload
		case m == http.MethodGet && sub == "uploadId":
			return a.listParts
		case m == http.MethodGet && sub == "attributes":
			return a.getObjectAttributes
		case m == http.MethodGet && sub == "tagging":
			return a.getObjectTagging
		case m == http.MethodPut && sub == "tagging":
			return a.putObjectTagging
		case m == http.MethodDelete && sub == "tagging":
			return a.deleteObjectTagging
		case m == http.MethodGet && sub == "retention":
			return a.getObjectRetention
		case m == http.MethodPut && sub == "retention":
			return a.putObjectRetention
		case m == http.MethodGet && sub == "legal-hold":
			return a.getObjectLegalHold
		case m == http.MethodPut && sub == "legal-hold":
			return a.putObjectLegalHold
		}
		return notImplemented
	}
}

func notImplemented(ctx context.Context, req *request) (*response, error) {
	return nil, s3err.New(s3err.NotImplemented)
}
