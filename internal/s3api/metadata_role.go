package s3api

import (
	"context"
	"errors"
	"strings"

	"talus/internal/iam"
	"talus/internal/meta"
	"talus/internal/policy"
	"talus/internal/s3err"
)

// MetadataService is the service principal S3 Metadata assumes an
// annotation table's Role as; the role's trust policy must allow it.
const MetadataService = "metadata.s3.amazonaws.com"

// annotationRoleActions are what the role must be allowed on the bucket's
// objects for the annotation table to be written: the annotations are
// listed and read as the role.
var annotationRoleActions = []string{"s3:ListObjectAnnotations", "s3:GetObjectAnnotation"}

// ErrAnnotationRole: the annotation table's role cannot be used (gone, no
// longer trusts the metadata service, or not allowed to read the
// bucket's annotations).
var ErrAnnotationRole = errors.New("s3api: the annotation table's role cannot read the bucket's annotations")

// parseRoleARN splits arn:aws:iam::ACCOUNT:role/PATH/NAME.
func parseRoleARN(arn string) (account, path, name string, ok bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	if !ok {
		return "", "", "", false
	}
	account, rest, ok = strings.Cut(rest, ":role/")
	if !ok || len(account) != 12 || strings.Trim(account, "0123456789") != "" || rest == "" || strings.HasSuffix(rest, "/") {
		return "", "", "", false
	}
	i := strings.LastIndexByte(rest, '/')
	path, name = "/", rest
	if i >= 0 {
		path, name = "/"+rest[:i+1], rest[i+1:]
	}
	return account, path, name, true
}

// annotationRole checks the Role of an annotation table configuration
// as S3 does when it is given: the caller may pass it (iam:PassRole), it
// is a role of the bucket owner's account, and its trust policy lets the
// metadata service assume it. It returns the role's ARN.
func (a *API) annotationRole(ctx context.Context, req *request, arn string) (string, error) {
	invalid := func(msg string) error {
		return s3err.Newf(s3err.InvalidArgument, "%s", msg).With("ArgumentName", "Role").With("ArgumentValue", arn)
	}
	account, _, _, ok := parseRoleARN(arn)
	if !ok {
		return "", invalid("The Role must be the ARN of an IAM role.")
	}
	b, err := a.bucket(ctx, req)
	if err != nil {
		return "", err
	}
	owner, err := a.cfg.Identities.AccountByCanonicalID(ctx, b.Owner)
	if err != nil {
		return "", err
	}
	if account != owner.ID {
		return "", invalid("The Role must be an IAM role of the bucket owner's account.")
	}
	if ok, err := a.cfg.Identities.IdentityAllows(ctx, req.principal, "iam:PassRole", arn); err != nil {
		return "", err
	} else if !ok {
		return "", s3err.Newf(s3err.AccessDenied, "User: %s is not authorized to perform: iam:PassRole on resource: %s", req.principal.ARN(), arn)
	}
	role, err := a.role(ctx, arn)
	if errors.Is(err, meta.ErrNoSuchEntity) {
		return "", invalid("The specified IAM role does not exist.")
	}
	if err != nil {
		return "", err
	}
	if !trustsMetadataService(role, arn) {
		return "", invalid("The IAM role's trust policy must allow " + MetadataService + " to assume it.")
	}
	return arn, nil
}

// role reads the role an ARN names (meta.ErrNoSuchEntity when there is
// none of that path and name).
func (a *API) role(ctx context.Context, arn string) (meta.Role, error) {
	account, path, name, ok := parseRoleARN(arn)
	if !ok {
		return meta.Role{}, meta.ErrNoSuchEntity
	}
	r, err := a.cfg.Identities.Directory().GetRole(meta.InAccount(ctx, account), name)
	if err != nil {
		return meta.Role{}, err
	}
	if r.Path != path && !(r.Path == "" && path == "/") {
		return meta.Role{}, meta.ErrNoSuchEntity
	}
	return r, nil
}

func trustsMetadataService(r meta.Role, arn string) bool {
	doc, err := policy.Parse([]byte(r.TrustPolicy), policy.TrustPolicy, "")
	if err != nil {
		return false
	}
	return doc.Evaluate(&policy.Request{Principal: policy.Principal{Service: MetadataService}, Action: "sts:AssumeRole", Resource: arn}) == policy.Allow
}

// CheckAnnotationRole reports whether the metadata service can read
// bucket's annotations as the role arn: the role exists, still trusts the
// service, and its permissions allow listing and reading annotations of
// the bucket's objects. It returns an error wrapping ErrAnnotationRole
// when it cannot.
func (o *Objects) CheckAnnotationRole(ctx context.Context, arn, bucket string) error {
	r, err := o.a.role(ctx, arn)
	if errors.Is(err, meta.ErrNoSuchEntity) {
		return errors.Join(ErrAnnotationRole, errors.New("the role does not exist"))
	}
	if err != nil {
		return err
	}
	if !trustsMetadataService(r, arn) {
		return errors.Join(ErrAnnotationRole, errors.New("the role's trust policy does not allow "+MetadataService))
	}
	account, _, _, _ := parseRoleARN(arn)
	p := iam.Principal{Account: account, Session: &iam.Session{Account: account, Role: r.Name, RoleID: r.ID, RolePath: r.Path, Name: "s3-metadata"}}
	for _, action := range annotationRoleActions {
		ok, err := o.a.cfg.Identities.IdentityAllows(ctx, p, action, "arn:aws:s3:::"+bucket+"/*")
		if err != nil {
			return err
		}
		if !ok {
			return errors.Join(ErrAnnotationRole, errors.New("the role is not allowed "+action+" on arn:aws:s3:::"+bucket+"/*"))
		}
	}
	return nil
}
