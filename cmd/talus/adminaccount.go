package main

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
)

const adminAccountUsage = `Usage: talus admin [flags] account <command>

Manages accounts through the server's IAM endpoint (Talus's own actions
TalusCreateAccount, TalusListAccounts, TalusGetAccount, TalusDeleteAccount),
as the administrator's account: only it may.

Commands:
  create --name NAME [--email EMAIL]
                 make an account; prints one JSON object with AccountId,
                 CanonicalUserId, AccessKeyId and SecretAccessKey (its root
                 key pair: the secret is shown only now)
  list           every account: ID, canonical ID, name, email
  show ID        one account, as JSON
  delete ID      delete an account that owns nothing (no buckets, objects,
                 uploads or IAM users)
`

type adminAccount struct {
	AccountID       string `xml:"AccountId" json:"AccountId"`
	CanonicalUserID string `xml:"CanonicalUserId" json:"CanonicalUserId"`
	AccountName     string `xml:"AccountName" json:"AccountName"`
	Email           string `xml:"Email" json:"Email,omitempty"`
	Arn             string `xml:"Arn" json:"Arn"`
	Admin           bool   `xml:"Admin" json:"Admin"`
	CreateDate      string `xml:"CreateDate" json:"CreateDate"`
	AccessKeyID     string `xml:"AccessKeyId" json:"AccessKeyId,omitempty"`
	SecretAccessKey string `xml:"SecretAccessKey" json:"SecretAccessKey,omitempty"`
}

func runAdminAccount(args []string, endpoint, region, data string, stdout io.Writer) error {
	if done, err := subcommandHelp(args, adminAccountUsage, "account"); done {
		return err
	}
	form := url.Values{"Version": {"2010-05-08"}}
	switch args[0] {
	case "create":
		fl := flag.NewFlagSet("account create", flag.ContinueOnError)
		fl.Usage = func() { fmt.Fprint(os.Stderr, adminAccountUsage) }
		name := fl.String("name", "", "account name (its display name in ACLs)")
		email := fl.String("email", "", "account email (ACL grants by email address name it)")
		if err := fl.Parse(args[1:]); err != nil {
			return err
		}
		if *name == "" || fl.NArg() > 0 {
			return errors.New("account create takes --name NAME [--email EMAIL]")
		}
		form.Set("Action", "TalusCreateAccount")
		form.Set("AccountName", *name)
		if *email != "" {
			form.Set("Email", *email)
		}
	case "list":
		if len(args) != 1 {
			return errors.New("account list takes no arguments")
		}
		form.Set("Action", "TalusListAccounts")
	case "show", "delete":
		if len(args) != 2 {
			return fmt.Errorf("account %s takes one argument: ACCOUNT_ID", args[0])
		}
		form.Set("Action", map[string]string{"show": "TalusGetAccount", "delete": "TalusDeleteAccount"}[args[0]])
		form.Set("AccountId", args[1])
	default:
		return fmt.Errorf("unknown account command %q (see 'talus admin account -h')", args[0])
	}
	body, err := adminSend(endpoint, region, data, form)
	if err != nil {
		return err
	}
	var r struct {
		Created adminAccount   `xml:"TalusCreateAccountResult>Account"`
		Got     adminAccount   `xml:"TalusGetAccountResult>Account"`
		All     []adminAccount `xml:"TalusListAccountsResult>Accounts>member"`
	}
	if err := xml.Unmarshal(body, &r); err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	switch args[0] {
	case "create":
		return enc.Encode(r.Created)
	case "show":
		return enc.Encode(r.Got)
	case "list":
		for _, a := range r.All {
			fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\n", a.AccountID, a.CanonicalUserID, a.AccountName, a.Email)
		}
	default:
		fmt.Fprintln(stdout, "ok")
	}
	return nil
}
