package main

import (
	"os/exec"
	"strings"
	"testing"
)

// unwanted are packages the server binary must not link: cloud blob
// drivers and Iceberg catalog clients (Talus writes its tables itself;
// their package initialisation costs every server memory at start-up),
// and the clients only the tests use.
var unwanted = []string{
	"github.com/apache/iceberg-go/catalog",
	"github.com/apache/iceberg-go/io/gocloud",
	"gocloud.dev/",
	"cloud.google.com/go/storage",
	"github.com/Azure/",
	"github.com/aws/aws-sdk-go/",
	"github.com/chromedp/",
	"github.com/minio/minio-go",
	"github.com/twmb/franz-go/pkg/kfake",
}

func TestServerDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 100 {
		t.Fatalf("go list -deps named %d packages", len(deps))
	}
	for _, d := range deps {
		for _, u := range unwanted {
			if strings.HasPrefix(d, u) {
				t.Errorf("the server links %s", d)
			}
		}
	}
}
