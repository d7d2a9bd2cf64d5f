package sqlmeta

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"talus/internal/meta"
)

var _ meta.ObjectLambda = (*Base)(nil)

const olapCols = `account, name, bucket, transformer, payload, features, created`

func scanOLAP(r Scanner) (meta.ObjectLambdaAccessPoint, error) {
	var ap meta.ObjectLambdaAccessPoint
	var features string
	var created int64
	err := r.Scan(&ap.Account, &ap.Name, &ap.Bucket, &ap.Transformer, &ap.Payload, &features, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return ap, meta.ErrNoSuchObjectLambdaAccessPoint
	}
	if features != "" {
		ap.AllowedFeatures = strings.Split(features, ",")
	}
	ap.Created = FromNanos(created)
	return ap, err
}

func (s *Base) PutObjectLambdaAccessPoint(ctx context.Context, ap meta.ObjectLambdaAccessPoint) error {
	return s.write(func(tx Tx) error {
		_, err := scanOLAP(tx.QueryRowContext(ctx, `SELECT `+olapCols+` FROM object_lambda_access_points WHERE account = ? AND name = ?`, ap.Account, ap.Name))
		switch {
		case err == nil:
			return meta.ErrObjectLambdaAccessPointExists
		case !errors.Is(err, meta.ErrNoSuchObjectLambdaAccessPoint):
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO object_lambda_access_points(`+olapCols+`) VALUES (?,?,?,?,?,?,?)`,
			ap.Account, ap.Name, ap.Bucket, ap.Transformer, ap.Payload, strings.Join(ap.AllowedFeatures, ","), Nanos(ap.Created))
		return err
	})
}

func (s *Base) GetObjectLambdaAccessPoint(ctx context.Context, account, name string) (meta.ObjectLambdaAccessPoint, error) {
	return scanOLAP(s.r.QueryRowContext(ctx, `SELECT `+olapCols+` FROM object_lambda_access_points WHERE account = ? AND name = ?`, account, name))
}

func (s *Base) ListObjectLambdaAccessPoints(ctx context.Context) ([]meta.ObjectLambdaAccessPoint, error) {
	return QueryAll(ctx, s.r, `SELECT `+olapCols+` FROM object_lambda_access_points ORDER BY account, name`, nil, scanOLAP)
}

func (s *Base) DeleteObjectLambdaAccessPoint(ctx context.Context, account, name string) error {
	return s.write(func(tx Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM object_lambda_access_points WHERE account = ? AND name = ?`, account, name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return meta.ErrNoSuchObjectLambdaAccessPoint
		}
		return nil
	})
}
