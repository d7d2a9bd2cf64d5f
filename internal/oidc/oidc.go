package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"talus/internal/iam"
)

// Provider is one trusted issuer.
type Provider struct {
	Issuer string // the iss claim, e.g. https://idp.example.com/realms/r
	// JWKS is a URL (http:// or https://) or a file path of the issuer's
	// key set; "" finds it through the issuer's discovery document.
	JWKS string
	// ClientIDs are the accepted audiences; empty accepts any (the trust
	// policy's ISSUER:aud condition then decides).
	ClientIDs []string
}

// ParseFlag reads URL[,jwks=FILE|URL][,client-id=AUD]... (client-id may repeat).
func ParseFlag(v string) (Provider, error) {
	parts := strings.Split(v, ",")
	p := Provider{Issuer: strings.TrimSuffix(parts[0], "/")}
	u, err := url.Parse(p.Issuer)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return p, fmt.Errorf("oidc provider %q: the issuer must be an http(s) URL", v)
	}
	for _, kv := range parts[1:] {
		k, val, ok := strings.Cut(kv, "=")
		switch {
		case ok && k == "jwks" && val != "":
			p.JWKS = val
		case ok && k == "client-id" && val != "":
			p.ClientIDs = append(p.ClientIDs, val)
		default:
			return p, fmt.Errorf("oidc provider %q: unknown option %q (want jwks=FILE|URL or client-id=AUD)", v, kv)
		}
	}
	return p, nil
}

// Host is the issuer without its scheme: the provider's name in its ARN
// and the prefix of its condition keys.
func (p Provider) Host() string {
	return strings.TrimPrefix(strings.TrimPrefix(p.Issuer, "https://"), "http://")
}

// ARN returns the provider's ARN in the administrator's account, as trust
// policies name it in Federated.
func (p Provider) ARN() string { return providerARN(iam.AccountID, p.Host()) }

func providerARN(account, host string) string {
	return "arn:aws:iam::" + account + ":oidc-provider/" + host
}

// InAccount makes the identity the provider's in account (the role's): a
// configured provider stands in every account, as if each had created it.
func (id *Identity) InAccount(account string) {
	id.ProviderARN = providerARN(account, id.host)
}

// Error is a token rejection with STS's code.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func invalid(msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "InvalidIdentityToken", Message: msg}
}

// Identity is a verified token.
type Identity struct {
	Issuer      string
	ProviderARN string
	Subject     string
	Audience    string // the audience that matched (or the first)
	host        string
	claims      map[string]any
}

// ConditionKeys returns the trust policy's condition keys: ISSUER:aud,
// ISSUER:sub, ISSUER:azp and ISSUER:email when present, and
// aws:FederatedProvider.
func (id *Identity) ConditionKeys() map[string][]string {
	out := map[string][]string{"aws:FederatedProvider": {id.ProviderARN}, id.host + ":sub": {id.Subject}}
	switch a := id.claims["aud"].(type) {
	case string:
		out[id.host+":aud"] = []string{a}
	case []any:
		for _, v := range a {
			if s, ok := v.(string); ok {
				out[id.host+":aud"] = append(out[id.host+":aud"], s)
			}
		}
	}
	for _, k := range []string{"azp", "email", "amr"} {
		switch v := id.claims[k].(type) {
		case string:
			out[id.host+":"+k] = []string{v}
		case []any:
			for _, e := range v {
				if s, ok := e.(string); ok {
					out[id.host+":"+k] = append(out[id.host+":"+k], s)
				}
			}
		}
	}
	return out
}

// Providers verifies tokens of the configured issuers.
type Providers struct {
	list   []*provider
	client *http.Client
	Now    func() time.Time // nil = time.Now
}

type provider struct {
	Provider
	mu      sync.Mutex
	keys    *jose.JSONWebKeySet
	fetched time.Time
}

// New returns the verifier of ps. Keys are loaded on first use.
func New(ps []Provider) *Providers {
	out := &Providers{client: &http.Client{Timeout: 10 * time.Second}}
	for _, p := range ps {
		out.list = append(out.list, &provider{Provider: p})
	}
	return out
}

var algorithms = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512, jose.ES256, jose.ES384, jose.ES512, jose.EdDSA}

// Verify checks a raw ID token and returns who it names.
func (ps *Providers) Verify(ctx context.Context, raw string) (*Identity, error) {
	tok, err := jwt.ParseSigned(raw, algorithms)
	if err != nil {
		return nil, invalid("The web identity token that was passed could not be validated. It is not a signed JWT with a supported algorithm.")
	}
	var unverified jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return nil, invalid("The web identity token that was passed could not be validated.")
	}
	var p *provider
	for _, c := range ps.list {
		if c.Issuer == strings.TrimSuffix(unverified.Issuer, "/") {
			p = c
		}
	}
	if p == nil {
		return nil, invalid("No OpenIDConnect provider found in your account for " + unverified.Issuer)
	}
	kid := ""
	if len(tok.Headers) > 0 {
		kid = tok.Headers[0].KeyID
	}
	keys, err := p.keySet(ctx, ps.client, kid)
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Code: "IDPCommunicationError", Message: "The keys of " + p.Issuer + " could not be read: " + err.Error()}
	}
	var claims jwt.Claims
	all := map[string]any{}
	verified := false
	for _, k := range candidates(keys, kid) {
		if tok.Claims(k.Key, &claims, &all) == nil {
			verified = true
			break
		}
	}
	if !verified {
		return nil, invalid("The web identity token that was passed could not be validated: its signature does not verify with the issuer's keys.")
	}
	now := time.Now()
	if ps.Now != nil {
		now = ps.Now()
	}
	if claims.Expiry == nil {
		return nil, invalid("The web identity token has no expiration (exp).")
	}
	switch err := claims.ValidateWithLeeway(jwt.Expected{Issuer: unverified.Issuer, AnyAudience: p.ClientIDs, Time: now}, 0); {
	case errors.Is(err, jwt.ErrExpired):
		return nil, &Error{Status: http.StatusBadRequest, Code: "ExpiredTokenException", Message: "Token expired: current date/time " + now.UTC().Format(time.RFC3339) + " must be before the expiration date/time " + claims.Expiry.Time().UTC().Format(time.RFC3339)}
	case errors.Is(err, jwt.ErrInvalidAudience):
		return nil, invalid("Incorrect token audience")
	case errors.Is(err, jwt.ErrNotValidYet), errors.Is(err, jwt.ErrIssuedInTheFuture):
		return nil, invalid("The web identity token is not valid yet.")
	case err != nil:
		return nil, invalid("The web identity token that was passed could not be validated: " + err.Error())
	}
	if claims.Subject == "" {
		return nil, invalid("The web identity token has no subject (sub).")
	}
	id := &Identity{Issuer: p.Issuer, ProviderARN: p.ARN(), Subject: claims.Subject, host: p.Host(), claims: all}
	if len(claims.Audience) > 0 {
		id.Audience = claims.Audience[0]
	}
	for _, a := range claims.Audience {
		for _, c := range p.ClientIDs {
			if a == c {
				id.Audience = a
			}
		}
	}
	return id, nil
}

func candidates(keys *jose.JSONWebKeySet, kid string) []jose.JSONWebKey {
	if kid != "" {
		return keys.Key(kid)
	}
	return keys.Keys
}

// keySet returns the issuer's keys, loading them again when they are
// older than five minutes or lack kid (at most every ten seconds).
func (p *provider) keySet(ctx context.Context, client *http.Client, kid string) (*jose.JSONWebKeySet, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	age := time.Since(p.fetched)
	stale := p.keys == nil || age > 5*time.Minute || (kid != "" && len(p.keys.Key(kid)) == 0 && age > 10*time.Second)
	if !stale {
		return p.keys, nil
	}
	ks, err := p.load(ctx, client)
	if err != nil {
		if p.keys != nil {
			return p.keys, nil // keep serving the keys we had
		}
		return nil, err
	}
	p.keys, p.fetched = ks, time.Now()
	return ks, nil
}

func (p *provider) load(ctx context.Context, client *http.Client) (*jose.JSONWebKeySet, error) {
	src := p.JWKS
	if src == "" {
		var disc struct {
			JWKSURI string `json:"jwks_uri"`
		}
		if err := getJSON(ctx, client, p.Issuer+"/.well-known/openid-configuration", &disc); err != nil {
			return nil, err
		}
		if disc.JWKSURI == "" {
			return nil, errors.New("the discovery document has no jwks_uri")
		}
		src = disc.JWKSURI
	}
	var ks jose.JSONWebKeySet
	if strings.HasPrefix(src, "https://") || strings.HasPrefix(src, "http://") {
		if err := getJSON(ctx, client, src, &ks); err != nil {
			return nil, err
		}
		return &ks, nil
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &ks); err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	return &ks, nil
}

func getJSON(ctx context.Context, client *http.Client, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v)
}
