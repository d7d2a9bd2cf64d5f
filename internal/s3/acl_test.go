package s3

import "testing"

func TestCannedACL(t *testing.T) {
	for _, tc := range []struct {
		name      string
		bucket    bool
		public    bool
		anonRead  bool
		anonWrite bool
		authRead  bool
		ok        bool
	}{
		{"private", true, false, false, false, false, true},
		{"public-read", true, true, true, false, true, true},
		{"public-read-write", true, true, true, true, true, true},
		{"authenticated-read", false, true, false, false, true, true},
		{"bucket-owner-read", false, false, false, false, false, true},
		{"bucket-owner-full-control", false, false, false, false, false, true},
		{"aws-exec-read", false, false, false, false, false, true},
		{"log-delivery-write", true, false, false, false, false, true},
		{"log-delivery-write", false, false, false, false, false, false},
		{"bogus", true, false, false, false, false, false},
	} {
		g, err := CannedACL(tc.name, "owner", "owner", tc.bucket)
		if (err == nil) != tc.ok {
			t.Fatalf("%s: err = %v", tc.name, err)
		}
		if err != nil {
			continue
		}
		anon, user := Grantee{Anonymous: true}, Grantee{ID: "someone"}
		if IsPublicACL(g) != tc.public || ACLAllows(g, anon, PermRead, false) != tc.anonRead ||
			ACLAllows(g, anon, PermWrite, false) != tc.anonWrite || ACLAllows(g, user, PermRead, false) != tc.authRead {
			t.Errorf("%s: grants %+v", tc.name, g)
		}
		if !ACLAllows(g, Grantee{ID: "owner"}, PermWriteACP, false) {
			t.Errorf("%s: owner lacks full control", tc.name)
		}
		if ACLAllows(g, anon, PermRead, true) {
			t.Errorf("%s: public grant honoured while ignored", tc.name)
		}
	}
}

func TestGrantHeaders(t *testing.T) {
	h := map[string]string{
		"x-amz-grant-read":  `uri="http://acs.amazonaws.com/groups/global/AllUsers", id="abc"`,
		"x-amz-grant-write": `emailAddress="a@example.com"`,
	}
	g, ok, err := GrantHeaders(func(k string) string { return h[k] }, "owner")
	if err != nil || !ok || len(g) != 3 || g[0].URI != AllUsers || g[1].ID != "abc" || g[2].Email != "a@example.com" || g[2].Permission != PermWrite {
		t.Fatalf("GrantHeaders = %+v %v %v", g, ok, err)
	}
	if _, _, err := GrantHeaders(func(k string) string {
		if k == "x-amz-grant-read" {
			return "nonsense"
		}
		return ""
	}, "o"); err == nil {
		t.Fatal("malformed grant accepted")
	}
	if _, ok, _ := GrantHeaders(func(string) string { return "" }, "o"); ok {
		t.Fatal("no headers reported present")
	}
}

func TestACLPermission(t *testing.T) {
	for action, want := range map[string]string{"s3:ListBucket": PermRead, "s3:PutObject": PermWrite, "s3:GetObject": PermRead, "s3:PutObjectAcl": PermWriteACP} {
		if p, _, ok := ACLPermission(action); !ok || p != want {
			t.Errorf("%s → %q %v", action, p, ok)
		}
	}
	if _, _, ok := ACLPermission("s3:PutBucketPolicy"); ok {
		t.Error("bucket policy changes are never granted by ACLs")
	}
}

func TestCannedACLBucketOwner(t *testing.T) {
	for _, tc := range []struct {
		name string
		perm string // the bucket owner's, "" for none
	}{{"private", ""}, {"bucket-owner-read", PermRead}, {"bucket-owner-full-control", PermFullControl}, {"aws-exec-read", ""}} {
		g, err := CannedACL(tc.name, "writer", "bucket-owner", false)
		if err != nil {
			t.Fatal(err)
		}
		if !ACLAllows(g, Grantee{ID: "writer"}, PermWriteACP, false) {
			t.Errorf("%s: the object owner lacks full control", tc.name)
		}
		for _, p := range []string{PermRead, PermFullControl} {
			want := tc.perm == PermFullControl || tc.perm == p
			if got := ACLAllows(g, Grantee{ID: "bucket-owner"}, p, false); got != want {
				t.Errorf("%s: bucket owner %s = %v, want %v", tc.name, p, got, want)
			}
		}
	}
}

func TestEnforcedACLAccepted(t *testing.T) {
	own := Grant{ID: "o", Permission: PermFullControl}
	for _, tc := range []struct {
		name   string
		canned string
		grants []Grant
		bucket bool
		ok     bool
	}{
		{"object bucket-owner-full-control", "bucket-owner-full-control", []Grant{own}, false, true},
		{"object private", "private", []Grant{own}, false, false},
		{"object bucket-owner-read", "bucket-owner-read", []Grant{own}, false, false},
		{"object public-read", "public-read", []Grant{own, {URI: AllUsers, Permission: PermRead}}, false, false},
		{"object owner full control grant", "", []Grant{own, own}, false, true},
		{"object owner read grant", "", []Grant{own, {ID: "o", Permission: PermRead}}, false, false},
		{"object other account", "", []Grant{own, {ID: "x", Permission: PermFullControl}}, false, false},
		{"object by email", "", []Grant{own, {Email: "a@b", Permission: PermFullControl}}, false, false},
		{"bucket private", "private", []Grant{own}, true, true},
		{"bucket public-read", "public-read", []Grant{own, {URI: AllUsers, Permission: PermRead}}, true, false},
		{"bucket owner grant", "", []Grant{own}, true, true},
		{"empty", "", nil, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := EnforcedACLAccepted(tc.canned, tc.grants, "o", tc.bucket); got != tc.ok {
				t.Fatalf("EnforcedACLAccepted = %v, want %v", got, tc.ok)
			}
		})
	}
}
