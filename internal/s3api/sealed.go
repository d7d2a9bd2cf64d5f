package s3api

import (
	"bytes"
	"context"
	"io"

	"talus/internal/blob"
	"talus/internal/blob/tiered"
	"talus/internal/crypt"
	"talus/internal/meta"
	"talus/internal/s3err"
)

// The blob boundary: every handler stores and opens object data through
// this file, in plaintext. A body with a sealing stream is stored in the
// crypt format (blobs, parts and inline bytes alike); sizes, ETags and
// checksums stay those of the plaintext. Plaintext objects keep the
// store's own readers, so GET still uses sendfile for them.

// stored is where a body ended up: inline bytes or a blob. size is the
// plaintext size.
type stored struct {
	blobID string
	inline []byte
	size   int64
}

// storeBody streams p into the blob store, or keeps it inline when it is
// no larger than InlineMax, sealed with s unless s is nil, and verifies
// it. On error nothing is left behind.
func (a *API) storeBody(ctx context.Context, p *payload, s *crypt.Stream) (stored, error) {
	return a.store(ctx, p, a.cfg.InlineMax, s)
}

// storeBlob is storeBody that always writes a blob (parts of uploads).
func (a *API) storeBlob(ctx context.Context, p *payload, s *crypt.Stream) (stored, error) {
	return a.store(ctx, p, -1, s)
}

func (a *API) store(ctx context.Context, p *payload, inlineMax int, s *crypt.Stream) (stored, error) {
	var st stored
	if p.size >= 0 && p.size <= int64(inlineMax) {
		buf := make([]byte, p.size+1)
		n, err := io.ReadFull(p, buf)
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			return st, bodyError(err)
		}
		if n > int(p.size) {
			return st, s3err.New(s3err.IncompleteBody)
		}
		// Drain to EOF so trailers and the final chunk signature are checked.
		if _, err := io.Copy(io.Discard, p); err != nil {
			return st, bodyError(err)
		}
		if err := p.verify(); err != nil {
			return st, bodyError(err)
		}
		inline := buf[:n:n]
		if s != nil {
			if inline, err = s.Seal(inline); err != nil {
				return st, bodyError(err)
			}
		}
		return stored{inline: inline, size: int64(n)}, nil
	}
	id := tiered.NewID(a.tierFor(p.class))
	p.startPipeline()
	defer p.stopPipeline()
	var src io.Reader = p
	if s != nil {
		enc := s.Encrypt(p, p.size)
		defer enc.Close()
		src = enc
	}
	n, err := a.blobs.Put(ctx, id, src)
	if err == nil {
		if s != nil {
			n = p.hasher.Len()
		}
		err = p.verify()
		if err != nil {
			a.deleteBlobs(id)
		}
	}
	if err != nil {
		return st, bodyError(err)
	}
	return stored{blobID: id, size: n}, nil
}

// openData returns a reader of the plaintext bytes [off, off+n) of the
// object; key is its data key (nil: stored in plaintext). The first
// segments of sealed data are opened before returning, so damage there is
// an error response rather than a cut-off body; damage further on makes
// the read fail and the response is aborted.
func (a *API) openData(ctx context.Context, o *meta.Object, key []byte, off, n int64) (io.ReadCloser, error) {
	if key == nil {
		switch {
		case o.BlobID != "":
			return a.blobs.Open(ctx, o.BlobID, off, n)
		case len(o.Parts) > 0:
			return openParts(ctx, a.blobs, o.Parts, nil, off, n)
		default:
			return io.NopCloser(bytes.NewReader(o.Inline[off : off+n])), nil
		}
	}
	var r io.ReadCloser
	switch {
	case len(o.Parts) > 0:
		pr, err := openParts(ctx, a.blobs, o.Parts, key, off, n)
		if err != nil {
			return nil, err
		}
		r = pr
	case o.BlobID != "":
		s, err := crypt.NewStream(key, streamObject)
		if err != nil {
			return nil, err
		}
		if r, err = openSealedBlob(ctx, a.blobs, s, o.BlobID, o.Size, off, n); err != nil {
			return nil, err
		}
	default:
		s, err := crypt.NewStream(key, streamObject)
		if err != nil {
			return nil, err
		}
		plain, err := s.Open(o.Inline, o.Size, off, n)
		if err != nil {
			return nil, err
		}
		return io.NopCloser(bytes.NewReader(plain)), nil
	}
	if _, err := r.Read(nil); err != nil && err != io.EOF {
		r.Close()
		return nil, err
	}
	return r, nil
}

// openSealedBlob opens plaintext [off, off+n) of a sealed blob holding a
// size-byte plaintext, reading only the segments that hold it.
func openSealedBlob(ctx context.Context, blobs blob.Store, s *crypt.Stream, id string, size, off, n int64) (io.ReadCloser, error) {
	_, coff, cn := crypt.CipherRange(size, off, n)
	rc, err := blobs.Open(ctx, id, coff, cn)
	if err != nil {
		return nil, err
	}
	return s.Decrypt(rc, size, off, n), nil
}
