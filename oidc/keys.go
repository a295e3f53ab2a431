package oidc

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// keySet is the JWKS the verifier checks signatures against, read from a
// file or fetched from an https URL. It is read again when a token names
// a key it does not hold (a rotation), at most once per minInterval, and
// when it is older than maxAge. Its methods are safe for concurrent use.
type keySet struct {
	source      string // a file path or an https:// URL
	client      *http.Client
	timeout     time.Duration
	maxBytes    int64
	minInterval time.Duration
	maxAge      time.Duration

	fetchMu sync.Mutex // one read of the source at a time
	mu      sync.RWMutex
	keys    []jose.JSONWebKey // guarded by mu
	fetched time.Time         // when keys were last read; guarded by mu
	tried   time.Time         // when a read was last tried; guarded by mu
}

// isURL reports whether the JWKS source is a URL rather than a file.
func isURL(source string) bool {
	return strings.HasPrefix(source, "https://") || strings.HasPrefix(source, "http://")
}

// lookup returns the keys with id kid ("" for all keys). When there is none,
// or the set is older than maxAge, it reads the source again, unless it
// tried less than minInterval ago. A failed read keeps the keys it had,
// which are returned with the error.
func (s *keySet) lookup(ctx context.Context, kid string) (keys []jose.JSONWebKey, err error) {
	now := time.Now()
	s.mu.RLock()
	keys = s.find(kid)
	stale := now.Sub(s.fetched) > s.maxAge
	s.mu.RUnlock()
	if len(keys) > 0 && !stale {
		return keys, nil
	}
	s.fetchMu.Lock()
	defer s.fetchMu.Unlock()
	s.mu.RLock() // another caller may have read it meanwhile
	keys = s.find(kid)
	stale = time.Since(s.fetched) > s.maxAge
	wait := time.Since(s.tried) < s.minInterval
	s.mu.RUnlock()
	if len(keys) > 0 && !stale || wait {
		return keys, nil
	}
	// Not cut short by a caller that goes away: the next read waits for
	// minInterval.
	if err := s.refresh(context.WithoutCancel(ctx)); err != nil {
		return keys, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.find(kid), nil
}

// find returns the keys with id kid, all of them for "". s.mu is held.
func (s *keySet) find(kid string) []jose.JSONWebKey {
	if kid == "" {
		return s.keys
	}
	var out []jose.JSONWebKey
	for _, k := range s.keys {
		if k.KeyID == kid {
			out = append(out, k)
		}
	}
	return out
}

// refresh reads the source and replaces the keys. On failure the keys stay
// as they were.
func (s *keySet) refresh(ctx context.Context) error {
	s.mu.Lock()
	s.tried = time.Now()
	s.mu.Unlock()
	raw, err := s.read(ctx)
	if err != nil {
		return err
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &set); err != nil {
		return fmt.Errorf("oidc: the JWKS at %s is not a JSON Web Key Set: %w", s.source, err)
	}
	keys := make([]jose.JSONWebKey, 0, len(set.Keys))
	for _, k := range set.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue // an encryption key
		}
		if !k.IsPublic() {
			if _, symmetric := k.Key.([]byte); !symmetric {
				k = k.Public() // a file may hold the private key; only the public half is used
			}
		}
		if k.Valid() {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return fmt.Errorf("oidc: the JWKS at %s holds no signing key", s.source)
	}
	s.mu.Lock()
	s.keys, s.fetched = keys, time.Now()
	s.mu.Unlock()
	return nil
}

// read returns the bytes of the source: a file, or an https GET with a
// timeout, refused when larger than maxBytes.
func (s *keySet) read(ctx context.Context) ([]byte, error) {
	if !isURL(s.source) {
		f, err := os.Open(s.source)
		if err != nil {
			return nil, fmt.Errorf("oidc: reading the JWKS: %w", err)
		}
		defer f.Close()
		return readCapped(f, s.maxBytes, s.source)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.source, nil)
	if err != nil {
		return nil, fmt.Errorf("oidc: fetching the JWKS: %w", err)
	}
	req.Header.Set("Accept", "application/json, application/jwk-set+json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("oidc: fetching the JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("oidc: fetching the JWKS from %s: HTTP %s", s.source, resp.Status)
	}
	return readCapped(resp.Body, s.maxBytes, s.source)
}

// readCapped reads r whole, failing when it holds more than limit bytes.
func readCapped(r io.Reader, limit int64, source string) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("oidc: reading the JWKS from %s: %w", source, err)
	}
	if int64(len(raw)) > limit {
		return nil, fmt.Errorf("oidc: the JWKS at %s is larger than %d bytes", source, limit)
	}
	return raw, nil
}

// fits reports whether key k may verify a signature made with alg: its
// type matches the algorithm's family, and its own "alg", if it names one,
// is alg. This is what stops algorithm confusion (an RSA public key used
// as an HMAC secret); go-jose refuses such a pair too.
func fits(k jose.JSONWebKey, alg string) bool {
	if k.Algorithm != "" && k.Algorithm != alg {
		return false
	}
	switch k.Key.(type) {
	case *rsa.PublicKey:
		return strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS")
	case *ecdsa.PublicKey:
		return strings.HasPrefix(alg, "ES")
	case ed25519.PublicKey:
		return alg == string(jose.EdDSA)
	case []byte:
		return strings.HasPrefix(alg, "HS")
	}
	return false
}
