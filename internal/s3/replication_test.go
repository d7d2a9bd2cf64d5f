package s3

import "testing"

func ip(n int) *int { return &n }

func TestCheckReplication(t *testing.T) {
	dest := ReplicationDestination{Bucket: "arn:aws:s3:::dst"}
	v2 := func(id string, prio int, prefix string) ReplicationRuleInput {
		return ReplicationRuleInput{ID: id, Priority: ip(prio), Status: "Enabled", HasFilter: true, FilterPrefix: sp(prefix),
			DeleteMarkerReplication: sp("Disabled"), Destination: dest}
	}
	for _, c := range []struct {
		name string
		in   []ReplicationRuleInput
		code string
	}{
		{"ok", []ReplicationRuleInput{v2("a", 1, "x/"), v2("b", 2, "x/y/")}, ""},
		{"no rules", nil, "MalformedXML"},
		{"same priority", []ReplicationRuleInput{v2("a", 1, "x/"), v2("b", 1, "y/")}, "InvalidRequest"},
		{"same id", []ReplicationRuleInput{v2("a", 1, "x/"), v2("a", 2, "y/")}, "InvalidArgument"},
		{"bad status", []ReplicationRuleInput{func() ReplicationRuleInput { r := v2("a", 1, ""); r.Status = "On"; return r }()}, "MalformedXML"},
		{"no priority", []ReplicationRuleInput{func() ReplicationRuleInput { r := v2("a", 1, ""); r.Priority = nil; return r }()}, "InvalidRequest"},
		{"no delete marker element", []ReplicationRuleInput{func() ReplicationRuleInput { r := v2("a", 1, ""); r.DeleteMarkerReplication = nil; return r }()}, "InvalidRequest"},
		{"tag filter with markers", []ReplicationRuleInput{func() ReplicationRuleInput {
			r := v2("a", 1, "")
			r.FilterPrefix, r.FilterTag, r.DeleteMarkerReplication = nil, &Tag{"k", "v"}, sp("Enabled")
			return r
		}()}, "InvalidRequest"},
		{"two filter members", []ReplicationRuleInput{func() ReplicationRuleInput { r := v2("a", 1, ""); r.FilterTag = &Tag{"k", "v"}; return r }()}, "MalformedXML"},
		{"bad arn", []ReplicationRuleInput{func() ReplicationRuleInput { r := v2("a", 1, ""); r.Destination.Bucket = "dst"; return r }()}, "InvalidArgument"},
		{"kms without key", []ReplicationRuleInput{func() ReplicationRuleInput { r := v2("a", 1, ""); r.SseKmsEncryptedObjects = sp("Enabled"); return r }()}, "InvalidRequest"},
		{"rtc without metrics", []ReplicationRuleInput{func() ReplicationRuleInput {
			r := v2("a", 1, "")
			r.Destination.RTC, r.Destination.RTCMins = "Enabled", 15
			return r
		}()}, "InvalidRequest"},
		{"v1", []ReplicationRuleInput{{ID: "a", Status: "Enabled", Prefix: sp("a/"), Destination: dest}, {ID: "b", Status: "Enabled", Prefix: sp("b/"), Destination: dest}}, ""},
		{"v1 overlapping", []ReplicationRuleInput{{ID: "a", Status: "Enabled", Prefix: sp("a/"), Destination: dest}, {ID: "b", Status: "Enabled", Prefix: sp("a/b"), Destination: dest}}, "InvalidRequest"},
		{"v1 with marker element", []ReplicationRuleInput{{ID: "a", Status: "Enabled", Prefix: sp(""), DeleteMarkerReplication: sp("Enabled"), Destination: dest}}, "InvalidRequest"},
		{"mixed", []ReplicationRuleInput{{ID: "a", Status: "Enabled", Prefix: sp("a/"), Destination: dest}, v2("b", 1, "b/")}, "InvalidRequest"},
	} {
		_, err := CheckReplication("arn:aws:iam::1:role/r", c.in)
		got := ""
		if re, ok := err.(*ReplicationError); ok {
			got = re.Code
		} else if err != nil {
			got = err.Error()
		}
		if got != c.code {
			t.Errorf("%s: error %q (%v), want %q", c.name, got, err, c.code)
		}
	}
}

func TestReplicationSelect(t *testing.T) {
	in := []ReplicationRuleInput{
		{ID: "low", Priority: ip(1), Status: "Enabled", HasFilter: true, FilterPrefix: sp(""), DeleteMarkerReplication: sp("Enabled"),
			Destination: ReplicationDestination{Bucket: "arn:aws:s3:::a"}},
		{ID: "high", Priority: ip(9), Status: "Enabled", HasFilter: true, HasAnd: true, AndPrefix: sp("x/"), AndTags: []Tag{{"t", "1"}},
			DeleteMarkerReplication: sp("Disabled"), Destination: ReplicationDestination{Bucket: "arn:aws:s3:::a"}},
		{ID: "kms", Priority: ip(5), Status: "Enabled", HasFilter: true, FilterPrefix: sp("k/"), DeleteMarkerReplication: sp("Disabled"),
			SseKmsEncryptedObjects: sp("Enabled"), Destination: ReplicationDestination{Bucket: "arn:talus:s3:west::b", ReplicaKMSKey: "key"}},
		{ID: "off", Priority: ip(7), Status: "Disabled", HasFilter: true, FilterPrefix: sp(""), DeleteMarkerReplication: sp("Disabled"),
			Destination: ReplicationDestination{Bucket: "arn:aws:s3:::c"}},
	}
	cfg, err := CheckReplication("r", in)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(o ReplicationObject) (s string) {
		for _, r := range cfg.Select(o) {
			s += r.ID + " "
		}
		return s
	}
	for _, c := range []struct {
		o    ReplicationObject
		want string
	}{
		{ReplicationObject{Key: "x/1", Tags: map[string]string{"t": "1"}}, "high "},
		{ReplicationObject{Key: "x/1"}, "low "},
		{ReplicationObject{Key: "k/1"}, "low kms "},
		{ReplicationObject{Key: "k/1", SSEKMS: true}, "kms "},
		{ReplicationObject{Key: "k/1", SSEC: true}, ""},
	} {
		if got := ids(c.o); got != c.want {
			t.Errorf("%+v: rules %q, want %q", c.o, got, c.want)
		}
	}
	if tg, ok := ParseReplicationTarget("arn:talus:s3:west::b"); !ok || tg.Remote != "west" || tg.Bucket != "b" {
		t.Errorf("remote target %+v", tg)
	}
}

// BenchmarkReplicationSelect is the cost every write to a bucket with a
// replication configuration pays to decide whether it is PENDING.
func BenchmarkReplicationSelect(b *testing.B) {
	var in []ReplicationRuleInput
	for i := range 100 {
		in = append(in, ReplicationRuleInput{ID: string(rune('a'+i%26)) + string(rune('a'+i/26)), Priority: ip(i), Status: "Enabled", HasFilter: true,
			HasAnd: true, AndPrefix: sp("logs/" + string(rune('a'+i%26)) + "/"), AndTags: []Tag{{"team", "t"}}, DeleteMarkerReplication: sp("Disabled"),
			Destination: ReplicationDestination{Bucket: "arn:aws:s3:::dst"}})
	}
	cfg, err := CheckReplication("r", in)
	if err != nil {
		b.Fatal(err)
	}
	o := ReplicationObject{Key: "logs/q/2026/12/02/file.gz", Tags: map[string]string{"team": "t"}}
	b.ReportAllocs()
	for b.Loop() {
		if len(cfg.Select(o)) != 1 {
			b.Fatal("no rule selected")
		}
	}
}
