package s3api

import "context"

// sseConditionKeys adds the server-side encryption condition keys of a
// request to c. get reads the request's headers, or a POST form's fields.
// Like S3, the keys hold what the request itself asks for: an upload that
// relies on the bucket's default encryption has none of them, so a bucket
// policy denying uploads where s3:x-amz-server-side-encryption is Null
// refuses it, as S3 does. The KMS key ID key holds the key's ARN, the form
// AWS documents for policies, when the key service knows the key the
// request names; otherwise the value as sent.
func (a *API) sseConditionKeys(ctx context.Context, c map[string][]string, get func(string) string) {
	if v := get("x-amz-server-side-encryption"); v != "" {
		c["s3:x-amz-server-side-encryption"] = []string{v}
	}
	if v := get("x-amz-server-side-encryption-aws-kms-key-id"); v != "" {
		c["s3:x-amz-server-side-encryption-aws-kms-key-id"] = []string{a.kmsKeyARN(ctx, v)}
	}
	if v := get("x-amz-server-side-encryption-customer-algorithm"); v != "" {
		c["s3:x-amz-server-side-encryption-customer-algorithm"] = []string{v}
	}
}

// kmsKeyARN returns the ARN of the KMS key ref names (a key ID, key ARN,
// alias name or alias ARN), or ref itself when no key service resolves it.
func (a *API) kmsKeyARN(ctx context.Context, ref string) string {
	if a.cfg.KMS == nil {
		return ref
	}
	k, err := a.cfg.KMS.Describe(ctx, ref)
	if err != nil || k.ARN == "" {
		return ref // the write itself answers for a key that does not resolve
	}
	return k.ARN
}
