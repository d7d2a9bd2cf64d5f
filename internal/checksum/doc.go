// Package checksum implements S3's additional checksums (CRC32, CRC32C,
// CRC64NVME, SHA1, SHA256): parsing algorithm names, hashing a body once
// for every digest a request needs, and combining part checksums for
// multipart uploads. On the wire a checksum is the standard base64 of its
// big-endian digest bytes.
//
// It must not import net/http or other talus packages.
package checksum
