package kmsapi

import (
	"crypto/rand"
	"net/http"
	"strings"

	"talus/internal/kms"
)

type operation func(h *Handler, q *request) (any, error)

// operations are the supported KMS operations by X-Amz-Target name.
var operations = map[string]operation{
	"CreateKey":                       (*Handler).createKey,
	"DescribeKey":                     (*Handler).describeKey,
	"ListKeys":                        (*Handler).listKeys,
	"EnableKey":                       (*Handler).enableKey,
	"DisableKey":                      (*Handler).disableKey,
	"ScheduleKeyDeletion":             (*Handler).scheduleKeyDeletion,
	"CancelKeyDeletion":               (*Handler).cancelKeyDeletion,
	"CreateAlias":                     (*Handler).createAlias,
	"UpdateAlias":                     (*Handler).updateAlias,
	"DeleteAlias":                     (*Handler).deleteAlias,
	"ListAliases":                     (*Handler).listAliases,
	"GenerateDataKey":                 (*Handler).generateDataKey,
	"GenerateDataKeyWithoutPlaintext": (*Handler).generateDataKey,
	"Encrypt":                         (*Handler).encrypt,
	"Decrypt":                         (*Handler).decrypt,
}

type empty struct{}

func unsupported(format string, args ...any) *apiError {
	return errf("UnsupportedOperationException", format, args...)
}

func (h *Handler) createKey(q *request) (any, error) {
	var in createKeyInput
	if err := q.decode(&in); err != nil {
		return nil, err
	}
	if err := h.authorize(q, "*"); err != nil {
		return nil, err
	}
	switch {
	case in.KeyUsage != "" && in.KeyUsage != encryptDecrypt:
		return nil, unsupported("KeyUsage %s is not supported: Talus keys are symmetric encryption keys (ENCRYPT_DECRYPT).", in.KeyUsage)
	case in.KeySpec != "" && in.KeySpec != symmetricDefault, in.CustomerMasterKeySpec != "" && in.CustomerMasterKeySpec != symmetricDefault:
		return nil, unsupported("Only the SYMMETRIC_DEFAULT key spec is supported.")
	case in.Origin != "" && in.Origin != originKMS:
		return nil, unsupported("Only the AWS_KMS origin is supported.")
	case in.MultiRegion:
		return nil, unsupported("Multi-Region keys are not supported.")
	case in.CustomKeyStoreID != "" || in.XksKeyID != "":
		return nil, unsupported("Custom key stores are not supported.")
	case in.Policy != "":
		return nil, unsupported("Key policies are not supported: access to keys is granted by IAM identity policies.")
	case len(in.Tags) > 0:
		return nil, unsupported("Key tags are not supported.")
	}
	id := in.TalusKeyID
	if hv := q.http.Header.Get(KeyIDHeader); hv != "" {
		if id != "" && id != hv {
			return nil, validation("TalusKeyId and the %s header name different key IDs.", KeyIDHeader)
		}
		id = hv
	}
	if id != "" && !q.p.Root {
		return nil, errf("AccessDeniedException", "Only the root credentials may choose a key ID.")
	}
	m, err := h.keys.CreateKey(q.ctx, id, in.Description)
	if err != nil {
		return nil, serviceError(err)
	}
	return keyOutput{KeyMetadata: metadataOf(m)}, nil
}

func (h *Handler) describeKey(q *request) (any, error) {
	var in keyIDInput
	if err := q.decode(&in); err != nil {
		return nil, err
	}
	m, err := h.key(q, in.KeyID)
	if err != nil {
		return nil, err
	}
	return keyOutput{KeyMetadata: metadataOf(m)}, nil
}

// limit reads a page size: def when absent, else within [1, max].
func limit(v *int, def, max int) (int, error) {
	if v == nil {
		return def, nil
	}
	if *v < 1 || *v > max {
		return 0, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and %d", *v, max)
	}
	return *v, nil
}

func (h *Handler) listKeys(q *request) (any, error) {
	var in listInput
	if err := q.decode(&in); err != nil {
		return nil, err
	}
	n, err := limit(in.Limit, 100, 1000)
	if err != nil {
		return nil, err
	}
	if err := h.authorize(q, "*"); err != nil {
		return nil, err
	}
	keys, next, err := h.keys.ListKeys(q.ctx, in.Marker, n)
	if err != nil {
		return nil, serviceError(err)
	}
	out := listKeysOutput{Keys: make([]keyListEntry, len(keys)), NextMarker: next, Truncated: next != ""}
	for i, k := range keys {
		out.Keys[i] = keyListEntry{KeyID: k.ID, KeyArn: k.ARN}
	}
	return out, nil
}

func (h *Handler) keyOp(q *request, run func(ref string) (kms.KeyMeta, error)) (kms.KeyMeta, error) {
	var in keyIDInput
	if err := q.decode(&in); err != nil {
		return kms.KeyMeta{}, err
	}
	m, err := h.key(q, in.KeyID)
	if err != nil {
		return m, err
	}
	m, err = run(m.ID)
	if err != nil {
		return m, serviceError(err)
	}
	return m, nil
}

func (h *Handler) enableKey(q *request) (any, error) {
	_, err := h.keyOp(q, func(id string) (kms.KeyMeta, error) { return h.keys.EnableKey(q.ctx, id) })
	return empty{}, err
}

func (h *Handler) disableKey(q *request) (any, error) {
	_, err := h.keyOp(q, func(id string) (kms.KeyMeta, error) { return h.keys.DisableKey(q.ctx, id) })
	return empty{}, err
}

func (h *Handler) scheduleKeyDeletion(q *request) (any, error) {
	var in scheduleInput
	if err := q.decode(&in); err != nil {
		return nil, err
	}
	days := 30
	if in.PendingWindowInDays != nil {
		days = *in.PendingWindowInDays
		if days < 7 || days > 30 {
			return nil, validation("1 validation error detected: Value '%d' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30", days)
		}
	}
	m, err := h.key(q, in.KeyID)
	if err != nil {
		return nil, err
	}
	if m, err = h.keys.ScheduleKeyDeletion(q.ctx, m.ID, days); err != nil {
		return nil, serviceError(err)
	}
	return scheduleOutput{KeyID: m.ARN, DeletionDate: epochOf(m.DeletionDate), KeyState: m.State, PendingWindowInDays: days}, nil
}

func (h *Handler) cancelKeyDeletion(q *request) (any, error) {
	m, err := h.keyOp(q, func(id string) (kms.KeyMeta, error) { return h.keys.CancelKeyDeletion(q.ctx, id) })
	if err != nil {
		return nil, err
	}
	return cancelOutput{KeyID: m.ARN}, nil
}

// aliasName validates an AliasName parameter.
func aliasName(name string) error {
	if name == "" {
		return validation("1 validation error detected: Value null at 'aliasName' failed to satisfy constraint: Member must not be null")
	}
	if !strings.HasPrefix(name, "alias/") {
		return validation("Invalid identifier")
	}
	return nil
}

// aliasOp authorizes an alias operation on the alias and on the keys it
// involves, then runs it.
func (h *Handler) aliasOp(q *request, needTarget bool, run func(in aliasInput) error) (any, error) {
	var in aliasInput
	if err := q.decode(&in); err != nil {
		return nil, err
	}
	if err := aliasName(in.AliasName); err != nil {
		return nil, err
	}
	if err := h.authorize(q, h.keys.AliasARN(in.AliasName)); err != nil {
		return nil, err
	}
	if needTarget {
		if in.TargetKeyID == "" {
			return nil, validation("1 validation error detected: Value null at 'targetKeyId' failed to satisfy constraint: Member must not be null")
		}
		if !strings.HasPrefix(in.TargetKeyID, "alias/") && !strings.Contains(in.TargetKeyID, ":alias/") {
			m, err := h.key(q, in.TargetKeyID)
			if err != nil {
				return nil, err
			}
			in.TargetKeyID = m.ID
		}
	} else if m, err := h.keys.Describe(q.ctx, in.AliasName); err == nil && !strings.HasPrefix(in.AliasName, "alias/aws/") {
		if err := h.authorize(q, m.ARN); err != nil {
			return nil, err
		}
	}
	if err := run(in); err != nil {
		return nil, serviceError(err)
	}
	return empty{}, nil
}

func (h *Handler) createAlias(q *request) (any, error) {
	return h.aliasOp(q, true, func(in aliasInput) error { return h.keys.CreateAlias(q.ctx, in.AliasName, in.TargetKeyID) })
}

func (h *Handler) updateAlias(q *request) (any, error) {
	return h.aliasOp(q, true, func(in aliasInput) error { return h.keys.UpdateAlias(q.ctx, in.AliasName, in.TargetKeyID) })
}

func (h *Handler) deleteAlias(q *request) (any, error) {
	return h.aliasOp(q, false, func(in aliasInput) error { return h.keys.DeleteAlias(q.ctx, in.AliasName) })
}

func (h *Handler) listAliases(q *request) (any, error) {
	var in listInput
	if err := q.decode(&in); err != nil {
		return nil, err
	}
	n, err := limit(in.Limit, 50, 100)
	if err != nil {
		return nil, err
	}
	if err := h.authorize(q, "*"); err != nil {
		return nil, err
	}
	keyID := ""
	if in.KeyID != "" {
		if strings.HasPrefix(in.KeyID, "alias/") || strings.Contains(in.KeyID, ":alias/") {
			return nil, errf("InvalidArnException", "Invalid keyId %s", in.KeyID)
		}
		m, err := h.keys.Describe(q.ctx, in.KeyID)
		if err != nil || in.KeyID == kms.SSES3 {
			return nil, errf("NotFoundException", "Key '%s' does not exist", h.refARN(in.KeyID))
		}
		keyID = m.ID
	}
	as, next, err := h.keys.ListAliases(q.ctx, keyID, in.Marker, n)
	if err != nil {
		return nil, serviceError(err)
	}
	out := listAliasesOutput{Aliases: make([]aliasEntry, len(as)), NextMarker: next, Truncated: next != ""}
	for i, a := range as {
		out.Aliases[i] = aliasEntry{AliasName: a.Name, AliasArn: a.ARN, TargetKeyID: a.TargetKeyID,
			CreationDate: epochOf(a.Created), LastUpdatedDate: epochOf(a.Updated)}
	}
	return out, nil
}

// algorithm checks an EncryptionAlgorithm parameter.
func algorithm(a string) error {
	switch a {
	case "", symmetricDefault:
		return nil
	case "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE":
		return errf("InvalidKeyUsageException", "The key does not support the %s encryption algorithm.", a)
	}
	return validation("1 validation error detected: Value '%s' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]", a)
}

var errDryRun = &apiError{status: http.StatusBadRequest, code: "DryRunOperationException", msg: "The request would have succeeded, but the DryRun option is set."}

func (h *Handler) generateDataKey(q *request) (any, error) {
	var in dataKeyInput
	if err := q.decode(&in); err != nil {
		return nil, err
	}
	n := 0
	switch {
	case in.NumberOfBytes != nil && in.KeySpec != "":
		return nil, validation("Please specify either number of bytes or key spec, not both.")
	case in.NumberOfBytes != nil:
		n = *in.NumberOfBytes
		if n < 1 || n > 1024 {
			return nil, validation("1 validation error detected: Value '%d' at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024", n)
		}
	case in.KeySpec == "AES_256":
		n = 32
	case in.KeySpec == "AES_128":
		n = 16
	case in.KeySpec != "":
		return nil, validation("1 validation error detected: Value '%s' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]", in.KeySpec)
	default:
		return nil, validation("Please specify either number of bytes or key spec.")
	}
	m, err := h.key(q, in.KeyID)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, errDryRun
	}
	plain := make([]byte, n)
	rand.Read(plain)
	wrapped, m, err := h.keys.Encrypt(q.ctx, m.ID, plain, in.EncryptionContext)
	if err != nil {
		return nil, serviceError(err)
	}
	out := dataKeyOutput{CiphertextBlob: wrapped, KeyID: m.ARN}
	if q.op == "GenerateDataKey" {
		out.Plaintext = plain
	}
	return out, nil
}

func (h *Handler) encrypt(q *request) (any, error) {
	var in encryptInput
	if err := q.decode(&in); err != nil {
		return nil, err
	}
	if err := algorithm(in.EncryptionAlgorithm); err != nil {
		return nil, err
	}
	if len(in.Plaintext) == 0 || len(in.Plaintext) > kms.MaxPlaintext {
		return nil, validation("1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length between 1 and 4096")
	}
	m, err := h.key(q, in.KeyID)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		return nil, errDryRun
	}
	wrapped, m, err := h.keys.Encrypt(q.ctx, m.ID, in.Plaintext, in.EncryptionContext)
	if err != nil {
		return nil, serviceError(err)
	}
	return encryptOutput{CiphertextBlob: wrapped, KeyID: m.ARN, EncryptionAlgorithm: symmetricDefault}, nil
}

func (h *Handler) decrypt(q *request) (any, error) {
	var in decryptInput
	if err := q.decode(&in); err != nil {
		return nil, err
	}
	if err := algorithm(in.EncryptionAlgorithm); err != nil {
		return nil, err
	}
	if len(in.CiphertextBlob) == 0 {
		return nil, validation("1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null")
	}
	id, ok := kms.BlobKeyID(in.CiphertextBlob)
	if !ok || id == kms.SSES3 {
		return nil, errf("InvalidCiphertextException", "")
	}
	m, err := h.key(q, id)
	if err != nil {
		return nil, err
	}
	if in.KeyID != "" {
		named, err := h.keys.Describe(q.ctx, in.KeyID)
		if err != nil || named.ID != m.ID {
			return nil, errf("IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform this operation.")
		}
	}
	if in.DryRun {
		return nil, errDryRun
	}
	plain, m, err := h.keys.Decrypt(q.ctx, in.CiphertextBlob, in.EncryptionContext)
	if err != nil {
		return nil, serviceError(err)
	}
	return decryptOutput{Plaintext: plain, KeyID: m.ARN, EncryptionAlgorithm: symmetricDefault}, nil
}
