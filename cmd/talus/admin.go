package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"talus/internal/sigv4"
)

const adminUsage = `Usage: talus admin [flags] <command> [args]

Manages accounts, users, access keys and user policies through the
server's IAM API (the same operations as 'aws iam --endpoint-url ...'), and
keys through its KMS API.

Commands:
  user create NAME            user list                  user delete NAME
  key create USER             key list USER              key delete USER KEY_ID
  key enable USER KEY_ID      key disable USER KEY_ID
  policy put USER NAME FILE   policy get USER NAME       policy list USER
  policy delete USER NAME

  account create --name NAME [--email EMAIL]
  account list                account show ID            account delete ID
                              accounts (administrator only; see 'talus admin account -h')

  kms create-key [--key-id ID] [--description TEXT]
  kms list-keys               kms describe-key KEY
                              the key service (see 'talus admin kms -h')

  remote add NAME --endpoint URL --access-key AK --secret-key SK [--region R] [--path-style]
  remote list                 remote remove NAME
  replicate --existing BUCKET replication remotes and existing objects
                              (see 'talus admin remote -h')
  olap create --name NAME --bucket BUCKET --transformer URL [--payload JSON]
       [--allowed-features F,...]
  olap list                   olap delete NAME [--account ID]
                              S3 Object Lambda access points (see 'talus admin olap -h')
  notify list | test ARN      the event notification targets of a --config
                              file (see 'talus admin notify -h')

  rotate-root [--data DIR] [--access-key AK --secret-key SK]
                              offline: replace the root credentials of DIR
                              (see 'talus admin rotate-root -h')

Flags:
  --endpoint URL   server address (env TALUS_ENDPOINT, default http://127.0.0.1:9000)
  --data DIR       read root credentials from DIR/root-credentials.json when
                   TALUS_ROOT_ACCESS_KEY / TALUS_ROOT_SECRET_KEY are unset (default ./data)
  --region NAME    region (env TALUS_REGION, default us-east-1)
`

// adminCommands maps "noun verb" to the IAM action and its parameter names.
var adminCommands = map[string]struct {
	action string
	params []string
}{
	"user create":   {"CreateUser", []string{"UserName"}},
	"user list":     {"ListUsers", nil},
	"user delete":   {"DeleteUser", []string{"UserName"}},
	"key create":    {"CreateAccessKey", []string{"UserName"}},
	"key list":      {"ListAccessKeys", []string{"UserName"}},
	"key delete":    {"DeleteAccessKey", []string{"UserName", "AccessKeyId"}},
	"key enable":    {"UpdateAccessKey", []string{"UserName", "AccessKeyId"}},
	"key disable":   {"UpdateAccessKey", []string{"UserName", "AccessKeyId"}},
	"policy put":    {"PutUserPolicy", []string{"UserName", "PolicyName", "PolicyDocument"}},
	"policy get":    {"GetUserPolicy", []string{"UserName", "PolicyName"}},
	"policy list":   {"ListUserPolicies", []string{"UserName"}},
	"policy delete": {"DeleteUserPolicy", []string{"UserName", "PolicyName"}},
}

func runAdmin(args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet("admin", flag.ContinueOnError)
	fl.Usage = func() { fmt.Fprint(os.Stderr, adminUsage+adminDirectoryUsage) }
	endpoint := fl.String("endpoint", env("TALUS_ENDPOINT", "http://127.0.0.1:9000"), "server address")
	data := fl.String("data", env("TALUS_DATA", "./data"), "data directory holding root credentials")
	region := fl.String("region", env("TALUS_REGION", "us-east-1"), "region")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	rest := fl.Args()
	if len(rest) > 0 && rest[0] == "rotate-root" {
		return runRotateRoot(rest[1:], *data, stdout)
	}
	if len(rest) > 0 && rest[0] == "notify" {
		return runAdminNotify(rest[1:], stdout)
	}
	if len(rest) > 0 && rest[0] == "account" {
		return runAdminAccount(rest[1:], *endpoint, *region, *data, stdout)
	}
	if len(rest) > 0 && rest[0] == "remote" {
		return runAdminRemote(rest[1:], *endpoint, *region, *data, stdout)
	}
	if len(rest) > 0 && rest[0] == "replicate" {
		return runAdminReplicate(rest[1:], *endpoint, *region, *data, stdout)
	}
	if len(rest) > 0 && rest[0] == "olap" {
		return runAdminOLAP(rest[1:], *endpoint, *region, *data, stdout)
	}
	if len(rest) > 0 && rest[0] == "kms" {
		return runAdminKMS(rest[1:], *endpoint, *region, *data, stdout)
	}
	if len(rest) < 2 {
		fmt.Fprint(os.Stderr, adminUsage)
		return errors.New("missing command")
	}
	name := rest[0] + " " + rest[1]
	cmd, ok := adminCommands[name]
	if !ok {
		return fmt.Errorf("unknown command %q (see 'talus admin -h')", name)
	}
	vals := rest[2:]
	if len(vals) != len(cmd.params) {
		return fmt.Errorf("%s takes %d argument(s): %s", name, len(cmd.params), strings.Join(cmd.params, " "))
	}
	form := url.Values{"Action": {cmd.action}, "Version": {"2010-05-08"}}
	for i, p := range cmd.params {
		v := vals[i]
		if isDocumentParam(p) {
			b, err := os.ReadFile(v)
			if err != nil {
				return err
			}
			v = string(b)
		}
		form.Set(p, v)
	}
	switch name {
	case "key enable":
		form.Set("Status", "Active")
	case "key disable":
		form.Set("Status", "Inactive")
	}
	for k, v := range adminFixed[name] {
		form.Set(k, v)
	}
	body, err := adminSend(*endpoint, *region, *data, form)
	if err != nil {
		return err
	}
	return printAdminResult(stdout, cmd.action, body)
}

// adminSend sends one IAM query API request as the root and returns the body.
func adminSend(endpoint, region, data string, form url.Values) ([]byte, error) {
	ak, sk, err := adminCredentials(data)
	if err != nil {
		return nil, err
	}
	return iamRequest(endpoint, region, ak, sk, form)
}

// subcommandHelp prints usage when args ask for it (or are empty, which
// is an error: "missing WHAT command") and says whether it did.
func subcommandHelp(args []string, usage, what string) (bool, error) {
	if len(args) > 0 && args[0] != "-h" && args[0] != "--help" && args[0] != "help" {
		return false, nil
	}
	fmt.Fprint(os.Stderr, usage)
	if len(args) == 0 {
		return true, fmt.Errorf("missing %s command", what)
	}
	return true, nil
}

// adminCredentials returns the root key pair from the environment or the data directory.
func adminCredentials(dir string) (string, string, error) {
	if ak, sk := os.Getenv("TALUS_ROOT_ACCESS_KEY"), os.Getenv("TALUS_ROOT_SECRET_KEY"); ak != "" && sk != "" {
		return ak, sk, nil
	}
	b, err := os.ReadFile(dir + "/root-credentials.json")
	if err != nil {
		return "", "", fmt.Errorf("no root credentials: set TALUS_ROOT_ACCESS_KEY and TALUS_ROOT_SECRET_KEY, or --data: %w", err)
	}
	var c struct {
		AccessKey string `json:"access_key"`
		SecretKey string `json:"secret_key"`
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return "", "", err
	}
	return c.AccessKey, c.SecretKey, nil
}

// iamRequest sends one signed IAM query API request and returns the body.
func iamRequest(endpoint, region, ak, sk string, form url.Values) ([]byte, error) {
	payload := form.Encode()
	req, err := http.NewRequest(http.MethodPost, strings.TrimRight(endpoint, "/")+"/", strings.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(payload))
	sigv4.SignService(req, ak, sk, region, "iam", hex.EncodeToString(sum[:]), time.Now())
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct {
				Code    string `xml:"Code"`
				Message string `xml:"Message"`
			} `xml:"Error"`
		}
		if xml.Unmarshal(body, &e) == nil && e.Error.Code != "" {
			return nil, fmt.Errorf("%s: %s", e.Error.Code, e.Error.Message)
		}
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return body, nil
}

// printAdminResult prints the interesting part of a response as lines.
func printAdminResult(w io.Writer, action string, body []byte) error {
	if known, err := printDirectoryResult(w, action, body); known {
		return err
	}
	var r struct {
		Users []struct {
			UserName   string `xml:"UserName"`
			UserID     string `xml:"UserId"`
			Arn        string `xml:"Arn"`
			CreateDate string `xml:"CreateDate"`
		} `xml:"ListUsersResult>Users>member"`
		User struct {
			UserName string `xml:"UserName"`
			Arn      string `xml:"Arn"`
		} `xml:"CreateUserResult>User"`
		NewKey struct {
			AccessKeyID     string `xml:"AccessKeyId"`
			SecretAccessKey string `xml:"SecretAccessKey"`
		} `xml:"CreateAccessKeyResult>AccessKey"`
		Keys []struct {
			AccessKeyID string `xml:"AccessKeyId"`
			Status      string `xml:"Status"`
			CreateDate  string `xml:"CreateDate"`
		} `xml:"ListAccessKeysResult>AccessKeyMetadata>member"`
		PolicyNames []string `xml:"ListUserPoliciesResult>PolicyNames>member"`
		Document    string   `xml:"GetUserPolicyResult>PolicyDocument"`
	}
	if err := xml.Unmarshal(body, &r); err != nil {
		return err
	}
	switch action {
	case "ListUsers":
		for _, u := range r.Users {
			fmt.Fprintf(w, "%s\t%s\t%s\n", u.UserName, u.Arn, u.CreateDate)
		}
	case "CreateUser":
		fmt.Fprintf(w, "created %s (%s)\n", r.User.UserName, r.User.Arn)
	case "CreateAccessKey":
		fmt.Fprintf(w, "access key: %s\nsecret key: %s\n(the secret is shown only now)\n", r.NewKey.AccessKeyID, r.NewKey.SecretAccessKey)
	case "ListAccessKeys":
		for _, k := range r.Keys {
			fmt.Fprintf(w, "%s\t%s\t%s\n", k.AccessKeyID, k.Status, k.CreateDate)
		}
	case "ListUserPolicies":
		for _, n := range r.PolicyNames {
			fmt.Fprintln(w, n)
		}
	case "GetUserPolicy":
		doc, err := url.QueryUnescape(r.Document)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, doc)
	default:
		fmt.Fprintln(w, "ok")
	}
	return nil
}
