package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"talus/internal/sigv4"
)

const adminKMSUsage = `Usage: talus admin [flags] kms <command>

Manages the key service through the server's KMS API (the same operations
as 'aws kms --endpoint-url ...').

Commands:
  create-key [--key-id ID] [--description TEXT]
                        create a key; --key-id chooses its ID (1 to 64 of
                        A-Z a-z 0-9 _ -) instead of a random UUID
  list-keys             every key: ID, ARN, state
  describe-key KEY      a key by ID, ARN, alias/NAME or alias ARN
`

// kmsKeyMetadata is what admin prints of a key: ID, ARN, state, manager,
// creation time and description, tab-separated.
type kmsKeyMetadata struct {
	KeyID        string  `json:"KeyId"`
	Arn          string  `json:"Arn"`
	KeyState     string  `json:"KeyState"`
	KeyManager   string  `json:"KeyManager"`
	Description  string  `json:"Description"`
	CreationDate float64 `json:"CreationDate"`
}

func (m kmsKeyMetadata) print(w io.Writer) {
	created := time.UnixMilli(int64(m.CreationDate * 1000)).UTC().Format(time.RFC3339)
	fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", m.KeyID, m.Arn, m.KeyState, m.KeyManager, created, m.Description)
}

func runAdminKMS(args []string, endpoint, region, data string, stdout io.Writer) error {
	if done, err := subcommandHelp(args, adminKMSUsage, "kms"); done {
		return err
	}
	ak, sk, err := adminCredentials(data)
	if err != nil {
		return err
	}
	call := func(op string, in any, out any) error {
		return kmsRequest(endpoint, region, ak, sk, op, in, out)
	}
	switch args[0] {
	case "create-key":
		fl := flag.NewFlagSet("kms create-key", flag.ContinueOnError)
		fl.Usage = func() { fmt.Fprint(os.Stderr, adminKMSUsage) }
		id := fl.String("key-id", "", "the new key's ID (default: a random UUID)")
		desc := fl.String("description", "", "the key's description")
		if err := fl.Parse(args[1:]); err != nil {
			return err
		}
		if fl.NArg() != 0 {
			return fmt.Errorf("kms create-key takes no arguments, only --key-id and --description")
		}
		in := map[string]string{}
		if *desc != "" {
			in["Description"] = *desc
		}
		if *id != "" {
			in["TalusKeyId"] = *id
		}
		var out struct{ KeyMetadata kmsKeyMetadata }
		if err := call("CreateKey", in, &out); err != nil {
			return err
		}
		out.KeyMetadata.print(stdout)
		return nil
	case "describe-key":
		if len(args) != 2 {
			return errors.New("kms describe-key takes one argument: KEY")
		}
		var out struct{ KeyMetadata kmsKeyMetadata }
		if err := call("DescribeKey", map[string]string{"KeyId": args[1]}, &out); err != nil {
			return err
		}
		out.KeyMetadata.print(stdout)
		return nil
	case "list-keys":
		if len(args) != 1 {
			return errors.New("kms list-keys takes no arguments")
		}
		marker := ""
		for {
			in := map[string]any{"Limit": 1000}
			if marker != "" {
				in["Marker"] = marker
			}
			var page struct {
				Keys       []struct{ KeyId string }
				NextMarker string
				Truncated  bool
			}
			if err := call("ListKeys", in, &page); err != nil {
				return err
			}
			for _, k := range page.Keys {
				var out struct{ KeyMetadata kmsKeyMetadata }
				if err := call("DescribeKey", map[string]string{"KeyId": k.KeyId}, &out); err != nil {
					return err
				}
				out.KeyMetadata.print(stdout)
			}
			if !page.Truncated {
				return nil
			}
			marker = page.NextMarker
		}
	}
	return fmt.Errorf("unknown command \"kms %s\" (see 'talus admin kms -h')", args[0])
}

// kmsRequest sends one signed KMS JSON API request and decodes its result.
func kmsRequest(endpoint, region, ak, sk, op string, in, out any) error {
	payload, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, strings.TrimRight(endpoint, "/")+"/", bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService."+op)
	sum := sha256.Sum256(payload)
	sigv4.SignService(req, ak, sk, region, "kms", hex.EncodeToString(sum[:]), time.Now())
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if json.Unmarshal(body, &e) == nil && e.Type != "" {
			return fmt.Errorf("%s: %s", e.Type, e.Message)
		}
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return json.Unmarshal(body, out)
}
