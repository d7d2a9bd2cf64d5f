package replicate

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	s3c "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"talus/internal/meta"
	"talus/internal/s3"
)

// RoundTripper is net/http's, named here so the server can hand over
// the API's in-process transport.
type RoundTripper = http.RoundTripper

// callOptions are every write's: an unsigned streamed body, and on a Talus
// destination the source's version ID.
func callOptions(d destination, vid string) []func(*s3c.Options) {
	opts := []func(*s3c.Options){s3c.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)}
	if d.talus && vid != "" && vid != meta.NullVersion {
		opts = append(opts, s3c.WithAPIOptions(smithyhttp.AddHeaderValue(s3.ReplicaVersionHeader, vid)))
	}
	return opts
}

// putVersion writes o's plaintext, metadata, tags, lock and encryption to
// the rule's destination.
func (r *Replicator) putVersion(ctx context.Context, b *meta.Bucket, rule *s3.ReplicationRule, o *meta.Object) error {
	d, err := r.clients.resolve(ctx, b.Owner, rule.Destination.Bucket)
	if err != nil {
		return err
	}
	body, err := r.cfg.Open(ctx, o)
	if err != nil {
		return err
	}
	defer body.Close()
	at := o.Attrs
	in := &s3c.PutObjectInput{Bucket: aws.String(d.bucket), Key: aws.String(o.Key), Body: body, ContentLength: aws.Int64(o.Size),
		Metadata: at.UserMeta}
	for _, f := range []struct {
		v   string
		dst **string
	}{{at.ContentType, &in.ContentType}, {at.ContentEncoding, &in.ContentEncoding}, {at.ContentDisposition, &in.ContentDisposition},
		{at.ContentLanguage, &in.ContentLanguage}, {at.CacheControl, &in.CacheControl}, {at.WebsiteRedirect, &in.WebsiteRedirectLocation}} {
		if f.v != "" {
			*f.dst = aws.String(f.v)
		}
	}
	integrity(in, o)
	if t, err := http.ParseTime(at.Expires); err == nil {
		in.Expires = aws.Time(t)
	}
	if len(at.Tags) > 0 {
		in.Tagging = aws.String(encodeTags(at.Tags))
	}
	class := rule.Destination.StorageClass
	if class == "" && o.StorageClass != "" && o.StorageClass != "STANDARD" {
		class = o.StorageClass
	}
	if class != "" {
		in.StorageClass = types.StorageClass(class)
	}
	if at.LockMode != "" && !at.LockUntil.IsZero() {
		in.ObjectLockMode, in.ObjectLockRetainUntilDate = types.ObjectLockMode(at.LockMode), aws.Time(at.LockUntil)
	}
	if at.LockLegalHold != "" {
		in.ObjectLockLegalHoldStatus = types.ObjectLockLegalHoldStatus(at.LockLegalHold)
	}
	if e := at.Enc; e != nil {
		switch {
		case (e.Algorithm == "aws:kms" || e.Algorithm == "aws:kms:dsse") && rule.Destination.ReplicaKMSKey != "":
			in.ServerSideEncryption, in.SSEKMSKeyId = types.ServerSideEncryptionAwsKms, aws.String(rule.Destination.ReplicaKMSKey)
		case e.Algorithm == "AES256":
			in.ServerSideEncryption = types.ServerSideEncryptionAes256
		}
	}
	if rule.Destination.OwnerOverride {
		// AccessControlTranslation: the destination's owner gets the replica.
		in.ACL = types.ObjectCannedACLBucketOwnerFullControl
	} else {
		grantHeaders(in, at.ACL)
	}
	var vid string
	if len(o.Parts) > 0 || o.Size > r.cfg.MultipartThreshold {
		vid, err = r.putMultipart(ctx, d, in, o)
	} else {
		var out *s3c.PutObjectOutput
		if out, err = d.client.PutObject(ctx, in, callOptions(d, o.VersionID)...); err == nil {
			vid = aws.ToString(out.VersionId)
		}
	}
	if err != nil {
		return classify(err)
	}
	r.stats.bytes.Add(o.Size)
	if !d.talus && vid != "" {
		return r.rememberReplica(ctx, o, rule.Destination.Bucket, vid)
	}
	return nil
}

// rememberReplica records the version ID a server that is not Talus gave
// o's copy at destination arn (bookkeeping: no journal record).
func (r *Replicator) rememberReplica(ctx context.Context, o *meta.Object, arn, vid string) error {
	_, err := r.cfg.Meta.UpdateObject(meta.Bookkeeping(ctx), o.Bucket, o.Key, o.VersionID, func(cur *meta.Object) error {
		if cur.Seq != o.Seq {
			return meta.ErrNoSuchVersion
		}
		if cur.Attrs.ReplicaVersions == nil {
			cur.Attrs.ReplicaVersions = map[string]string{}
		}
		cur.Attrs.ReplicaVersions[arn] = vid
		return nil
	})
	if errors.Is(err, meta.ErrNoSuchVersion) || errors.Is(err, meta.ErrNoSuchKey) {
		return nil
	}
	return err
}

// integrity sends what the destination checks the body against: the
// MD5 of a single-part version (its ETag) and its whole-object checksum.
// Writes with object lock settings need one of them.
func integrity(in *s3c.PutObjectInput, o *meta.Object) {
	if tag := strings.Trim(o.ETag, `"`); len(o.Parts) == 0 && len(tag) == 32 {
		if sum, err := hex.DecodeString(tag); err == nil {
			in.ContentMD5 = aws.String(base64.StdEncoding.EncodeToString(sum))
		}
	}
	if o.Attrs.ChecksumType != "FULL_OBJECT" {
		return
	}
	for alg, v := range o.Attrs.Checksums {
		switch alg {
		case "CRC32":
			in.ChecksumCRC32 = aws.String(v)
		case "CRC32C":
			in.ChecksumCRC32C = aws.String(v)
		case "CRC64NVME":
			in.ChecksumCRC64NVME = aws.String(v)
		case "SHA1":
			in.ChecksumSHA1 = aws.String(v)
		case "SHA256":
			in.ChecksumSHA256 = aws.String(v)
		}
	}
}

func encodeTags(tags map[string]string) string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for i, k := range keys {
		if i > 0 {
			sb.WriteByte('&')
		}
		sb.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(tags[k]))
	}
	return sb.String()
}

// grantHeaders copies an explicit ACL as x-amz-grant-* headers.
func grantHeaders(in *s3c.PutObjectInput, acl []meta.Grant) {
	by := map[string][]string{}
	for _, g := range acl {
		var who string
		switch {
		case g.URI != "":
			who = `uri="` + g.URI + `"`
		case g.Email != "":
			who = `emailAddress="` + g.Email + `"`
		default:
			who = `id="` + g.ID + `"`
		}
		by[g.Permission] = append(by[g.Permission], who)
	}
	set := func(p string, dst **string) {
		if v := by[p]; len(v) > 0 {
			*dst = aws.String(strings.Join(v, ", "))
		}
	}
	set("FULL_CONTROL", &in.GrantFullControl)
	set("READ", &in.GrantRead)
	set("READ_ACP", &in.GrantReadACP)
	set("WRITE_ACP", &in.GrantWriteACP)
}

// deleteMarker adds a delete marker on the rule's destination.
func (r *Replicator) deleteMarker(ctx context.Context, b *meta.Bucket, rule *s3.ReplicationRule, o *meta.Object) error {
	d, err := r.clients.resolve(ctx, b.Owner, rule.Destination.Bucket)
	if err != nil {
		return err
	}
	_, err = d.client.DeleteObject(ctx, &s3c.DeleteObjectInput{Bucket: aws.String(d.bucket), Key: aws.String(o.Key)}, callOptions(d, o.VersionID)...)
	return classify(err)
}

// replicateMetadata copies a change of tags, retention or legal hold to
// replicas: on Talus destinations the replica has the same version ID;
// other servers gave it another, which replication recorded when it wrote
// the copy (Attrs.ReplicaVersions). A replica's
// own changes go back only with ReplicaModifications; changes replication
// itself made are never sent on.
func (r *Replicator) replicateMetadata(ctx context.Context, b *meta.Bucket, o *meta.Object, rec *meta.Record, arn string) error {
	if rec.ByReplication || o.DeleteMarker {
		return nil
	}
	replica := o.Attrs.ReplicationStatus == s3.ReplicationReplica
	if !replica && o.Attrs.ReplicationStatus != s3.ReplicationCompleted {
		return nil
	}
	for _, rule := range b.Config.Replication.Select(o.Replication()) {
		if rule.Destination.Bucket != arn || replica && rule.ReplicaModifications != "Enabled" {
			continue
		}
		d, err := r.clients.resolve(ctx, b.Owner, rule.Destination.Bucket)
		if err != nil {
			return err
		}
		vid := o.VersionID
		if !d.talus {
			if vid = o.Attrs.ReplicaVersions[rule.Destination.Bucket]; vid == "" {
				// Copied before version IDs were recorded, or to an
				// unversioned bucket: the copy cannot be named.
				continue
			}
		}
		err = r.sendMetadata(ctx, d, o, vid, rec.Event)
		var pe *permanentError
		if errors.As(err, &pe) {
			r.cfg.Logger.Warn("metadata replication refused", "bucket", o.Bucket, "key", o.Key, "destination", rule.Destination.Bucket, "err", err)
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (r *Replicator) sendMetadata(ctx context.Context, d destination, o *meta.Object, replicaVID, event string) error {
	opts := callOptions(d, o.VersionID)
	bk, key, vid := aws.String(d.bucket), aws.String(o.Key), aws.String(replicaVID)
	var err error
	switch event {
	case meta.EventTaggingPut, meta.EventTaggingDelete:
		if len(o.Attrs.Tags) == 0 {
			_, err = d.client.DeleteObjectTagging(ctx, &s3c.DeleteObjectTaggingInput{Bucket: bk, Key: key, VersionId: vid}, opts...)
			break
		}
		ts := &types.Tagging{}
		for k, v := range o.Attrs.Tags {
			ts.TagSet = append(ts.TagSet, types.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		_, err = d.client.PutObjectTagging(ctx, &s3c.PutObjectTaggingInput{Bucket: bk, Key: key, VersionId: vid, Tagging: ts}, opts...)
	case meta.EventRetentionPut:
		ret := &types.ObjectLockRetention{}
		if o.Attrs.LockMode != "" {
			ret.Mode, ret.RetainUntilDate = types.ObjectLockRetentionMode(o.Attrs.LockMode), aws.Time(o.Attrs.LockUntil)
		}
		_, err = d.client.PutObjectRetention(ctx, &s3c.PutObjectRetentionInput{Bucket: bk, Key: key, VersionId: vid, Retention: ret,
			BypassGovernanceRetention: aws.Bool(true)}, opts...)
	case meta.EventLegalHoldPut:
		_, err = d.client.PutObjectLegalHold(ctx, &s3c.PutObjectLegalHoldInput{Bucket: bk, Key: key, VersionId: vid,
			LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatus(o.Attrs.LockLegalHold)}}, opts...)
	}
	if isNotFound(err) {
		return nil // the replica is not there (yet, or any more)
	}
	return classify(err)
}
