package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/testserver"
)

// olapEvent is what the test's transformer reads of the event.
type olapEvent struct {
	RequestID        string `json:"xAmzRequestId"`
	GetObjectContext struct {
		InputS3URL  string `json:"inputS3Url"`
		OutputRoute string `json:"outputRoute"`
		OutputToken string `json:"outputToken"`
	} `json:"getObjectContext"`
	Configuration struct {
		AccessPointARN string `json:"accessPointArn"`
		Payload        string `json:"payload"`
	} `json:"configuration"`
	UserRequest struct {
		URL     string            `json:"url"`
		Headers map[string]string `json:"headers"`
	} `json:"userRequest"`
	UserIdentity struct {
		Type      string `json:"type"`
		ARN       string `json:"arn"`
		AccountID string `json:"accountId"`
	} `json:"userIdentity"`
	ProtocolVersion string `json:"protocolVersion"`
}

// transformer is the test's stand-in for a Lambda function: what it does
// with an event depends on the access point's payload {"mode": ...}.
type transformer struct {
	t        *testing.T
	wgor     *s3.Client // WriteGetObjectResponse client, endpoint the Talus server
	endpoint string     // the Talus server's URL
	mu       sync.Mutex
	seen     []olapEvent
	errs     []error // WriteGetObjectResponse errors the transformer got
	hold     chan struct{}
	// firstRead is signalled once the client has the first part of a
	// "stream" response.
	firstRead chan struct{}
}

// streamChunk is each half of a "stream" response.
var streamChunk = bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB

func (tr *transformer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var ev olapEvent
	if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	var cfg struct{ Mode string }
	json.Unmarshal([]byte(ev.Configuration.Payload), &cfg)
	tr.mu.Lock()
	tr.seen = append(tr.seen, ev)
	tr.mu.Unlock()
	goc := ev.GetObjectContext
	in := &s3.WriteGetObjectResponseInput{RequestRoute: aws.String(goc.OutputRoute), RequestToken: aws.String(goc.OutputToken)}
	switch cfg.Mode {
	case "silent": // never answers
		select {
		case <-tr.hold:
		case <-r.Context().Done():
		}
		return
	case "crash":
		http.Error(w, "function error", http.StatusInternalServerError)
		return
	case "forgot":
		w.WriteHeader(http.StatusOK)
		return
	case "stream":
		// Half the body, then the rest only once the client has the
		// first half: the server must not hold the body back.
		pr, pw := io.Pipe()
		go func() {
			pw.Write(streamChunk)
			select {
			case <-tr.firstRead:
				pw.Write(streamChunk)
				pw.Close()
			case <-time.After(60 * time.Second):
				pw.CloseWithError(fmt.Errorf("the client never got the first half"))
			}
		}()
		// Sent by hand with the SDK's signer: the SDK's client reads an
		// unseekable body whole before sending it.
		req, _ := http.NewRequest(http.MethodPost, tr.endpoint+"/WriteGetObjectResponse", pr)
		req.ContentLength = int64(2 * len(streamChunk))
		req.Header.Set("x-amz-request-route", goc.OutputRoute)
		req.Header.Set("x-amz-request-token", goc.OutputToken)
		req.Header.Set("x-amz-fwd-status", "200")
		req.Header.Set("x-amz-fwd-header-Content-Type", "application/octet-stream")
		req.Header.Set("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
		creds := aws.Credentials{AccessKeyID: testserver.AccessKey, SecretAccessKey: testserver.SecretKey}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, "UNSIGNED-PAYLOAD", "s3-object-lambda", "us-east-1", time.Now()); err != nil {
			tr.fail(err)
			return
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			tr.fail(err)
			return
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			tr.fail(fmt.Errorf("streamed WriteGetObjectResponse: %d", resp.StatusCode))
		}
		return
	case "deny":
		in.StatusCode = aws.Int32(403)
		in.ErrorCode = aws.String("TransformerDenied")
		in.ErrorMessage = aws.String("The transformer refuses this object.")
		in.Body = bytes.NewReader(nil)
		in.ContentLength = aws.Int64(0)
		if _, err := tr.wgor.WriteGetObjectResponse(context.Background(), in); err != nil {
			tr.fail(err)
		}
		return
	}
	resp, err := http.Get(goc.InputS3URL)
	if err != nil || resp.StatusCode != 200 {
		tr.fail(fmt.Errorf("GET inputS3Url: %v %v", err, resp))
		return
	}
	orig, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body := bytes.ToUpper(orig)
	if cfg.Mode == "badtoken" {
		bad := *in
		bad.RequestToken = aws.String(goc.OutputToken + "x")
		bad.Body, bad.ContentLength = bytes.NewReader(body), aws.Int64(int64(len(body)))
		_, err := tr.wgor.WriteGetObjectResponse(context.Background(), &bad)
		tr.mu.Lock()
		tr.errs = append(tr.errs, err)
		tr.mu.Unlock()
	}
	in.StatusCode = aws.Int32(200)
	if rg := ev.UserRequest.Headers["Range"]; rg != "" {
		var a, b int
		fmt.Sscanf(rg, "bytes=%d-%d", &a, &b)
		in.ContentRange = aws.String(fmt.Sprintf("bytes %d-%d/%d", a, b, len(body)))
		body = body[a : b+1]
		in.StatusCode = aws.Int32(206)
	}
	in.Body, in.ContentLength = bytes.NewReader(body), aws.Int64(int64(len(body)))
	in.ContentType = aws.String("text/x-upper")
	in.Metadata = map[string]string{"transformed": "upper"}
	in.CacheControl = aws.String("no-store")
	if _, err := tr.wgor.WriteGetObjectResponse(context.Background(), in); err != nil {
		tr.fail(err)
	}
}

func (tr *transformer) fail(err error) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.errs = append(tr.errs, err)
}

func (tr *transformer) events() []olapEvent {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]olapEvent(nil), tr.seen...)
}

// anyHostClient is an HTTP client whose connections all go to srv,
// whatever host the request names (access point and route hosts).
func anyHostClient(srv *testserver.Server) *http.Client {
	hostport := strings.TrimPrefix(srv.URL, "http://")
	var d net.Dialer
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, hostport)
	}}}
}

type olapSetup struct {
	srv    *testserver.Server
	tr     *transformer
	client *s3.Client // virtual-hosted client on talus.test, for ARNs
	port   string
	// transformerURL is where the access points send their events.
	transformerURL string
}

func startObjectLambda(t *testing.T) *olapSetup {
	srv := testserver.Start(t, testserver.WithDomain("talus.test"), testserver.WithObjectLambdaTimeout(3*time.Second))
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	hc := anyHostClient(srv)
	tr := &transformer{t: t, hold: make(chan struct{}), firstRead: make(chan struct{}), endpoint: srv.URL,
		wgor: testserver.NewClient(srv.URL, testserver.AccessKey, testserver.SecretKey, func(o *s3.Options) { o.HTTPClient = hc })}
	ts := httptest.NewServer(tr)
	t.Cleanup(func() { close(tr.hold); ts.Close() })
	c := srv.Client()
	mustCreateBucket(t, c, "olsrc")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("olsrc"), Key: aws.String("docs/hello.txt"),
		Body: strings.NewReader("hello, object lambda"), ContentType: aws.String("text/plain")}); err != nil {
		t.Fatal(err)
	}
	for _, ap := range []struct{ name, mode, features string }{
		{"upper", "upper", ""}, {"ranged", "upper", "GetObject-Range"}, {"deny", "deny", ""}, {"silent", "silent", ""},
		{"crash", "crash", ""}, {"stream", "stream", ""}, {"forgot", "forgot", ""}, {"badtoken", "badtoken", ""},
	} {
		form := url.Values{"Action": {"TalusCreateObjectLambdaAccessPoint"}, "Name": {ap.name}, "Bucket": {"olsrc"},
			"Transformer": {ts.URL + "/fn"}, "Payload": {`{"mode":"` + ap.mode + `"}`}}
		if ap.features != "" {
			form.Set("AllowedFeatures", ap.features)
		}
		if st, body := testserver.IAMCall(t, srv.URL, testserver.AccessKey, testserver.SecretKey, form); st != 200 {
			t.Fatalf("create access point %s: %d %s", ap.name, st, body)
		}
	}
	cl := testserver.NewClient("http://talus.test:"+port, testserver.AccessKey, testserver.SecretKey, func(o *s3.Options) {
		o.UsePathStyle = false
		o.HTTPClient = hc
	})
	return &olapSetup{srv: srv, tr: tr, client: cl, port: port, transformerURL: ts.URL + "/fn"}
}

func olapARN(name string) string {
	return "arn:aws:s3-object-lambda:us-east-1:000000000000:accesspoint/" + name
}

func TestObjectLambdaTransformsWithSDK(t *testing.T) {
	s := startObjectLambda(t)
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(olapARN("upper")), Key: aws.String("docs/hello.txt")})
	if err != nil {
		t.Fatalf("GetObject through the access point: %v", err)
	}
	b, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(b) != "HELLO, OBJECT LAMBDA" {
		t.Fatalf("body %q", b)
	}
	if aws.ToString(out.ContentType) != "text/x-upper" || out.Metadata["transformed"] != "upper" || aws.ToString(out.CacheControl) != "no-store" {
		t.Fatalf("forwarded headers: type %q meta %v cache %q", aws.ToString(out.ContentType), out.Metadata, aws.ToString(out.CacheControl))
	}
	if aws.ToInt64(out.ContentLength) != int64(len(b)) {
		t.Fatalf("Content-Length %d", aws.ToInt64(out.ContentLength))
	}
	evs := s.tr.events()
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	ev := evs[0]
	if ev.ProtocolVersion != "1.00" || ev.RequestID == "" || ev.Configuration.AccessPointARN != olapARN("upper") ||
		ev.Configuration.Payload != `{"mode":"upper"}` || ev.UserIdentity.AccountID != "000000000000" || ev.UserIdentity.Type != "Root" ||
		!strings.Contains(ev.UserRequest.URL, "/docs/hello.txt") || !strings.HasPrefix(ev.GetObjectContext.OutputRoute, "io-") ||
		!strings.Contains(ev.GetObjectContext.InputS3URL, "X-Amz-Signature=") {
		t.Fatalf("event %+v", ev)
	}
	// The host form: NAME-ACCOUNTID.s3-object-lambda.DOMAIN.
	hc := testserver.NewClient("http://s3-object-lambda.talus.test:"+s.port, testserver.AccessKey, testserver.SecretKey, func(o *s3.Options) {
		o.UsePathStyle = false
		o.HTTPClient = anyHostClient(s.srv)
	})
	out, err = hc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(olapARN("upper")), Key: aws.String("docs/hello.txt")})
	if err != nil {
		t.Fatalf("GetObject at the s3-object-lambda host: %v", err)
	}
	b, _ = io.ReadAll(out.Body)
	out.Body.Close()
	if string(b) != "HELLO, OBJECT LAMBDA" {
		t.Fatalf("body %q", b)
	}
	// The object itself is unchanged.
	if got := mustGet(t, s.srv.Client(), "olsrc", "docs/hello.txt"); string(got) != "hello, object lambda" {
		t.Fatalf("stored object %q", got)
	}
	if errs := s.tr.errs; len(errs) != 0 {
		t.Fatalf("transformer errors: %v", errs)
	}
}

const olapBoto3 = `
import os, socket, sys
import boto3
from botocore.config import Config
real = socket.getaddrinfo
def fake(host, *a, **k):
    if host.endswith("talus.test"):
        host = "127.0.0.1"
    return real(host, *a, **k)
socket.getaddrinfo = fake
s3 = boto3.client("s3", endpoint_url="http://talus.test:" + os.environ["PORT"], region_name="us-east-1",
    aws_access_key_id=os.environ["AK"], aws_secret_access_key=os.environ["SK"],
    config=Config(retries={"max_attempts": 1}))
arn = "arn:aws:s3-object-lambda:us-east-1:000000000000:accesspoint/"
r = s3.get_object(Bucket=arn + "upper", Key="docs/hello.txt")
print(r["Body"].read().decode(), r["ContentType"], r["Metadata"].get("transformed"), sep="|")
try:
    s3.get_object(Bucket=arn + "deny", Key="docs/hello.txt")
    print("no error")
except s3.exceptions.ClientError as e:
    print(e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"], sep="|")
`

func TestObjectLambdaTransformsWithBoto3(t *testing.T) {
	s := startObjectLambda(t)
	cmd := exec.Command("python3", "-c", olapBoto3)
	cmd.Env = append(cmd.Environ(), "PORT="+s.port, "AK="+testserver.AccessKey, "SK="+testserver.SecretKey)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
	want := "HELLO, OBJECT LAMBDA|text/x-upper|upper\n403|TransformerDenied\n"
	if string(out) != want {
		t.Fatalf("boto3 printed\n%s\nwant\n%s", out, want)
	}
}

func TestObjectLambdaErrors(t *testing.T) {
	s := startObjectLambda(t)
	get := func(ap string, opt func(*s3.GetObjectInput)) error {
		in := &s3.GetObjectInput{Bucket: aws.String(olapARN(ap)), Key: aws.String("docs/hello.txt")}
		if opt != nil {
			opt(in)
		}
		out, err := s.client.GetObject(ctx, in)
		if err == nil {
			out.Body.Close()
		}
		return err
	}
	status := func(err error) int {
		var re interface{ HTTPStatusCode() int }
		if errors.As(err, &re) {
			return re.HTTPStatusCode()
		}
		return 0
	}

	t.Run("transformer error status", func(t *testing.T) {
		err := get("deny", nil)
		if apiCode(err) != "TransformerDenied" || status(err) != 403 || !strings.Contains(err.Error(), "refuses this object") {
			t.Fatalf("got %v (status %d)", err, status(err))
		}
	})
	t.Run("transformer never answers", func(t *testing.T) {
		start := time.Now()
		err := get("silent", nil)
		if apiCode(err) != "LambdaTimedOut" || status(err) != 500 {
			t.Fatalf("got %v (status %d)", err, status(err))
		}
		if d := time.Since(start); d < 3*time.Second {
			t.Fatalf("gave up after %s, before the 3s timeout", d)
		}
		// The abandoned route's token has expired.
		var ev olapEvent
		for _, e := range s.tr.events() {
			if strings.Contains(e.Configuration.Payload, "silent") {
				ev = e
			}
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			_, err := s.tr.wgor.WriteGetObjectResponse(ctx, &s3.WriteGetObjectResponseInput{RequestRoute: aws.String(ev.GetObjectContext.OutputRoute),
				RequestToken: aws.String(ev.GetObjectContext.OutputToken), Body: strings.NewReader("late"), ContentLength: aws.Int64(4)})
			if apiCode(err) == "ExpiredToken" {
				break
			}
			if apiCode(err) != "InvalidToken" || time.Now().After(deadline) {
				t.Fatalf("late WriteGetObjectResponse: %v", err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
	t.Run("transformer fails", func(t *testing.T) {
		if err := get("crash", nil); apiCode(err) != "LambdaRuntimeError" || status(err) != 500 {
			t.Fatalf("got %v", err)
		}
		if err := get("forgot", nil); apiCode(err) != "LambdaResponseNotReceived" || status(err) != 500 {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("wrong token", func(t *testing.T) {
		out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(olapARN("badtoken")), Key: aws.String("docs/hello.txt")})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(b) != "HELLO, OBJECT LAMBDA" {
			t.Fatalf("body %q", b)
		}
		s.tr.mu.Lock()
		errs := append([]error(nil), s.tr.errs...)
		s.tr.mu.Unlock()
		if len(errs) != 1 || apiCode(errs[0]) != "InvalidToken" || status(errs[0]) != 400 {
			t.Fatalf("WriteGetObjectResponse with a wrong token: %v", errs)
		}
		// Unknown route.
		_, err = s.tr.wgor.WriteGetObjectResponse(ctx, &s3.WriteGetObjectResponseInput{RequestRoute: aws.String("io-nosuchroute"),
			RequestToken: aws.String("t"), Body: strings.NewReader("x"), ContentLength: aws.Int64(1)})
		mustCode(t, err, "InvalidToken")
	})
	t.Run("unsigned WriteGetObjectResponse", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, s.srv.URL+"/WriteGetObjectResponse", strings.NewReader("x"))
		req.Header.Set("x-amz-request-route", "io-abc")
		req.Header.Set("x-amz-request-token", "t")
		wantRaw(t, "unsigned WriteGetObjectResponse", send(t, req), 403, "AccessDenied")
	})
	t.Run("caller without permission on the access point", func(t *testing.T) {
		ak, sk := newIAMUser(t, s.srv, "olreader")
		putUserPolicy(t, s.srv, "olreader", "read", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::olsrc/*"}]}`)
		uc := testserver.NewClient("http://talus.test:"+s.port, ak, sk, func(o *s3.Options) {
			o.UsePathStyle = false
			o.HTTPClient = anyHostClient(s.srv)
		})
		in := &s3.GetObjectInput{Bucket: aws.String(olapARN("upper")), Key: aws.String("docs/hello.txt")}
		_, err := uc.GetObject(ctx, in)
		mustCode(t, err, "AccessDenied")
		putUserPolicy(t, s.srv, "olreader", "olap", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3-object-lambda:GetObject","Resource":"`+olapARN("upper")+`"}]}`)
		deadline := time.Now().Add(30 * time.Second)
		for {
			out, err := uc.GetObject(ctx, in)
			if err == nil {
				b, _ := io.ReadAll(out.Body)
				out.Body.Close()
				if string(b) != "HELLO, OBJECT LAMBDA" {
					t.Fatalf("body %q", b)
				}
				break
			}
			if apiCode(err) != "AccessDenied" || time.Now().After(deadline) {
				t.Fatalf("with both permissions: %v", err)
			}
			time.Sleep(200 * time.Millisecond) // the policy cache
		}
		// Without s3:GetObject on the bucket, the access point alone is not enough.
		_, err = rootIAM(s.srv).DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("olreader"), PolicyName: aws.String("read")})
		mustOK(t, "DeleteUserPolicy", err)
		deadline = time.Now().Add(30 * time.Second)
		for {
			_, err := uc.GetObject(ctx, in)
			if apiCode(err) == "AccessDenied" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("without s3:GetObject: %v", err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
	t.Run("range", func(t *testing.T) {
		err := get("upper", func(in *s3.GetObjectInput) { in.Range = aws.String("bytes=0-4") })
		if apiCode(err) != "NotImplemented" || status(err) != 501 {
			t.Fatalf("Range where not allowed: %v", err)
		}
		err = get("upper", func(in *s3.GetObjectInput) { in.PartNumber = aws.Int32(1) })
		if apiCode(err) != "NotImplemented" {
			t.Fatalf("partNumber where not allowed: %v", err)
		}
		out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(olapARN("ranged")), Key: aws.String("docs/hello.txt"), Range: aws.String("bytes=0-4")})
		if err != nil {
			t.Fatalf("Range where allowed: %v", err)
		}
		b, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(b) != "HELLO" || aws.ToString(out.ContentRange) != "bytes 0-4/20" {
			t.Fatalf("ranged: %q %q", b, aws.ToString(out.ContentRange))
		}
	})
	t.Run("unknown access point", func(t *testing.T) {
		mustCode(t, get("nosuch", nil), "NoSuchAccessPoint")
	})
}

// The transformer's body reaches the client as it is written: the second
// half is written only after the client has read the first.
func TestObjectLambdaStreams(t *testing.T) {
	s := startObjectLambda(t)
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(olapARN("stream")), Key: aws.String("docs/hello.txt")})
	if err != nil {
		s.tr.mu.Lock()
		defer s.tr.mu.Unlock()
		t.Fatalf("GetObject: %v (transformer: %v)", err, s.tr.errs)
	}
	defer out.Body.Close()
	first := make([]byte, len(streamChunk))
	if _, err := io.ReadFull(out.Body, first); err != nil || !bytes.Equal(first, streamChunk) {
		t.Fatalf("first half: %v", err)
	}
	close(s.tr.firstRead)
	rest, err := io.ReadAll(out.Body)
	if err != nil || !bytes.Equal(rest, streamChunk) {
		t.Fatalf("second half: %d bytes, %v", len(rest), err)
	}
	if aws.ToInt64(out.ContentLength) != int64(2*len(streamChunk)) {
		t.Fatalf("Content-Length %d", aws.ToInt64(out.ContentLength))
	}
	s.tr.mu.Lock()
	defer s.tr.mu.Unlock()
	if len(s.tr.errs) != 0 {
		t.Fatalf("transformer errors: %v", s.tr.errs)
	}
}

// An access point belongs to its bucket owner's account: that account's
// root reads through it, another account's is refused, and only the
// administrator configures access points.
func TestObjectLambdaAccounts(t *testing.T) {
	s := startObjectLambda(t)
	other := newAccount(t, s.srv, "other", "other@example.com")
	form := url.Values{"Action": {"TalusCreateObjectLambdaAccessPoint"}, "Name": {"theirs"}, "Bucket": {"theirbucket"},
		"Transformer": {s.tr.endpoint}, "Payload": {`{"mode":"upper"}`}}
	if st, body := testserver.IAMCall(t, s.srv.URL, other.AK, other.SK, form); st != 403 || !strings.Contains(body, "AccessDenied") {
		t.Fatalf("another account configures an access point: %d %s", st, body)
	}
	mustCreateBucket(t, other.Root, "theirbucket")
	mustPut(t, other.Root, "theirbucket", "docs/hello.txt", []byte("their object"))
	form.Set("Transformer", s.transformerURL)
	if st, body := testserver.IAMCall(t, s.srv.URL, testserver.AccessKey, testserver.SecretKey, form); st != 200 || !strings.Contains(body, "<AccountId>"+other.ID+"</AccountId>") {
		t.Fatalf("access point on another account's bucket: %d %s", st, body)
	}
	arn := "arn:aws:s3-object-lambda:us-east-1:" + other.ID + ":accesspoint/theirs"
	oc := testserver.NewClient("http://talus.test:"+s.port, other.AK, other.SK, func(o *s3.Options) {
		o.UsePathStyle = false
		o.HTTPClient = anyHostClient(s.srv)
	})
	out, err := oc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(arn), Key: aws.String("docs/hello.txt")})
	if err != nil {
		t.Fatalf("the owner's root through its access point: %v", err)
	}
	b, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(b) != "THEIR OBJECT" {
		t.Fatalf("body %q", b)
	}
	_, err = s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(arn), Key: aws.String("docs/hello.txt")})
	mustCode(t, err, "AccessDenied")
}
