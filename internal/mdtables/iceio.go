package mdtables

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	icebergio "github.com/apache/iceberg-go/io"

	"talus/internal/s3api"
)

// objectStore is what the table files are read and written through.
type objectStore interface {
	// Put stores an object, SSE-KMS under kmsKeyARN when it is set.
	Put(ctx context.Context, bucket, key string, body io.Reader, size int64, contentType, kmsKeyARN string) error
	Get(ctx context.Context, bucket, key string) (io.ReadCloser, int64, error)
	Delete(ctx context.Context, bucket, key string) error
	// AnnotationText is an annotation's payload, decrypted.
	AnnotationText(ctx context.Context, bucket, key, versionID, name string) ([]byte, error)
}

var _ objectStore = (*s3api.Objects)(nil)

// memLimit is the largest file Open keeps in memory; bigger ones go to a
// temporary file, so memory stays bounded whatever the file size.
const memLimit = 8 << 20

// objectIO is iceberg-go's file IO over Talus objects: s3://bucket/key.
// Files are written SSE-KMS under kmsKey when it is set (the table's
// EncryptionConfiguration), else with the table bucket's default.
type objectIO struct {
	ctx    context.Context
	s      objectStore
	kmsKey string
}

var _ icebergio.WriteFileIO = (*objectIO)(nil)

func splitLocation(name string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(name, "s3://")
	if !ok {
		return "", "", fmt.Errorf("mdtables: not an s3:// location: %q", name)
	}
	bucket, key, ok = strings.Cut(rest, "/")
	if !ok || bucket == "" || key == "" {
		return "", "", fmt.Errorf("mdtables: no key in location %q", name)
	}
	return bucket, key, nil
}

func (o *objectIO) Open(name string) (icebergio.File, error) {
	bucket, key, err := splitLocation(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	body, size, err := o.s.Get(o.ctx, bucket, key)
	if errors.Is(err, s3api.ErrNoSuchObject) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	defer body.Close()
	f := &readFile{name: key, size: size}
	if size <= memLimit {
		b, err := io.ReadAll(body)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		f.r, f.size = bytes.NewReader(b), int64(len(b))
		return f, nil
	}
	tmp, err := os.CreateTemp("", "talus-iceberg-*")
	if err != nil {
		return nil, err
	}
	os.Remove(tmp.Name()) // gone once closed
	if _, err := io.Copy(tmp, body); err != nil {
		tmp.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	f.r, f.tmp = io.NewSectionReader(tmp, 0, size), tmp
	return f, nil
}

func (o *objectIO) Remove(name string) error {
	bucket, key, err := splitLocation(name)
	if err != nil {
		return err
	}
	return o.s.Delete(o.ctx, bucket, key)
}

func (o *objectIO) WriteFile(name string, p []byte) error {
	bucket, key, err := splitLocation(name)
	if err != nil {
		return err
	}
	return o.s.Put(o.ctx, bucket, key, bytes.NewReader(p), int64(len(p)), contentType(key), o.kmsKey)
}

// Create buffers the file in a temporary file and stores it on Close
// (an object needs its length up front).
func (o *objectIO) Create(name string) (icebergio.FileWriter, error) {
	if _, _, err := splitLocation(name); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp("", "talus-iceberg-*")
	if err != nil {
		return nil, err
	}
	os.Remove(tmp.Name())
	return &writeFile{o: o, name: name, f: tmp}, nil
}

func contentType(key string) string {
	switch {
	case strings.HasSuffix(key, ".json"):
		return "application/json"
	case strings.HasSuffix(key, ".avro"):
		return "avro/binary"
	case strings.HasSuffix(key, ".parquet"):
		return "application/vnd.apache.parquet"
	}
	return "application/octet-stream"
}

type writeFile struct {
	o    *objectIO
	name string
	f    *os.File
}

func (w *writeFile) Write(p []byte) (int, error)         { return w.f.Write(p) }
func (w *writeFile) ReadFrom(r io.Reader) (int64, error) { return io.Copy(w.f, r) }
func (w *writeFile) Close() error {
	defer w.f.Close()
	size, err := w.f.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	if _, err := w.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	bucket, key, _ := splitLocation(w.name)
	return w.o.s.Put(w.o.ctx, bucket, key, io.LimitReader(w.f, size), size, contentType(key), w.o.kmsKey)
}

type section interface {
	io.ReadSeeker
	io.ReaderAt
}

type readFile struct {
	name string
	size int64
	r    section
	tmp  *os.File
}

func (f *readFile) Read(p []byte) (int, error)                { return f.r.Read(p) }
func (f *readFile) ReadAt(p []byte, off int64) (int, error)   { return f.r.ReadAt(p, off) }
func (f *readFile) Seek(off int64, whence int) (int64, error) { return f.r.Seek(off, whence) }
func (f *readFile) Stat() (fs.FileInfo, error)                { return fileInfo{f}, nil }
func (f *readFile) Close() error {
	if f.tmp != nil {
		return f.tmp.Close()
	}
	return nil
}

type fileInfo struct{ f *readFile }

func (i fileInfo) Name() string       { return i.f.name[strings.LastIndexByte(i.f.name, '/')+1:] }
func (i fileInfo) Size() int64        { return i.f.size }
func (i fileInfo) Mode() fs.FileMode  { return 0o444 }
func (i fileInfo) ModTime() time.Time { return time.Time{} }
func (i fileInfo) IsDir() bool        { return false }
func (i fileInfo) Sys() any           { return nil }
