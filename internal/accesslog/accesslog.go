package accesslog

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"talus/internal/metrics"
)

// Record is what the handler tells the access log about one request.
type Record struct {
	API       string // s3, iam, kms, internal
	Operation string
	Bucket    string
	Key       string
	Code      string // the error code sent, "" on success
	Caller    string // the caller's ARN, "" when anonymous or unauthenticated
	RequestID string
	// Cause is why a request was denied or failed; it goes to the log and
	// never into the response.
	Cause error
}

type ctxKey struct{}

// From returns the request's record, or a throwaway one outside the middleware.
func From(ctx context.Context) *Record {
	if r, ok := ctx.Value(ctxKey{}).(*Record); ok {
		return r
	}
	return &Record{}
}

// Fail records the error code sent and its cause.
func (r *Record) Fail(code string, cause error) {
	r.Code, r.Cause = code, cause
}

// Middleware logs and counts every request next serves.
func Middleware(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &Record{}
		rw := &writer{ResponseWriter: w}
		// A copy of the request: net/http looks at the original's Body
		// after the handler to decide how to finish an unread body.
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, rec))
		var body *counter
		if r.Body != nil && r.Body != http.NoBody {
			body = &counter{ReadCloser: r.Body}
			r.Body = body
		}
		defer func() {
			// A handler that aborts (http.ErrAbortHandler) is still logged.
			p := recover()
			if rw.status == 0 {
				rw.status = http.StatusOK
			}
			var in int64
			if body != nil {
				in = body.n
			}
			finish(log, r, rec, rw, in, time.Since(start))
			if p != nil {
				panic(p)
			}
		}()
		next.ServeHTTP(rw, r)
	})
}

func finish(log *slog.Logger, r *http.Request, rec *Record, rw *writer, in int64, dur time.Duration) {
	if rec.API == "" {
		rec.API = "s3"
	}
	if rec.Operation == "" {
		rec.Operation = "Unknown"
	}
	if rec.RequestID == "" {
		rec.RequestID = rw.Header().Get("x-amz-request-id")
		if rec.RequestID == "" {
			rec.RequestID = rw.Header().Get("x-amzn-RequestId")
		}
	}
	status := strconv.Itoa(rw.status)
	op := labels.bound(rec.API, rec.Operation)
	metrics.Requests.WithLabelValues(rec.API, op, status).Inc()
	metrics.RequestDuration.WithLabelValues(rec.API, op).Observe(dur.Seconds())
	if in > 0 {
		metrics.BytesIn.WithLabelValues(rec.API, op).Add(float64(in))
	}
	if rw.n > 0 {
		metrics.BytesOut.WithLabelValues(rec.API, op).Add(float64(rw.n))
	}
	level := slog.LevelInfo
	switch {
	case rw.status == http.StatusInternalServerError:
		level = slog.LevelError
	case rec.API == "internal" && rw.status < 400:
		level = slog.LevelDebug // health probes and scrapes
	}
	ctx := r.Context()
	if !log.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("api", rec.API), slog.String("op", rec.Operation),
		slog.String("bucket", rec.Bucket), slog.String("key", rec.Key),
		slog.Int("status", rw.status), slog.String("code", rec.Code),
		slog.Int64("in", in), slog.Int64("out", rw.n),
		slog.Float64("dur_ms", float64(dur.Microseconds())/1000),
		slog.String("caller", rec.Caller), slog.String("id", rec.RequestID),
		slog.String("remote", remoteIP(r)),
	}
	if rec.Cause != nil {
		attrs = append(attrs, slog.String("cause", rec.Cause.Error()))
	}
	log.LogAttrs(ctx, level, "access", attrs...)
}

func remoteIP(r *http.Request) string {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return h
}

// writer records the status and counts the body bytes written. Unwrap
// keeps http.ResponseController (deadlines, flushes) working, and
// ReadFrom keeps sendfile.
type writer struct {
	http.ResponseWriter
	status int
	n      int64
}

func (w *writer) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *writer) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.n += int64(n)
	return n, err
}

func (w *writer) ReadFrom(src io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	var n int64
	var err error
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(src)
	} else {
		n, err = io.Copy(struct{ io.Writer }{w.ResponseWriter}, src)
	}
	w.n += n
	return n, err
}

func (w *writer) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// counter counts request body bytes read.
type counter struct {
	io.ReadCloser
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n += int64(n)
	return n, err
}
