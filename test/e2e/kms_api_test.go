package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"talus/internal/testserver"
)

func kmsClient(srv *testserver.Server, ak, sk string) *kms.Client {
	return kms.NewFromConfig(aws.Config{
		Region:      testserver.Region,
		Credentials: credentials.NewStaticCredentialsProvider(ak, sk, ""),
	}, func(o *kms.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.RetryMaxAttempts = 1
	})
}

func kmsRoot(srv *testserver.Server) *kms.Client {
	return kmsClient(srv, testserver.AccessKey, testserver.SecretKey)
}

// kmsCode returns the KMS exception name of err.
func kmsCode(t *testing.T, err error, want string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != want {
		t.Fatalf("error = %v, want %s", err, want)
	}
}

// kmsCall sends one raw KMS JSON request signed for "kms" and returns the
// status and decoded body.
func kmsCall(t *testing.T, srv *testserver.Server, ak, sk, op, body string, header ...string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService."+op)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if ak != "" {
		sum := sha256.Sum256([]byte(body))
		creds := aws.Credentials{AccessKeyID: ak, SecretAccessKey: sk}
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "kms", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		t.Fatalf("%s: Content-Type %q", op, ct)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: body is not JSON: %q", op, b)
	}
	return resp.StatusCode, out
}

func TestKMSAPIKeysAndAliases(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := kmsRoot(srv)
	created, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("app data")})
	if err != nil {
		t.Fatal(err)
	}
	md := created.KeyMetadata
	id := aws.ToString(md.KeyId)
	arn := "arn:aws:kms:us-east-1:000000000000:key/" + id
	if len(id) != 36 || aws.ToString(md.Arn) != arn || aws.ToString(md.AWSAccountId) != "000000000000" ||
		md.KeyState != types.KeyStateEnabled || !md.Enabled || md.KeyManager != types.KeyManagerTypeCustomer ||
		md.KeyUsage != types.KeyUsageTypeEncryptDecrypt || md.KeySpec != types.KeySpecSymmetricDefault ||
		md.Origin != types.OriginTypeAwsKms || aws.ToString(md.Description) != "app data" ||
		md.CreationDate == nil || time.Since(*md.CreationDate) > time.Minute || md.DeletionDate != nil ||
		len(md.EncryptionAlgorithms) != 1 || md.EncryptionAlgorithms[0] != types.EncryptionAlgorithmSpecSymmetricDefault {
		t.Fatalf("CreateKey metadata = %+v", md)
	}

	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{id, arn, "alias/app", "arn:aws:kms:us-east-1:000000000000:alias/app"} {
		out, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(ref)})
		if err != nil || aws.ToString(out.KeyMetadata.KeyId) != id {
			t.Fatalf("DescribeKey(%s) = %+v, %v", ref, out, err)
		}
	}
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/missing")})
	kmsCode(t, err, "NotFoundException")
	if !strings.Contains(err.Error(), "Alias arn:aws:kms:us-east-1:000000000000:alias/missing is not found.") {
		t.Fatalf("message = %v", err)
	}
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("0b1d8a2c-0000-4000-8000-000000000000")})
	kmsCode(t, err, "NotFoundException")
	// The S3 service key is created on first use and described as AWS managed.
	s3key, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/s3")})
	if err != nil || s3key.KeyMetadata.KeyManager != types.KeyManagerTypeAws {
		t.Fatalf("DescribeKey(alias/aws/s3) = %+v, %v", s3key, err)
	}
	_, err = c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: s3key.KeyMetadata.KeyId})
	kmsCode(t, err, "AccessDeniedException")

	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: aws.String(id)})
	kmsCode(t, err, "AlreadyExistsException")
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/aws/mine"), TargetKeyId: aws.String(id)})
	kmsCode(t, err, "NotAuthorizedException")
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("app2"), TargetKeyId: aws.String(id)})
	kmsCode(t, err, "ValidationException")
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/x"), TargetKeyId: aws.String("alias/app")})
	kmsCode(t, err, "ValidationException")

	// Paging through keys and aliases.
	second, _ := c.CreateKey(ctx, &kms.CreateKeyInput{})
	third, _ := c.CreateKey(ctx, &kms.CreateKeyInput{})
	want := map[string]bool{id: true, *second.KeyMetadata.KeyId: true, *third.KeyMetadata.KeyId: true, *s3key.KeyMetadata.KeyId: true}
	seen := map[string]bool{}
	var marker *string
	for pages := 0; ; pages++ {
		out, err := c.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(3), Marker: marker})
		if err != nil || len(out.Keys) > 3 || pages > 2 {
			t.Fatalf("ListKeys = %+v, %v", out, err)
		}
		for _, k := range out.Keys {
			if aws.ToString(k.KeyArn) != "arn:aws:kms:us-east-1:000000000000:key/"+aws.ToString(k.KeyId) {
				t.Fatalf("ListKeys entry %+v", k)
			}
			seen[aws.ToString(k.KeyId)] = true
		}
		if !out.Truncated {
			if out.NextMarker != nil {
				t.Fatalf("last page has NextMarker %q", *out.NextMarker)
			}
			break
		}
		marker = out.NextMarker
	}
	if len(seen) != len(want) {
		t.Fatalf("ListKeys saw %v, want %v", seen, want)
	}
	// The paginator the SDK offers works too.
	p := kms.NewListKeysPaginator(c, &kms.ListKeysInput{Limit: aws.Int32(1)})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.Keys)
	}
	if n != 4 {
		t.Fatalf("paginator listed %d keys", n)
	}
	_, err = c.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(1001)})
	kmsCode(t, err, "ValidationException")

	c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/b-second"), TargetKeyId: second.KeyMetadata.Arn})
	c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/c-third"), TargetKeyId: third.KeyMetadata.KeyId})
	as, err := c.ListAliases(ctx, &kms.ListAliasesInput{Limit: aws.Int32(2)})
	if err != nil || len(as.Aliases) != 2 || !as.Truncated || aws.ToString(as.Aliases[0].AliasName) != "alias/app" ||
		aws.ToString(as.Aliases[0].AliasArn) != "arn:aws:kms:us-east-1:000000000000:alias/app" || aws.ToString(as.Aliases[0].TargetKeyId) != id ||
		as.Aliases[0].CreationDate == nil {
		t.Fatalf("ListAliases = %+v, %v", as, err)
	}
	rest, err := c.ListAliases(ctx, &kms.ListAliasesInput{Marker: as.NextMarker})
	if err != nil || rest.Truncated || len(rest.Aliases) != 2 || aws.ToString(rest.Aliases[1].AliasName) != "alias/c-third" {
		t.Fatalf("ListAliases page 2 = %+v, %v", rest, err)
	}
	of, err := c.ListAliases(ctx, &kms.ListAliasesInput{KeyId: second.KeyMetadata.KeyId})
	if err != nil || len(of.Aliases) != 1 || aws.ToString(of.Aliases[0].AliasName) != "alias/b-second" {
		t.Fatalf("ListAliases(KeyId) = %+v, %v", of, err)
	}
	if _, err := c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: third.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	if d, _ := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/app")}); aws.ToString(d.KeyMetadata.KeyId) != *third.KeyMetadata.KeyId {
		t.Fatalf("alias/app names %s after UpdateAlias", aws.ToString(d.KeyMetadata.KeyId))
	}
	if _, err := c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/app")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/app")})
	kmsCode(t, err, "NotFoundException")
}

func TestKMSAPIDataKeys(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := kmsRoot(srv)
	k, _ := c.CreateKey(ctx, &kms.CreateKeyInput{})
	id := aws.ToString(k.KeyMetadata.KeyId)
	c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/dk"), TargetKeyId: aws.String(id)})
	ec := map[string]string{"purpose": "test", "aws:s3:arn": "arn:aws:s3:::b/k"}

	dk, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String("alias/dk"), KeySpec: types.DataKeySpecAes256, EncryptionContext: ec})
	if err != nil || len(dk.Plaintext) != 32 || len(dk.CiphertextBlob) == 0 || aws.ToString(dk.KeyId) != *k.KeyMetadata.Arn {
		t.Fatalf("GenerateDataKey = %+v, %v", dk, err)
	}
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob, EncryptionContext: ec})
	if err != nil || !bytes.Equal(dec.Plaintext, dk.Plaintext) || aws.ToString(dec.KeyId) != *k.KeyMetadata.Arn ||
		dec.EncryptionAlgorithm != types.EncryptionAlgorithmSpecSymmetricDefault {
		t.Fatalf("Decrypt = %+v, %v", dec, err)
	}
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob, EncryptionContext: map[string]string{"purpose": "other", "aws:s3:arn": "arn:aws:s3:::b/k"}})
	kmsCode(t, err, "InvalidCiphertextException")
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob})
	kmsCode(t, err, "InvalidCiphertextException")
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: []byte("definitely not a ciphertext blob")})
	kmsCode(t, err, "InvalidCiphertextException")
	other, _ := c.CreateKey(ctx, &kms.CreateKeyInput{})
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob, EncryptionContext: ec, KeyId: other.KeyMetadata.KeyId})
	kmsCode(t, err, "IncorrectKeyException")
	if _, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob, EncryptionContext: ec, KeyId: aws.String("alias/dk")}); err != nil {
		t.Fatalf("Decrypt naming the right key: %v", err)
	}

	wp, err := c.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: aws.String(id), NumberOfBytes: aws.Int32(64)})
	if err != nil || len(wp.CiphertextBlob) == 0 {
		t.Fatalf("GenerateDataKeyWithoutPlaintext = %+v, %v", wp, err)
	}
	if dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: wp.CiphertextBlob}); err != nil || len(dec.Plaintext) != 64 {
		t.Fatalf("Decrypt(without plaintext) = %d bytes, %v", len(dec.Plaintext), err)
	}
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(id)})
	kmsCode(t, err, "ValidationException")
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(id), NumberOfBytes: aws.Int32(1025)})
	kmsCode(t, err, "ValidationException")
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String("alias/none"), KeySpec: types.DataKeySpecAes128})
	kmsCode(t, err, "NotFoundException")

	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("hello kms")})
	if err != nil || aws.ToString(enc.KeyId) != *k.KeyMetadata.Arn || enc.EncryptionAlgorithm != types.EncryptionAlgorithmSpecSymmetricDefault {
		t.Fatalf("Encrypt = %+v, %v", enc, err)
	}
	if dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); err != nil || string(dec.Plaintext) != "hello kms" {
		t.Fatalf("Decrypt = %+v, %v", dec, err)
	}
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: make([]byte, 4097)})
	kmsCode(t, err, "ValidationException")
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("x"), DryRun: aws.Bool(true)})
	kmsCode(t, err, "DryRunOperationException")
}

func TestKMSAPIKeyStates(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := kmsRoot(srv)
	k, _ := c.CreateKey(ctx, &kms.CreateKeyInput{})
	id := k.KeyMetadata.KeyId
	enc, _ := c.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("state")})

	if _, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}
	if d, _ := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id}); d.KeyMetadata.KeyState != types.KeyStateDisabled || d.KeyMetadata.Enabled {
		t.Fatalf("after DisableKey: %+v", d.KeyMetadata)
	}
	_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
	kmsCode(t, err, "DisabledException")
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	kmsCode(t, err, "DisabledException")
	if _, err := c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: id}); err != nil {
		t.Fatal(err)
	}

	_, err = c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(6)})
	kmsCode(t, err, "ValidationException")
	sch, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id, PendingWindowInDays: aws.Int32(7)})
	if err != nil || sch.KeyState != types.KeyStatePendingDeletion || aws.ToInt32(sch.PendingWindowInDays) != 7 ||
		aws.ToString(sch.KeyId) != *k.KeyMetadata.Arn || sch.DeletionDate == nil ||
		sch.DeletionDate.Sub(time.Now().Add(7*24*time.Hour)).Abs() > time.Minute {
		t.Fatalf("ScheduleKeyDeletion = %+v, %v", sch, err)
	}
	if d, _ := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id}); d.KeyMetadata.KeyState != types.KeyStatePendingDeletion || d.KeyMetadata.DeletionDate == nil {
		t.Fatalf("after ScheduleKeyDeletion: %+v", d.KeyMetadata)
	}
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x")})
	kmsCode(t, err, "KMSInvalidStateException")
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	kmsCode(t, err, "KMSInvalidStateException")
	_, err = c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: id})
	kmsCode(t, err, "KMSInvalidStateException")
	_, err = c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: id})
	kmsCode(t, err, "KMSInvalidStateException")

	cancel, err := c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: id})
	if err != nil || aws.ToString(cancel.KeyId) != *k.KeyMetadata.Arn {
		t.Fatalf("CancelKeyDeletion = %+v, %v", cancel, err)
	}
	if d, _ := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: id}); d.KeyMetadata.KeyState != types.KeyStateDisabled || d.KeyMetadata.DeletionDate != nil {
		t.Fatalf("after CancelKeyDeletion: %+v", d.KeyMetadata)
	}
	_, err = c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: id})
	kmsCode(t, err, "KMSInvalidStateException")
}

func TestKMSAPIPermissions(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := kmsRoot(srv)
	allowed, _ := root.CreateKey(ctx, &kms.CreateKeyInput{})
	other, _ := root.CreateKey(ctx, &kms.CreateKeyInput{})
	root.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/other"), TargetKeyId: other.KeyMetadata.KeyId})
	enc, _ := root.Encrypt(ctx, &kms.EncryptInput{KeyId: allowed.KeyMetadata.KeyId, Plaintext: []byte("p")})

	doc := condDoc(`{"Effect": "Allow", "Action": ["kms:Encrypt", "kms:DescribeKey", "kms:CreateKey"], "Resource": "` + *allowed.KeyMetadata.Arn + `"},
		{"Effect": "Allow", "Action": "kms:CreateKey", "Resource": "*"}`)
	_, ak, sk := newUser(t, srv, "kmsuser", doc)
	u := kmsClient(srv, ak, sk)

	if _, err := u.Encrypt(ctx, &kms.EncryptInput{KeyId: allowed.KeyMetadata.KeyId, Plaintext: []byte("p")}); err != nil {
		t.Fatalf("allowed Encrypt: %v", err)
	}
	_, err := u.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	kmsCode(t, err, "AccessDeniedException")
	if !strings.Contains(err.Error(), "User: arn:aws:iam::000000000000:user/kmsuser is not authorized to perform: kms:Decrypt on resource: "+*allowed.KeyMetadata.Arn) {
		t.Fatalf("AccessDenied message = %v", err)
	}
	_, err = u.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/other"), Plaintext: []byte("p")})
	kmsCode(t, err, "AccessDeniedException")
	_, err = u.ListKeys(ctx, &kms.ListKeysInput{})
	kmsCode(t, err, "AccessDeniedException")
	// A key the user may not use is not revealed as missing either.
	_, err = u.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/nothing")})
	kmsCode(t, err, "AccessDeniedException")
	if _, err := u.CreateKey(ctx, &kms.CreateKeyInput{}); err != nil {
		t.Fatalf("allowed CreateKey: %v", err)
	}
	// Choosing a key ID is for the root credentials only.
	status, body := kmsCall(t, srv, ak, sk, "CreateKey", `{"TalusKeyId":"user-chosen"}`)
	if status != 400 || body["__type"] != "AccessDeniedException" {
		t.Fatalf("user CreateKey with TalusKeyId = %d %v", status, body)
	}
	// Unsigned and badly signed requests.
	status, body = kmsCall(t, srv, "", "", "ListKeys", `{}`)
	if status != 400 || body["__type"] != "MissingAuthenticationTokenException" {
		t.Fatalf("unsigned = %d %v", status, body)
	}
	status, body = kmsCall(t, srv, ak, "wrong-secret", "ListKeys", `{}`)
	if status != 400 || body["__type"] != "InvalidSignatureException" {
		t.Fatalf("bad signature = %d %v", status, body)
	}
	status, body = kmsCall(t, srv, "AKIANOSUCHKEY0000000", "x", "ListKeys", `{}`)
	if status != 400 || body["__type"] != "UnrecognizedClientException" {
		t.Fatalf("unknown access key = %d %v", status, body)
	}
}

func TestKMSAPIChosenKeyIDAndWireErrors(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ak, sk := testserver.AccessKey, testserver.SecretKey
	status, body := kmsCall(t, srv, ak, sk, "CreateKey", `{"Description":"backups","TalusKeyId":"backup-2026"}`)
	md, _ := body["KeyMetadata"].(map[string]any)
	if status != 200 || md["KeyId"] != "backup-2026" || md["Arn"] != "arn:aws:kms:us-east-1:000000000000:key/backup-2026" {
		t.Fatalf("CreateKey with TalusKeyId = %d %v", status, body)
	}
	if _, ok := md["CreationDate"].(float64); !ok {
		t.Fatalf("CreationDate is not an epoch number: %v", md["CreationDate"])
	}
	status, body = kmsCall(t, srv, ak, sk, "CreateKey", `{}`, "X-Talus-Key-Id", "from_header")
	if md, _ := body["KeyMetadata"].(map[string]any); status != 200 || md["KeyId"] != "from_header" {
		t.Fatalf("CreateKey with x-talus-key-id = %d %v", status, body)
	}
	status, body = kmsCall(t, srv, ak, sk, "CreateKey", `{"TalusKeyId":"backup-2026"}`)
	if status != 400 || body["__type"] != "AlreadyExistsException" {
		t.Fatalf("reused key ID = %d %v", status, body)
	}
	for _, bad := range []string{"has space", "a/b", strings.Repeat("k", 65)} {
		status, body = kmsCall(t, srv, ak, sk, "CreateKey", `{"TalusKeyId":"`+bad+`"}`)
		if status != 400 || body["__type"] != "ValidationException" {
			t.Fatalf("key ID %q = %d %v", bad, status, body)
		}
	}
	// The chosen ID works as a reference like any other.
	d, err := kmsRoot(srv).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("backup-2026")})
	if err != nil || aws.ToString(d.KeyMetadata.Description) != "backups" {
		t.Fatalf("DescribeKey(backup-2026) = %+v, %v", d, err)
	}

	status, body = kmsCall(t, srv, ak, sk, "DescribeKey", `{"KeyId":"nope"}`)
	if status != 400 || body["__type"] != "NotFoundException" || body["message"] != "Key 'arn:aws:kms:us-east-1:000000000000:key/nope' does not exist" {
		t.Fatalf("NotFound = %d %v", status, body)
	}
	status, body = kmsCall(t, srv, ak, sk, "DescribeKey", `{"KeyId":"talus/sse-s3"}`)
	if status != 400 || body["__type"] != "NotFoundException" {
		t.Fatalf("internal key = %d %v", status, body)
	}
	status, body = kmsCall(t, srv, ak, sk, "RotateKeyOnDemand", `{"KeyId":"backup-2026"}`)
	if status != 400 || body["__type"] != "UnknownOperationException" {
		t.Fatalf("unknown operation = %d %v", status, body)
	}
	status, body = kmsCall(t, srv, ak, sk, "Encrypt", `{"KeyId":"backup-2026","Plaintext":42}`)
	if status != 400 || body["__type"] != "SerializationException" {
		t.Fatalf("wrong type = %d %v", status, body)
	}
	status, body = kmsCall(t, srv, ak, sk, "Encrypt", `{not json`)
	if status != 400 || body["__type"] != "SerializationException" {
		t.Fatalf("bad JSON = %d %v", status, body)
	}
	status, body = kmsCall(t, srv, ak, sk, "CreateKey", `{"KeySpec":"RSA_2048"}`)
	if status != 400 || body["__type"] != "UnsupportedOperationException" {
		t.Fatalf("asymmetric key = %d %v", status, body)
	}
}

func TestKMSAPIKeysSurviveRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	srv := testserver.Start(t, testserver.WithDir(dir))
	c := kmsRoot(srv)
	k, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("kept")})
	if err != nil {
		t.Fatal(err)
	}
	c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/kept"), TargetKeyId: k.KeyMetadata.KeyId})
	dk, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String("alias/kept"), KeySpec: types.DataKeySpecAes256})
	if err != nil {
		t.Fatal(err)
	}
	srv.Stop(t)

	srv = testserver.Start(t, testserver.WithDir(dir))
	c = kmsRoot(srv)
	dec, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob})
	if err != nil || !bytes.Equal(dec.Plaintext, dk.Plaintext) {
		t.Fatalf("Decrypt after restart = %v", err)
	}
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/kept")})
	if err != nil || aws.ToString(d.KeyMetadata.Description) != "kept" {
		t.Fatalf("DescribeKey after restart = %+v, %v", d, err)
	}
}
