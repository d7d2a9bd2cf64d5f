package kmsapi

import (
	"time"

	"talus/internal/iam"
	"talus/internal/kms"
)

// epoch is a KMS timestamp: seconds since the epoch as a JSON number.
type epoch float64

func epochOf(t time.Time) epoch { return epoch(float64(t.UnixMilli()) / 1000) }

// keyMetadata is KMS's KeyMetadata.
type keyMetadata struct {
	AWSAccountID          string   `json:"AWSAccountId"`
	KeyID                 string   `json:"KeyId"`
	Arn                   string   `json:"Arn"`
	CreationDate          epoch    `json:"CreationDate"`
	Enabled               bool     `json:"Enabled"`
	Description           string   `json:"Description"`
	KeyUsage              string   `json:"KeyUsage"`
	KeyState              string   `json:"KeyState"`
	DeletionDate          *epoch   `json:"DeletionDate,omitempty"`
	Origin                string   `json:"Origin"`
	KeyManager            string   `json:"KeyManager"`
	CustomerMasterKeySpec string   `json:"CustomerMasterKeySpec"`
	KeySpec               string   `json:"KeySpec"`
	EncryptionAlgorithms  []string `json:"EncryptionAlgorithms"`
	MultiRegion           bool     `json:"MultiRegion"`
}

const (
	symmetricDefault = "SYMMETRIC_DEFAULT"
	encryptDecrypt   = "ENCRYPT_DECRYPT"
	originKMS        = "AWS_KMS"
)

func metadataOf(m kms.KeyMeta) keyMetadata {
	md := keyMetadata{
		AWSAccountID: iam.AccountID, KeyID: m.ID, Arn: m.ARN, CreationDate: epochOf(m.Created),
		Enabled: m.State == kms.StateEnabled, Description: m.Description, KeyUsage: encryptDecrypt,
		KeyState: m.State, Origin: originKMS, KeyManager: m.Manager,
		CustomerMasterKeySpec: symmetricDefault, KeySpec: symmetricDefault,
		EncryptionAlgorithms: []string{symmetricDefault},
	}
	if m.State == kms.StatePendingDeletion {
		d := epochOf(m.DeletionDate)
		md.DeletionDate = &d
	}
	return md
}

type keyOutput struct {
	KeyMetadata keyMetadata `json:"KeyMetadata"`
}

type keyIDInput struct {
	KeyID       string   `json:"KeyId"`
	GrantTokens []string `json:"GrantTokens"`
}

type createKeyInput struct {
	Description                    string `json:"Description"`
	KeyUsage                       string `json:"KeyUsage"`
	KeySpec                        string `json:"KeySpec"`
	CustomerMasterKeySpec          string `json:"CustomerMasterKeySpec"`
	Origin                         string `json:"Origin"`
	MultiRegion                    bool   `json:"MultiRegion"`
	Policy                         string `json:"Policy"`
	Tags                           []tag  `json:"Tags"`
	CustomKeyStoreID               string `json:"CustomKeyStoreId"`
	XksKeyID                       string `json:"XksKeyId"`
	BypassPolicyLockoutSafetyCheck bool   `json:"BypassPolicyLockoutSafetyCheck"`
	TalusKeyID                     string `json:"TalusKeyId"`
}

type tag struct {
	TagKey   string `json:"TagKey"`
	TagValue string `json:"TagValue"`
}

type listInput struct {
	Limit  *int   `json:"Limit"`
	Marker string `json:"Marker"`
	KeyID  string `json:"KeyId"`
}

type keyListEntry struct {
	KeyID  string `json:"KeyId"`
	KeyArn string `json:"KeyArn"`
}

type listKeysOutput struct {
	Keys       []keyListEntry `json:"Keys"`
	NextMarker string         `json:"NextMarker,omitempty"`
	Truncated  bool           `json:"Truncated"`
}

type aliasEntry struct {
	AliasName       string `json:"AliasName"`
	AliasArn        string `json:"AliasArn"`
	TargetKeyID     string `json:"TargetKeyId,omitempty"`
	CreationDate    epoch  `json:"CreationDate"`
	LastUpdatedDate epoch  `json:"LastUpdatedDate"`
}

type listAliasesOutput struct {
	Aliases    []aliasEntry `json:"Aliases"`
	NextMarker string       `json:"NextMarker,omitempty"`
	Truncated  bool         `json:"Truncated"`
}

type aliasInput struct {
	AliasName   string `json:"AliasName"`
	TargetKeyID string `json:"TargetKeyId"`
}

type scheduleInput struct {
	KeyID               string `json:"KeyId"`
	PendingWindowInDays *int   `json:"PendingWindowInDays"`
}

type scheduleOutput struct {
	KeyID               string `json:"KeyId"`
	DeletionDate        epoch  `json:"DeletionDate"`
	KeyState            string `json:"KeyState"`
	PendingWindowInDays int    `json:"PendingWindowInDays"`
}

type cancelOutput struct {
	KeyID string `json:"KeyId"`
}

type dataKeyInput struct {
	KeyID             string            `json:"KeyId"`
	EncryptionContext map[string]string `json:"EncryptionContext"`
	NumberOfBytes     *int              `json:"NumberOfBytes"`
	KeySpec           string            `json:"KeySpec"`
	GrantTokens       []string          `json:"GrantTokens"`
	DryRun            bool              `json:"DryRun"`
}

type dataKeyOutput struct {
	CiphertextBlob []byte `json:"CiphertextBlob"`
	Plaintext      []byte `json:"Plaintext,omitempty"`
	KeyID          string `json:"KeyId"`
}

type encryptInput struct {
	KeyID               string            `json:"KeyId"`
	Plaintext           []byte            `json:"Plaintext"`
	EncryptionContext   map[string]string `json:"EncryptionContext"`
	EncryptionAlgorithm string            `json:"EncryptionAlgorithm"`
	GrantTokens         []string          `json:"GrantTokens"`
	DryRun              bool              `json:"DryRun"`
}

type encryptOutput struct {
	CiphertextBlob      []byte `json:"CiphertextBlob"`
	KeyID               string `json:"KeyId"`
	EncryptionAlgorithm string `json:"EncryptionAlgorithm"`
}

type decryptInput struct {
	CiphertextBlob      []byte            `json:"CiphertextBlob"`
	KeyID               string            `json:"KeyId"`
	EncryptionContext   map[string]string `json:"EncryptionContext"`
	EncryptionAlgorithm string            `json:"EncryptionAlgorithm"`
	GrantTokens         []string          `json:"GrantTokens"`
	DryRun              bool              `json:"DryRun"`
}

type decryptOutput struct {
	Plaintext           []byte `json:"Plaintext"`
	KeyID               string `json:"KeyId"`
	EncryptionAlgorithm string `json:"EncryptionAlgorithm"`
}
