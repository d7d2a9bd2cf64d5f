package s3api

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"syscall"

	"talus/internal/meta"
	"talus/internal/s3err"
	"talus/internal/s3xml"
	"talus/internal/sigv2"
	"talus/internal/sigv4"
	"talus/internal/space"
)

// render writes resp and returns the status sent, and the error if it had
// to send one instead.
func (a *API) render(w http.ResponseWriter, req *request, resp *response) (int, error) {
	h := w.Header()
	for k, v := range resp.header {
		h[k] = v
	}
	a.addCORSHeaders(h, req)
	switch {
	case resp.xml != nil:
		var buf bytes.Buffer
		buf.WriteString(xml.Header)
		if err := xml.NewEncoder(&buf).Encode(resp.xml); err != nil {
			err = s3err.Internal(err)
			return a.renderError(w, req, err), err
		}
		h.Set("Content-Type", "application/xml")
		h.Set("Content-Length", strconv.Itoa(buf.Len()))
		w.WriteHeader(resp.status)
		if req.Method != http.MethodHead {
			w.Write(buf.Bytes())
		}
	case resp.stream != nil:
		w.WriteHeader(resp.status)
		rc := http.NewResponseController(w)
		if err := resp.stream(w, func() { rc.Flush() }); err != nil {
			// The status is sent; the stream carried the error itself.
			a.log.Warn("stream ended with an error", "id", req.id, "err", err)
		}
	case resp.body != nil:
		defer resp.body.Close()
		if resp.length >= 0 { // else unknown: chunked
			h.Set("Content-Length", strconv.FormatInt(resp.length, 10))
		}
		w.WriteHeader(resp.status)
		if req.Method != http.MethodHead {
			if n, err := io.Copy(w, resp.body); err != nil {
				// Headers are gone; all we can do is cut the connection short.
				a.log.Warn("body copy failed", "id", req.id, "sent", n, "err", err)
				panic(http.ErrAbortHandler)
			}
		}
	default:
		if h.Get("Content-Length") == "" && resp.status != http.StatusNoContent && resp.status != http.StatusNotModified {
			h.Set("Content-Length", "0")
		}
		w.WriteHeader(resp.status)
	}
	return resp.status, nil
}

// renderError writes err as S3's XML error and returns the status sent.
func (a *API) renderError(w http.ResponseWriter, req *request, err error) int {
	e := toS3Error(err)
	h := w.Header()
	a.addCORSHeaders(h, req)
	var me *markerError
	if errors.As(err, &me) {
		h.Set("x-amz-delete-marker", "true")
		setVersionID(h, req, me.versionID)
		h.Set("Last-Modified", me.modified.UTC().Format(http.TimeFormat))
	}
	if req.Method == http.MethodHead || e.Status == http.StatusNotModified {
		w.WriteHeader(e.Status)
		return e.Status
	}
	doc := s3xml.Error{Code: string(e.Code), Message: e.Message, RequestID: req.id, HostID: req.hostID}
	if req.bucket != "" {
		doc.Resource = "/" + req.bucket
		if req.key != "" {
			doc.Resource += "/" + req.key
		}
	}
	names := make([]string, 0, len(e.Extra))
	for k := range e.Extra {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		doc.Extra = append(doc.Extra, s3xml.Elem{XMLName: xml.Name{Local: k}, Value: e.Extra[k]})
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	xml.NewEncoder(&buf).Encode(doc)
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(e.Status)
	w.Write(buf.Bytes())
	return e.Status
}

// toS3Error maps any error to the S3 error to send. Storage sentinels are
// mapped here and nowhere else.
func toS3Error(err error) *s3err.Error {
	if e, ok := s3err.As(err); ok {
		return e
	}
	var se *sigv4.Error
	var se2 *sigv2.Error
	switch {
	case errors.As(err, &se):
		return &s3err.Error{Code: s3err.Code(se.Code), Message: se.Message, Status: se.Status}
	case errors.As(err, &se2):
		return &s3err.Error{Code: s3err.Code(se2.Code), Message: se2.Message, Status: se2.Status}
	case errors.Is(err, meta.ErrNoSuchBucket):
		return s3err.New(s3err.NoSuchBucket)
	case errors.Is(err, meta.ErrNoSuchKey):
		return s3err.New(s3err.NoSuchKey)
	case errors.Is(err, meta.ErrNoSuchVersion):
		return s3err.New(s3err.NoSuchVersion)
	case errors.Is(err, meta.ErrBucketNotEmpty):
		return s3err.New(s3err.BucketNotEmpty)
	case errors.Is(err, meta.ErrPreconditionFailed):
		return s3err.New(s3err.PreconditionFailed)
	case errors.Is(err, space.ErrLow), errors.Is(err, meta.ErrNoSpace), errors.Is(err, syscall.ENOSPC):
		return s3err.New(s3err.InsufficientStorage).WithCause(err)
	case errors.Is(err, os.ErrDeadlineExceeded): // the request body stalled
		return s3err.New(s3err.RequestTimeout).WithCause(err)
	}
	return s3err.Internal(err)
}
