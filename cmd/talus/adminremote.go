package main

import (
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
)

const adminRemoteUsage = `Usage: talus admin [flags] remote <command>

Names the S3 endpoints that replication rules may replicate to (a rule's
destination bucket arn:talus:s3:NAME::BUCKET). The secret key is sealed
under the data directory's key, like access key secrets. Administrator only.

Commands:
  remote add NAME --endpoint URL --access-key AK --secret-key SK [--region R] [--path-style] [--replace]
                   (--secret-key may come from TALUS_REMOTE_SECRET_KEY instead)
  remote list
  remote remove NAME

  replicate --existing BUCKET
                   replicate the versions BUCKET held before its rules (those
                   with ExistingObjectReplication Enabled), in the background
`

func runAdminRemote(args []string, endpoint, region, data string, stdout io.Writer) error {
	if done, err := subcommandHelp(args, adminRemoteUsage, "remote"); done {
		return err
	}
	form := url.Values{"Version": {"2010-05-08"}}
	switch args[0] {
	case "add":
		if len(args) < 2 || strings.HasPrefix(args[1], "-") {
			return errors.New("remote add takes NAME first (see 'talus admin remote -h')")
		}
		fl := flag.NewFlagSet("remote add", flag.ContinueOnError)
		fl.Usage = func() { fmt.Fprint(os.Stderr, adminRemoteUsage) }
		ep := fl.String("endpoint", "", "the remote's S3 endpoint URL")
		ak := fl.String("access-key", "", "access key ID on the remote")
		sk := fl.String("secret-key", os.Getenv("TALUS_REMOTE_SECRET_KEY"), "secret key on the remote")
		rg := fl.String("region", "us-east-1", "the remote's region")
		ps := fl.Bool("path-style", false, "path-style requests (endpoint/bucket/key)")
		replace := fl.Bool("replace", false, "replace a remote of that name")
		if err := fl.Parse(args[2:]); err != nil {
			return err
		}
		if *ep == "" || *ak == "" || *sk == "" || fl.NArg() > 0 {
			return errors.New("remote add takes NAME --endpoint URL --access-key AK --secret-key SK")
		}
		form.Set("Action", "TalusPutReplicationRemote")
		form.Set("RemoteName", args[1])
		form.Set("Endpoint", *ep)
		form.Set("AccessKeyId", *ak)
		form.Set("SecretAccessKey", *sk)
		form.Set("Region", *rg)
		form.Set("PathStyle", fmt.Sprint(*ps))
		form.Set("Replace", fmt.Sprint(*replace))
	case "list":
		if len(args) != 1 {
			return errors.New("remote list takes no arguments")
		}
		form.Set("Action", "TalusListReplicationRemotes")
	case "remove":
		if len(args) != 2 {
			return errors.New("remote remove takes one argument: NAME")
		}
		form.Set("Action", "TalusDeleteReplicationRemote")
		form.Set("RemoteName", args[1])
	default:
		return fmt.Errorf("unknown remote command %q (see 'talus admin remote -h')", args[0])
	}
	return adminCall(endpoint, region, data, form, stdout)
}

func runAdminReplicate(args []string, endpoint, region, data string, stdout io.Writer) error {
	fl := flag.NewFlagSet("replicate", flag.ContinueOnError)
	fl.Usage = func() { fmt.Fprint(os.Stderr, adminRemoteUsage) }
	bucket := fl.String("existing", "", "bucket whose existing objects to replicate")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *bucket == "" || fl.NArg() > 0 {
		return errors.New("replicate takes --existing BUCKET")
	}
	return adminCall(endpoint, region, data, url.Values{"Version": {"2010-05-08"}, "Action": {"TalusReplicateExisting"}, "Bucket": {*bucket}}, stdout)
}

// adminCall sends one administration action and prints its answer.
func adminCall(endpoint, region, data string, form url.Values, stdout io.Writer) error {
	body, err := adminSend(endpoint, region, data, form)
	if err != nil {
		return err
	}
	if form.Get("Action") != "TalusListReplicationRemotes" {
		fmt.Fprintln(stdout, "ok")
		return nil
	}
	var r struct {
		Remotes []struct {
			Name      string `xml:"RemoteName"`
			Endpoint  string `xml:"Endpoint"`
			Region    string `xml:"Region"`
			AccessKey string `xml:"AccessKeyId"`
			PathStyle bool   `xml:"PathStyle"`
		} `xml:"TalusListReplicationRemotesResult>Remotes>member"`
	}
	if err := xml.Unmarshal(body, &r); err != nil {
		return err
	}
	for _, m := range r.Remotes {
		fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\tpath-style=%v\n", m.Name, m.Endpoint, m.Region, m.AccessKey, m.PathStyle)
	}
	return nil
}
