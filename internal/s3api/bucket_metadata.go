package s3api

import (
	"context"
	"errors"
	"net/http"

	"github.com/google/uuid"

	kmssvc "talus/internal/kms"
	"talus/internal/meta"
	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/s3xml"
)

// The S3 Metadata configuration operations, V1 (?metadataTable) and V2
// (?metadataConfiguration and the table updates). The configuration is
// kept with the bucket; the metadata table worker creates and fills the
// tables and moves their status from CREATING to ACTIVE.

// metadataConfig returns the bucket and its configuration, or
// MetadataConfigurationNotFound.
func (a *API) metadataConfig(ctx context.Context, req *request) (meta.Bucket, *meta.MetadataConfig, error) {
	b, err := a.bucket(ctx, req)
	if err != nil {
		return b, nil, err
	}
	if b.Config.Metadata == nil {
		return b, nil, s3err.New(s3err.MetadataConfigurationNotFound).With("BucketName", req.bucket)
	}
	return b, b.Config.Metadata, nil
}

// bucketXML reads the request's document once the bucket is known to
// exist; configXML once it has a metadata configuration.
func (a *API) bucketXML(ctx context.Context, req *request, root string, v any) error {
	if _, err := a.bucket(ctx, req); err != nil {
		return err
	}
	return a.readXML(req, root, v)
}

func (a *API) configXML(ctx context.Context, req *request, root string, v any) error {
	if _, _, err := a.metadataConfig(ctx, req); err != nil {
		return err
	}
	return a.readXML(req, root, v)
}

func (a *API) createBucketMetadataTableConfiguration(ctx context.Context, req *request) (*response, error) {
	var doc s3xml.MetadataTableConfiguration
	if err := a.bucketXML(ctx, req, "MetadataTableConfiguration", &doc); err != nil {
		return nil, err
	}
	d := doc.Destination
	if d == nil || d.TableBucketArn == nil || d.TableName == nil {
		return nil, s3err.New(s3err.MalformedXML)
	}
	region, account, tb, ok := s3.ParseTableBucketARN(*d.TableBucketArn)
	if !ok {
		return nil, s3err.Newf(s3err.InvalidArgument, "The specified table bucket ARN is not valid.").With("ArgumentName", "TableBucketArn").With("ArgumentValue", *d.TableBucketArn)
	}
	if region != a.cfg.Region || account != req.principal.AccountID() {
		return nil, s3err.Newf(s3err.InvalidRequest, "The table bucket must be in the same Region and account as the general purpose bucket.")
	}
	if !s3.ValidTableName(*d.TableName) {
		return nil, s3err.Newf(s3err.InvalidArgument, "The specified table name is not valid.").With("ArgumentName", "TableName").With("ArgumentValue", *d.TableName)
	}
	if tb == req.bucket {
		// Its own table files would be journaled into itself without end.
		return nil, s3err.Newf(s3err.InvalidRequest, "The table bucket cannot be the general purpose bucket itself.")
	}
	c := &meta.MetadataConfig{V1: true, TableBucket: tb, Namespace: s3.MetadataNamespaceV1,
		Journal: meta.MetadataTable{Enabled: true, Name: *d.TableName}}
	return a.storeMetadataConfig(ctx, req, c)
}

func (a *API) createBucketMetadataConfiguration(ctx context.Context, req *request) (*response, error) {
	var doc s3xml.MetadataConfiguration
	if err := a.bucketXML(ctx, req, "MetadataConfiguration", &doc); err != nil {
		return nil, err
	}
	j := doc.Journal
	if j == nil || j.RecordExpiration == nil || j.RecordExpiration.Expiration == nil {
		return nil, s3err.New(s3err.MalformedXML)
	}
	days, err := s3.CheckRecordExpiration(*j.RecordExpiration.Expiration, j.RecordExpiration.Days)
	if err != nil {
		return nil, metadataConfigError(err)
	}
	c := &meta.MetadataConfig{TableBucket: s3.MetadataTableBucketV2, Namespace: s3.MetadataNamespaceV2(req.bucket),
		ExpirationDays: days, Journal: meta.MetadataTable{Enabled: true, Name: "journal"}}
	if err := a.tableEncryption(ctx, &c.Journal, j.Encryption); err != nil {
		return nil, err
	}
	if inv := doc.Inventory; inv != nil {
		t, err := a.optionalTable(ctx, "inventory", inv.State, inv.Encryption)
		if err != nil {
			return nil, err
		}
		c.Inventory = t
	}
	if an := doc.Annotation; an != nil {
		t, err := a.annotationTable(ctx, req, an)
		if err != nil {
			return nil, err
		}
		c.Annotation = t
	}
	return a.storeMetadataConfig(ctx, req, c)
}

// optionalTable reads the inventory (or annotation) part of a
// configuration.
func (a *API) optionalTable(ctx context.Context, name string, state *string, enc *s3xml.MetadataTableEncryptionSettings) (*meta.MetadataTable, error) {
	if state == nil {
		return nil, s3err.New(s3err.MalformedXML)
	}
	if err := s3.CheckConfigurationState(*state); err != nil {
		return nil, metadataConfigError(err)
	}
	t := &meta.MetadataTable{Name: name, Enabled: *state == s3.MetadataEnabled}
	if err := a.tableEncryption(ctx, t, enc); err != nil {
		return nil, err
	}
	if t.Enabled {
		t.Status, t.ID = s3.TableCreating, uuid.NewString()
	}
	return t, nil
}

// tableEncryption validates and records a table's EncryptionConfiguration
// (absent: SSE-S3, as S3 defaults).
func (a *API) tableEncryption(ctx context.Context, t *meta.MetadataTable, enc *s3xml.MetadataTableEncryptionSettings) error {
	t.SSEAlgorithm, t.KMSKeyARN = s3.SSES3, ""
	if enc == nil {
		return nil
	}
	if enc.SseAlgorithm == nil {
		return s3err.New(s3err.MalformedXML)
	}
	kms := ""
	if enc.KmsKeyArn != nil {
		kms = *enc.KmsKeyArn
	}
	if err := s3.CheckTableEncryption(*enc.SseAlgorithm, kms, a.cfg.Region); err != nil {
		return metadataConfigError(err)
	}
	t.SSEAlgorithm = *enc.SseAlgorithm
	if *enc.SseAlgorithm == s3.SSEKMS {
		// The table's files are written SSE-KMS under the key, so it must
		// be usable now (DescribeKey, as S3 checks it) and be a customer
		// managed key, as S3 requires.
		k, err := a.cfg.KMS.Describe(ctx, kms)
		if err != nil {
			return kmsError(err, kms)
		}
		switch {
		case k.State == kmssvc.StateDisabled:
			return kmsError(kmssvc.ErrDisabled, kms)
		case k.State == kmssvc.StatePendingDeletion:
			return kmsError(kmssvc.ErrInvalidState, kms)
		case k.Manager != "CUSTOMER":
			return s3err.Newf(s3err.InvalidArgument, "KmsKeyArn must be a customer managed KMS key.").With("ArgumentName", "KmsKeyArn").With("ArgumentValue", kms)
		}
		t.KMSKeyARN = k.ARN
	}
	return nil
}

// storeMetadataConfig saves a new configuration unless the bucket has one
// or is itself a table bucket.
func (a *API) storeMetadataConfig(ctx context.Context, req *request, c *meta.MetadataConfig) (*response, error) {
	if b, err := a.bucket(ctx, req); err != nil {
		return nil, err
	} else if b.Config.Tables != nil || c.TableBucket == req.bucket {
		return nil, s3err.Newf(s3err.InvalidRequest, "S3 Metadata cannot be configured on a table bucket.")
	}
	c.Created = a.cfg.Now().UTC()
	seq, err := a.meta.JournalSeq(ctx)
	if err != nil {
		return nil, err
	}
	c.JournalStart = seq
	c.Journal.Status, c.Journal.ID = s3.TableCreating, uuid.NewString()
	err = a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error {
		if b.Config.Metadata != nil {
			return s3err.New(s3err.MetadataConfigurationAlreadyExists).With("BucketName", req.bucket)
		}
		b.Config.Metadata = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	a.wakeMetadataTables()
	return newResponse(http.StatusOK), nil
}

func (a *API) getBucketMetadataTableConfiguration(ctx context.Context, req *request) (*response, error) {
	b, c, err := a.metadataConfig(ctx, req)
	if err != nil {
		return nil, err
	}
	arn, err := a.metadataARNs(ctx, b)
	if err != nil {
		return nil, err
	}
	if !c.V1 {
		return nil, v2OnV1Operation()
	}
	doc := s3xml.GetBucketMetadataTableConfigurationResult{NS: s3xml.NS, Status: c.Journal.Status, Error: tableError(&c.Journal)}
	doc.Result.Destination = s3xml.S3TablesDestinationResult{TableBucketArn: arn.tableBucket(), TableName: c.Journal.Name,
		TableArn: arn.table(&c.Journal), TableNamespace: c.Namespace}
	return xmlResponse(http.StatusOK, doc), nil
}

// v2OnV1Operation answers a V1 Get or Delete on a V2 configuration.
func v2OnV1Operation() error {
	return s3err.Newf(s3err.MethodNotAllowed, "This operation is not allowed on a metadata configuration created with CreateBucketMetadataConfiguration; use the V2 operations.")
}

func (a *API) getBucketMetadataConfiguration(ctx context.Context, req *request) (*response, error) {
	b, c, err := a.metadataConfig(ctx, req)
	if err != nil {
		return nil, err
	}
	arn, err := a.metadataARNs(ctx, b)
	if err != nil {
		return nil, err
	}
	kind := "aws"
	if c.V1 {
		kind = "customer"
	}
	res := s3xml.MetadataConfigurationResult{Destination: s3xml.DestinationResult{TableBucketType: kind,
		TableBucketArn: arn.tableBucket(), TableNamespace: c.Namespace}}
	exp := s3xml.RecordExpirationOut{Expiration: s3.MetadataDisabled}
	if c.ExpirationDays > 0 {
		exp = s3xml.RecordExpirationOut{Expiration: s3.MetadataEnabled, Days: c.ExpirationDays}
	}
	res.Journal = &s3xml.JournalTableConfigurationResult{TableStatus: c.Journal.Status, Error: tableError(&c.Journal),
		TableName: c.Journal.Name, TableArn: arn.table(&c.Journal), RecordExpiration: exp}
	if t := c.Inventory; t != nil {
		res.Inventory = optionalTableResult(arn, t)
	}
	if t := c.Annotation; t != nil {
		res.Annotation = optionalTableResult(arn, t)
	}
	return xmlResponse(http.StatusOK, s3xml.GetBucketMetadataConfigurationResult{NS: s3xml.NS, Result: res}), nil
}

func optionalTableResult(arn metadataARNs, t *meta.MetadataTable) *s3xml.MetadataTableResult {
	r := &s3xml.MetadataTableResult{ConfigurationState: s3.MetadataDisabled, Role: t.Role}
	if t.Enabled {
		r.ConfigurationState, r.TableStatus, r.Error = s3.MetadataEnabled, t.Status, tableError(t)
		r.TableName, r.TableArn = t.Name, arn.table(t)
	}
	return r
}

func tableError(t *meta.MetadataTable) *s3xml.MetadataErrorDetails {
	if t.ErrorCode == "" {
		return nil
	}
	return &s3xml.MetadataErrorDetails{ErrorCode: t.ErrorCode, ErrorMessage: t.ErrorMessage}
}

// metadataARNs names a configuration's table bucket and tables in the
// account that owns the bucket.
type metadataARNs struct {
	region, account string
	c               *meta.MetadataConfig
}

func (a *API) metadataARNs(ctx context.Context, b meta.Bucket) (metadataARNs, error) {
	acct, err := a.cfg.Identities.AccountByCanonicalID(ctx, b.Owner)
	if err != nil {
		return metadataARNs{}, err
	}
	return metadataARNs{a.cfg.Region, acct.ID, b.Config.Metadata}, nil
}

func (n metadataARNs) tableBucket() string {
	return s3.TableBucketARN(n.region, n.account, n.c.TableBucket)
}

// table is arn:aws:s3tables:REGION:ACCOUNT:bucket/NAME/table/ID, as S3
// Tables names a table; "" until the table has an ID.
func (n metadataARNs) table(t *meta.MetadataTable) string {
	if t.ID == "" {
		return ""
	}
	return n.tableBucket() + "/table/" + t.ID
}

func (a *API) deleteBucketMetadataTableConfiguration(ctx context.Context, req *request) (*response, error) {
	return a.deleteMetadataConfig(ctx, req, true)
}

func (a *API) deleteBucketMetadataConfiguration(ctx context.Context, req *request) (*response, error) {
	return a.deleteMetadataConfig(ctx, req, false)
}

// deleteMetadataConfig removes the configuration; the tables stay in the
// table bucket, no longer updated, as S3 leaves them.
func (a *API) deleteMetadataConfig(ctx context.Context, req *request, v1 bool) (*response, error) {
	if _, _, err := a.metadataConfig(ctx, req); err != nil {
		return nil, err
	}
	err := a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error {
		c := b.Config.Metadata
		if c == nil {
			return s3err.New(s3err.MetadataConfigurationNotFound).With("BucketName", req.bucket)
		}
		if v1 && !c.V1 {
			return v2OnV1Operation()
		}
		b.Config.Metadata = nil
		return nil
	})
	if err != nil {
		return nil, err
	}
	return newResponse(http.StatusNoContent), nil
}

func (a *API) updateBucketMetadataJournalTableConfiguration(ctx context.Context, req *request) (*response, error) {
	var doc s3xml.JournalTableConfiguration
	if err := a.configXML(ctx, req, "JournalTableConfiguration", &doc); err != nil {
		return nil, err
	}
	if doc.RecordExpiration == nil || doc.RecordExpiration.Expiration == nil || doc.Encryption != nil {
		return nil, s3err.New(s3err.MalformedXML)
	}
	days, err := s3.CheckRecordExpiration(*doc.RecordExpiration.Expiration, doc.RecordExpiration.Days)
	if err != nil {
		return nil, metadataConfigError(err)
	}
	return a.updateMetadataConfig(ctx, req, func(c *meta.MetadataConfig) { c.ExpirationDays = days })
}

func (a *API) updateBucketMetadataInventoryTableConfiguration(ctx context.Context, req *request) (*response, error) {
	var doc s3xml.InventoryTableConfiguration
	if err := a.configXML(ctx, req, "InventoryTableConfiguration", &doc); err != nil {
		return nil, err
	}
	t, err := a.optionalTable(ctx, "inventory", doc.State, doc.Encryption)
	if err != nil {
		return nil, err
	}
	// Already on: the table, its data and status stay.
	return a.updateMetadataConfig(ctx, req, func(c *meta.MetadataConfig) { c.Inventory = keepTable(c.Inventory, t) })
}

// annotationTable reads the annotation part of a configuration. A Role
// is the IAM role the metadata service reads the annotations as; it is
// checked as S3 checks it (annotationRole) and the worker reads as it.
func (a *API) annotationTable(ctx context.Context, req *request, an *s3xml.AnnotationTableConfiguration) (*meta.MetadataTable, error) {
	t, err := a.optionalTable(ctx, "annotation", an.State, an.Encryption)
	if err != nil {
		return nil, err
	}
	if an.Role != nil && *an.Role != "" {
		if t.Role, err = a.annotationRole(ctx, req, *an.Role); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (a *API) updateBucketMetadataAnnotationTableConfiguration(ctx context.Context, req *request) (*response, error) {
	var doc s3xml.AnnotationTableConfiguration
	if err := a.configXML(ctx, req, "AnnotationTableConfiguration", &doc); err != nil {
		return nil, err
	}
	t, err := a.annotationTable(ctx, req, &doc)
	if err != nil {
		return nil, err
	}
	return a.updateMetadataConfig(ctx, req, func(c *meta.MetadataConfig) { c.Annotation = keepTable(c.Annotation, t) })
}

// keepTable is t, keeping old's table when both are enabled.
func keepTable(old, t *meta.MetadataTable) *meta.MetadataTable {
	if old != nil && old.Enabled && t.Enabled {
		t.ID, t.Status, t.ErrorCode, t.ErrorMessage = old.ID, old.Status, old.ErrorCode, old.ErrorMessage
	}
	return t
}

// updateMetadataConfig applies fn to a V2 configuration (V1 ones have no
// record expiration nor inventory: 405, as for V1 operations on V2).
func (a *API) updateMetadataConfig(ctx context.Context, req *request, fn func(*meta.MetadataConfig)) (*response, error) {
	err := a.meta.UpdateBucket(ctx, req.bucket, func(b *meta.Bucket) error {
		c := b.Config.Metadata
		if c == nil {
			return s3err.New(s3err.MetadataConfigurationNotFound).With("BucketName", req.bucket)
		}
		if c.V1 {
			return s3err.Newf(s3err.MethodNotAllowed, "This operation is not allowed on a metadata configuration created with CreateBucketMetadataTableConfiguration; re-create it with CreateBucketMetadataConfiguration.")
		}
		fn(c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	a.wakeMetadataTables()
	return newResponse(http.StatusOK), nil
}

func metadataConfigError(err error) error {
	var me *s3.MetadataConfigError
	if errors.As(err, &me) {
		if me.Code == "InvalidRequest" {
			return s3err.Newf(s3err.InvalidRequest, "%s", me.Message)
		}
		return s3err.Newf(s3err.InvalidArgument, "%s", me.Message)
	}
	if errors.Is(err, s3.ErrMetadataMalformed) {
		return s3err.New(s3err.MalformedXML)
	}
	return s3err.Internal(err)
}

func (a *API) wakeMetadataTables() {
	if a.cfg.MetadataTablesWake != nil {
		a.cfg.MetadataTablesWake()
	}
}
