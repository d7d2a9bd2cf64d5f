package s3api

import (
	"context"
	"net/http"

	"talus/internal/meta"
	"talus/internal/s3xml"
)

const abacEnabled = "Enabled"

func (a *API) getBucketAbac(ctx context.Context, req *request) (*response, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return nil, err
	}
	out := s3xml.AbacStatus{Status: "Disabled"}
	if b.Config.ABAC == abacEnabled {
		out.Status = abacEnabled
	}
	return xmlResponse(http.StatusOK, out), nil
}

func (a *API) putBucketAbac(ctx context.Context, req *request) (*response, error) {
	var doc s3xml.AbacStatus
	return a.putBucketSetting(ctx, req, "AbacStatus", &doc, func() string { return doc.Status }, []string{abacEnabled, "Disabled"}, nil,
		func(c *meta.BucketConfig, v string) {
			c.ABAC = ""
			if v == abacEnabled {
				c.ABAC = abacEnabled
			}
		})
}

// addResourceTags makes the bucket's tags the aws:ResourceTag/KEY
// condition keys of requests on it and its objects, once ABAC is
// enabled; before, tags are for cost allocation only and policies see no
// such keys.
func addResourceTags(b *meta.Bucket, c map[string][]string) {
	if b.Config.ABAC != abacEnabled {
		return
	}
	for k, v := range b.Config.Tags {
		c["aws:ResourceTag/"+k] = []string{v}
	}
}
