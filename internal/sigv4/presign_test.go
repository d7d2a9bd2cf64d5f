package sigv4

import (
	"net/http"
	"testing"
	"time"
)

func TestPresignVerifies(t *testing.T) {
	now := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	v := &Verifier{Region: "us-east-1", Now: func() time.Time { return now.Add(30 * time.Second) },
		Lookup: func(ak string) (string, bool) { return "secret", ak == "AK" }}
	for _, tc := range []struct {
		name, url, token string
		later            time.Duration
		ok               bool
	}{
		{"plain", "http://127.0.0.1:9000/b/a%20key+x", "", 0, true},
		{"version and token", "http://127.0.0.1:9000/b/k?versionId=v1", "tok/en=", 0, true},
		{"expired", "http://127.0.0.1:9000/b/k", "", 2 * time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := http.NewRequest(http.MethodGet, tc.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			Presign(r, "AK", "secret", "us-east-1", tc.token, time.Minute, now)
			got, _ := http.NewRequest(http.MethodGet, r.URL.String(), nil)
			vv := *v
			vv.Now = func() time.Time { return now.Add(30*time.Second + tc.later) }
			a, err := vv.Verify(got)
			if tc.ok && (err != nil || !a.Presigned || a.AccessKey != "AK") {
				t.Fatalf("Verify: %+v, %v (%s)", a, err, r.URL)
			}
			if !tc.ok && err == nil {
				t.Fatal("an expired presigned URL verified")
			}
		})
	}
}
