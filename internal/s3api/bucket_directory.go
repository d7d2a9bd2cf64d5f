package s3api

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

// Directory buckets (S3 Express One Zone): created by CreateBucket with a
// --zone-id--x-s3 name and a CreateBucketConfiguration naming the zone;
// listed only by ListDirectoryBuckets; served with the subset of the API
// and the rules S3 applies to them (directoryOps, checkDirectory).

// directoryBucket checks a directory bucket's CreateBucketConfiguration
// against its name and returns what the bucket row keeps.
func directoryBucket(name string, cfg s3xml.CreateBucketConfiguration) (*meta.DirectoryBucket, error) {
	zone, err := s3.DirectoryBucketZone(name)
	if err != nil {
		return nil, s3err.New(s3err.InvalidBucketName).With("BucketName", name).WithCause(err)
	}
	loc, bt := cfg.Location, cfg.Bucket
	if loc == nil || bt == nil {
		return nil, s3err.Newf(s3err.InvalidRequest, "A directory bucket needs a CreateBucketConfiguration with Location and Bucket.")
	}
	if cfg.LocationConstraint != "" {
		return nil, s3err.Newf(s3err.InvalidRequest, "LocationConstraint is not valid for a directory bucket; use Location.")
	}
	var redundancy string
	switch loc.Type {
	case "AvailabilityZone":
		redundancy = "SingleAvailabilityZone"
	case "LocalZone":
		redundancy = "SingleLocalZone"
	default:
		return nil, s3err.Newf(s3err.InvalidArgument, "Location Type must be AvailabilityZone or LocalZone.").With("ArgumentName", "Location.Type").With("ArgumentValue", loc.Type)
	}
	if loc.Name != zone {
		return nil, s3err.Newf(s3err.InvalidBucketName, "The bucket name's zone ID %s does not match the Location Name %s.", zone, loc.Name).With("BucketName", name)
	}
	if bt.Type != "Directory" {
		return nil, s3err.Newf(s3err.InvalidArgument, "Bucket Type must be Directory.").With("ArgumentName", "Bucket.Type").With("ArgumentValue", bt.Type)
	}
	if bt.DataRedundancy != redundancy {
		return nil, s3err.Newf(s3err.InvalidArgument, "DataRedundancy must be %s for a Location of Type %s.", redundancy, loc.Type).With("ArgumentName", "Bucket.DataRedundancy").With("ArgumentValue", bt.DataRedundancy)
	}
	return &meta.DirectoryBucket{LocationType: loc.Type, Zone: zone, DataRedundancy: redundancy}, nil
}

// refuseDirectoryCreateHeaders: a directory bucket always has ACLs
// disabled (BucketOwnerEnforced) and no object lock.
func refuseDirectoryCreateHeaders(req *request) error {
	if v := req.Header.Get("x-amz-object-ownership"); v != "" && v != s3.OwnerEnforced {
		return s3err.Newf(s3err.InvalidArgument, "A directory bucket's object ownership is always BucketOwnerEnforced.").With("ArgumentName", "x-amz-object-ownership").With("ArgumentValue", v)
	}
	for name := range req.Header {
		l := strings.ToLower(name)
		if l == "x-amz-acl" || strings.HasPrefix(l, "x-amz-grant-") || l == "x-amz-bucket-object-lock-enabled" {
			return notImplementedHeader(l)
		}
	}
	return nil
}

// listDirectoryBuckets answers ListDirectoryBuckets: the caller's
// directory buckets in name order, max-directory-buckets (1..1000, default
// 1000) at a time, continued by continuation-token.
func (a *API) listDirectoryBuckets(ctx context.Context, req *request) (*response, error) {
	max := 1000
	if v := req.query.Get("max-directory-buckets"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1000 {
			return nil, s3err.Newf(s3err.InvalidArgument, "Argument max-directory-buckets must be an integer between 0 and 1000.").With("ArgumentName", "max-directory-buckets").With("ArgumentValue", v)
		}
		if n > 0 {
			max = n
		}
	}
	after := ""
	if token := req.query.Get("continuation-token"); token != "" {
		b, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || !s3.IsDirectoryBucketName(string(b)) {
			return nil, s3err.Newf(s3err.InvalidArgument, "The continuation token provided is incorrect").With("ArgumentName", "continuation-token")
		}
		after = string(b)
	}
	buckets, err := a.listBucketsWhere(ctx, req.principal.CanonicalID, "", after, max+1, func(b meta.Bucket) bool { return b.Config.Directory != nil })
	if err != nil {
		return nil, err
	}
	res := s3xml.ListAllMyDirectoryBucketsResult{NS: s3xml.NS, Buckets: []s3xml.BucketInfo{}}
	if len(buckets) > max {
		buckets = buckets[:max]
		res.ContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(buckets[max-1].Name))
	}
	for _, b := range buckets {
		res.Buckets = append(res.Buckets, s3xml.BucketInfo{Name: b.Name, CreationDate: s3xml.Time(b.Created), BucketRegion: b.Region})
	}
	return xmlResponse(http.StatusOK, res), nil
}

// directoryOps are the operations S3 serves on directory buckets; any
// other answers 501 NotImplemented there (versioning, ListObjects v1,
// ACLs, tagging, object lock, website, CORS, replication, ...).
var directoryOps = map[string]bool{
	"CreateBucket": true, "DeleteBucket": true, "HeadBucket": true, "ListDirectoryBuckets": true,
	"GetBucketPolicy": true, "PutBucketPolicy": true, "DeleteBucketPolicy": true,
	"GetBucketEncryption": true, "PutBucketEncryption": true, "DeleteBucketEncryption": true,
	"GetBucketLifecycleConfiguration": true, "PutBucketLifecycleConfiguration": true, "DeleteBucketLifecycle": true,
	"CreateSession": true, "ListObjectsV2": true, "ListMultipartUploads": true, "DeleteObjects": true,
	"PutObject": true, "GetObject": true, "HeadObject": true, "DeleteObject": true, "CopyObject": true,
	"GetObjectAttributes": true, "RenameObject": true,
	"CreateMultipartUpload": true, "UploadPart": true, "UploadPartCopy": true, "CompleteMultipartUpload": true,
	"AbortMultipartUpload": true, "ListParts": true,
}

// directoryRefusedHeaders select object features directory buckets lack.
var directoryRefusedHeaders = []string{
	"x-amz-tagging", "x-amz-tagging-directive", "x-amz-acl", "x-amz-grant-full-control", "x-amz-grant-read",
	"x-amz-grant-read-acp", "x-amz-grant-write-acp", "x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date",
	"x-amz-object-lock-legal-hold", "x-amz-website-redirect-location",
}

// checkDirectory applies the rules of directory buckets to a request on
// one, before the generic header gate: the operation must be one S3
// serves there, storage class EXPRESS_ONEZONE only, no tagging, ACL,
// object lock or website headers, no SSE-C, and ListObjectsV2 prefixes
// ending in "/" with "/" the only delimiter.
func (a *API) checkDirectory(ctx context.Context, req *request, op string) error {
	if req.bucket == "" || !s3.IsDirectoryBucketName(req.bucket) || op == "CreateBucket" {
		return nil
	}
	b := a.requestBucket(ctx, req)
	if b == nil || b.Config.Directory == nil {
		return nil // the handler answers NoSuchBucket
	}
	req.directory = true
	if !directoryOps[op] {
		return s3err.Newf(s3err.NotImplemented, "%s is not supported for directory buckets.", op)
	}
	for _, h := range directoryRefusedHeaders {
		if req.Header.Get(h) != "" {
			return s3err.Newf(s3err.NotImplemented, "%s is not supported for directory buckets.", h)
		}
	}
	for _, h := range []string{"x-amz-server-side-encryption-customer-algorithm", "x-amz-copy-source-server-side-encryption-customer-algorithm"} {
		if req.Header.Get(h) != "" {
			return s3err.Newf(s3err.InvalidRequest, "Server-side encryption with customer-provided keys (SSE-C) is not supported for directory buckets.")
		}
	}
	switch op {
	case "PutObject", "CopyObject", "CreateMultipartUpload":
		if c := req.Header.Get("x-amz-storage-class"); c != "" && c != s3.StorageClassExpress {
			return s3err.New(s3err.InvalidStorageClass).With("StorageClassRequested", c)
		}
		req.Header.Set("x-amz-storage-class", s3.StorageClassExpress)
	case "ListObjectsV2":
		if d := req.query.Get("delimiter"); d != "" && d != "/" {
			return s3err.Newf(s3err.InvalidArgument, "For directory buckets, / is the only supported delimiter.").With("ArgumentName", "delimiter").With("ArgumentValue", d)
		}
		if p := req.query.Get("prefix"); p != "" && !strings.HasSuffix(p, "/") {
			return s3err.Newf(s3err.InvalidArgument, "For directory buckets, a prefix must end with the delimiter /.").With("ArgumentName", "prefix").With("ArgumentValue", p)
		}
	}
	if v := req.query.Get("versionId"); v != "" && v != meta.NullVersion {
		return s3err.Newf(s3err.InvalidArgument, "Directory buckets have no versions but null.").With("ArgumentName", "versionId").With("ArgumentValue", v)
	}
	return nil
}
