package meta

import (
	"context"
	"strings"
)

// ListOptions select a page of ListObjects.
type ListOptions struct {
	Prefix    string
	Delimiter string
	After     string // exclusive start: marker, start-after or continuation
	MaxKeys   int
}

// ListEntry is either an object or a common prefix.
type ListEntry struct {
	Object       *Object
	CommonPrefix string
}

// ListResult is one page, entries in byte order of key or prefix.
type ListResult struct {
	Entries   []ListEntry
	Truncated bool
	// Next is the last key or common prefix returned; it resumes the listing.
	Next string
}

// scanBatch bounds how many rows one scan fetches; seekBatch is the first
// fetch after seeking past a common prefix.
const (
	scanBatch = 1000
	seekBatch = 8
)

// ListObjects folds the latest versions of a bucket into S3's listing page.
// Every object and every common prefix counts against MaxKeys. Keys under a
// common prefix are skipped with one index seek, not scanned.
func ListObjects(ctx context.Context, s Store, bucket string, o ListOptions) (ListResult, error) {
	var res ListResult
	if o.MaxKeys <= 0 {
		return res, nil
	}
	start := o.Prefix
	if o.After != "" && o.After >= start {
		start = o.After + "\x00"
		// A marker that is itself a common prefix resumes after everything under it.
		if cp, ok := CommonPrefix(o.After, o.Prefix, o.Delimiter); ok && cp == o.After {
			start = PrefixEnd(cp)
			if start == "" {
				return res, nil
			}
		}
	}
	count := 0
	// After a seek past a common prefix the next rows often fold into the
	// next prefix too, so fetch a few and grow while keys stay flat.
	size := scanBatch
	for {
		want := min(o.MaxKeys-count+1, size)
		size = min(size*4, scanBatch)
		batch, err := s.ScanLatest(ctx, bucket, o.Prefix, start, want)
		if err != nil {
			return res, err
		}
		if len(batch) == 0 {
			return res, nil
		}
		reseek := false
		for i := range batch {
			obj := &batch[i]
			if cp, ok := CommonPrefix(obj.Key, o.Prefix, o.Delimiter); ok {
				if count == o.MaxKeys {
					res.Truncated = true
					return res, nil
				}
				res.Entries = append(res.Entries, ListEntry{CommonPrefix: cp})
				res.Next = cp
				count++
				start = PrefixEnd(cp)
				if start == "" {
					return res, nil
				}
				reseek, size = true, seekBatch
				break
			}
			if count == o.MaxKeys {
				res.Truncated = true
				return res, nil
			}
			res.Entries = append(res.Entries, ListEntry{Object: obj})
			res.Next = obj.Key
			count++
			start = obj.Key + "\x00"
		}
		if !reseek && len(batch) < want {
			return res, nil
		}
	}
}

// CommonPrefix returns the common prefix key folds into under delim
// (the part of key up to and including the first delim after prefix).
func CommonPrefix(key, prefix, delim string) (string, bool) {
	if delim == "" || !strings.HasPrefix(key, prefix) {
		return "", false
	}
	i := strings.Index(key[len(prefix):], delim)
	if i < 0 {
		return "", false
	}
	return key[:len(prefix)+i+len(delim)], true
}

// PrefixEnd returns the smallest string greater than every string that
// begins with p, or "" when there is none (p is all 0xff bytes).
func PrefixEnd(p string) string {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return ""
}
