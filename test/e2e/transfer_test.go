package e2e

// Parallel multipart transfers with the SDK's transfer managers.

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"hash/crc32"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// tfSource streams size deterministic bytes (1 MiB blocks of one random
// block, each stamped with its index) and records, as they are read, the
// SHA-256 of the whole stream and the CRC32 of every partSize piece.
type tfSource struct {
	size, off, partSize int64
	base, cur           []byte
	curBlock            int64
	sha                 hash.Hash
	partCRCs            []uint32
	crc                 hash.Hash32
	inPart              int64
}

func newTFSource(seed uint64, size, partSize int64) *tfSource {
	return &tfSource{size: size, partSize: partSize, base: mpData(seed, mib), cur: make([]byte, mib), curBlock: -1,
		sha: sha256.New(), crc: crc32.NewIEEE()}
}

func (s *tfSource) Read(p []byte) (int, error) {
	if s.off >= s.size {
		return 0, io.EOF
	}
	if b := s.off / mib; b != s.curBlock {
		copy(s.cur, s.base)
		binary.BigEndian.PutUint64(s.cur, uint64(b))
		s.curBlock = b
	}
	within := s.off % mib
	n := copy(p, s.cur[within:min(int64(mib), within+s.size-s.off)])
	s.off += int64(n)
	s.sha.Write(p[:n])
	for rest := p[:n]; len(rest) > 0; {
		take := min(int64(len(rest)), s.partSize-s.inPart)
		s.crc.Write(rest[:take])
		s.inPart += take
		rest = rest[take:]
		if s.inPart == s.partSize {
			s.partCRCs = append(s.partCRCs, s.crc.Sum32())
			s.crc.Reset()
			s.inPart = 0
		}
	}
	if s.off == s.size && s.inPart > 0 {
		s.partCRCs = append(s.partCRCs, s.crc.Sum32())
	}
	return n, nil
}

// compositeCRC32 is the COMPOSITE CRC32 of the parts read.
func (s *tfSource) compositeCRC32() string {
	var cat []byte
	for _, v := range s.partCRCs {
		cat = binary.BigEndian.AppendUint32(cat, v)
	}
	return checksums(cat)[types.ChecksumAlgorithmCrc32] + "-" + strconv.Itoa(len(s.partCRCs))
}

// tfSink is an io.WriterAt that hashes what is written in offset order,
// holding only the pieces that arrive ahead of the hashed prefix.
type tfSink struct {
	mu      sync.Mutex
	next    int64
	pending map[int64][]byte
	sha     hash.Hash
}

func newTFSink() *tfSink { return &tfSink{pending: map[int64][]byte{}, sha: sha256.New()} }

func (s *tfSink) WriteAt(p []byte, off int64) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if off != s.next {
		s.pending[off] = append([]byte(nil), p...)
		return len(p), nil
	}
	s.sha.Write(p)
	s.next += int64(len(p))
	for {
		b, ok := s.pending[s.next]
		if !ok {
			break
		}
		delete(s.pending, s.next)
		s.sha.Write(b)
		s.next += int64(len(b))
	}
	return len(p), nil
}

// sum returns the digest and the bytes hashed; leftovers mean a gap.
func (s *tfSink) sum(t *testing.T) ([]byte, int64) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) != 0 {
		t.Fatalf("%d pieces written past a gap at %d", len(s.pending), s.next)
	}
	return s.sha.Sum(nil), s.next
}

func TestTransferManager200MiB(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "tfbig")
	const size, partSize = 200 * mib, 8 * mib
	src := newTFSource(81, size, partSize)
	up := manager.NewUploader(c, func(u *manager.Uploader) { u.PartSize, u.Concurrency = partSize, 4 })
	out, err := up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String("tfbig"), Key: aws.String("big"), Body: src})
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	if src.off != size || len(src.partCRCs) != 25 {
		t.Fatalf("uploader read %d bytes, %d parts", src.off, len(src.partCRCs))
	}
	if !strings.HasSuffix(aws.ToString(out.ETag), `-25"`) || out.UploadID == "" {
		t.Errorf("upload ETag %s id %q", aws.ToString(out.ETag), out.UploadID)
	}
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("tfbig"), Key: aws.String("big"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	// The uploader asks for CRC32 by default; S3 combines it per part.
	if aws.ToInt64(h.ContentLength) != size || aws.ToString(h.ETag) != aws.ToString(out.ETag) || aws.ToString(h.ChecksumCRC32) != src.compositeCRC32() {
		t.Errorf("HEAD: length %d ETag %s CRC32 %s (want %s)", aws.ToInt64(h.ContentLength), aws.ToString(h.ETag), aws.ToString(h.ChecksumCRC32), src.compositeCRC32())
	}
	waitBlobCount(t, srv, 25)

	sink := newTFSink()
	down := manager.NewDownloader(c, func(d *manager.Downloader) { d.PartSize, d.Concurrency = partSize, 4 })
	n, err := down.Download(ctx, sink, &s3.GetObjectInput{Bucket: aws.String("tfbig"), Key: aws.String("big")})
	if err != nil {
		t.Fatalf("download: %v", err)
	}
	got, hashed := sink.sum(t)
	if n != size || hashed != size || string(got) != string(src.sha.Sum(nil)) {
		t.Fatalf("download: %d bytes (%d hashed), SHA-256 equal %v", n, hashed, string(got) == string(src.sha.Sum(nil)))
	}
}

func TestTransferManagerNew(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	c := srv.Client()
	mustCreateBucket(t, c, "tfnew")
	const size, partSize = 45*mib + 12345, 8 * mib
	src := newTFSource(82, size, partSize)
	tm := transfermanager.New(c, func(o *transfermanager.Options) { o.PartSizeBytes, o.Concurrency = partSize, 4 })
	out, err := tm.UploadObject(ctx, &transfermanager.UploadObjectInput{Bucket: aws.String("tfnew"), Key: aws.String("obj"), Body: src})
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	if src.off != size || len(src.partCRCs) != 6 || !strings.HasSuffix(aws.ToString(out.ETag), `-6"`) {
		t.Fatalf("upload read %d bytes, %d parts, ETag %s", src.off, len(src.partCRCs), aws.ToString(out.ETag))
	}
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("tfnew"), Key: aws.String("obj"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	// It asks for CRC32 by default, without a type: COMPOSITE.
	if aws.ToInt64(h.ContentLength) != size || aws.ToString(h.ChecksumCRC32) != src.compositeCRC32() || h.ChecksumType != types.ChecksumTypeComposite {
		t.Errorf("HEAD: length %d CRC32 %q type %q, want %s", aws.ToInt64(h.ContentLength), aws.ToString(h.ChecksumCRC32), h.ChecksumType, src.compositeCRC32())
	}

	// Download by parts (the default), validating part checksums.
	sink := newTFSink()
	dout, err := tm.DownloadObject(ctx, &transfermanager.DownloadObjectInput{Bucket: aws.String("tfnew"), Key: aws.String("obj"), WriterAt: sink})
	if err != nil {
		t.Fatalf("download: %v", err)
	}
	got, hashed := sink.sum(t)
	if hashed != size || string(got) != string(src.sha.Sum(nil)) || aws.ToString(dout.ETag) != aws.ToString(out.ETag) {
		t.Fatalf("download: %d bytes hashed, SHA-256 equal %v, ETag %s", hashed, string(got) == string(src.sha.Sum(nil)), aws.ToString(dout.ETag))
	}
	// And through the concurrent reader.
	g, err := tm.GetObject(ctx, &transfermanager.GetObjectInput{Bucket: aws.String("tfnew"), Key: aws.String("obj")})
	if err != nil {
		t.Fatal(err)
	}
	sha := sha256.New()
	if n, err := io.Copy(sha, g.Body); err != nil || n != size || string(sha.Sum(nil)) != string(src.sha.Sum(nil)) {
		t.Fatalf("GetObject: %d bytes, %v, SHA-256 equal %v", n, err, string(sha.Sum(nil)) == string(src.sha.Sum(nil)))
	}
}
