package iamapi

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"talus/internal/meta"
)

// accountActions are Talus's own actions (AWS has no IAM equivalent): the
// administrator's account creates, lists, shows and deletes accounts.
// They are authorized as iam:<action> on arn:aws:iam::ADMIN:account/ID.
var accountActions = map[string]bool{
	"TalusCreateAccount": true, "TalusListAccounts": true, "TalusGetAccount": true, "TalusDeleteAccount": true,
}

var accountName = regexp.MustCompile(`^[\w+=,.@ -]{1,50}$`)
var accountID = regexp.MustCompile(`^[0-9]{12}$`)
var emailAddress = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)

type accountInfo struct {
	AccountID       string `xml:"AccountId"`
	CanonicalUserID string `xml:"CanonicalUserId"`
	AccountName     string `xml:"AccountName"`
	Email           string `xml:"Email,omitempty"`
	Arn             string `xml:"Arn"`
	Admin           bool   `xml:"Admin"`
	CreateDate      string `xml:"CreateDate"`
	// AccessKeyID and SecretAccessKey are the root key pair, only in
	// TalusCreateAccount's answer.
	AccessKeyID     string `xml:"AccessKeyId,omitempty"`
	SecretAccessKey string `xml:"SecretAccessKey,omitempty"`
}

type accountResult struct {
	Account accountInfo `xml:"Account"`
}

type createAccountResponse struct {
	XMLName xml.Name      `xml:"TalusCreateAccountResponse"`
	Result  accountResult `xml:"TalusCreateAccountResult"`
	respMeta
}

type getAccountResponse struct {
	XMLName xml.Name      `xml:"TalusGetAccountResponse"`
	Result  accountResult `xml:"TalusGetAccountResult"`
	respMeta
}

type listAccountsResponse struct {
	XMLName xml.Name `xml:"TalusListAccountsResponse"`
	Result  struct {
		Accounts []accountInfo `xml:"Accounts>member"`
	} `xml:"TalusListAccountsResult"`
	respMeta
}

func accountXML(a meta.Account) accountInfo {
	return accountInfo{AccountID: a.ID, CanonicalUserID: a.CanonicalID, AccountName: a.Name, Email: a.Email,
		Arn: "arn:aws:iam::" + a.ID + ":root", Admin: a.Admin, CreateDate: isoTime(a.Created)}
}

func accountError(err error, id string) error {
	switch {
	case errors.Is(err, meta.ErrNoSuchAccount):
		return errf(http.StatusNotFound, "NoSuchEntity", "The account with ID %s cannot be found.", id)
	case errors.Is(err, meta.ErrAccountExists):
		return errf(http.StatusConflict, "EntityAlreadyExists", "An account with this name or email already exists.")
	case errors.Is(err, meta.ErrAccountInUse):
		return errf(http.StatusConflict, "DeleteConflict", "Cannot delete an account that owns buckets, objects, uploads or users, nor the administrator's account.")
	}
	return err
}

func (h *Handler) createAccount(ctx context.Context, form url.Values) (response, error) {
	name, err := h.param(form, "AccountName", accountName)
	if err != nil {
		return nil, err
	}
	email := strings.TrimSpace(form.Get("Email"))
	if email != "" && (!emailAddress.MatchString(email) || len(email) > 254) {
		return nil, errf(http.StatusBadRequest, "ValidationError", "The specified value for email is invalid.")
	}
	a, keyID, secret, err := h.ids.CreateAccount(ctx, name, email, h.now().UTC())
	if err != nil {
		return nil, accountError(err, "")
	}
	info := accountXML(a)
	info.AccessKeyID, info.SecretAccessKey = keyID, secret
	return &createAccountResponse{Result: accountResult{Account: info}}, nil
}

func (h *Handler) listAccounts(ctx context.Context) (response, error) {
	all, err := h.store.ListAccounts(ctx)
	if err != nil {
		return nil, err
	}
	out := &listAccountsResponse{}
	out.Result.Accounts = []accountInfo{}
	for _, a := range all {
		out.Result.Accounts = append(out.Result.Accounts, accountXML(a))
	}
	return out, nil
}

func (h *Handler) getAccount(ctx context.Context, form url.Values) (response, error) {
	id, err := h.param(form, "AccountId", accountID)
	if err != nil {
		return nil, err
	}
	a, err := h.store.GetAccount(ctx, id)
	if err != nil {
		return nil, accountError(err, id)
	}
	return &getAccountResponse{Result: accountResult{Account: accountXML(a)}}, nil
}

func (h *Handler) deleteAccount(ctx context.Context, form url.Values) (response, error) {
	id, err := h.param(form, "AccountId", accountID)
	if err != nil {
		return nil, err
	}
	if err := h.ids.DeleteAccount(ctx, id); err != nil {
		return nil, accountError(err, id)
	}
	return &emptyResponse{XMLName: xml.Name{Local: "TalusDeleteAccountResponse"}}, nil
}
