package s3api

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"talus/internal/crypt"
	"talus/internal/kms"
	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
)

// Server-side encryption of new data and the keys of stored data. A
// version's encryption is its meta.Encryption record; its data key exists
// in clear only while a request uses it. Headers and form fields were
// validated by checkEncryption before the handler ran.

// secure reports whether customer keys may travel on req: over TLS, or
// when the server allows them over plain HTTP.
func (a *API) secure(req *request) bool { return req.TLS != nil || a.cfg.AllowSSECOverHTTP }

// sealing is how a new version or upload is encrypted: its record and its
// data key in clear. A nil *sealing stores plaintext.
type sealing struct {
	enc *meta.Encryption
	key []byte
}

// stream returns the sealing stream of one body of the version or upload:
// streamObject for a whole object, partStream(n) for a part.
func (s *sealing) stream(identity string) (*crypt.Stream, error) {
	if s == nil {
		return nil, nil
	}
	return crypt.NewStream(s.key, identity)
}

// record is the encryption record to store (nil for plaintext).
func (s *sealing) record() *meta.Encryption {
	if s == nil {
		return nil
	}
	return s.enc
}

const streamObject = "object"

func partStream(n int) string { return "part " + itoa(n) }

// headerGetter reads a request header, or the query parameter of the same
// name (a presigned URL's form).
func headerGetter(req *request) func(string) string {
	return func(name string) string {
		if v := headerValue(req.Header, name); v != "" {
			return v
		}
		return req.query.Get(strings.ToLower(name))
	}
}

// encryptionFor decides how a new object (PutObject, PostObject,
// CopyObject destination, CreateMultipartUpload) is encrypted: the
// request's SSE-C key or x-amz-server-side-encryption, else the bucket's
// default encryption, else none. It creates the data key.
func (a *API) encryptionFor(ctx context.Context, get func(string) string, b meta.Bucket, key string) (*sealing, error) {
	if customerKeyGiven(get, sseCustomerPrefix) {
		ck, md5b64 := customerKey(get, sseCustomerPrefix)
		dk := crypt.NewKey()
		wrapped, err := crypt.WrapKey(ck, dk, nil /* aad */)
		if err != nil {
			return nil, s3err.Internal(err)
		}
		salt := crypt.NewSalt()
		return &sealing{key: dk, enc: &meta.Encryption{
			WrappedKey: wrapped, CustomerKeyMD5: md5b64, CustomerKeySalt: salt, CustomerKeyHMAC: crypt.KeyTag(salt, ck),
		}}, nil
	}
	method := get("x-amz-server-side-encryption")
	keyID := get("x-amz-server-side-encryption-aws-kms-key-id")
	// With no encryption of its own a new object gets the bucket's default
	// (SSE-S3 when none is configured, as in S3); a request's SSE-KMS
	// without the bucket-key header takes the bucket's bucket-key setting.
	def := a.bucketDefaultEncryption(&b)
	bucketKey := def.BucketKey
	if method == "" {
		method, keyID = def.Algorithm, def.KMSKeyID
	}
	if v := get("x-amz-server-side-encryption-bucket-key-enabled"); v != "" {
		bucketKey = strings.EqualFold(v, "true")
	}
	switch {
	case method == "":
		return nil, nil
	case method == s3.SSES3:
		svc, err := a.keyService()
		if err != nil {
			return nil, err
		}
		dk, wrapped, _, err := svc.GenerateDataKey(ctx, kms.SSES3, nil /* context */)
		if err != nil {
			return nil, kmsError(err, kms.SSES3)
		}
		return &sealing{key: dk, enc: &meta.Encryption{Algorithm: s3.SSES3, WrappedKey: wrapped}}, nil
	}
	svc, err := a.keyService()
	if err != nil {
		return nil, err
	}
	encCtx := map[string]string{}
	if v := get("x-amz-server-side-encryption-context"); v != "" {
		raw, _ := base64.StdEncoding.DecodeString(v)
		json.Unmarshal(raw, &encCtx)
	}
	// S3 binds the data key to the object (or, with a bucket key, to the bucket).
	encCtx["aws:s3:arn"] = arn(b.Name, key, !bucketKey)
	ref := keyID
	if ref == "" {
		ref = kms.DefaultS3Alias
	}
	dk, wrapped, km, err := svc.GenerateDataKey(ctx, ref, encCtx)
	if err != nil {
		return nil, kmsError(err, ref)
	}
	raw, _ := json.Marshal(encCtx)
	return &sealing{key: dk, enc: &meta.Encryption{
		Algorithm: method, KMSKeyARN: km.ARN, Context: base64.StdEncoding.EncodeToString(raw), BucketKey: bucketKey, WrappedKey: wrapped,
	}}, nil
}

// keyService is the configured key service; SSE-S3 and SSE-KMS need it.
func (a *API) keyService() (kms.Service, error) {
	if a.cfg.KMS == nil {
		return nil, s3err.Newf(s3err.NotImplemented, "Server-side encryption with a key service is not configured on this server.")
	}
	return a.cfg.KMS, nil
}

// customerKey returns the decoded customer key and its MD5 (base64).
func customerKey(get func(string) string, prefix string) ([]byte, string) {
	k, _ := base64.StdEncoding.DecodeString(get(prefix + "-key"))
	sum := md5.Sum(k)
	return k, base64.StdEncoding.EncodeToString(sum[:])
}

func isCustomer(enc *meta.Encryption) bool { return enc != nil && enc.CustomerKeyMD5 != "" }

// checkCustomerAccess applies S3's rules for reading data stored under enc with the
// customer-key values prefix names (sseCustomerPrefix, or
// sseCopySourcePrefix for a copy source): an SSE-C version needs its key,
// other versions take none. It returns the customer key of an SSE-C
// version. It never calls the key service, so HEAD works with any KMS key
// state, as in S3.
func checkCustomerAccess(enc *meta.Encryption, get func(string) string, prefix string) ([]byte, error) {
	given := customerKeyGiven(get, prefix)
	if !isCustomer(enc) {
		if given {
			return nil, s3err.Newf(s3err.InvalidRequest, "The encryption parameters are not applicable to this object.")
		}
		return nil, nil
	}
	if !given {
		return nil, s3err.Newf(s3err.InvalidRequest, "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.")
	}
	ck, _ := customerKey(get, prefix)
	if !crypt.KeyMatches(enc.CustomerKeySalt, enc.CustomerKeyHMAC, ck) {
		return nil, s3err.New(s3err.AccessDenied)
	}
	return ck, nil
}

// dataKey checks the request's key values as checkCustomerAccess does and returns
// the data key of data stored under enc (nil for plaintext).
func (a *API) dataKey(ctx context.Context, enc *meta.Encryption, get func(string) string, prefix string) ([]byte, error) {
	ck, err := checkCustomerAccess(enc, get, prefix)
	if err != nil || enc == nil {
		return nil, err
	}
	if ck != nil {
		dk, err := crypt.UnwrapKey(ck, enc.WrappedKey, nil /* aad */)
		if err != nil {
			return nil, s3err.Internal(err)
		}
		return dk, nil
	}
	svc, err := a.keyService()
	if err != nil {
		return nil, err
	}
	encCtx, err := contextOf(enc)
	if err != nil {
		return nil, s3err.Internal(err)
	}
	dk, _, err := svc.Decrypt(ctx, enc.WrappedKey, encCtx)
	if err != nil {
		ref := enc.KMSKeyARN
		if ref == "" {
			ref = kms.SSES3
		}
		return nil, kmsError(err, ref)
	}
	return dk, nil
}

// contextOf decodes a record's stored encryption context.
func contextOf(enc *meta.Encryption) (map[string]string, error) {
	if enc.Context == "" {
		return nil, nil
	}
	raw, err := base64.StdEncoding.DecodeString(enc.Context)
	if err != nil {
		return nil, err
	}
	var m map[string]string
	return m, json.Unmarshal(raw, &m)
}

// IsKMSError reports whether err is a refusal of the key service (a key
// missing, disabled or pending deletion) as an S3 request reports it.
func IsKMSError(err error) bool {
	var se *s3err.Error
	if errors.As(err, &se) {
		switch se.Code {
		case s3err.KMSDisabled, s3err.KMSInvalidState, s3err.KMSNotFound:
			return true
		}
	}
	return errors.Is(err, kms.ErrDisabled) || errors.Is(err, kms.ErrInvalidState) || errors.Is(err, kms.ErrNotFound)
}

// kmsError maps a key service failure to the S3 error AWS returns for it.
func kmsError(err error, ref string) error {
	switch {
	case errors.Is(err, kms.ErrDisabled):
		return s3err.Newf(s3err.KMSDisabled, "%s is disabled.", ref).WithCause(err)
	case errors.Is(err, kms.ErrInvalidState):
		return s3err.Newf(s3err.KMSInvalidState, "%s is pending deletion.", ref).WithCause(err)
	case errors.Is(err, kms.ErrNotFound):
		return s3err.Newf(s3err.KMSNotFound, "Invalid keyId %s", ref).WithCause(err)
	case errors.Is(err, kms.ErrValidation):
		return s3err.Newf(s3err.KMSNotFound, "Invalid keyId %s", ref).WithCause(err)
	}
	return s3err.Internal(err)
}

// setSSEHeaders writes the encryption headers S3 returns for data stored
// under enc. withContext adds the SSE-KMS encryption context, which S3
// returns on the writes that create an object.
func setSSEHeaders(h http.Header, enc *meta.Encryption, withContext bool) {
	switch {
	case enc == nil:
	case isCustomer(enc):
		h.Set("x-amz-server-side-encryption-customer-algorithm", "AES256")
		h.Set("x-amz-server-side-encryption-customer-key-MD5", enc.CustomerKeyMD5)
	default:
		h.Set("x-amz-server-side-encryption", enc.Algorithm)
		if s3.IsKMSMethod(enc.Algorithm) {
			h.Set("x-amz-server-side-encryption-aws-kms-key-id", enc.KMSKeyARN)
			if withContext && enc.Context != "" {
				h.Set("x-amz-server-side-encryption-context", enc.Context)
			}
		}
		if enc.BucketKey {
			h.Set("x-amz-server-side-encryption-bucket-key-enabled", "true")
		}
	}
}

// encryptionRequested reports whether a request names an encryption of
// its own (which makes a copy of an object onto itself legal).
func encryptionRequested(get func(string) string) bool {
	return get("x-amz-server-side-encryption") != "" || customerKeyGiven(get, sseCustomerPrefix)
}

// partSealing returns the stream that seals part n of upload u (nil for a
// plaintext upload), checking the request's customer key for an SSE-C
// upload.
func (a *API) partSealing(ctx context.Context, req *request, u meta.Upload, n int) (*crypt.Stream, error) {
	get := headerGetter(req)
	if isCustomer(u.Attrs.Enc) && !customerKeyGiven(get, sseCustomerPrefix) {
		return nil, s3err.Newf(s3err.InvalidRequest, "The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.")
	}
	key, err := a.dataKey(ctx, u.Attrs.Enc, get, sseCustomerPrefix)
	if err != nil || key == nil {
		return nil, err
	}
	return crypt.NewStream(key, partStream(n))
}
