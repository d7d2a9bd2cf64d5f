package e2e

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/server"
	"talus/internal/testserver"
)

// logBuffer is a slog destination the test can read while the server writes.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func withLog(l *logBuffer) testserver.Option {
	return func(c *server.Config) {
		c.Logger = slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
}

// TestInternalErrorLogsCause breaks the storage under an object (its blob
// file disappears) and checks that the 500 the client gets is logged with
// the storage error behind it, while the client sees only InternalError.
func TestInternalErrorLogsCause(t *testing.T) {
	var logs logBuffer
	srv := testserver.Start(t, withLog(&logs))
	c := srv.Client()
	mustCreateBucket(t, c, "logs")
	mustPut(t, c, "logs", "broken", bytes.Repeat([]byte("b"), 64<<10)) // over InlineMax: a blob
	files := blobFiles(t, srv)
	if len(files) != 1 {
		t.Fatalf("blob files: %v", files)
	}
	if err := os.Remove(filepath.Join(srv.Dir, "blobs", files[0])); err != nil {
		t.Fatal(err)
	}
	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("logs"), Key: aws.String("broken")})
	mustCode(t, err, "InternalError")
	if strings.Contains(err.Error(), "not found") {
		t.Fatalf("the cause reached the client: %v", err)
	}
	var line string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "msg=access") && strings.Contains(l, "key=broken") {
			line = l
		}
	}
	if line == "" {
		t.Fatalf("no error line for the 500; log:\n%s", logs.String())
	}
	if !strings.Contains(line, "level=ERROR") || !strings.Contains(line, "status=500") || !strings.Contains(line, `cause="blob: not found"`) ||
		!strings.Contains(line, "op=GetObject") || !strings.Contains(line, "code=InternalError") {
		t.Fatalf("500 logged without its cause: %s", line)
	}
}
