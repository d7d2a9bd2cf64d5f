package s3api

import "context"

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

// operation is one S3 API operation: its name, the IAM action that
// authorizes it (versionAction when the request names a versionId), and
// its handler.
type operation struct {
	name          string
	action        string
	versionAction string
	h             func(*API, context.Context, *request) (*response, error)
}

type level int

const (
	service level = iota // no bucket
	bucket
	object
)

type routeKey struct {
	level  level
	method string
	sub    string
	copy   bool // x-amz-copy-source present
}

// operations is the one table of what each request does and which action
// authorizes it, named as AWS documents them.
var operations = map[routeKey]operation{
	{service, "GET", "", false}: {"ListBuckets", "s3:ListAllMyBuckets", "", (*API).listBuckets},
	// ListBuckets' request signed for s3express or with x-id=ListDirectoryBuckets.
	{service, "GET", "directory-buckets", false}: {"ListDirectoryBuckets", "s3express:ListAllMyDirectoryBuckets", "", (*API).listDirectoryBuckets},
	{bucket, "GET", "session", false}:            {"CreateSession", "s3express:CreateSession", "", (*API).createSession},

	{bucket, "PUT", "", false}:         {"CreateBucket", "s3:CreateBucket", "", (*API).createBucket},
	{bucket, "HEAD", "", false}:        {"HeadBucket", "s3:ListBucket", "", (*API).headBucket},
	{bucket, "DELETE", "", false}:      {"DeleteBucket", "s3:DeleteBucket", "", (*API).deleteBucket},
	{bucket, "GET", "location", false}: {"GetBucketLocation", "s3:GetBucketLocation", "", (*API).getBucketLocation},
	{bucket, "GET", "", false}:         {"ListObjects", "s3:ListBucket", "", (*API).listObjects},
	// DeleteObjects is authorized per key (s3:DeleteObject / s3:DeleteObjectVersion).
	{bucket, "POST", "delete", false}:      {"DeleteObjects", "", "", (*API).deleteObjects},
	{bucket, "GET", "policy", false}:       {"GetBucketPolicy", "s3:GetBucketPolicy", "", (*API).getBucketPolicy},
	{bucket, "PUT", "policy", false}:       {"PutBucketPolicy", "s3:PutBucketPolicy", "", (*API).putBucketPolicy},
	{bucket, "DELETE", "policy", false}:    {"DeleteBucketPolicy", "s3:DeleteBucketPolicy", "", (*API).deleteBucketPolicy},
	{bucket, "GET", "policyStatus", false}: {"GetBucketPolicyStatus", "s3:GetBucketPolicyStatus", "", (*API).getBucketPolicyStatus},
	// PostObject authenticates from its form; it is authorized in the handler.
	{bucket, "POST", "", false}:                    {"PostObject", "", "", (*API).postObject},
	{bucket, "GET", "acl", false}:                  {"GetBucketAcl", "s3:GetBucketAcl", "", (*API).getBucketACL},
	{bucket, "PUT", "acl", false}:                  {"PutBucketAcl", "s3:PutBucketAcl", "", (*API).putBucketACL},
	{bucket, "GET", "ownershipControls", false}:    {"GetBucketOwnershipControls", "s3:GetBucketOwnershipControls", "", (*API).getBucketOwnershipControls},
	{bucket, "PUT", "ownershipControls", false}:    {"PutBucketOwnershipControls", "s3:PutBucketOwnershipControls", "", (*API).putBucketOwnershipControls},
	{bucket, "DELETE", "ownershipControls", false}: {"DeleteBucketOwnershipControls", "s3:PutBucketOwnershipControls", "", (*API).deleteBucketOwnershipControls},
	{bucket, "GET", "publicAccessBlock", false}:    {"GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock", "", (*API).getPublicAccessBlock},
	{bucket, "PUT", "publicAccessBlock", false}:    {"PutPublicAccessBlock", "s3:PutBucketPublicAccessBlock", "", (*API).putPublicAccessBlock},
	{bucket, "DELETE", "publicAccessBlock", false}: {"DeletePublicAccessBlock", "s3:PutBucketPublicAccessBlock", "", (*API).deletePublicAccessBlock},
	{bucket, "GET", "uploads", false}:              {"ListMultipartUploads", "s3:ListBucketMultipartUploads", "", (*API).listMultipartUploads},
	{bucket, "GET", "versioning", false}:           {"GetBucketVersioning", "s3:GetBucketVersioning", "", (*API).getBucketVersioning},
	{bucket, "PUT", "versioning", false}:           {"PutBucketVersioning", "s3:PutBucketVersioning", "", (*API).putBucketVersioning},
	{bucket, "GET", "versions", false}:             {"ListObjectVersions", "s3:ListBucketVersions", "", (*API).listObjectVersions},
	{bucket, "GET", "object-lock", false}:          {"GetObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration", "", (*API).getObjectLockConfiguration},
	{bucket, "PUT", "object-lock", false}:          {"PutObjectLockConfiguration", "s3:PutBucketObjectLockConfiguration", "", (*API).putObjectLockConfiguration},
	{bucket, "GET", "tagging", false}:              {"GetBucketTagging", "s3:GetBucketTagging", "", (*API).getBucketTagging},
	{bucket, "PUT", "tagging", false}:              {"PutBucketTagging", "s3:PutBucketTagging", "", (*API).putBucketTagging},
	{bucket, "DELETE", "tagging", false}:           {"DeleteBucketTagging", "s3:PutBucketTagging", "", (*API).deleteBucketTagging},
	{bucket, "GET", "cors", false}:                 {"GetBucketCors", "s3:GetBucketCORS", "", (*API).getBucketCors},
	{bucket, "PUT", "cors", false}:                 {"PutBucketCors", "s3:PutBucketCORS", "", (*API).putBucketCors},
	{bucket, "DELETE", "cors", false}:              {"DeleteBucketCors", "s3:PutBucketCORS", "", (*API).deleteBucketCors},
	{bucket, "GET", "notification", false}:         {"GetBucketNotificationConfiguration", "s3:GetBucketNotification", "", (*API).getBucketNotification},
	{bucket, "PUT", "notification", false}:         {"PutBucketNotificationConfiguration", "s3:PutBucketNotification", "", (*API).putBucketNotification},
	{bucket, "GET", "website", false}:              {"GetBucketWebsite", "s3:GetBucketWebsite", "", (*API).getBucketWebsite},
	{bucket, "PUT", "website", false}:              {"PutBucketWebsite", "s3:PutBucketWebsite", "", (*API).putBucketWebsite},
	{bucket, "DELETE", "website", false}:           {"DeleteBucketWebsite", "s3:DeleteBucketWebsite", "", (*API).deleteBucketWebsite},
	// PUT and GET ?lifecycle also serve the deprecated PutBucketLifecycle
	// and GetBucketLifecycle (same request; the body's shape tells them apart).
	{bucket, "GET", "lifecycle", false}:     {"GetBucketLifecycleConfiguration", "s3:GetLifecycleConfiguration", "", (*API).getBucketLifecycle},
	{bucket, "PUT", "lifecycle", false}:     {"PutBucketLifecycleConfiguration", "s3:PutLifecycleConfiguration", "", (*API).putBucketLifecycle},
	{bucket, "DELETE", "lifecycle", false}:  {"DeleteBucketLifecycle", "s3:PutLifecycleConfiguration", "", (*API).deleteBucketLifecycle},
	{bucket, "GET", "replication", false}:   {"GetBucketReplication", "s3:GetReplicationConfiguration", "", (*API).getBucketReplication},
	{bucket, "PUT", "replication", false}:   {"PutBucketReplication", "s3:PutReplicationConfiguration", "", (*API).putBucketReplication},
	{bucket, "GET", "encryption", false}:    {"GetBucketEncryption", "s3:GetEncryptionConfiguration", "", (*API).getBucketEncryption},
	{bucket, "PUT", "encryption", false}:    {"PutBucketEncryption", "s3:PutEncryptionConfiguration", "", (*API).putBucketEncryption},
	{bucket, "DELETE", "encryption", false}: {"DeleteBucketEncryption", "s3:PutEncryptionConfiguration", "", (*API).deleteBucketEncryption},
	// DeleteBucketReplication is authorized by s3:PutReplicationConfiguration, as in S3.
	{bucket, "DELETE", "replication", false}: {"DeleteBucketReplication", "s3:PutReplicationConfiguration", "", (*API).deleteBucketReplication},
	// S3 Metadata: V1 and V2 share the Create/Get/Delete actions.
	{bucket, "POST", "metadataTable", false}:           {"CreateBucketMetadataTableConfiguration", "s3:CreateBucketMetadataTableConfiguration", "", (*API).createBucketMetadataTableConfiguration},
	{bucket, "GET", "metadataTable", false}:            {"GetBucketMetadataTableConfiguration", "s3:GetBucketMetadataTableConfiguration", "", (*API).getBucketMetadataTableConfiguration},
	{bucket, "DELETE", "metadataTable", false}:         {"DeleteBucketMetadataTableConfiguration", "s3:DeleteBucketMetadataTableConfiguration", "", (*API).deleteBucketMetadataTableConfiguration},
	{bucket, "POST", "metadataConfiguration", false}:   {"CreateBucketMetadataConfiguration", "s3:CreateBucketMetadataTableConfiguration", "", (*API).createBucketMetadataConfiguration},
	{bucket, "GET", "metadataConfiguration", false}:    {"GetBucketMetadataConfiguration", "s3:GetBucketMetadataTableConfiguration", "", (*API).getBucketMetadataConfiguration},
	{bucket, "DELETE", "metadataConfiguration", false}: {"DeleteBucketMetadataConfiguration", "s3:DeleteBucketMetadataTableConfiguration", "", (*API).deleteBucketMetadataConfiguration},
	{bucket, "PUT", "metadataJournalTable", false}:     {"UpdateBucketMetadataJournalTableConfiguration", "s3:UpdateBucketMetadataJournalTableConfiguration", "", (*API).updateBucketMetadataJournalTableConfiguration},
	{bucket, "PUT", "metadataInventoryTable", false}:   {"UpdateBucketMetadataInventoryTableConfiguration", "s3:UpdateBucketMetadataInventoryTableConfiguration", "", (*API).updateBucketMetadataInventoryTableConfiguration},
	{bucket, "PUT", "metadataAnnotationTable", false}:  {"UpdateBucketMetadataAnnotationTableConfiguration", "s3:UpdateBucketMetadataAnnotationTableConfiguration", "", (*API).updateBucketMetadataAnnotationTableConfiguration},

	// GET ?intelligent-tiering without an id is ListBucketIntelligentTieringConfigurations.
	{bucket, "GET", "intelligent-tiering", false}:    {"GetBucketIntelligentTieringConfiguration", "s3:GetIntelligentTieringConfiguration", "", (*API).getBucketIntelligentTiering},
	{bucket, "PUT", "intelligent-tiering", false}:    {"PutBucketIntelligentTieringConfiguration", "s3:PutIntelligentTieringConfiguration", "", (*API).putBucketIntelligentTiering},
	{bucket, "DELETE", "intelligent-tiering", false}: {"DeleteBucketIntelligentTieringConfiguration", "s3:PutIntelligentTieringConfiguration", "", (*API).deleteBucketIntelligentTiering},
	{bucket, "GET", "logging", false}:                {"GetBucketLogging", "s3:GetBucketLogging", "", (*API).getBucketLogging},
	{bucket, "PUT", "logging", false}:                {"PutBucketLogging", "s3:PutBucketLogging", "", (*API).putBucketLogging},
	// GET ?inventory is GetBucketInventoryConfiguration with id, else
	// ListBucketInventoryConfigurations (configListSub).
	{bucket, "GET", "inventory", false}:      {"GetBucketInventoryConfiguration", "s3:GetInventoryConfiguration", "", (*API).getBucketInventory},
	{bucket, "GET", "inventory-list", false}: {"ListBucketInventoryConfigurations", "s3:GetInventoryConfiguration", "", (*API).listBucketInventory},
	{bucket, "PUT", "inventory", false}:      {"PutBucketInventoryConfiguration", "s3:PutInventoryConfiguration", "", (*API).putBucketInventory},
	{bucket, "DELETE", "inventory", false}:   {"DeleteBucketInventoryConfiguration", "s3:PutInventoryConfiguration", "", (*API).deleteBucketInventory},
	{bucket, "GET", "analytics", false}:      {"GetBucketAnalyticsConfiguration", "s3:GetAnalyticsConfiguration", "", (*API).getBucketAnalytics},
	{bucket, "GET", "analytics-list", false}: {"ListBucketAnalyticsConfigurations", "s3:GetAnalyticsConfiguration", "", (*API).listBucketAnalytics},
	{bucket, "PUT", "analytics", false}:      {"PutBucketAnalyticsConfiguration", "s3:PutAnalyticsConfiguration", "", (*API).putBucketAnalytics},
	{bucket, "DELETE", "analytics", false}:   {"DeleteBucketAnalyticsConfiguration", "s3:PutAnalyticsConfiguration", "", (*API).deleteBucketAnalytics},

	// Requester Pays, Transfer Acceleration, ABAC, request metrics.
	{bucket, "GET", "requestPayment", false}: {"GetBucketRequestPayment", "s3:GetBucketRequestPayment", "", (*API).getBucketRequestPayment},
	{bucket, "PUT", "requestPayment", false}: {"PutBucketRequestPayment", "s3:PutBucketRequestPayment", "", (*API).putBucketRequestPayment},
	{bucket, "GET", "abac", false}:           {"GetBucketAbac", "s3:GetBucketAbac", "", (*API).getBucketAbac},
	{bucket, "PUT", "abac", false}:           {"PutBucketAbac", "s3:PutBucketAbac", "", (*API).putBucketAbac},
	{bucket, "GET", "accelerate", false}:     {"GetBucketAccelerateConfiguration", "s3:GetAccelerateConfiguration", "", (*API).getBucketAccelerate},
	{bucket, "PUT", "accelerate", false}:     {"PutBucketAccelerateConfiguration", "s3:PutAccelerateConfiguration", "", (*API).putBucketAccelerate},
	{bucket, "GET", "metrics", false}:        {"GetBucketMetricsConfiguration", "s3:GetMetricsConfiguration", "", (*API).getBucketMetrics},
	{bucket, "PUT", "metrics", false}:        {"PutBucketMetricsConfiguration", "s3:PutMetricsConfiguration", "", (*API).putBucketMetrics},
	{bucket, "DELETE", "metrics", false}:     {"DeleteBucketMetricsConfiguration", "s3:PutMetricsConfiguration", "", (*API).deleteBucketMetrics},
	{bucket, "GET", "metrics-list", false}:   {"ListBucketMetricsConfigurations", "s3:GetMetricsConfiguration", "", (*API).listBucketMetrics},

	{object, "PUT", "", false}:            {"PutObject", "s3:PutObject", "", (*API).putObject},
	{object, "PUT", "", true}:             {"CopyObject", "s3:PutObject", "", (*API).copyObject},
	{object, "GET", "", false}:            {"GetObject", "s3:GetObject", "s3:GetObjectVersion", (*API).getObject},
	{object, "HEAD", "", false}:           {"HeadObject", "s3:GetObject", "s3:GetObjectVersion", (*API).getObject},
	{object, "DELETE", "", false}:         {"DeleteObject", "s3:DeleteObject", "s3:DeleteObjectVersion", (*API).deleteObject},
	{object, "POST", "uploads", false}:    {"CreateMultipartUpload", "s3:PutObject", "", (*API).createMultipartUpload},
	{object, "POST", "restore", false}:    {"RestoreObject", "s3:RestoreObject", "", (*API).restoreObject},
	{object, "PUT", "uploadId", false}:    {"UploadPart", "s3:PutObject", "", (*API).uploadPart},
	{object, "PUT", "uploadId", true}:     {"UploadPartCopy", "s3:PutObject", "", (*API).uploadPartCopy},
	{object, "POST", "uploadId", false}:   {"CompleteMultipartUpload", "s3:PutObject", "", (*API).completeMultipartUpload},
	{object, "DELETE", "uploadId", false}: {"AbortMultipartUpload", "s3:AbortMultipartUpload", "", (*API).abortMultipartUpload},
	{object, "GET", "uploadId", false}:    {"ListParts", "s3:ListMultipartUploadParts", "", (*API).listParts},
	{object, "GET", "attributes", false}:  {"GetObjectAttributes", "s3:GetObjectAttributes", "s3:GetObjectVersionAttributes", (*API).getObjectAttributes},
	{object, "GET", "tagging", false}:     {"GetObjectTagging", "s3:GetObjectTagging", "s3:GetObjectVersionTagging", (*API).getObjectTagging},
	{object, "PUT", "encryption", false}:  {"UpdateObjectEncryption", "s3:UpdateObjectEncryption", "", (*API).updateObjectEncryption},
	{object, "PUT", "tagging", false}:     {"PutObjectTagging", "s3:PutObjectTagging", "s3:PutObjectVersionTagging", (*API).putObjectTagging},
	{object, "DELETE", "tagging", false}:  {"DeleteObjectTagging", "s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging", (*API).deleteObjectTagging},
	{object, "GET", "retention", false}:   {"GetObjectRetention", "s3:GetObjectRetention", "", (*API).getObjectRetention},
	{object, "PUT", "retention", false}:   {"PutObjectRetention", "s3:PutObjectRetention", "", (*API).putObjectRetention},
	{object, "GET", "legal-hold", false}:  {"GetObjectLegalHold", "s3:GetObjectLegalHold", "", (*API).getObjectLegalHold},
	{object, "PUT", "legal-hold", false}:  {"PutObjectLegalHold", "s3:PutObjectLegalHold", "", (*API).putObjectLegalHold},
	{object, "GET", "acl", false}:         {"GetObjectAcl", "s3:GetObjectAcl", "s3:GetObjectVersionAcl", (*API).getObjectACL},
	{object, "PUT", "acl", false}:         {"PutObjectAcl", "s3:PutObjectAcl", "s3:PutObjectVersionAcl", (*API).putObjectACL},
	// GET ?annotation is GetObjectAnnotation with annotationName, else
	// ListObjectAnnotations (annotationSub).
	{object, "PUT", "annotation", false}:      {"PutObjectAnnotation", "s3:PutObjectAnnotation", "", (*API).putObjectAnnotation},
	{object, "GET", "annotation", false}:      {"GetObjectAnnotation", "s3:GetObjectAnnotation", "", (*API).getObjectAnnotation},
	{object, "DELETE", "annotation", false}:   {"DeleteObjectAnnotation", "s3:DeleteObjectAnnotation", "", (*API).deleteObjectAnnotation},
	{object, "GET", "annotation-list", false}: {"ListObjectAnnotations", "s3:ListObjectAnnotations", "", (*API).listObjectAnnotations},

	{object, "POST", "select", false}: {"SelectObjectContent", "s3:GetObject", "s3:GetObjectVersion", (*API).selectObjectContent},

	{object, "GET", "torrent", false}:      {"GetObjectTorrent", "s3:GetObjectTorrent", "s3:GetObjectVersionTorrent", (*API).getObjectTorrent},
	{object, "PUT", "renameObject", false}: {"RenameObject", "s3:PutObject", "", (*API).renameObject},
}

// storesData names the operations refused when the data directory is low on
// space. Deletes, aborts and CompleteMultipartUpload (which only moves
// stored parts and frees the unused ones) always run.
var storesData = map[string]bool{
	"PutObject": true, "CopyObject": true, "PostObject": true, "CreateMultipartUpload": true,
	"UploadPart": true, "UploadPartCopy": true,
	"PutObjectAnnotation": true,
}

// route picks the operation of a request.
func (a *API) route(req *request) operation {
	k := routeKey{method: req.Method, sub: req.subresource()}
	switch {
	case req.bucket == "":
		k.level = service
		// AWS serves it on another endpoint (s3express-control), so the
		// request may differ from ListBuckets' only in its signing name
		// (boto3) or also say x-id=ListDirectoryBuckets (aws-sdk-go-v2).
		if k.method == "GET" && k.sub == "" && (req.query.Get("x-id") == "ListDirectoryBuckets" || req.auth != nil && req.auth.Service == "s3express") {
			k.sub = "directory-buckets"
		}
	case req.key == "":
		k.level = bucket
		k.sub = configListSub(k, req)
	default:
		k.level = object
		k.copy = req.Header.Get("x-amz-copy-source") != ""
		k.sub = annotationSub(k, req)
	}
	op, ok := operations[k]
	if _, other := elsewhere(k, req); !ok || other {
		return notImplementedOp(k, req)
	}
	if op.name == "ListObjects" && req.query.Get("list-type") == "2" {
		op.name, op.h = "ListObjectsV2", (*API).listObjectsV2
	}
	return op
}

// iamAction is the action that authorizes this request.
func (op operation) iamAction(req *request) string {
	if _, ok := req.query["versionId"]; ok && op.versionAction != "" {
		return op.versionAction
	}
	return op.action
}
