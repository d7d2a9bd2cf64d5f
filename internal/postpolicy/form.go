package postpolicy

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
)

// DefaultMaxFormBytes is the budget for the fields preceding the file when
// Parse is given maxFormBytes <= 0.
const DefaultMaxFormBytes = 64 << 10

// Form is a parsed PostObject form.
type Form struct {
	// Fields holds the form fields that precede the file part, keyed by the
	// lower-cased field name (S3 field names are case-insensitive).
	Fields map[string]string
	// File streams the content of the part named "file". It reads from the
	// request body: it is valid only while the request is, and only once.
	File io.Reader
	// FileName is the filename the client gave the file part, as sent.
	FileName string
	// FileContentType is the Content-Type header of the file part.
	FileContentType string

	// Bucket is the bucket the POST addresses. The caller sets it before
	// Verify: conditions on $bucket are checked against it, and a form
	// field named bucket is replaced by it.
	Bucket string
}

// Field returns the value of the named field, case-insensitively.
func (f *Form) Field(name string) string { return f.Fields[strings.ToLower(name)] }

// Key is the object key: the key field with every "${filename}" replaced by
// FileName. It is "" when the form has no key field.
func (f *Form) Key() string {
	return strings.ReplaceAll(f.Fields["key"], "${filename}", f.FileName)
}

var errGateClosed = errors.New("postpolicy: form fields too large")

// gate caps the bytes read from the body until it is opened.
type gate struct {
	r     io.Reader
	left  int64
	avail bool // open: no cap
}

func (g *gate) Read(p []byte) (int, error) {
	if g.avail {
		return g.r.Read(p)
	}
	if g.left <= 0 {
		return 0, errGateClosed
	}
	if int64(len(p)) > g.left {
		p = p[:g.left]
	}
	n, err := g.r.Read(p)
	g.left -= int64(n)
	return n, err
}

// Parse reads a multipart/form-data PostObject request up to its file part
// without reading the file: Form.File streams it. maxFormBytes bounds the
// names and values of the fields preceding the file (<= 0 means
// DefaultMaxFormBytes); the raw bytes read before the file, part headers and
// boundaries included, are bounded too. Field names are matched
// case-insensitively; a repeated field is rejected. Parts after the file are
// never read. Every returned error is an *Error.
func Parse(r *http.Request, maxFormBytes int64) (*Form, error) {
	f, e := parse(r, maxFormBytes)
	if e != nil {
		return nil, e
	}
	return f, nil
}

func parse(r *http.Request, maxFormBytes int64) (*Form, *Error) {
	if maxFormBytes <= 0 {
		maxFormBytes = DefaultMaxFormBytes
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" || r.Body == nil {
		return nil, errMalformedPOST()
	}
	g := &gate{r: r.Body, left: 2*maxFormBytes + 16<<10}
	mr := multipart.NewReader(g, params["boundary"])
	f := &Form{Fields: map[string]string{}}
	budget := maxFormBytes
	for {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			return nil, errNoFile()
		}
		if err != nil {
			return nil, readErr(err)
		}
		disp, dp, err := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
		name := strings.ToLower(dp["name"])
		if err != nil || disp != "form-data" || name == "" {
			return nil, errMalformedPOST()
		}
		if name == "file" {
			f.File = part
			f.FileName = dp["filename"]
			f.FileContentType = part.Header.Get("Content-Type")
			g.avail = true
			return f, nil
		}
		budget -= int64(len(name))
		if budget < 0 {
			return nil, errFormTooLarge()
		}
		v, err := io.ReadAll(io.LimitReader(part, budget+1))
		if err != nil {
			return nil, readErr(err)
		}
		budget -= int64(len(v))
		if budget < 0 {
			return nil, errFormTooLarge()
		}
		if _, dup := f.Fields[name]; dup {
			return nil, errInvalidArgument("POST form field '" + clip(name) + "' must not be repeated.")
		}
		f.Fields[name] = string(v)
	}
}

func readErr(err error) *Error {
	if errors.Is(err, errGateClosed) {
		return errFormTooLarge()
	}
	return errMalformedPOST()
}
