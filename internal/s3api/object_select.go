package s3api

import (
	"context"
	"io"
	"net/http"

	"talus/internal/s3"
	"talus/internal/s3err"
	"talus/internal/s3select"
	"talus/internal/s3xml"
)

// maxSelectBody bounds the request XML: the SQL may be 256 KB.
const maxSelectBody = 512 << 10

// selectObjectContent runs S3 Select over one object version. Everything
// that can fail before a row is read (the request, the SQL, the object,
// its key, its compression header, a CSV header) is answered as an XML
// error; once the event stream has started, errors are error messages in
// it (internal/s3select).
func (a *API) selectObjectContent(ctx context.Context, req *request) (*response, error) {
	if err := checkKey(req.key); err != nil {
		return nil, err
	}
	if req.query.Get("select-type") != "2" {
		return nil, s3err.Newf(s3err.InvalidArgument, "select-type must be 2.").With("ArgumentName", "select-type")
	}
	if req.Header.Get("Range") != "" {
		return nil, s3err.Newf(s3err.InvalidRequest, "Range is not supported by SelectObjectContent; use ScanRange.")
	}
	body, err := a.readSmallBody(req, maxSelectBody)
	if err != nil {
		return nil, err
	}
	var doc s3xml.SelectObjectContentRequest
	if err := s3xml.Decode(bytesReader(body), maxSelectBody, "SelectObjectContentRequest", &doc); err != nil {
		return nil, s3err.New(s3err.MalformedXML)
	}
	plan, err := s3select.Prepare(selectRequest(&doc))
	if err != nil {
		return nil, err
	}
	resp, err := onceMore(func() (*response, error) { return a.selectOnce(ctx, req, plan) })
	return resp, a.hideMissing(ctx, req, err)
}

func (a *API) selectOnce(ctx context.Context, req *request, plan *s3select.Plan) (*response, error) {
	o, err := a.lookupObject(ctx, req)
	if err != nil {
		return nil, err
	}
	if o.DeleteMarker {
		return nil, deleteMarkerError(req, o)
	}
	get := headerGetter(req)
	if _, err := checkCustomerAccess(o.Attrs.Enc, get, sseCustomerPrefix); err != nil {
		return nil, err
	}
	cond := readConditions(req)
	switch s3.CheckRead(cond, o.ETag, o.Modified) {
	case s3.NotModified:
		resp := newResponse(http.StatusNotModified)
		resp.header.Set("ETag", o.ETag)
		return resp, nil
	case s3.PreconditionFailed:
		return nil, s3err.New(s3err.PreconditionFailed).With("Condition", failedCondition(cond))
	}
	if err := a.checkReadable(o); err != nil {
		return nil, err
	}
	key, err := a.dataKey(ctx, o.Attrs.Enc, get, sseCustomerPrefix)
	if err != nil {
		return nil, err
	}
	src := s3select.Source{Size: o.Size, Open: func(off, n int64) (io.ReadCloser, error) {
		return a.openData(ctx, o, key, off, n)
	}}
	scan, err := plan.Open(ctx, src, a.cfg.Now())
	if err != nil {
		return nil, err
	}
	a.touch(o)
	resp := newResponse(http.StatusOK)
	setSSEHeaders(resp.header, o.Attrs.Enc, false /* context */)
	resp.header.Set("Content-Type", "application/octet-stream")
	resp.stream = func(w io.Writer, flush func()) error { return scan.Run(ctx, w, flush) }
	return resp, nil
}

// selectRequest maps the XML onto s3select's request.
func selectRequest(doc *s3xml.SelectObjectContentRequest) *s3select.Request {
	r := &s3select.Request{}
	if doc.Expression != nil {
		r.Expression = *doc.Expression
	}
	if doc.ExpressionType != nil {
		r.ExpressionType = *doc.ExpressionType
	}
	if doc.RequestProgress != nil {
		r.RequestProgress = doc.RequestProgress.Enabled
	}
	if in := doc.InputSerialization; in != nil {
		if in.CompressionType != nil {
			r.Compression = *in.CompressionType
		}
		if c := in.CSV; c != nil {
			r.Inputs++
			r.CSVIn = &s3select.CSVInput{
				Comments: c.Comments, QuoteEscapeCharacter: c.QuoteEscapeCharacter,
				RecordDelimiter: c.RecordDelimiter, FieldDelimiter: c.FieldDelimiter,
				QuoteCharacter: c.QuoteCharacter,
			}
			if c.FileHeaderInfo != nil {
				r.CSVIn.FileHeaderInfo = *c.FileHeaderInfo
			}
			if c.AllowQuotedRecordDelimiter != nil {
				r.CSVIn.AllowQuotedRecordDelimiter = *c.AllowQuotedRecordDelimiter
			}
		}
		if j := in.JSON; j != nil {
			r.Inputs++
			r.JSONIn = &s3select.JSONInput{}
			if j.Type != nil {
				r.JSONIn.Type = *j.Type
			}
		}
		if in.Parquet != nil {
			r.Inputs++
			r.ParquetIn = true
		}
	}
	if out := doc.OutputSerialization; out != nil {
		if c := out.CSV; c != nil {
			r.Outputs++
			r.CSVOut = &s3select.CSVOutput{
				QuoteEscapeCharacter: c.QuoteEscapeCharacter, RecordDelimiter: c.RecordDelimiter,
				FieldDelimiter: c.FieldDelimiter, QuoteCharacter: c.QuoteCharacter,
			}
			if c.QuoteFields != nil {
				r.CSVOut.QuoteFields = *c.QuoteFields
			}
		}
		if j := out.JSON; j != nil {
			r.Outputs++
			r.JSONOut = &s3select.JSONOutput{RecordDelimiter: j.RecordDelimiter}
		}
	}
	if sr := doc.ScanRange; sr != nil {
		r.ScanRange = &s3select.ScanRange{Start: sr.Start, End: sr.End}
	}
	return r
}
