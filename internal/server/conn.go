package server

import (
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Slow and stalled clients. A request body that stops arriving, or a
// response the client stops reading, may stall for at most the idle
// timeout; a slow but steady transfer of any length is never cut. The
// number of open connections is bounded: above it, new connections wait in
// the kernel's accept queue.

// sendChunk bounds one write or sendfile call, so a large response extends
// its write deadline as it goes: a client must take at least this much per
// idle timeout (128 KiB per 20 s by default) to count as reading.
const sendChunk = 128 << 10

// limitListener accepts at most max connections at once (unbounded when
// max <= 0) and gives each a write deadline extended on every write.
type limitListener struct {
	net.Listener
	slots  chan struct{}
	idle   time.Duration
	closed chan struct{}
	close  func()
}

func newLimitListener(ln net.Listener, max int, idle time.Duration) net.Listener {
	if max <= 0 && idle <= 0 {
		return ln
	}
	l := &limitListener{Listener: ln, idle: idle, closed: make(chan struct{})}
	l.close = sync.OnceFunc(func() { close(l.closed) })
	if max > 0 {
		l.slots = make(chan struct{}, max)
	}
	return l
}

func (l *limitListener) Accept() (net.Conn, error) {
	if l.slots != nil {
		select { // wait for a free slot before accepting
		case l.slots <- struct{}{}:
		case <-l.closed:
			return nil, net.ErrClosed
		}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		l.release()
		return nil, err
	}
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return &otherConn{Conn: c, release: sync.OnceFunc(l.release)}, nil
	}
	return &idleConn{TCPConn: tc, idle: l.idle, release: sync.OnceFunc(l.release)}, nil
}

func (l *limitListener) release() {
	if l.slots != nil {
		<-l.slots
	}
}

// Close stops accepting, also an Accept waiting for a slot.
func (l *limitListener) Close() error {
	l.close()
	return l.Listener.Close()
}

// idleConn keeps *net.TCPConn's methods (ReadFrom for sendfile, CloseWrite
// for a graceful close) and moves the write deadline forward on every write.
type idleConn struct {
	*net.TCPConn
	idle    time.Duration
	release func()
}

func (c *idleConn) Write(p []byte) (int, error) {
	if c.idle <= 0 {
		return c.TCPConn.Write(p)
	}
	var total int
	for len(p) > 0 {
		c.extend()
		n, err := c.TCPConn.Write(p[:min(len(p), sendChunk)])
		total += n
		if err != nil {
			return total, err
		}
		p = p[n:]
	}
	return total, nil
}

// ReadFrom sends in chunks of sendChunk, each with a fresh deadline. Go's
// sendfile path recognises *io.LimitedReader over an *os.File, which is
// what blob readers pass.
func (c *idleConn) ReadFrom(r io.Reader) (int64, error) {
	if c.idle <= 0 {
		return c.TCPConn.ReadFrom(r)
	}
	lr, ok := r.(*io.LimitedReader)
	if !ok {
		lr = &io.LimitedReader{R: r, N: 1<<63 - 1}
	}
	var total int64
	for lr.N > 0 {
		c.extend()
		chunk := &io.LimitedReader{R: lr.R, N: min(lr.N, sendChunk)}
		want := chunk.N
		n, err := c.TCPConn.ReadFrom(chunk)
		total += n
		lr.N -= n
		if err != nil || n < want {
			return total, err
		}
	}
	return total, nil
}

func (c *idleConn) extend() {
	if c.idle > 0 {
		c.TCPConn.SetWriteDeadline(time.Now().Add(c.idle))
	}
}

func (c *idleConn) Close() error {
	c.release()
	return c.TCPConn.Close()
}

// otherConn is a non-TCP connection: only its slot is tracked.
type otherConn struct {
	net.Conn
	release func()
}

func (c *otherConn) Close() error {
	c.release()
	return c.Conn.Close()
}

// idleBody moves the connection's read deadline forward before every read
// of a request body, so a body that stops arriving fails with
// os.ErrDeadlineExceeded after idle (S3's RequestTimeout) while a slow but
// steady one goes on. At the end of the body the deadline is cleared:
// net/http then watches the connection for the client going away, and a
// deadline left behind would cut a long response short.
type idleBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	idle time.Duration
	done bool
}

func (b *idleBody) Read(p []byte) (int, error) {
	if b.done {
		return b.ReadCloser.Read(p)
	}
	b.rc.SetReadDeadline(time.Now().Add(b.idle))
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.done = true
		b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// withIdleBody wraps every request body in an idleBody.
func withIdleBody(next http.Handler, idle time.Duration) http.Handler {
	if idle <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			// A copy: net/http looks at the original request's Body type
			// after the handler to decide how to finish an unread body.
			body := &idleBody{ReadCloser: r.Body, rc: http.NewResponseController(w), idle: idle}
			r = r.WithContext(r.Context())
			r.Body = body
		}
		next.ServeHTTP(w, r)
	})
}
