package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAdminNotifyCommands(t *testing.T) {
	var got []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, r.Header.Get("Authorization")+" "+string(b))
	}))
	defer hook.Close()
	t.Setenv("TALUS_TEST_NOTIFY_TOKEN", "Bearer very-secret")
	cfg := filepath.Join(t.TempDir(), "notify.json")
	os.WriteFile(cfg, []byte(`{"targets":[
		{"arn":"arn:aws:sqs:us-east-1:000000000000:hook","type":"webhook","url":"`+hook.URL+`/?token=hidden","auth_header":"env:TALUS_TEST_NOTIFY_TOKEN"},
		{"arn":"arn:aws:sqs:us-east-1:000000000000:down","type":"webhook","url":"http://127.0.0.1:1/"}]}`), 0o600)
	var out bytes.Buffer
	if err := runAdmin([]string{"notify", "--config", cfg, "list"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "arn:aws:sqs:us-east-1:000000000000:hook") || strings.Contains(out.String(), "hidden") || strings.Contains(out.String(), "very-secret") {
		t.Errorf("list:\n%s", out.String())
	}
	out.Reset()
	if err := runAdmin([]string{"notify", "--config", cfg, "test", "arn:aws:sqs:us-east-1:000000000000:hook"}, &out); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !strings.HasPrefix(got[0], "Bearer very-secret ") || !strings.Contains(got[0], `"Event":"s3:TestEvent"`) {
		t.Errorf("test event: %q", got)
	}
	if err := runAdmin([]string{"notify", "--config", cfg, "test", "arn:aws:sqs:us-east-1:000000000000:down"}, &out); err == nil {
		t.Error("a target that is down tested fine")
	}
	if err := runAdmin([]string{"notify", "--config", cfg, "test", "arn:aws:sqs:us-east-1:000000000000:none"}, &out); err == nil {
		t.Error("an unknown target tested fine")
	}
}

func TestServerRefusesBadNotifyConfig(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "notify.json")
	os.WriteFile(bad, []byte(`{"targets":[{"arn":"arn:aws:sqs:us-east-1:0:q","type":"carrier-pigeon","url":"http://x"}]}`), 0o600)
	err := runServer([]string{"--data", filepath.Join(dir, "data"), "--address", "127.0.0.1:0", "--notify-config", bad})
	if err == nil || !strings.Contains(err.Error(), "--notify-config") || !strings.Contains(err.Error(), "carrier-pigeon") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); !os.IsNotExist(err) {
		t.Errorf("the data directory was created: %v", err)
	}
}
