package torrent

import (
	"crypto/sha1"
	"io"
)

// PieceLength is the piece size S3 used for its torrents: 256 KiB.
const PieceLength = 256 << 10

// Info returns the bencoded info dictionary of a single file called name
// whose bytes r yields: its length and the SHA-1 of every PieceLength
// piece (the last one shorter). It reads r once, a piece at a time.
func Info(r io.Reader, name string) ([]byte, error) {
	buf := make([]byte, PieceLength)
	var pieces []byte
	var length int64
	for {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			sum := sha1.Sum(buf[:n])
			pieces = append(pieces, sum[:]...)
			length += int64(n)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return Encode(Dict{"length": length, "name": name, "piece length": PieceLength, "pieces": pieces})
}

// File returns the .torrent of an info dictionary (as Info returns it)
// whose bytes are served over HTTP at webSeed (BEP 19). There is no
// tracker: peers find each other through the web seed and DHT.
func File(info []byte, webSeed string) []byte {
	// The info dictionary is spliced in as is, so that its SHA-1 (the
	// info hash) is exactly the hash of the cached bytes.
	head, _ := Encode("info")
	seed, _ := Encode(Dict{"url-list": []any{webSeed}})
	out := make([]byte, 0, len(head)+len(info)+len(seed))
	out = append(out, 'd')
	out = append(out, head...)
	out = append(out, info...)
	return append(out, seed[1:]...) // "url-list" sorts after "info"
}

// InfoHash is the torrent's identity: the SHA-1 of its info dictionary.
func InfoHash(info []byte) [20]byte { return sha1.Sum(info) }
