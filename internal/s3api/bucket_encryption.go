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

// bucketDefaultEncryption is the encryption a new object in b gets when
// its request asks for none: the bucket's configuration, else the server's
// default, SSE-S3 (AES256) as S3 applies to every general purpose bucket
// since 2023, unless the server runs with --default-encryption none
// (Algorithm "": unencrypted). It is the one place that decides the
// default; the write paths and GetBucketEncryption both read it.
func (a *API) bucketDefaultEncryption(b *meta.Bucket) meta.BucketEncryption {
	var e meta.BucketEncryption
	if b != nil && b.Config.Encryption != nil {
		e = *b.Config.Encryption
	}
	if e.Algorithm == "" {
		e.KMSKeyID = ""
		if a.cfg.DefaultEncryption != s3.DefaultEncryptionNone {
			e.Algorithm = s3.SSES3
		}
	}
	return e
}

// bucketBlocksSSEC reports whether b refuses new writes that use a
// customer-provided key, which S3 answers 403 AccessDenied (S3 blocks
// SSE-C on new buckets by default).
func bucketBlocksSSEC(b *meta.Bucket) bool {
	return b == nil || b.Config.Encryption == nil || !b.Config.Encryption.SSECAllowed
}

func (a *API) getBucketEncryption(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	if b.Config.Encryption == nil && a.cfg.DefaultEncryption == s3.DefaultEncryptionNone {
		// Without S3's SSE-S3 default a bucket never configured has no
		// encryption configuration, as S3 answered before 2023.
		return nil, s3err.New(s3err.NoSuchEncryptionConfiguration).With("BucketName", req.bucket)
	}
	return xmlResponse(http.StatusOK, encryptionDoc(a.bucketDefaultEncryption(&b))), nil
}

// encryptionDoc renders a bucket's default encryption as S3 does: the
// algorithm (and key when configured), BucketKeyEnabled and the blocked
// encryption types, always present. Under --default-encryption none a
// bucket without a default has no ApplyServerSideEncryptionByDefault.
func encryptionDoc(e meta.BucketEncryption) s3xml.ServerSideEncryptionConfiguration {
	bk := e.BucketKey
	blocked := s3.EncryptionTypeSSEC
	if e.SSECAllowed {
		blocked = s3.EncryptionTypeNone
	}
	r := s3xml.ServerSideEncryptionRule{BlockedTypes: &s3xml.BlockedEncryptionTypes{EncryptionTypes: []string{blocked}}, BucketKeyEnabled: &bk}
	if e.Algorithm != "" {
		r.Default = &s3xml.ServerSideEncryptionByDefault{SSEAlgorithm: e.Algorithm, KMSMasterKeyID: e.KMSKeyID}
	}
	return s3xml.ServerSideEncryptionConfiguration{NS: s3xml.NS, Rules: []s3xml.ServerSideEncryptionRule{r}}
}

func (a *API) putBucketEncryption(ctx context.Context, req *request) (*response, error) {
	if _, err := a.bucket(ctx, req); err != nil {
		return nil, err
	}
	var doc s3xml.ServerSideEncryptionConfiguration
	if err := a.readXML(req, "ServerSideEncryptionConfiguration", &doc); err != nil {
		return nil, err
	}
	rules := make([]s3.EncryptionRule, len(doc.Rules))
	for i, r := range doc.Rules {
		rules[i] = s3.EncryptionRule{HasDefault: r.Default != nil, BucketKey: r.BucketKeyEnabled != nil && *r.BucketKeyEnabled, HasBlocked: r.BlockedTypes != nil}
		if r.Default != nil {
			rules[i].Algorithm, rules[i].KMSKeyID = r.Default.SSEAlgorithm, r.Default.KMSMasterKeyID
		}
		if r.BlockedTypes != nil {
			rules[i].Blocked = r.BlockedTypes.EncryptionTypes
		}
	}
	if err := s3.CheckEncryptionRules(rules); err != nil {
		return nil, encryptionConfigError(err)
	}
	r, bkGiven := rules[0], doc.Rules[0].BucketKeyEnabled != nil
	err := a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error {
		// An element the rule leaves out keeps its current setting: a
		// rule with only BlockedEncryptionTypes keeps the default
		// encryption (S3's own when none was configured, Algorithm ""),
		// one without it keeps the SSE-C block.
		var e meta.BucketEncryption
		if b.Config.Encryption != nil {
			e = *b.Config.Encryption
		}
		switch {
		case r.HasDefault:
			e.Algorithm, e.KMSKeyID, e.BucketKey = r.Algorithm, r.KMSKeyID, r.BucketKey
		case bkGiven:
			e.BucketKey = r.BucketKey
		}
		if blocked, ok := r.BlocksSSEC(); ok {
			e.SSECAllowed = !blocked
		}
		b.Config.Encryption = &e
		return nil
	})
	if err != nil {
		return nil, err
	}
	return newResponse(http.StatusOK), nil
}

// deleteBucketEncryption resets the bucket to S3's default encryption
// (SSE-S3, SSE-C blocked), as S3 does; it never fails for a bucket that has
// no configuration.
func (a *API) deleteBucketEncryption(ctx context.Context, req *request) (*response, error) {
	return a.clearBucketConfig(ctx, req, func(c *meta.BucketConfig) { c.Encryption = nil })
}

func encryptionConfigError(err error) error {
	if errors.Is(err, s3.ErrKMSKeyNotApplicable) {
		return s3err.Newf(s3err.InvalidArgument, "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse").
			With("ArgumentName", "ApplyServerSideEncryptionByDefault")
	}
	return s3err.New(s3err.MalformedXML)
}

// sseCWriteOps are the operations that write data with a customer key and
// that a bucket blocking SSE-C refuses (reads of stored SSE-C objects go on).
var sseCWriteOps = map[string]string{
	"PutObject": "s3:PutObject", "CopyObject": "s3:CopyObject", "CreateMultipartUpload": "s3:PutObject",
	"UploadPart": "s3:PutObject", "UploadPartCopy": "s3:PutObject", "PostObject": "s3:PutObject",
}

// refuseBlockedSSEC answers 403 AccessDenied, with S3's message, for a
// write of operation op that names a customer key (get reads its headers or
// form fields) to key in a bucket that blocks SSE-C. The request's headers
// were validated already; a missing bucket is left to the handler.
func (a *API) refuseBlockedSSEC(ctx context.Context, req *request, op, key string, get func(string) string) error {
	action, ok := sseCWriteOps[op]
	if !ok || !customerKeyGiven(get, sseCustomerPrefix) {
		return nil
	}
	b := a.requestBucket(ctx, req)
	if b == nil || !bucketBlocksSSEC(b) {
		return nil
	}
	who := req.principal.ARN()
	if who == "" {
		who = "anonymous"
	}
	return s3err.Newf(s3err.AccessDenied, "User: %s is not authorized to perform: %s on resource: \"%s\" because this bucket has blocked upload requests that specify Server Side Encryption with Customer provided keys (SSE-C). Please specify a different server-side encryption type",
		who, action, arn(req.bucket, key, true))
}
