package s3api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

const maxObjectEncryptionBody = 64 << 10

// objectEncryptionDoc is UpdateObjectEncryption's request body.
type objectEncryptionDoc struct {
	SSEKMS *struct {
		KMSKeyArn        string `xml:"KMSKeyArn"`
		BucketKeyEnabled string `xml:"BucketKeyEnabled"`
	} `xml:"SSE-KMS"`
	SSES3 *struct{} `xml:"SSE-S3"`
}

var kmsKeyARN = regexp.MustCompile(`^arn:aws[-a-z0-9]*:kms:[-a-z0-9]*:[0-9]{12}:key/.+$`)

// updateObjectEncryption re-wraps a version's data key under another
// SSE-KMS key (or with a bucket key) without touching its data: only the
// version's encryption record changes, never its ETag, dates or checksums.
func (a *API) updateObjectEncryption(ctx context.Context, req *request) (*response, error) {
	if req.sigV2 {
		return nil, s3err.Newf(s3err.InvalidRequest, "Requests that modify an object encryption configuration require AWS Signature Version 4. Modify the request to use AWS Signature Version 4, and then try again.")
	}
	o, err := a.lookupVersion(ctx, req)
	if err != nil {
		return nil, err
	}
	body, err := a.readSmallBody(req, maxObjectEncryptionBody)
	if err != nil {
		return nil, err
	}
	var doc objectEncryptionDoc
	if err := s3xml.Decode(bytesReader(body), maxObjectEncryptionBody, "ObjectEncryption", &doc); err != nil {
		return nil, s3err.New(s3err.MalformedXML)
	}
	if doc.SSEKMS == nil {
		return nil, s3err.Newf(s3err.InvalidRequest, "Requests that modify an object encryption configuration require a valid new encryption type. Valid values are SSEKMS. Modify the request to specify SSE-KMS for the updated encryption type, and then try again.")
	}
	keyARN := strings.TrimSpace(doc.SSEKMS.KMSKeyArn)
	if keyARN == "" {
		return nil, s3err.Newf(s3err.InvalidRequest, "Requests that modify an object's encryption type to SSE-KMS require an AWS KMS key Amazon Resource Name (ARN). Modify the request to specify a KMS key ARN, and then try again.")
	}
	if !kmsKeyARN.MatchString(keyARN) {
		return nil, s3err.Newf(s3err.InvalidRequest, "Requests that modify an object's encryption type to SSE-KMS require a valid AWS KMS key Amazon Resource Name (ARN). Confirm that you have a correctly formatted KMS key ARN in your request, and then try again.")
	}
	bucketKey := false
	switch v := strings.TrimSpace(doc.SSEKMS.BucketKeyEnabled); v {
	case "", "false":
	case "true":
		bucketKey = true
	default:
		return nil, s3err.Newf(s3err.InvalidRequest, "The BucketKeyEnabled value isn't valid. Valid values are true or false. Modify the request to specify a valid value, and then try again.")
	}
	enc := o.Attrs.Enc
	switch {
	case enc == nil:
		return nil, s3err.Newf(s3err.InvalidRequest, "The UpdateObjectEncryption operation doesn't supported unencrypted source objects. Only source objects encrypted with SSE-S3 or SSE-KMS are supported.")
	case isCustomer(enc) || enc.Algorithm == s3.SSEKMSDSSE:
		return nil, s3err.Newf(s3err.InvalidRequest, "The UpdateObjectEncryption operation doesn't support source objects with the encryption type DSSE-KMS or SSE-C. Only source objects encrypted with SSE-S3 or SSE-KMS are supported.")
	}
	if o.Attrs.LockLegalHold == "ON" || (o.Attrs.LockMode != "" && o.Attrs.LockUntil.After(a.cfg.Now())) {
		return nil, s3err.Newf(s3err.AccessDenied, "The encryption type for the specified object can't be updated because that object is protected by S3 Object Lock.")
	}
	dk, err := a.dataKey(ctx, enc, headerGetter(req), sseCustomerPrefix)
	if err != nil {
		return nil, err
	}
	// The new context keeps the caller's pairs and binds the key to the
	// object (or, with a bucket key, to the bucket) as a new write would.
	encCtx, err := contextOf(enc)
	if err != nil {
		return nil, s3err.Internal(err)
	}
	if encCtx == nil {
		encCtx = map[string]string{}
	}
	encCtx["aws:s3:arn"] = arn(req.bucket, req.key, !bucketKey)
	svc, err := a.keyService()
	if err != nil {
		return nil, err
	}
	wrapped, km, err := svc.Encrypt(ctx, keyARN, dk, encCtx)
	if err != nil {
		return nil, kmsError(err, keyARN)
	}
	raw, _ := json.Marshal(encCtx)
	next := &meta.Encryption{Algorithm: s3.SSEKMS, KMSKeyARN: km.ARN, Context: base64.StdEncoding.EncodeToString(raw), BucketKey: bucketKey, WrappedKey: wrapped}
	_, err = a.updateVersion(ctx, req, func(cur *meta.Object) error {
		if cur.Seq != o.Seq {
			return s3err.New(s3err.ConditionalRequestConflict) // replaced since it was read
		}
		cur.Attrs.Enc = next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return newResponse(http.StatusOK), nil
}
