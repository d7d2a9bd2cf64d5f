package s3api

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"talus/internal/meta"
	"talus/internal/policy"
	"talus/internal/s3"
)

// ErrServiceRefused is what PutServiceObject returns when the target
// bucket is gone or does not let the service write to it.
var ErrServiceRefused = errors.New("s3api: the target bucket refuses the service's object")

// ServiceObject is an object the server writes into a bucket on behalf of
// an AWS service principal: access logs, inventory and analytics reports.
type ServiceObject struct {
	Service string // e.g. logging.s3.amazonaws.com
	// AlsoAs are other names the service answers to in bucket policies
	// (AWS documents s3.amazonaws.com for inventory destinations too).
	AlsoAs      []string
	Bucket, Key string
	// SourceBucket and SourceAccount are the aws:SourceArn and
	// aws:SourceAccount condition values (the bucket reported on).
	SourceBucket, SourceAccount string
	ContentType                 string
	Data                        []byte
	// Grants are extra ACL grants on the object (logging's TargetGrants).
	Grants []meta.Grant
	// SSE is "" for the bucket's default encryption, "AES256" or
	// "aws:kms" (with KMSKeyID) to encrypt the object as asked.
	SSE, KMSKeyID string
}

// PutServiceObject writes o as S3 writes service deliveries: only if the
// target bucket's policy allows the service principal s3:PutObject (or,
// for log delivery into a bucket with ACLs enabled, the ACL grants the
// LogDelivery group WRITE), owned by the bucket owner, encrypted as asked
// or by the bucket's default.
func (a *API) PutServiceObject(ctx context.Context, o ServiceObject) error {
	b, err := a.meta.GetBucket(ctx, o.Bucket)
	if errors.Is(err, meta.ErrNoSuchBucket) {
		return fmt.Errorf("%w: bucket %s does not exist", ErrServiceRefused, o.Bucket)
	}
	if err != nil {
		return err
	}
	if !a.serviceAllowed(ctx, b, o) {
		return fmt.Errorf("%w: %s may not write to bucket %s", ErrServiceRefused, o.Service, o.Bucket)
	}
	ctx = meta.InAccount(ctx, a.ownerAccount(ctx, b.Owner))
	get := func(name string) string {
		switch name {
		case "x-amz-server-side-encryption":
			return o.SSE
		case "x-amz-server-side-encryption-aws-kms-key-id":
			return o.KMSKeyID
		}
		return ""
	}
	seal, err := a.encryptionFor(ctx, get, b, o.Key)
	if err != nil {
		return err
	}
	stream, err := seal.stream(streamObject)
	if err != nil {
		return err
	}
	p := copyPayload(bytes.NewReader(o.Data), int64(len(o.Data)), "")
	st, err := a.storeBody(ctx, p, stream)
	if err != nil {
		return err
	}
	attrs := meta.Attrs{ContentType: o.ContentType, Enc: seal.record()}
	if len(o.Grants) > 0 && !aclsDisabled(b) {
		attrs.ACL = append([]meta.Grant{{ID: b.Owner, Permission: s3.PermFullControl}}, o.Grants...)
	}
	obj := &meta.Object{Bucket: o.Bucket, Key: o.Key, Size: st.size, ETag: etagOf(p.hasher.MD5()),
		StorageClass: "STANDARD", Owner: b.Owner, BlobID: st.blobID, Inline: st.inline, Attrs: attrs}
	res, err := a.meta.PutObject(ctx, obj, meta.PutOptions{})
	if err != nil {
		if st.blobID != "" {
			a.deleteBlobs(st.blobID)
		}
		return err
	}
	a.deleteBlobs(res.Freed...)
	return nil
}

// serviceAllowed evaluates the target bucket's policy for the service
// principal, with the source bucket and account as aws:SourceArn and
// aws:SourceAccount, as AWS's recommended delivery policies test them.
func (a *API) serviceAllowed(ctx context.Context, b meta.Bucket, o ServiceObject) bool {
	if b.Config.Policy != "" {
		if d := a.authz.bucketPolicy(b.Name, b.Config.Policy); d != nil {
			allow := false
			for _, name := range append([]string{o.Service}, o.AlsoAs...) {
				pr := policy.Request{
					Principal: policy.Principal{Service: name},
					Action:    "s3:PutObject",
					Resource:  arn(b.Name, o.Key, true),
					Context: map[string][]string{
						"aws:SourceArn":             {arn(o.SourceBucket, "", false)},
						"aws:SourceAccount":         {o.SourceAccount},
						"aws:PrincipalIsAWSService": {"true"},
						"aws:PrincipalServiceName":  {name},
						"aws:SecureTransport":       {"true"},
						// Deliveries grant the bucket owner full control, as S3's do.
						"s3:x-amz-acl":        {"bucket-owner-full-control"},
						"s3:ResourceAccount":  {a.ownerAccount(ctx, b.Owner)},
						"aws:ResourceAccount": {a.ownerAccount(ctx, b.Owner)},
					},
				}
				switch d.Evaluate(&pr) {
				case policy.Deny:
					return false
				case policy.Allow:
					allow = true
				}
			}
			if allow {
				return true
			}
		}
	}
	if o.Service == "logging.s3.amazonaws.com" && !aclsDisabled(b) {
		for _, g := range b.Config.ACL {
			if g.URI == s3.LogDelivery && (g.Permission == s3.PermWrite || g.Permission == s3.PermFullControl) {
				return true
			}
		}
	}
	return false
}
