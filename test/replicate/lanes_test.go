package replicate

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"talus/internal/testserver"
)

// TestOneDestinationDown: with two destinations, one down does not hold
// back the other: it receives every new version at once while the
// sources stay PENDING (not every destination has them); when the first
// is back it catches up and the versions become COMPLETED.
func TestOneDestinationDown(t *testing.T) {
	downDir, downAddr := t.TempDir(), freeAddr(t)
	downProc, down := talus(t, downDir, downAddr)
	upProc, up := talus(t, t.TempDir(), freeAddr(t))
	srcProc := testserver.StartProcess(t, talusBin, t.TempDir(), rootAK, rootSK, "--address", freeAddr(t), "--default-encryption", "AES256", "--metrics", "open")
	src := testserver.NewClient(srcProc.URL, rootAK, rootSK)
	versioned(t, down, "dst")
	versioned(t, up, "dst")
	versioned(t, src, "src")
	admin(t, srcProc.URL, "remote", "add", "down", "--endpoint", downProc.URL, "--access-key", rootAK, "--secret-key", rootSK, "--path-style")
	admin(t, srcProc.URL, "remote", "add", "up", "--endpoint", upProc.URL, "--access-key", rootAK, "--secret-key", rootSK, "--path-style")
	_, err := src.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: aws.String("src"),
		ReplicationConfiguration: &types.ReplicationConfiguration{Role: aws.String("arn:aws:iam::000000000000:role/r"),
			Rules: []types.ReplicationRule{rule("to-down", 1, "arn:talus:s3:down::dst"), rule("to-up", 2, "arn:talus:s3:up::dst")}}})
	if err != nil {
		t.Fatal(err)
	}
	first := put(t, src, "src", "first", []byte("both up"))
	waitStatus(t, src, "src", "first", first, types.ReplicationStatusCompleted, 30*time.Second)

	downProc.Kill(t)
	vids := map[string]string{}
	for i := range 8 {
		k := fmt.Sprintf("during/%d", i)
		vids[k] = put(t, src, "src", k, []byte(k))
	}
	// The destination that is up has them within seconds (its lane does
	// not wait for the other's retries, which back off up to a minute).
	for k, v := range vids {
		waitStatus(t, up, "dst", k, v, types.ReplicationStatusReplica, 20*time.Second)
	}
	for k, v := range vids {
		if st := status(src, "src", k, v); st != types.ReplicationStatusPending {
			t.Fatalf("%s with one destination down: %q, want PENDING", k, st)
		}
	}
	// The metrics say which destination is behind.
	deadline := time.Now().Add(20 * time.Second)
	for {
		m := metrics(t, srcProc.URL)
		downPending, upPending := m[`talus_replication_destination_pending_records{destination="arn:talus:s3:down::dst"}`],
			m[`talus_replication_destination_pending_records{destination="arn:talus:s3:up::dst"}`]
		if downPending >= float64(len(vids)) && upPending == 0 && m[`talus_replication_destination_lag_seconds{destination="arn:talus:s3:down::dst"}`] > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("destination figures while one is down: down %v pending, up %v pending", downPending, upPending)
		}
		time.Sleep(200 * time.Millisecond)
	}
	_, down = talus(t, downDir, downAddr)
	for k, v := range vids {
		waitStatus(t, src, "src", k, v, types.ReplicationStatusCompleted, 120*time.Second)
		if got, _ := get(t, down, "dst", k, v); string(got) != k {
			t.Fatalf("%s on the destination that was down: %q", k, got)
		}
	}
}

// metrics reads the server's Prometheus text, sample line → value.
func metrics(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url + "/_talus/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		if i := strings.LastIndexByte(line, ' '); i > 0 && !strings.HasPrefix(line, "#") {
			if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
				out[line[:i]] = v
			}
		}
	}
	return out
}

func rule(id string, prio int32, dest string) types.ReplicationRule {
	return types.ReplicationRule{ID: aws.String(id), Priority: aws.Int32(prio), Status: types.ReplicationRuleStatusEnabled,
		Filter:                  &types.ReplicationRuleFilter{Prefix: aws.String("")},
		DeleteMarkerReplication: &types.DeleteMarkerReplication{Status: types.DeleteMarkerReplicationStatusDisabled},
		Destination:             &types.Destination{Bucket: aws.String(dest)}}
}
