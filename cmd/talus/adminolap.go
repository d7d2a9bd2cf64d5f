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

const adminOLAPUsage = `Usage: talus admin [flags] olap <command>

Configures S3 Object Lambda access points: a GET through one is answered by
its transformer (an HTTP endpoint standing in for the Lambda function),
which receives AWS's event JSON and writes the response with
WriteGetObjectResponse. Clients reach an access point at the host
NAME-ACCOUNTID.s3-object-lambda.DOMAIN, or with its ARN
arn:aws:s3-object-lambda:REGION:ACCOUNTID:accesspoint/NAME as the bucket.
The access point belongs to the bucket owner's account. Administrator only.

Commands:
  olap create --name NAME --bucket BUCKET --transformer URL [--payload JSON]
              [--allowed-features GetObject-Range,GetObject-PartNumber]
  olap list
  olap delete NAME [--account ID]
`

func runAdminOLAP(args []string, endpoint, region, data string, stdout io.Writer) error {
	if done, err := subcommandHelp(args, adminOLAPUsage, "olap"); done {
		return err
	}
	form := url.Values{"Version": {"2010-05-08"}}
	switch args[0] {
	case "create":
		fl := flag.NewFlagSet("olap create", flag.ContinueOnError)
		fl.Usage = func() { fmt.Fprint(os.Stderr, adminOLAPUsage) }
		name := fl.String("name", "", "access point name")
		bucket := fl.String("bucket", "", "supporting bucket")
		tr := fl.String("transformer", "", "transformer URL the event is POSTed to")
		payload := fl.String("payload", "", "configuration payload (JSON) passed in the event")
		features := fl.String("allowed-features", "", "comma-separated: GetObject-Range, GetObject-PartNumber")
		if err := fl.Parse(args[1:]); err != nil {
			return err
		}
		if *name == "" || *bucket == "" || *tr == "" || fl.NArg() > 0 {
			return errors.New("olap create takes --name NAME --bucket BUCKET --transformer URL")
		}
		form.Set("Action", "TalusCreateObjectLambdaAccessPoint")
		form.Set("Name", *name)
		form.Set("Bucket", *bucket)
		form.Set("Transformer", *tr)
		if *payload != "" {
			form.Set("Payload", *payload)
		}
		if *features != "" {
			form.Set("AllowedFeatures", *features)
		}
	case "list":
		if len(args) != 1 {
			return errors.New("olap list takes no arguments")
		}
		form.Set("Action", "TalusListObjectLambdaAccessPoints")
	case "delete":
		if len(args) < 2 || strings.HasPrefix(args[1], "-") {
			return errors.New("olap delete takes NAME first (see 'talus admin olap -h')")
		}
		fl := flag.NewFlagSet("olap delete", flag.ContinueOnError)
		acct := fl.String("account", "", "the access point's account ID (when several accounts use the name)")
		if err := fl.Parse(args[2:]); err != nil {
			return err
		}
		form.Set("Action", "TalusDeleteObjectLambdaAccessPoint")
		form.Set("Name", args[1])
		if *acct != "" {
			form.Set("AccountId", *acct)
		}
	default:
		return fmt.Errorf("unknown olap command %q (see 'talus admin olap -h')", args[0])
	}
	body, err := adminSend(endpoint, region, data, form)
	if err != nil {
		return err
	}
	type info struct {
		Name        string   `xml:"Name"`
		Account     string   `xml:"AccountId"`
		Bucket      string   `xml:"Bucket"`
		Transformer string   `xml:"Transformer"`
		Features    []string `xml:"AllowedFeatures>member"`
	}
	var r struct {
		Created info   `xml:"TalusCreateObjectLambdaAccessPointResult>AccessPoint"`
		All     []info `xml:"TalusListObjectLambdaAccessPointsResult>AccessPoints>member"`
	}
	if err := xml.Unmarshal(body, &r); err != nil {
		return err
	}
	line := func(i info) {
		fmt.Fprintf(stdout, "arn:aws:s3-object-lambda:%s:%s:accesspoint/%s\t%s\t%s\t%s\n", region, i.Account, i.Name, i.Bucket, i.Transformer, strings.Join(i.Features, ","))
	}
	switch form.Get("Action") {
	case "TalusCreateObjectLambdaAccessPoint":
		line(r.Created)
	case "TalusListObjectLambdaAccessPoints":
		for _, i := range r.All {
			line(i)
		}
	default:
		fmt.Fprintln(stdout, "ok")
	}
	return nil
}
