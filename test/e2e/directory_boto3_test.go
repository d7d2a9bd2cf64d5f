package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"talus/internal/testserver"
)

// directoryBoto3 drives directory buckets with the machine's boto3: a
// path-style client on the server's endpoint, which botocore signs for
// s3express and, for object requests, with CreateSession's credentials
// (x-amz-s3session-token). Each check prints "ok NAME"; a failing one
// raises, and the script's output is the test's log.
const directoryBoto3 = `
import os, sys, datetime
import boto3, botocore
from botocore.config import Config
from botocore.exceptions import ClientError

ep = os.environ["ENDPOINT"]
def client(**s3cfg):
    return boto3.client("s3", endpoint_url=ep, region_name="us-east-1",
        aws_access_key_id=os.environ["AK"], aws_secret_access_key=os.environ["SK"],
        config=Config(s3=dict(addressing_style="path", **s3cfg), retries={"max_attempts": 1}))
# With a custom endpoint botocore would sign even the bucket-level
# (s3express-control) requests with session credentials; those need plain
# SigV4 (signing name s3express), so they go through a second client.
s3 = client()
ctl = client(disable_s3_express_session_auth=True)
b = "boto--use1-az5--x-s3"

def code(f):
    try:
        f()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError("no error")

ctl.create_bucket(Bucket=b, CreateBucketConfiguration={
    "Location": {"Type": "AvailabilityZone", "Name": "use1-az5"},
    "Bucket": {"Type": "Directory", "DataRedundancy": "SingleAvailabilityZone"}})
print("ok create")

names = [x["Name"] for x in ctl.list_directory_buckets()["Buckets"]]
assert names == [b], names
assert b not in [x["Name"] for x in ctl.list_buckets()["Buckets"]]
print("ok list")

sess = s3.create_session(Bucket=b, SessionMode="ReadOnly")
cr = sess["Credentials"]
assert cr["AccessKeyId"] and cr["SecretAccessKey"] and cr["SessionToken"], cr
left = cr["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
assert datetime.timedelta(minutes=4) < left <= datetime.timedelta(minutes=5, seconds=5), left
assert sess["ServerSideEncryption"] == "AES256", sess
print("ok session")

sent = []
s3.meta.events.register("before-send.s3.PutObject", lambda request, **kw: sent.append(dict(request.headers)))
s3.put_object(Bucket=b, Key="dir/one.txt", Body=b"one")
h = {k.lower(): v for k, v in sent[-1].items()}
assert h.get("x-amz-s3session-token") and "x-amz-security-token" not in h, h
assert b"/s3express/aws4_request" in (h["authorization"] if isinstance(h["authorization"], bytes) else h["authorization"].encode()), h

got = s3.get_object(Bucket=b, Key="dir/one.txt")
assert got["Body"].read() == b"one"
assert got["StorageClass"] == "EXPRESS_ONEZONE", got.get("StorageClass")
print("ok put-get")

# The ReadOnly session's credentials, used directly: reads pass, writes are refused.
ro = boto3.client("s3", endpoint_url=ep, region_name="us-east-1",
    aws_access_key_id=cr["AccessKeyId"], aws_secret_access_key=cr["SecretAccessKey"],
    config=Config(s3={"addressing_style": "path", "disable_s3_express_session_auth": True}, retries={"max_attempts": 1}))
def with_session(request, **kw):
    request.headers["x-amz-s3session-token"] = cr["SessionToken"]
ro.meta.events.register("before-sign.s3", with_session)
assert ro.get_object(Bucket=b, Key="dir/one.txt")["Body"].read() == b"one"
assert code(lambda: ro.put_object(Bucket=b, Key="dir/ro.txt", Body=b"x")) == ("AccessDenied", 403)
print("ok read-only")

s3.rename_object(Bucket=b, Key="dir/two.txt", RenameSource=b + "/dir/one.txt")
assert s3.get_object(Bucket=b, Key="dir/two.txt")["Body"].read() == b"one"
assert code(lambda: s3.head_object(Bucket=b, Key="dir/one.txt"))[1] == 404
print("ok rename")

keys = [o["Key"] for o in s3.list_objects_v2(Bucket=b, Prefix="dir/", Delimiter="/").get("Contents", [])]
assert keys == ["dir/two.txt"], keys
assert code(lambda: s3.list_objects_v2(Bucket=b, Prefix="di")) == ("InvalidArgument", 400)
print("ok listing")
`

func TestDirectoryBucketsBoto3(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 with boto3 is needed")
	}
	srv := testserver.Start(t)
	script := filepath.Join(t.TempDir(), "directory.py")
	if err := os.WriteFile(script, []byte(directoryBoto3), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("python3", script)
	cmd.Env = append(os.Environ(), "ENDPOINT="+srv.URL, "AK="+testserver.AccessKey, "SK="+testserver.SecretKey,
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	t.Logf("boto3:\n%s", out)
	if err != nil {
		t.Fatalf("boto3 script failed: %v", err)
	}
	for _, step := range []string{"create", "list", "session", "put-get", "read-only", "rename", "listing"} {
		if !strings.Contains(string(out), "ok "+step+"\n") {
			t.Errorf("step %s did not pass", step)
		}
	}
}
