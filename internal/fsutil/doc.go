// Package fsutil holds the project's one crash-safe way to write files.
//
// Every durable write follows the same steps: write to a temporary file in
// the destination's file system, fsync it, rename it over the destination,
// then fsync the destination directory. The rename makes readers see either
// the old or the new contents, never a mix; the two fsyncs make the new
// contents and the new directory entry survive a crash once the call returns.
//
// WriteFileAtomic does this for data already in memory; TempFile does it for
// streams (blob uploads). Other packages should not hand-roll these steps.
package fsutil
