package replicate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	s3c "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"talus/internal/meta"
	"talus/internal/s3"
)

// destination is one bucket replication writes to.
type destination struct {
	client *s3c.Client
	bucket string
	// talus: the endpoint is a Talus, which keeps version IDs.
	talus bool
}

// clients builds and caches the S3 clients of destinations.
type clients struct {
	cfg Config
	mu  sync.Mutex
	// remote clients by remote name, and whether each is a Talus.
	remote map[string]*remoteClient
}

type remoteClient struct {
	client  *s3c.Client
	talus   bool
	checked bool
	created time.Time
}

func newClients(cfg Config) *clients { return &clients{cfg: cfg, remote: map[string]*remoteClient{}} }

// permanentError is a destination's refusal that retrying will not
// change (the version is marked FAILED).
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

func permanent(err error) error { return &permanentError{err} }

// classify marks 4xx answers (other than throttling and timeouts) as
// permanent; network errors and 5xx stay transient.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		switch s := re.HTTPStatusCode(); {
		case s == http.StatusRequestTimeout || s == http.StatusTooManyRequests || s == http.StatusConflict:
			return err
		case s >= 400 && s < 500:
			return permanent(err)
		}
	}
	return err
}

func newClient(endpoint, region, ak, sk string, pathStyle bool, hc *http.Client) *s3c.Client {
	return s3c.New(s3c.Options{
		Region:                     region,
		BaseEndpoint:               aws.String(endpoint),
		UsePathStyle:               pathStyle,
		Credentials:                credentials.NewStaticCredentialsProvider(ak, sk, ""),
		HTTPClient:                 hc,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		RetryMaxAttempts:           2,
	})
}

// resolve returns the destination of a rule for a source bucket owned by owner.
func (c *clients) resolve(ctx context.Context, owner string, arn string) (destination, error) {
	t, ok := s3.ParseReplicationTarget(arn)
	if !ok {
		return destination{}, permanent(fmt.Errorf("invalid destination %q", arn))
	}
	if t.Remote == "" {
		hc := &http.Client{Transport: c.cfg.Local(owner)}
		return destination{client: newClient("http://talus.local", c.cfg.Region, "local", "local", true, hc), bucket: t.Bucket, talus: true}, nil
	}
	rm, err := c.cfg.Meta.GetRemote(ctx, t.Remote)
	if errors.Is(err, meta.ErrNoSuchRemote) {
		return destination{}, permanent(fmt.Errorf("replication remote %q is not configured", t.Remote))
	}
	if err != nil {
		return destination{}, err
	}
	c.mu.Lock()
	rc := c.remote[t.Remote]
	if rc == nil || !rc.created.Equal(rm.Created) {
		secret, err := c.cfg.Unseal("remote:"+rm.Name, rm.SealedSecret)
		if err != nil {
			c.mu.Unlock()
			return destination{}, permanent(err)
		}
		region := rm.Region
		if region == "" {
			region = "us-east-1"
		}
		rc = &remoteClient{client: newClient(rm.Endpoint, region, rm.AccessKey, secret, rm.PathStyle, &http.Client{Timeout: 10 * time.Minute}), created: rm.Created}
		c.remote[t.Remote] = rc
	}
	checked, talus := rc.checked, rc.talus
	c.mu.Unlock()
	if !checked {
		// A Talus says so in its Server header; it keeps version IDs.
		out, err := rc.client.HeadBucket(ctx, &s3c.HeadBucketInput{Bucket: aws.String(t.Bucket)})
		if err != nil {
			return destination{}, classify(err)
		}
		if raw, ok := rawResponse(out.ResultMetadata); ok {
			talus = raw.Header.Get("Server") == "Talus"
		}
		c.mu.Lock()
		rc.talus, rc.checked = talus, true
		c.mu.Unlock()
	}
	return destination{client: rc.client, bucket: t.Bucket, talus: talus}, nil
}

func isNotFound(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && (ae.ErrorCode() == "NoSuchKey" || ae.ErrorCode() == "NotFound")
}

func rawResponse(md middleware.Metadata) (*smithyhttp.Response, bool) {
	r, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response)
	return r, ok
}
