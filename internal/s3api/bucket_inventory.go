package s3api

import (
	"context"
	"net/http"
	"regexp"
	"strings"

	"talus/internal/inventory"
	"talus/internal/meta"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

// maxInventoryBody bounds an InventoryConfiguration document.
const maxInventoryBody = 64 << 10

// maxReportConfigs is S3's limit of inventory (and analytics)
// configurations per bucket; listPageSize is S3's page of them.
const (
	maxReportConfigs = 1000
	listPageSize     = 100
)

// configID is the form S3 accepts for a configuration ID.
var configID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// configListSub tells a List request (GET ?inventory, ?analytics or ?metrics with
// no id) from a Get, as two routes.
func configListSub(k routeKey, req *request) string {
	if k.method == http.MethodGet && (k.sub == "inventory" || k.sub == "analytics" || k.sub == "metrics") && !req.query.Has("id") {
		return k.sub + "-list"
	}
	return k.sub
}

// requestConfigID reads and checks the id query parameter.
func requestConfigID(req *request) (string, error) {
	id := req.query.Get("id")
	if id == "" {
		return "", s3err.Newf(s3err.InvalidArgument, "Configuration ID must not be empty.").With("ArgumentName", "id")
	}
	if !configID.MatchString(id) {
		return "", s3err.Newf(s3err.InvalidArgument, "The configuration ID is not valid.").With("ArgumentName", "id").With("ArgumentValue", id)
	}
	return id, nil
}

func inventoryXML(c meta.InventoryConfig) s3xml.InventoryConfiguration {
	doc := s3xml.InventoryConfiguration{NS: s3xml.NS, ID: c.ID, IsEnabled: c.Enabled, IncludedObjectVersions: c.Versions,
		Schedule: s3xml.InventorySchedule{Frequency: c.Frequency}}
	d := &doc.Destination.S3BucketDestination
	d.AccountID, d.Bucket, d.Format, d.Prefix = c.DestAccount, "arn:aws:s3:::"+c.DestBucket, c.Format, c.DestPrefix
	switch c.SSE {
	case "SSE-S3":
		d.Encryption = &s3xml.InventoryEncryption{SSES3: &struct{}{}}
	case "SSE-KMS":
		d.Encryption = &s3xml.InventoryEncryption{SSEKMS: &s3xml.InventorySSEKMS{KeyID: c.KMSKeyID}}
	}
	if c.FilterPrefix != "" {
		doc.Filter = &s3xml.InventoryFilter{Prefix: c.FilterPrefix}
	}
	if len(c.Fields) > 0 {
		doc.OptionalFields = &s3xml.InventoryOptionalFields{Fields: c.Fields}
	}
	return doc
}

// inventoryKind serves the Get, List, Put and Delete of inventory
// configurations.
var inventoryKind = configKind[meta.InventoryConfig, s3xml.InventoryConfiguration]{
	root: "InventoryConfiguration", list: func(c *meta.BucketConfig) *[]meta.InventoryConfig { return &c.Inventory },
	id: inventoryID, toXML: inventoryXML, parse: inventoryConfig,
	keep: func(old meta.InventoryConfig, c *meta.InventoryConfig) { c.LastRun = old.LastRun },
}

func (a *API) getBucketInventory(ctx context.Context, req *request) (*response, error) {
	return inventoryKind.get(a, ctx, req)
}

func (a *API) listBucketInventory(ctx context.Context, req *request) (*response, error) {
	token, page, next, err := inventoryKind.page(a, ctx, req)
	if err != nil {
		return nil, err
	}
	return xmlResponse(http.StatusOK, s3xml.ListInventoryConfigurationsResult{NS: s3xml.NS, ContinuationToken: token,
		Configurations: page, NextContinuationToken: next, IsTruncated: next != ""}), nil
}

func (a *API) putBucketInventory(ctx context.Context, req *request) (*response, error) {
	return inventoryKind.put(a, ctx, req)
}

// inventoryConfig checks a configuration document as S3 does.
func inventoryConfig(id string, doc s3xml.InventoryConfiguration) (meta.InventoryConfig, error) {
	if doc.ID != id {
		return meta.InventoryConfig{}, s3err.Newf(s3err.InvalidArgument, "The Id in the configuration does not match the id parameter.")
	}
	d := doc.Destination.S3BucketDestination
	c := meta.InventoryConfig{ID: id, Enabled: doc.IsEnabled, DestAccount: d.AccountID, Format: d.Format, DestPrefix: d.Prefix,
		Versions: doc.IncludedObjectVersions, Frequency: doc.Schedule.Frequency}
	dest, ok := strings.CutPrefix(d.Bucket, "arn:aws:s3:::")
	if !ok || dest == "" || strings.Contains(dest, "/") {
		return c, s3err.Newf(s3err.InvalidArgument, "Invalid destination bucket ARN.").With("ArgumentName", "Bucket").With("ArgumentValue", d.Bucket)
	}
	c.DestBucket = dest
	switch d.Format {
	case inventory.CSV, inventory.Parquet:
	case inventory.ORC:
		return c, s3err.Newf(s3err.NotImplemented, "ORC inventory reports are not implemented; use CSV or Parquet.")
	default:
		return c, s3err.New(s3err.MalformedXML)
	}
	switch c.Versions {
	case "All", "Current":
	default:
		return c, s3err.New(s3err.MalformedXML)
	}
	switch c.Frequency {
	case "Daily", "Weekly":
	default:
		return c, s3err.New(s3err.MalformedXML)
	}
	if e := d.Encryption; e != nil {
		switch {
		case e.SSES3 != nil && e.SSEKMS != nil:
			return c, s3err.New(s3err.MalformedXML)
		case e.SSES3 != nil:
			c.SSE = "SSE-S3"
		case e.SSEKMS != nil:
			if e.SSEKMS.KeyID == "" {
				return c, s3err.New(s3err.MalformedXML)
			}
			c.SSE, c.KMSKeyID = "SSE-KMS", e.SSEKMS.KeyID
		}
	}
	if doc.Filter != nil {
		c.FilterPrefix = doc.Filter.Prefix
	}
	if doc.OptionalFields != nil {
		seen := map[string]bool{}
		for _, f := range doc.OptionalFields.Fields {
			if !inventory.ValidField(f) {
				return c, s3err.New(s3err.MalformedXML)
			}
			if !seen[f] {
				seen[f] = true
				c.Fields = append(c.Fields, f)
			}
		}
	}
	return c, nil
}

func (a *API) deleteBucketInventory(ctx context.Context, req *request) (*response, error) {
	return inventoryKind.delete(a, ctx, req)
}

// PutReport writes one inventory report object as the inventory service.
func (a *API) PutReport(ctx context.Context, o inventory.Object) error {
	return a.PutServiceObject(ctx, ServiceObject{Service: inventory.ServicePrincipal, AlsoAs: []string{"s3.amazonaws.com"}, Bucket: o.Bucket, Key: o.Key,
		SourceBucket: o.SourceBucket, SourceAccount: o.SourceAccount, ContentType: o.ContentType, Data: o.Data,
		SSE: o.SSE, KMSKeyID: o.KMSKeyID})
}

// OwnerAccount is the account ID of a bucket owner's canonical ID.
func (a *API) OwnerAccount(ctx context.Context, canonicalID string) string {
	return a.ownerAccount(ctx, canonicalID)
}

func inventoryID(c meta.InventoryConfig) string { return c.ID }
