// Package blob defines the data store: immutable byte sequences named by
// random IDs. It knows nothing of buckets, keys or S3; the metadata store
// decides which blobs are live.
//
// It must not import internal/meta or internal/s3api.
package blob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"time"
)

// ErrNotFound is returned by Open when no blob has the ID.
var ErrNotFound = errors.New("blob: not found")

// ErrInvalidID is returned for an ID that NewID could not have produced.
var ErrInvalidID = errors.New("blob: invalid id")

// Store holds blobs. Implementations are safe for concurrent use.
type Store interface {
	// Put streams r into a new blob named id and returns the number of bytes
	// stored. It returns only once the bytes are durable (on localfs: written,
	// fsynced, renamed into place and the directory fsynced). If r returns an
	// error, or ctx is cancelled, Put returns that error and nothing is visible
	// under id. Putting an id that already exists replaces it atomically.
	Put(ctx context.Context, id string, r io.Reader) (int64, error)

	// Open returns a reader of length bytes starting at offset off; length < 0
	// means to the end. It returns ErrNotFound if the blob does not exist.
	// Readers of local files implement io.WriterTo so that copying to a socket
	// can use sendfile.
	Open(ctx context.Context, id string, off, length int64) (io.ReadCloser, error)

	// Delete removes the blob. Deleting a missing blob is not an error.
	Delete(ctx context.Context, id string) error

	// Walk calls fn for every stored blob with the time it was stored, in no
	// particular order; the orphan sweeper uses it. Returning an error from fn
	// stops the walk and Walk returns that error. Walk also removes abandoned
	// temporary files older than staleTemp.
	Walk(ctx context.Context, staleTemp time.Duration, fn func(id string, stored time.Time) error) error

	// Close releases resources. Blobs stay stored.
	Close() error
}

// WindowReader is implemented by readers Open returns when they can lend
// the next n bytes of the range in place instead of copying them (localfs
// on Linux maps the file read-only). The slice must not be written to and
// is valid until the next Window or Close call. Fewer than n bytes
// come back only at the end of the range, with io.ErrUnexpectedEOF, or
// io.EOF when no byte is left, as io.ReadFull reports. Reading mapped
// bytes of a file truncated behind the store's back faults: callers that
// cannot rule that out run with debug.SetPanicOnFault.
type WindowReader interface {
	io.ReadCloser
	Window(n int) ([]byte, error)
}

// NewID returns a fresh random blob ID: 32 lowercase hex characters.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("blob: crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}

// ValidID reports whether id has the form NewID produces. Stores reject any
// other ID so that an ID can never name a path outside the store.
func ValidID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
