package sigv2

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		"AWS AKIAIOSFODNN7EXAMPLE:bWq2s1WEIj+Ydj0vQ697zp+IXMU=",
		"AWS a:b", "AWS :", "AWS a:", "AWS", "AWS  a:b:c ", "AWS4-HMAC-SHA256 Credential=x",
		"  AWS a:b\t", "AWS a b:c", "AWS \x00:\xff",
	} {
		f.Add(s)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, h string) {
		ak, sig, ok := parseAuthorization(h)
		if ok {
			if ak == "" || sig == "" || strings.ContainsAny(sig, ": \t\r\n") || strings.ContainsAny(ak, " \t\r\n") {
				t.Fatalf("%q parsed to %q, %q", h, ak, sig)
			}
			ak2, sig2, ok2 := parseAuthorization("AWS " + ak + ":" + sig)
			if !ok2 || ak2 != ak || sig2 != sig {
				t.Fatalf("%q: round trip %q %q %v", h, ak2, sig2, ok2)
			}
		}
		// The whole verifier never panics and only returns *Error.
		r, err := http.NewRequest("GET", "http://h/b/k?acl", nil)
		if err != nil {
			t.Fatal(err)
		}
		r.Header["Authorization"] = []string{h}
		r.Header.Set("Date", now.Format(http.TimeFormat))
		if _, err := Verify(r, lookup, now); err != nil {
			if _, isErr := err.(*Error); !isErr {
				t.Fatalf("error %T", err)
			}
		} else if h != "" {
			t.Fatalf("%q verified", h)
		}
	})
}
