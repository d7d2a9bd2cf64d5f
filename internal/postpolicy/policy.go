package postpolicy

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Policy is a parsed POST policy document.
type Policy struct {
	Expiration time.Time

	conds []condition
	// minLen..maxLen is the intersection of the content-length-range
	// conditions; hasRange says there is at least one.
	minLen, maxLen int64
	hasRange       bool
	// v2 exempts AWSAccessKeyId and signature from the coverage rule.
	v2 bool
}

type condOp int

const (
	opEq condOp = iota
	opStartsWith
)

type condition struct {
	op    condOp
	field string // lower-cased, without '$'
	value string
	// ok is false for a condition S3 cannot apply (a value that is not a
	// string, a field without '$'): it always fails, naming itself.
	ok   bool
	echo string // the condition as S3 quotes it in errors
}

// ParsePolicy decodes a base64 POST policy document. Errors are
// InvalidPolicyDocument *Error values.
func ParsePolicy(b64 string) (*Policy, error) {
	p, e := parsePolicy(b64)
	if e != nil {
		return nil, e
	}
	return p, nil
}

func parsePolicy(b64 string) (*Policy, *Error) {
	// Forms may wrap the encoded policy; the signature covers it as sent.
	clean := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, b64)
	raw, err := base64.StdEncoding.DecodeString(clean)
	if err != nil {
		if raw, err = base64.RawStdEncoding.DecodeString(clean); err != nil {
			return nil, errPolicyDocument("invalid Base64 encoding.")
		}
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, errPolicyDocument("Expecting '{' but found End-of-Input")
	}
	var doc map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil || doc == nil || dec.More() {
		return nil, errPolicyDocument("Invalid JSON.")
	}
	p := &Policy{maxLen: math.MaxInt64}
	expRaw, ok := doc["expiration"]
	if !ok {
		return nil, errPolicyDocument("Policy missing expiration.")
	}
	var exp string
	if json.Unmarshal(expRaw, &exp) != nil {
		return nil, errPolicyDocument("Invalid 'expiration' value: '" + clip(string(expRaw)) + "'")
	}
	t, err := time.Parse(time.RFC3339Nano, exp)
	if err != nil {
		return nil, errPolicyDocument("Invalid 'expiration' value: '" + clip(exp) + "'")
	}
	p.Expiration = t
	condRaw, ok := doc["conditions"]
	if !ok {
		return nil, errPolicyDocument("Policy missing conditions.")
	}
	var conds []json.RawMessage
	if json.Unmarshal(condRaw, &conds) != nil {
		return nil, errPolicyDocument("Invalid 'conditions' value: must be a List.")
	}
	for _, c := range conds {
		if e := p.addCondition(c); e != nil {
			return nil, e
		}
	}
	return p, nil
}

func (p *Policy) addCondition(c json.RawMessage) *Error {
	c = bytes.TrimSpace(c)
	if len(c) == 0 {
		return errPolicyDocument("Invalid condition test: must be a List or Object.")
	}
	switch c[0] {
	case '{':
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(c, &obj); err != nil {
			return errPolicyDocument("Invalid JSON.")
		}
		if len(obj) != 1 {
			return errPolicyDocument("Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.")
		}
		for k, v := range obj {
			var s string
			if json.Unmarshal(v, &s) != nil {
				return errPolicyDocument("Invalid Simple-Condition: value must be a string.")
			}
			p.conds = append(p.conds, condition{
				op: opEq, field: strings.ToLower(k), value: s, ok: true,
				echo: quoteList("eq", "$"+k, s),
			})
		}
		return nil
	case '[':
	default:
		return errPolicyDocument("Invalid condition test: must be a List or Object.")
	}
	var list []json.RawMessage
	if err := json.Unmarshal(c, &list); err != nil {
		return errPolicyDocument("Invalid JSON.")
	}
	if len(list) == 0 {
		return errPolicyDocument("Invalid Condition: missing operation identifier.")
	}
	var op string
	if json.Unmarshal(list[0], &op) != nil {
		return errPolicyDocument("Invalid Condition: missing operation identifier.")
	}
	switch strings.ToLower(op) {
	case "eq", "starts-with":
		if len(list) != 3 {
			return errPolicyDocument("Invalid " + strings.ToLower(op) + ": wrong number of arguments.")
		}
		cond := condition{op: opEq, ok: true, echo: quoteRaw(op, list[1:])}
		if strings.ToLower(op) == "starts-with" {
			cond.op = opStartsWith
		}
		var field string
		if json.Unmarshal(list[1], &field) != nil || !strings.HasPrefix(field, "$") || len(field) == 1 {
			cond.ok = false
		}
		if json.Unmarshal(list[2], &cond.value) != nil {
			cond.ok = false
		}
		cond.field = strings.ToLower(strings.TrimPrefix(field, "$"))
		p.conds = append(p.conds, cond)
		return nil
	case "content-length-range":
		if len(list) != 3 {
			return errPolicyDocument("Invalid content-length-range: wrong number of arguments.")
		}
		lo, ok1 := jsonInt(list[1])
		hi, ok2 := jsonInt(list[2])
		if !ok1 || !ok2 || lo < 0 || hi < lo {
			// Unusable bounds: the condition can never be satisfied.
			p.conds = append(p.conds, condition{ok: false, echo: quoteRaw(op, list[1:])})
			return nil
		}
		p.minLen = max(p.minLen, lo)
		p.maxLen = min(p.maxLen, hi)
		p.hasRange = true
		return nil
	}
	return errPolicyDocument("Invalid Condition: unknown operation '" + clip(op) + "'.")
}

// jsonInt accepts a JSON integer or a string holding one.
func jsonInt(raw json.RawMessage) (int64, bool) {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			return 0, false
		}
		s = n.String()
	}
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return v, err == nil
}

// quoteList renders ["a", "b", "c"] the way S3 echoes a condition.
func quoteList(items ...string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(jsonString(s))
	}
	b.WriteByte(']')
	return b.String()
}

// quoteRaw renders a condition whose arguments may not be strings.
func quoteRaw(op string, args []json.RawMessage) string {
	var b strings.Builder
	b.WriteString("[" + jsonString(op))
	for _, a := range args {
		b.WriteString(", ")
		var s string
		if json.Unmarshal(a, &s) == nil {
			b.WriteString(jsonString(s))
		} else {
			var compact bytes.Buffer
			if json.Compact(&compact, a) == nil {
				b.Write(compact.Bytes())
			} else {
				b.Write(a)
			}
		}
	}
	b.WriteByte(']')
	return clip512(b.String())
}

func clip512(s string) string {
	if len(s) > 512 {
		return s[:512] + "..."
	}
	return s
}

func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// exactOnly reports whether a field takes exact matching only, so that a
// starts-with condition on it never holds: bucket, success_action_status
// and the signing fields x-amz-algorithm, x-amz-credential, x-amz-date and
// x-amz-security-token, as S3's POST policy table lists them. Every other
// field, x-amz-meta-* and the other x-amz-* fields among them, also takes
// starts-with (ceph s3-tests, e.g. starts-with "" on the
// x-amz-server-side-encryption-customer-* fields, rely on it).
func exactOnly(field string) bool {
	switch field {
	case "bucket", "success_action_status", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-security-token":
		return true
	}
	return false
}

func (c *condition) match(fields map[string]string, keyAlt string) bool {
	if !c.ok {
		return false
	}
	check := func(v string) bool {
		if c.op == opEq {
			return v == c.value
		}
		if exactOnly(c.field) {
			return false
		}
		if c.field == "content-type" {
			// A list of types: each must match.
			for t := range strings.SplitSeq(v, ",") {
				if !strings.HasPrefix(strings.TrimSpace(t), c.value) {
					return false
				}
			}
			return true
		}
		return strings.HasPrefix(v, c.value)
	}
	if check(fields[c.field]) {
		return true
	}
	return c.field == "key" && keyAlt != "" && check(keyAlt)
}

// exempt reports whether a form field needs no condition: the ones S3
// names (x-amz-signature, file, policy, x-ignore-*, and AWSAccessKeyId and
// signature under Signature Version 2), and the x-amz-checksum-* fields.
// A checksum widens nothing the signer allowed: it is checked against the
// file and can only refuse the upload (ceph s3-tests'
// test_post_object_upload_checksum sends one no condition names).
func (p *Policy) exempt(name string) bool {
	switch name {
	case "x-amz-signature", "file", "policy":
		return true
	case "awsaccesskeyid", "signature":
		return p.v2
	}
	return strings.HasPrefix(name, "x-ignore-") || strings.HasPrefix(name, "x-amz-checksum-")
}

// CheckFields checks fields (keyed by lower-cased name, as Form.Fields is;
// include "bucket") against the policy's eq and starts-with conditions, in
// policy order, then checks that every field other than x-amz-signature,
// file, policy, x-ignore-* and x-amz-checksum-* (and, for a Signature
// Version 2 policy, AWSAccessKeyId and signature) is named by a condition.
// A field a condition names but the form lacks is "". It does not check expiration (Verify
// does) or content-length-range (see LengthRange). Failures are AccessDenied
// *Error values with S3's "Invalid according to Policy: ..." messages.
func (p *Policy) CheckFields(fields map[string]string) error {
	if e := p.checkFields(lowerKeys(fields), ""); e != nil {
		return e
	}
	return nil
}

func lowerKeys(fields map[string]string) map[string]string {
	for k := range fields {
		if k != strings.ToLower(k) {
			m := make(map[string]string, len(fields))
			for k, v := range fields {
				m[strings.ToLower(k)] = v
			}
			return m
		}
	}
	return fields
}

// checkFields is CheckFields where a key condition also passes if it holds
// for keyAlt (the key with ${filename} substituted).
func (p *Policy) checkFields(fields map[string]string, keyAlt string) *Error {
	covered := map[string]bool{}
	for i := range p.conds {
		c := &p.conds[i]
		if !c.match(fields, keyAlt) {
			return errAccordingToPolicy("Policy Condition failed: " + c.echo)
		}
		covered[c.field] = true
	}
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !covered[name] && !p.exempt(name) {
			return errAccordingToPolicy("Extra input fields: " + clip(name))
		}
	}
	return nil
}

// LengthRange returns the content-length-range the policy allows, the
// intersection of all its content-length-range conditions; ok is false when
// it has none. The caller enforces it on the file while streaming it.
func (p *Policy) LengthRange() (minLen, maxLen int64, ok bool) {
	if !p.hasRange {
		return 0, 0, false
	}
	return p.minLen, p.maxLen, true
}

// CheckLength returns EntityTooSmall or EntityTooLarge when size is outside
// LengthRange, else nil.
func (p *Policy) CheckLength(size int64) error {
	lo, hi, ok := p.LengthRange()
	switch {
	case !ok:
		return nil
	case size < lo:
		return newErr(http.StatusBadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
	case size > hi:
		return newErr(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
	}
	return nil
}
