package metatest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"talus/internal/meta"
)

func testObjectLambdaAccessPoints(t *testing.T, s meta.Store) {
	ol, ok := s.(meta.ObjectLambda)
	if !ok {
		t.Fatalf("%T keeps no Object Lambda access points", s)
	}
	ap := meta.ObjectLambdaAccessPoint{Account: "111122223333", Name: "upper", Bucket: "src", Transformer: "http://127.0.0.1:1/t",
		Payload: `{"k":"v"}`, AllowedFeatures: []string{"GetObject-Range", "GetObject-PartNumber"}, Created: time.Now().UTC().Truncate(time.Millisecond)}
	if err := ol.PutObjectLambdaAccessPoint(ctx, ap); err != nil {
		t.Fatal(err)
	}
	dup := ap
	dup.Bucket = "other"
	if err := ol.PutObjectLambdaAccessPoint(ctx, dup); !errors.Is(err, meta.ErrObjectLambdaAccessPointExists) {
		t.Fatalf("duplicate access point: %v", err)
	}
	got, err := ol.GetObjectLambdaAccessPoint(ctx, "111122223333", "upper")
	if err != nil || got.Bucket != "src" || got.Transformer != ap.Transformer || got.Payload != ap.Payload ||
		!slices.Equal(got.AllowedFeatures, ap.AllowedFeatures) || !got.Created.Equal(ap.Created) {
		t.Fatalf("GetObjectLambdaAccessPoint %+v, %v", got, err)
	}
	// The same name in another account is another access point.
	if err := ol.PutObjectLambdaAccessPoint(ctx, meta.ObjectLambdaAccessPoint{Account: "000000000000", Name: "upper", Bucket: "b", Transformer: "t"}); err != nil {
		t.Fatal(err)
	}
	if got, err := ol.GetObjectLambdaAccessPoint(ctx, "000000000000", "upper"); err != nil || got.Bucket != "b" || got.AllowedFeatures != nil {
		t.Fatalf("other account's access point %+v, %v", got, err)
	}
	all, err := ol.ListObjectLambdaAccessPoints(ctx)
	if err != nil || len(all) != 2 || all[0].Account != "000000000000" || all[1].Account != "111122223333" {
		t.Fatalf("ListObjectLambdaAccessPoints %+v, %v", all, err)
	}
	if err := ol.DeleteObjectLambdaAccessPoint(ctx, "111122223333", "upper"); err != nil {
		t.Fatal(err)
	}
	if err := ol.DeleteObjectLambdaAccessPoint(ctx, "111122223333", "upper"); !errors.Is(err, meta.ErrNoSuchObjectLambdaAccessPoint) {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := ol.GetObjectLambdaAccessPoint(ctx, "111122223333", "upper"); !errors.Is(err, meta.ErrNoSuchObjectLambdaAccessPoint) {
		t.Fatalf("deleted access point: %v", err)
	}
	if _, err := ol.GetObjectLambdaAccessPoint(ctx, "000000000000", "upper"); err != nil {
		t.Fatalf("the other account's access point went with it: %v", err)
	}
}
