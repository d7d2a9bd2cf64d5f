package s3remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"talus/internal/blob"
)

// Config names the remote bucket and how to reach it.
type Config struct {
	// Endpoint is the server's base URL (https://host:port).
	Endpoint string
	Bucket   string
	// Prefix is put before every blob ID (may be empty).
	Prefix string
	// Region signs requests (default us-east-1).
	Region    string
	AccessKey string
	SecretKey string
	// HTTPClient replaces the default HTTP client (custom CAs, tests).
	HTTPClient *http.Client
}

// ParseURL splits a remote tier URL of the form
// https://host:port/bucket[/prefix] into endpoint, bucket and prefix.
func ParseURL(raw string) (endpoint, bucket, prefix string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", "", err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", "", "", fmt.Errorf("remote tier URL must be http(s)://host[:port]/bucket[/prefix], not %q", raw)
	}
	bucket, prefix, _ = strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if bucket == "" {
		return "", "", "", fmt.Errorf("remote tier URL %q names no bucket", raw)
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return u.Scheme + "://" + u.Host, bucket, prefix, nil
}

// Store is a blob store in a remote bucket.
type Store struct {
	c      *s3.Client
	up     *manager.Uploader
	bucket string
	prefix string
}

var _ blob.Store = (*Store)(nil)

// partSize bounds the memory one Put holds: the uploader buffers one
// part at a time.
const partSize = 8 << 20

// Open returns a store for cfg after checking that the bucket is
// reachable with the credentials.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, errors.New("s3remote: credentials are required")
	}
	ac := aws.Config{
		Region:                     cfg.Region,
		Credentials:                credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	if cfg.HTTPClient != nil {
		ac.HTTPClient = cfg.HTTPClient
	}
	c := s3.NewFromConfig(ac, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(cfg.Endpoint)
		o.UsePathStyle = true
	})
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(cfg.Bucket)}); err != nil {
		return nil, fmt.Errorf("s3remote: bucket %s at %s: %w", cfg.Bucket, cfg.Endpoint, err)
	}
	up := manager.NewUploader(c, func(u *manager.Uploader) {
		u.PartSize = partSize
		u.Concurrency = 1
	})
	return &Store{c: c, up: up, bucket: cfg.Bucket, prefix: cfg.Prefix}, nil
}

func (s *Store) key(id string) (string, error) {
	if !blob.ValidID(id) {
		return "", blob.ErrInvalidID
	}
	return s.prefix + id, nil
}

// Put uploads r as the object for id; the remote server makes it durable
// before answering, and a failed or cancelled upload leaves no object
// (a multipart upload is aborted).
func (s *Store) Put(ctx context.Context, id string, r io.Reader) (int64, error) {
	key, err := s.key(id)
	if err != nil {
		return 0, err
	}
	cr := &countReader{r: r}
	if _, err := s.up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key), Body: cr}); err != nil {
		if cr.err != nil {
			return 0, cr.err
		}
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, fmt.Errorf("s3remote: put %s: %w", id, err)
	}
	return cr.n, nil
}

// countReader counts bytes and keeps the source's own error, so Put
// returns it rather than the SDK's wrapping.
type countReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF {
		c.err = err
	}
	return n, err
}

func notFound(err error) bool {
	var nk *types.NoSuchKey
	var nf *types.NotFound
	if errors.As(err, &nk) || errors.As(err, &nf) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "NoSuchKey" || ae.ErrorCode() == "NotFound")
}

// Open reads [off, off+length) with one ranged GET.
func (s *Store) Open(ctx context.Context, id string, off, length int64) (io.ReadCloser, error) {
	key, err := s.key(id)
	if err != nil {
		return nil, err
	}
	if length == 0 {
		if _, err := s.c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)}); err != nil {
			if notFound(err) {
				return nil, blob.ErrNotFound
			}
			return nil, err
		}
		return io.NopCloser(bytes.NewReader(nil)), nil
	}
	in := &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)}
	switch {
	case length > 0:
		in.Range = aws.String(fmt.Sprintf("bytes=%d-%d", off, off+length-1))
	case off > 0:
		in.Range = aws.String(fmt.Sprintf("bytes=%d-", off))
	}
	out, err := s.c.GetObject(ctx, in)
	if err != nil {
		if notFound(err) {
			return nil, blob.ErrNotFound
		}
		return nil, fmt.Errorf("s3remote: get %s: %w", id, err)
	}
	return out.Body, nil
}

func (s *Store) Delete(ctx context.Context, id string) error {
	key, err := s.key(id)
	if err != nil {
		return err
	}
	_, err = s.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil && !notFound(err) {
		return fmt.Errorf("s3remote: delete %s: %w", id, err)
	}
	return nil
}

// Walk lists the prefix, and aborts multipart uploads of ours older than
// staleTemp (left by a Put that died with its process).
func (s *Store) Walk(ctx context.Context, staleTemp time.Duration, fn func(id string, stored time.Time) error) error {
	p := s3.NewListObjectsV2Paginator(s.c, &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket), Prefix: aws.String(s.prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, o := range page.Contents {
			id := strings.TrimPrefix(aws.ToString(o.Key), s.prefix)
			if !blob.ValidID(id) {
				continue // not ours
			}
			if err := fn(id, aws.ToTime(o.LastModified)); err != nil {
				return err
			}
		}
	}
	return s.abortStale(ctx, staleTemp)
}

func (s *Store) abortStale(ctx context.Context, staleTemp time.Duration) error {
	cutoff := time.Now().Add(-staleTemp)
	in := &s3.ListMultipartUploadsInput{Bucket: aws.String(s.bucket), Prefix: aws.String(s.prefix)}
	for {
		out, err := s.c.ListMultipartUploads(ctx, in)
		if err != nil {
			return err
		}
		for _, u := range out.Uploads {
			if !blob.ValidID(strings.TrimPrefix(aws.ToString(u.Key), s.prefix)) || aws.ToTime(u.Initiated).After(cutoff) {
				continue
			}
			if _, err := s.c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(s.bucket), Key: u.Key, UploadId: u.UploadId}); err != nil && !notFound(err) {
				return err
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			return nil
		}
		in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
	}
}

func (s *Store) Close() error { return nil }
