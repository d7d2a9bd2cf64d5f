package process

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"talus/internal/testserver"
)

// privateModes returns every entry under dir whose mode is not 0600 for a
// file or 0700 for a directory, and how many files it saw.
func privateModes(t *testing.T, dir string) (bad []string, files int) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		} else {
			files++
		}
		if fi.Mode().Perm() != want {
			bad = append(bad, path+" "+fi.Mode().Perm().String())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return bad, files
}

// TestDataFilesPrivateUnderOpenUmask: started under umask 000, the server
// still creates every file of its data directory 0600 and every directory
// 0700: metadata and its WAL, keys, credentials, inline and blob objects.
func TestDataFilesPrivateUnderOpenUmask(t *testing.T) {
	tmp := t.TempDir()
	wrapper := filepath.Join(tmp, "talus-umask0")
	if err := os.WriteFile(wrapper, []byte("#!/bin/sh\numask 000\nexec "+talusBin+" \"$@\"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "data")
	p := testserver.StartProcess(t, wrapper, dir, "", "") // generates root-credentials.json
	ak, sk := credentialsIn(t, dir)
	c := testserver.NewClient(p.URL, ak, sk)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("modes")}); err != nil {
		t.Fatal(err)
	}
	for key, size := range map[string]int{"inline": 1 << 10, "blob": 3 << 20} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("modes"), Key: aws.String(key), Body: bytes.NewReader(make([]byte, size))}); err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string, want ...string) {
		t.Helper()
		bad, files := privateModes(t, dir)
		if len(bad) > 0 {
			t.Fatalf("%s: not private:\n%s", when, strings.Join(bad, "\n"))
		}
		for _, name := range want {
			if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
				t.Fatalf("%s: %v", when, err)
			}
		}
		blobs := 0
		filepath.WalkDir(filepath.Join(dir, "blobs"), func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && len(d.Name()) == 32 {
				blobs++
			}
			return nil
		})
		if blobs == 0 || files < 6 {
			t.Fatalf("%s: %d files, %d blobs: the test checked too little", when, files, blobs)
		}
	}
	check("running", "meta.db", "meta.db-wal", "meta.db-shm", "keys/master.key", "keys/root.json", "root-credentials.json", "talus.lock")
	p.Stop(t)
	check("stopped", "meta.db", "keys/master.key", "root-credentials.json")
}

// credentialsIn reads the generated root credentials of a data directory.
func credentialsIn(t *testing.T, dir string) (string, string) {
	t.Helper()
	var c struct {
		AccessKey string `json:"access_key"`
		SecretKey string `json:"secret_key"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "root-credentials.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &c); err != nil || c.AccessKey == "" {
		t.Fatalf("root-credentials.json: %v", err)
	}
	return c.AccessKey, c.SecretKey
}
