// Package localfs stores blobs as files in a local directory.
//
// Layout under the root directory:
//
//	<root>/ab/cd/<id>   a blob whose id starts with "abcd"
//	<root>/tmp/         uploads in progress
//
// The two-level fan-out keeps directories small (65536 leaves). Put streams
// into tmp/ and commits with fsutil.TempFile (fsync, rename, fsync dir), so a
// blob is either absent or complete, and a crash leaves at most stale temp
// files, which Walk removes. IDs are validated with blob.ValidID before any
// path is built, so no ID can name a file outside the root.
//
// Readers returned by Open implement io.WriterTo over the underlying
// *os.File, which lets net/http and net.TCPConn send the file with sendfile.
package localfs
