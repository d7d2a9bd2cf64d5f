package e2e

// A randomized test of S3's versioning rules: an in-memory model of what S3
// keeps per key is driven alongside the server, and every listing must
// match it.

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// mdVersion is one version or delete marker of a key in the model.
type mdVersion struct {
	ID     string
	Marker bool
	ETag   string
}

// mdModel is S3's versioning state of one bucket: per key its versions,
// newest first.
type mdModel struct {
	state string // "", "Enabled" or "Suspended"
	keys  map[string][]mdVersion
}

func newModel() *mdModel { return &mdModel{keys: map[string][]mdVersion{}} }

// dropNull removes key's null version, if any.
func (m *mdModel) dropNull(key string) {
	m.keys[key] = slices.DeleteFunc(m.keys[key], func(v mdVersion) bool { return v.ID == "null" })
	if len(m.keys[key]) == 0 {
		delete(m.keys, key)
	}
}

// put records a PUT that the server answered with version id (""
// when it sent none).
func (m *mdModel) put(key, id, etag string) {
	if m.state != "Enabled" {
		m.dropNull(key)
		id = "null"
	}
	m.keys[key] = append([]mdVersion{{ID: id, ETag: etag}}, m.keys[key]...)
}

// del records a DELETE without version id; markerID is the version id of
// the delete marker the server made (ignored when unversioned).
func (m *mdModel) del(key, markerID string) {
	switch m.state {
	case "":
		m.dropNull(key)
		return
	case "Suspended":
		m.dropNull(key)
		markerID = "null"
	}
	m.keys[key] = append([]mdVersion{{ID: markerID, Marker: true}}, m.keys[key]...)
}

// find returns the version of key with id.
func (m *mdModel) find(key, id string) (mdVersion, bool) {
	for _, v := range m.keys[key] {
		if v.ID == id {
			return v, true
		}
	}
	return mdVersion{}, false
}

// delVersion records a DELETE of a specific version: it is gone for good
// and the next newest becomes the latest.
func (m *mdModel) delVersion(key, id string) {
	m.keys[key] = slices.DeleteFunc(m.keys[key], func(v mdVersion) bool { return v.ID == id })
	if len(m.keys[key]) == 0 {
		delete(m.keys, key)
	}
}

// sortedKeys returns the model's keys in S3's (byte) order.
func (m *mdModel) sortedKeys() []string {
	keys := make([]string, 0, len(m.keys))
	for k := range m.keys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// versions is what ListObjectVersions must return, in order.
func (m *mdModel) versions() []vrEntry {
	var out []vrEntry
	for _, k := range m.sortedKeys() {
		for i, v := range m.keys[k] {
			e := vrEntry{Key: k, VersionID: v.ID, Latest: i == 0, Marker: v.Marker, ETag: v.ETag}
			out = append(out, e)
		}
	}
	return out
}

// live is what ListObjectsV2 must return: "key etag" of every key whose
// latest version is not a delete marker.
func (m *mdModel) live() []string {
	var out []string
	for _, k := range m.sortedKeys() {
		if v := m.keys[k][0]; !v.Marker {
			out = append(out, k+" "+v.ETag)
		}
	}
	return out
}

// allIDs lists every (key, version id) in the model.
func (m *mdModel) allIDs() [][2]string {
	var out [][2]string
	for _, k := range m.sortedKeys() {
		for _, v := range m.keys[k] {
			out = append(out, [2]string{k, v.ID})
		}
	}
	return out
}

func TestVersioningModel(t *testing.T) {
	t.Parallel()
	// A fixed seed so failures reproduce; TALUS_MODEL_SEED explores others.
	seed := uint64(20240611)
	if v := os.Getenv("TALUS_MODEL_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("TALUS_MODEL_SEED=%q: %v", v, err)
		}
		seed = n
	}
	steps := 400
	if v := os.Getenv("TALUS_MODEL_STEPS"); v != "" {
		steps, _ = strconv.Atoi(v)
	}
	t.Logf("seed %d (set TALUS_MODEL_SEED to override), %d steps", seed, steps)
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))

	srv := testserver.Start(t)
	c := srv.Client()
	const bucket = "model"
	mustCreateBucket(t, c, bucket)
	keys := []string{"a", "a/b", "b", "b c", "dir/x", "é"}
	m := newModel()
	var history []string
	ops := map[string]int{}
	peak := 0
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("seed %d, after step %d: %s\nhistory:\n  %s", seed, len(history), fmt.Sprintf(format, args...), strings.Join(history, "\n  "))
	}

	for step := 0; step < steps; step++ {
		key := keys[rng.IntN(len(keys))]
		r := rng.IntN(100)
		if n := len(m.allIDs()); n > 16 && r < 50 {
			r = 99 // keep the listings short (and the test fast): remove a version
		}
		switch {
		case (r < 4 && m.state != "") || (r < 8 && m.state == "" && step >= 40):
			status := types.BucketVersioningStatusEnabled
			if rng.IntN(2) == 0 {
				status = types.BucketVersioningStatusSuspended
			}
			history = append(history, fmt.Sprintf("%d: PutBucketVersioning %s", step, status))
			_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
				VersioningConfiguration: &types.VersioningConfiguration{Status: status}})
			if err != nil {
				fail("PutBucketVersioning: %v", err)
			}
			m.state = string(status)
			ops["versioning"]++
		case r < 45:
			body := fmt.Appendf(nil, "step %d key %s %d", step, key, rng.Uint64())
			out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(string(body))})
			if err != nil {
				fail("PutObject(%q): %v", key, err)
			}
			id := aws.ToString(out.VersionId)
			history = append(history, fmt.Sprintf("%d: PUT %q -> version %q etag %s", step, key, id, aws.ToString(out.ETag)))
			switch {
			case m.state == "" && id != "":
				fail("PUT in an unversioned bucket returned version id %q", id)
			case m.state == "Suspended" && id != "null":
				fail("PUT with versioning Suspended returned version id %q, want null", id)
			case m.state == "Enabled" && (id == "" || id == "null"):
				fail("PUT with versioning Enabled returned version id %q", id)
			case m.state == "Enabled":
				for _, kv := range m.allIDs() {
					if kv[1] == id {
						fail("PUT returned version id %q, already used by %q", id, kv[0])
					}
				}
			}
			if aws.ToString(out.ETag) != etagFor(body) {
				fail("PUT ETag %s, want %s", aws.ToString(out.ETag), etagFor(body))
			}
			m.put(key, id, etagFor(body))
			ops["put/"+m.state]++
		case r < 70:
			out, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			if err != nil {
				fail("DeleteObject(%q): %v", key, err)
			}
			id, marker := aws.ToString(out.VersionId), aws.ToBool(out.DeleteMarker)
			history = append(history, fmt.Sprintf("%d: DELETE %q -> version %q marker %v", step, key, id, marker))
			switch m.state {
			case "":
				if id != "" || marker {
					fail("DELETE in an unversioned bucket returned version %q marker %v", id, marker)
				}
			case "Suspended":
				if id != "null" || !marker {
					fail("DELETE with versioning Suspended returned version %q marker %v, want a null marker", id, marker)
				}
			case "Enabled":
				if id == "" || id == "null" || !marker {
					fail("DELETE with versioning Enabled returned version %q marker %v, want a new marker", id, marker)
				}
			}
			m.del(key, id)
			ops["delete/"+m.state]++
		default:
			ids := m.allIDs()
			if len(ids) == 0 {
				history = append(history, fmt.Sprintf("%d: (nothing to delete by version)", step))
				break
			}
			kv := ids[rng.IntN(len(ids))]
			victim, _ := m.find(kv[0], kv[1])
			out, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(kv[0]), VersionId: aws.String(kv[1])})
			if err != nil {
				fail("DeleteObject(%q, version %q): %v", kv[0], kv[1], err)
			}
			id, marker := aws.ToString(out.VersionId), aws.ToBool(out.DeleteMarker)
			history = append(history, fmt.Sprintf("%d: DELETE %q version %q (marker %v) -> version %q marker %v", step, kv[0], kv[1], victim.Marker, id, marker))
			wantID := kv[1]
			if m.state == "" {
				wantID = "" // no version headers in a bucket that never had versioning
			}
			if id != wantID || marker != victim.Marker {
				fail("DELETE of version %q answered version %q marker %v, want %q %v", kv[1], id, marker, wantID, victim.Marker)
			}
			m.delVersion(kv[0], kv[1])
			ops["delete-version"]++
		}
		mdCheck(t, srv, c, bucket, m, rng, fail)
		peak = max(peak, len(m.allIDs()))
	}
	t.Logf("operations %v; at most %d versions at once", ops, peak)
}

// mdCheck compares the server's listings with the model.
func mdCheck(t *testing.T, srv *testserver.Server, c *s3.Client, bucket string, m *mdModel, rng *rand.Rand, fail func(string, ...any)) {
	t.Helper()
	want := m.versions()
	maxKeys := 1 + rng.IntN(6)
	got, prefixes := vrListAll(t, srv, bucket, url.Values{}, maxKeys)
	if len(prefixes) != 0 {
		fail("ListObjectVersions returned common prefixes %q without a delimiter", prefixes)
	}
	if !slices.Equal(got, want) {
		fail("ListObjectVersions (max-keys %d):\n got  %s\n want %s", maxKeys, vrShow(got), vrShow(want))
	}
	// The SDK's view of one full page: versions and markers, each in order.
	out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	if err != nil {
		fail("ListObjectVersions (SDK): %v", err)
	}
	var sdkV, sdkM, wantV, wantM []vrEntry
	for _, v := range out.Versions {
		sdkV = append(sdkV, vrEntry{Key: aws.ToString(v.Key), VersionID: aws.ToString(v.VersionId), Latest: aws.ToBool(v.IsLatest), ETag: aws.ToString(v.ETag)})
	}
	for _, d := range out.DeleteMarkers {
		sdkM = append(sdkM, vrEntry{Key: aws.ToString(d.Key), VersionID: aws.ToString(d.VersionId), Latest: aws.ToBool(d.IsLatest), Marker: true})
	}
	for _, e := range want {
		if e.Marker {
			wantM = append(wantM, e)
		} else {
			wantV = append(wantV, e)
		}
	}
	if !slices.Equal(sdkV, wantV) || !slices.Equal(sdkM, wantM) || aws.ToBool(out.IsTruncated) {
		fail("ListObjectVersions (SDK): versions %s markers %s truncated %v; want %s and %s",
			vrShow(sdkV), vrShow(sdkM), aws.ToBool(out.IsTruncated), vrShow(wantV), vrShow(wantM))
	}

	var live []string
	var token *string
	for {
		lo, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), MaxKeys: aws.Int32(int32(maxKeys)), ContinuationToken: token})
		if err != nil {
			fail("ListObjectsV2: %v", err)
		}
		for _, o := range lo.Contents {
			live = append(live, aws.ToString(o.Key)+" "+aws.ToString(o.ETag))
		}
		if !aws.ToBool(lo.IsTruncated) {
			break
		}
		token = lo.NextContinuationToken
	}
	if wl := m.live(); !slices.Equal(live, wl) {
		fail("ListObjectsV2 (max-keys %d):\n got  %q\n want %q", maxKeys, live, wl)
	}
}
