package s3api

import (
	"context"
	"io"

	"talus/internal/blob"
	"talus/internal/crypt"
	"talus/internal/meta"
)

// segment is a plaintext byte range of one part's blob.
type segment struct {
	blobID    string
	off, size int64
	part      meta.Part
}

// partsReader streams a range of a multipart object across its part blobs,
// opening one blob at a time.
type partsReader struct {
	ctx   context.Context
	blobs blob.Store
	segs  []segment
	cur   io.ReadCloser
	key   []byte // the data key of sealed parts; nil for plaintext
}

// openParts returns a reader of [off, off+n) of the manifest; key is the
// data key of sealed parts (nil: plaintext). The first blob is opened
// before returning so a vanished blob is reported early.
func openParts(ctx context.Context, blobs blob.Store, parts []meta.Part, key []byte, off, n int64) (io.ReadCloser, error) {
	var segs []segment
	for _, p := range parts {
		if n <= 0 {
			break
		}
		if off >= p.Size {
			off -= p.Size
			continue
		}
		take := min(p.Size-off, n)
		segs = append(segs, segment{blobID: p.BlobID, off: off, size: take, part: p})
		n -= take
		off = 0
	}
	r := &partsReader{ctx: ctx, blobs: blobs, segs: segs, key: key}
	if err := r.next(); err != nil {
		return nil, err
	}
	return r, nil
}

// next opens the next segment; cur is nil when none are left.
func (r *partsReader) next() error {
	if r.cur != nil {
		r.cur.Close()
		r.cur = nil
	}
	if len(r.segs) == 0 {
		return nil
	}
	s := r.segs[0]
	r.segs = r.segs[1:]
	var rc io.ReadCloser
	var err error
	if r.key != nil {
		var st *crypt.Stream
		if st, err = crypt.NewStream(r.key, partStream(s.part.Number)); err == nil {
			rc, err = openSealedBlob(r.ctx, r.blobs, st, s.blobID, s.part.Size, s.off, s.size)
		}
	} else {
		rc, err = r.blobs.Open(r.ctx, s.blobID, s.off, s.size)
	}
	if err != nil {
		return err
	}
	r.cur = rc
	return nil
}

func (r *partsReader) Read(p []byte) (int, error) {
	for r.cur != nil {
		n, err := r.cur.Read(p)
		if err == io.EOF {
			if err := r.next(); err != nil {
				return n, err
			}
			if n > 0 {
				return n, nil
			}
			continue
		}
		return n, err
	}
	return 0, io.EOF
}

// WriteTo copies part by part so each part can use sendfile.
func (r *partsReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for r.cur != nil {
		n, err := io.Copy(w, r.cur)
		total += n
		if err != nil {
			return total, err
		}
		if err := r.next(); err != nil {
			return total, err
		}
	}
	return total, nil
}

func (r *partsReader) Close() error {
	if r.cur != nil {
		return r.cur.Close()
	}
	return nil
}
