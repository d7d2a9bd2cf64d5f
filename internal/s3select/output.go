package s3select

import "bytes"

// appendCSVField appends one field, quoted as the options say.
func (o *outOptions) appendCSVField(b []byte, f []byte) []byte {
	need := o.quoteAlways
	if !need && o.quote != 0 {
		need = bytes.IndexByte(f, o.fd) >= 0 || bytes.IndexByte(f, o.quote) >= 0 ||
			bytes.ContainsAny(f, o.rd) || bytes.IndexByte(f, '\n') >= 0 || bytes.IndexByte(f, '\r') >= 0
	}
	if !need || o.quote == 0 {
		return append(b, f...)
	}
	b = append(b, o.quote)
	for _, c := range f {
		if c == o.quote {
			b = append(b, o.esc)
		}
		b = append(b, c)
	}
	return append(b, o.quote)
}

// appendCSVRecord appends fields as one CSV record.
func (o *outOptions) appendCSVRecord(b []byte, fields [][]byte) []byte {
	for i, f := range fields {
		if i > 0 {
			b = append(b, o.fd)
		}
		b = o.appendCSVField(b, f)
	}
	return append(b, o.rd...)
}

// appendRecord appends one result record: the values and their names.
func (o *outOptions) appendRecord(b []byte, vals []Value, names []string) []byte {
	if o.csv {
		for i, v := range vals {
			if i > 0 {
				b = append(b, o.fd)
			}
			if v.k == kString {
				b = o.appendCSVField(b, []byte(v.s))
			} else {
				b = o.appendCSVField(b, []byte(v.text()))
			}
		}
		return append(b, o.rd...)
	}
	b = append(b, '{')
	n := 0
	for i, v := range vals {
		if v.k == kMissing {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = appendJSONString(b, names[i])
		b = append(b, ':')
		b = appendJSON(b, v)
	}
	b = append(b, '}')
	return append(b, o.rd...)
}
