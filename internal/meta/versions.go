package meta

import "context"

// VersionCursor is where a version scan resumes: after every version of
// Key when Seq is 0, else after the version of Key with that Seq. Start,
// when set, is an inclusive lower bound on keys (to skip a common prefix).
type VersionCursor struct {
	Key   string
	Seq   int64
	Start string
}

// VersionListOptions select a page of ListObjectVersions.
type VersionListOptions struct {
	Prefix    string
	Delimiter string
	// After is the key-marker / version-id-marker cursor (Seq of the marker version).
	After   VersionCursor
	MaxKeys int
}

// VersionListResult is one page of versions and common prefixes.
type VersionListResult struct {
	Entries   []ListEntry
	Truncated bool
	// NextKey and NextVersionID resume the listing (NextVersionID is ""
	// when the page ended on a common prefix).
	NextKey       string
	NextVersionID string
}

// ListVersions folds versions into S3's ListObjectVersions page. Every
// version, delete marker and common prefix counts against MaxKeys.
func ListVersions(ctx context.Context, s Store, bucket string, o VersionListOptions) (VersionListResult, error) {
	var res VersionListResult
	if o.MaxKeys <= 0 {
		return res, nil
	}
	c := o.After
	if c.Key != "" && c.Seq == 0 {
		// A marker that is itself a common prefix resumes after everything under it.
		if cp, ok := CommonPrefix(c.Key, o.Prefix, o.Delimiter); ok && cp == c.Key {
			if c.Start = PrefixEnd(cp); c.Start == "" {
				return res, nil
			}
		}
	}
	count := 0
	size := scanBatch
	for {
		want := min(o.MaxKeys-count+1, size)
		size = min(size*4, scanBatch)
		batch, err := s.ScanVersions(ctx, bucket, o.Prefix, c, want)
		if err != nil {
			return res, err
		}
		if len(batch) == 0 {
			return res, nil
		}
		reseek := false
		for i := range batch {
			v := &batch[i]
			if count == o.MaxKeys {
				res.Truncated = true
				return res, nil
			}
			count++
			if cp, ok := CommonPrefix(v.Key, o.Prefix, o.Delimiter); ok {
				res.Entries = append(res.Entries, ListEntry{CommonPrefix: cp})
				res.NextKey, res.NextVersionID = cp, ""
				c = VersionCursor{Start: PrefixEnd(cp)}
				if c.Start == "" {
					return res, nil
				}
				reseek, size = true, seekBatch
				break
			}
			res.Entries = append(res.Entries, ListEntry{Object: v})
			res.NextKey, res.NextVersionID = v.Key, v.VersionID
			c = VersionCursor{Key: v.Key, Seq: v.Seq, Start: c.Start}
		}
		if !reseek && len(batch) < want {
			return res, nil
		}
	}
}
