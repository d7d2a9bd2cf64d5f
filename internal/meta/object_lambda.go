package meta

import (
	"context"
	"errors"
	"time"
)

// Object Lambda access point errors.
var (
	ErrNoSuchObjectLambdaAccessPoint = errors.New("meta: no such Object Lambda access point")
	ErrObjectLambdaAccessPointExists = errors.New("meta: Object Lambda access point exists")
)

// ObjectLambdaAccessPoint is an S3 Object Lambda access point: GETs
// through it are answered by a transformer (a webhook standing in for the
// Lambda function) that reads the object of Bucket and writes the
// response with WriteGetObjectResponse. Its name is unique in its account.
type ObjectLambdaAccessPoint struct {
	Account     string // the owning account's 12-digit ID
	Name        string
	Bucket      string // the supporting bucket
	Transformer string // the URL the event is POSTed to
	Payload     string // configuration.payload of the event ("" for none)
	// AllowedFeatures are AWS's: GetObject-Range, GetObject-PartNumber.
	AllowedFeatures []string
	Created         time.Time
}

// ObjectLambda stores Object Lambda access points. It is optional: the API
// finds it by type assertion on the Store. Reads see every committed
// write (read-after-write).
type ObjectLambda interface {
	// PutObjectLambdaAccessPoint stores ap: ErrObjectLambdaAccessPointExists
	// if its account already has one of that name (nothing is changed).
	PutObjectLambdaAccessPoint(ctx context.Context, ap ObjectLambdaAccessPoint) error
	// GetObjectLambdaAccessPoint returns ErrNoSuchObjectLambdaAccessPoint if absent.
	GetObjectLambdaAccessPoint(ctx context.Context, account, name string) (ObjectLambdaAccessPoint, error)
	// ListObjectLambdaAccessPoints returns every access point, by account then name (byte order).
	ListObjectLambdaAccessPoints(ctx context.Context) ([]ObjectLambdaAccessPoint, error)
	// DeleteObjectLambdaAccessPoint returns ErrNoSuchObjectLambdaAccessPoint if absent.
	DeleteObjectLambdaAccessPoint(ctx context.Context, account, name string) error
}
