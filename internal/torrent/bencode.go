package torrent

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
)

// Dict is a bencoded dictionary; its keys are written in sorted order,
// as BEP 3 requires, so an encoding (and an info hash) is canonical.
type Dict map[string]any

// Encode bencodes v: a string or []byte, an int or int64, a []any list
// or a Dict.
func Encode(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := encode(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func encode(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case string:
		b.WriteString(strconv.Itoa(len(x)))
		b.WriteByte(':')
		b.WriteString(x)
	case []byte:
		b.WriteString(strconv.Itoa(len(x)))
		b.WriteByte(':')
		b.Write(x)
	case int:
		return encode(b, int64(x))
	case int64:
		b.WriteByte('i')
		b.WriteString(strconv.FormatInt(x, 10))
		b.WriteByte('e')
	case []any:
		b.WriteByte('l')
		for _, e := range x {
			if err := encode(b, e); err != nil {
				return err
			}
		}
		b.WriteByte('e')
	case Dict:
		b.WriteByte('d')
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys) // raw byte order
		for _, k := range keys {
			encode(b, k)
			if err := encode(b, x[k]); err != nil {
				return err
			}
		}
		b.WriteByte('e')
	default:
		return fmt.Errorf("torrent: cannot bencode %T", v)
	}
	return nil
}
