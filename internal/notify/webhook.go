package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
)

// webhook POSTs each event to a URL; any 2xx answer accepts it.
type webhook struct {
	cfg    TargetConfig
	client *http.Client
}

func newWebhook(t TargetConfig) *webhook {
	return &webhook{cfg: t, client: &http.Client{}}
}

// SignatureHeader carries the body's HMAC-SHA256 under the target's secret.
const SignatureHeader = "X-Talus-Signature"

// Sign is the SignatureHeader value of body under secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func (w *webhook) Send(ctx context.Context, msgs []Message) error {
	for _, m := range msgs {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.URL, bytes.NewReader(m.Body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Talus-Event-Id", m.ID)
		if w.cfg.AuthHeader != "" {
			req.Header.Set("Authorization", w.cfg.AuthHeader)
		}
		if w.cfg.HMACSecret != "" {
			req.Header.Set(SignatureHeader, Sign(w.cfg.HMACSecret, m.Body))
		}
		resp, err := w.client.Do(req)
		if err != nil {
			// The URL may hold a token: report the redacted one.
			return fmt.Errorf("webhook %s: %s", redactURL(w.cfg.URL), errWithoutURL(err))
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("webhook %s: answered %s", redactURL(w.cfg.URL), resp.Status)
		}
	}
	return nil
}

// errWithoutURL drops the URL a url.Error repeats.
func errWithoutURL(err error) error {
	type unwrapper interface{ Unwrap() error }
	if u, ok := err.(unwrapper); ok && u.Unwrap() != nil {
		return u.Unwrap()
	}
	return err
}

func (w *webhook) Close() error { w.client.CloseIdleConnections(); return nil }
