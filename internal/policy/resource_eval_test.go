package policy

import "testing"

// TestEvaluateResourceDirect: an Allow naming the principal itself (its
// ARN, its role's ARN, "*") is direct; one naming only its account is not;
// a Deny wins over both.
func TestEvaluateResourceDirect(t *testing.T) {
	user := Principal{ARN: "arn:aws:iam::111122223333:user/ann", Account: "111122223333"}
	session := Principal{ARN: "arn:aws:sts::111122223333:assumed-role/r/s", RoleARN: "arn:aws:iam::111122223333:role/r", Account: "111122223333"}
	trust := func(principal string, extra ...string) *Document {
		stmts := `{"Effect":"Allow","Principal":{"AWS":` + principal + `},"Action":"sts:AssumeRole"}`
		for _, e := range extra {
			stmts += "," + e
		}
		return mustParse(t, TrustPolicy, "", `{"Version":"2012-10-17","Statement":[`+stmts+`]}`)
	}
	for _, tc := range []struct {
		name   string
		doc    *Document
		p      Principal
		eff    Effect
		direct bool
	}{
		{"user ARN", trust(`"arn:aws:iam::111122223333:user/ann"`), user, Allow, true},
		{"account root", trust(`"arn:aws:iam::111122223333:root"`), user, Allow, false},
		{"account ID", trust(`"111122223333"`), user, Allow, false},
		{"root then user", trust(`["arn:aws:iam::111122223333:root","arn:aws:iam::111122223333:user/ann"]`), user, Allow, true},
		{"account statement then user statement", trust(`"111122223333"`, `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/ann"},"Action":"sts:AssumeRole"}`), user, Allow, true},
		{"wildcard", trust(`"*"`), user, Allow, true},
		{"role of a session", trust(`"arn:aws:iam::111122223333:role/r"`), session, Allow, true},
		{"another user", trust(`"arn:aws:iam::111122223333:user/bob"`), user, NotApplicable, false},
		{"deny wins", trust(`"arn:aws:iam::111122223333:user/ann"`, `{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}`), user, Deny, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := &Request{Principal: tc.p, Action: "sts:AssumeRole", Resource: "arn:aws:iam::111122223333:role/x"}
			eff, direct := tc.doc.EvaluateResource(req)
			if eff != tc.eff || direct != tc.direct {
				t.Fatalf("EvaluateResource = %v, direct %v; want %v, %v", eff, direct, tc.eff, tc.direct)
			}
			if got := tc.doc.Evaluate(req); got != tc.eff {
				t.Fatalf("Evaluate = %v, want %v", got, tc.eff)
			}
		})
	}
}
