package oidc

import (
	"strings"
	"testing"
)

func TestParseFlag(t *testing.T) {
	p, err := ParseFlag("https://idp.example.com/realms/main/,jwks=/etc/jwks.json,client-id=a,client-id=b")
	if err != nil || p.Issuer != "https://idp.example.com/realms/main" || p.JWKS != "/etc/jwks.json" || strings.Join(p.ClientIDs, ",") != "a,b" {
		t.Fatalf("ParseFlag = %+v, %v", p, err)
	}
	if p.ARN() != "arn:aws:iam::000000000000:oidc-provider/idp.example.com/realms/main" || p.Host() != "idp.example.com/realms/main" {
		t.Fatalf("ARN %q host %q", p.ARN(), p.Host())
	}
	for _, bad := range []string{"idp.example.com", "ftp://idp", "https://idp,secret=x", "https://idp,jwks="} {
		if _, err := ParseFlag(bad); err == nil {
			t.Fatalf("ParseFlag(%q) accepted", bad)
		}
	}
}
