// Package oidc verifies JWT bearer tokens of a site's single sign-on (an
// OpenID Connect provider, or any issuer that publishes a JSON Web Key Set)
// and maps their claims to a [model.Principal]: user, organization and
// role.
//
// Signatures are checked with github.com/go-jose/go-jose/v4 against the
// keys of a JWKS read from a file or an https URL; only the algorithms
// configured are accepted (asymmetric ones by default, never "none", HMAC
// only when named), and a key is used only for the algorithm family of its
// type. The issuer, the audience and the times (exp, which is required,
// nbf and iat, with a leeway) are checked next, then the claims are mapped
// and the organization is looked up in the store.
package oidc

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Defaults of Config.
const (
	DefaultUserClaim       = "sub"
	DefaultOrgClaim        = "org"
	DefaultRoleClaim       = "role"
	DefaultLeeway          = 30 * time.Second
	DefaultRefreshInterval = time.Minute
	DefaultMaxAge          = time.Hour
	DefaultFetchTimeout    = 5 * time.Second
	DefaultMaxJWKSBytes    = 1 << 20
)

// TokenIDPrefix starts the TokenID of every principal that a JWT stands
// for (model.Principal.TokenID), so that it is never taken for the id of
// one of ssfgraph's own tokens.
const TokenIDPrefix = model.JWTTokenIDPrefix

// DefaultAlgorithms are the signature algorithms accepted when
// Config.Algorithms is empty: the asymmetric ones. HMAC (HS256, HS384,
// HS512) must be named to be accepted; "none" never is.
var DefaultAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// knownAlgorithms are the algorithms Config.Algorithms may name.
var knownAlgorithms = append(slices.Clip(DefaultAlgorithms), "HS256", "HS384", "HS512")

// Organizations looks organizations up by id; graph/neo4j's DB is one.
type Organizations interface {
	// Nodes returns the nodes with the given ids; missing ids are left out.
	Nodes(ctx context.Context, ids []string) (map[string]model.Node, error)
}

// Config configures a Verifier. Issuer, Audience, JWKS and Orgs are
// required; the other fields have defaults.
type Config struct {
	// Issuer is what the "iss" claim must equal.
	Issuer string
	// Audience is what the "aud" claim (a string or a list) must contain.
	Audience string
	// JWKS is the key set: a file path or an https:// URL.
	JWKS string
	// UserClaim, OrgClaim and RoleClaim name the claims that give the user
	// id, the organization id and the role (DefaultUserClaim, …). A name
	// that is not a claim but has dots is followed as a path into nested
	// objects ("realm_access.roles"). The role claim may be a string or a
	// list, of which the most trusted known role counts; with the default
	// role claim, a "roles" list is read when there is no "role".
	UserClaim, OrgClaim, RoleClaim string
	// Algorithms are the signature algorithms accepted (default
	// DefaultAlgorithms).
	Algorithms []string
	// Leeway is how far exp, nbf and iat may be off the server's clock:
	// zero (or negative) for none. ssfgraph serve's default is
	// DefaultLeeway.
	Leeway time.Duration
	// RefreshInterval is the least time between two reads of the JWKS
	// when tokens name a key it does not hold (default 1 min).
	RefreshInterval time.Duration
	// MaxAge is how long the keys read are used before the JWKS is read
	// again (default 1 h).
	MaxAge time.Duration
	// FetchTimeout bounds one fetch of a JWKS URL (default 5 s).
	FetchTimeout time.Duration
	// MaxJWKSBytes caps the size of the JWKS (default 1 MiB).
	MaxJWKSBytes int64
	// HTTPClient fetches a JWKS URL (default http.Client{}); redirects are
	// never followed.
	HTTPClient *http.Client
	// Orgs is where the organization of a token is looked up.
	Orgs Organizations
	// Log receives failures to read the JWKS (default: discard).
	Log *slog.Logger
}

// Verifier turns JWT bearer tokens into principals. Its methods are safe
// for concurrent use.
type Verifier struct {
	cfg   Config
	algs  []jose.SignatureAlgorithm
	keys  *keySet
	orgs  *orgCache
	roles roleMapping
}

// New returns a Verifier for cfg, after reading the JWKS once. It fails
// when cfg is incomplete or wrong, or when the JWKS cannot be read: a
// server that starts without its keys would refuse every JWT, and the
// error says why at once.
func New(ctx context.Context, cfg Config) (*Verifier, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	v := &Verifier{cfg: cfg, orgs: newOrgCache(cfg.Orgs)}
	for _, a := range cfg.Algorithms {
		v.algs = append(v.algs, jose.SignatureAlgorithm(a))
	}
	v.roles = roleMapping{claim: cfg.RoleClaim, fallback: ""}
	if cfg.RoleClaim == DefaultRoleClaim {
		v.roles.fallback = "roles"
	}
	v.keys = &keySet{source: cfg.JWKS, client: cfg.HTTPClient, timeout: cfg.FetchTimeout, maxBytes: cfg.MaxJWKSBytes,
		minInterval: cfg.RefreshInterval, maxAge: cfg.MaxAge}
	if err := v.keys.refresh(ctx); err != nil {
		return nil, err
	}
	return v, nil
}

// validate checks the required fields and the algorithms.
func (c Config) validate() error {
	switch {
	case c.Issuer == "":
		return errors.New("oidc: the issuer is required")
	case c.Audience == "":
		return errors.New("oidc: the audience is required")
	case c.JWKS == "":
		return errors.New("oidc: the JWKS (a file or an https URL) is required")
	case strings.HasPrefix(c.JWKS, "http://"):
		return fmt.Errorf("oidc: the JWKS URL %s must use https", c.JWKS)
	case c.Orgs == nil:
		return errors.New("oidc: Orgs is required")
	}
	for _, a := range c.Algorithms {
		if !slices.Contains(knownAlgorithms, a) {
			return fmt.Errorf("oidc: unknown signature algorithm %q (want some of %s)", a, strings.Join(knownAlgorithms, ", "))
		}
	}
	return nil
}

func (c Config) withDefaults() Config {
	c.UserClaim = cmp.Or(c.UserClaim, DefaultUserClaim)
	c.OrgClaim = cmp.Or(c.OrgClaim, DefaultOrgClaim)
	c.RoleClaim = cmp.Or(c.RoleClaim, DefaultRoleClaim)
	if len(c.Algorithms) == 0 {
		c.Algorithms = DefaultAlgorithms
	}
	c.Leeway = max(c.Leeway, 0)
	if c.RefreshInterval <= 0 {
		c.RefreshInterval = DefaultRefreshInterval
	}
	if c.MaxAge <= 0 {
		c.MaxAge = DefaultMaxAge
	}
	if c.FetchTimeout <= 0 {
		c.FetchTimeout = DefaultFetchTimeout
	}
	if c.MaxJWKSBytes <= 0 {
		c.MaxJWKSBytes = DefaultMaxJWKSBytes
	}
	client := http.Client{}
	if c.HTTPClient != nil {
		client = *c.HTTPClient
	}
	// The JWKS comes from the URL configured, never from where a redirect
	// points.
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.HTTPClient = &client
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

// LooksLikeJWT reports whether token has the shape of a compact JWS: three
// base64url parts separated by dots, of which only the signature may be
// empty (an unsigned "none" token, which Authenticate then refuses saying
// so). ssfgraph's own tokens never have dots.
func LooksLikeJWT(token string) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return false
	}
	for _, p := range parts {
		if strings.ContainsFunc(p, func(r rune) bool {
			return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_')
		}) {
			return false
		}
	}
	return true
}

// unauthenticated returns EUNAUTHENTICATED with a message that starts
// "the JWT bearer token". No message repeats the token.
func unauthenticated(format string, args ...any) error {
	return model.Errorf(model.EUNAUTHENTICATED, "the JWT bearer token "+format, args...)
}

// header is what is read of a token's protected header before its
// signature is checked, for the messages and the key lookup.
type header struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

// Authenticate returns the principal that a JWT stands for: UserID,
// OrganizationID (with its Sector) and Role from the mapped claims,
// TokenID TokenIDPrefix plus 16 hex digits of the SHA-256 of its "jti" (of
// the token when it has none), and ExpiresAt its "exp" plus the leeway, when
// this server stops accepting it. It returns EUNAUTHENTICATED, saying why,
// for a token that is malformed, signed with an algorithm not accepted or
// a key not in the JWKS, whose signature does not verify, whose issuer,
// audience or times are wrong, or whose claims do not map to a known user,
// organization and role; and EUNAVAILABLE when the store is.
func (v *Verifier) Authenticate(ctx context.Context, token string) (*model.Principal, error) {
	if !LooksLikeJWT(token) {
		return nil, unauthenticated("is malformed")
	}
	var h header
	if raw, err := base64.RawURLEncoding.DecodeString(token[:strings.IndexByte(token, '.')]); err != nil || json.Unmarshal(raw, &h) != nil {
		return nil, unauthenticated("is malformed: its header is not base64url JSON")
	}
	if !slices.Contains(v.cfg.Algorithms, h.Alg) {
		return nil, unauthenticated("is signed with %q, which this server does not accept (it accepts %s)", model.Truncate(h.Alg, 20), strings.Join(v.cfg.Algorithms, ", "))
	}
	tok, err := jwt.ParseSigned(token, v.algs)
	if err != nil {
		return nil, unauthenticated("is malformed")
	}
	var std jwt.Claims
	var claims map[string]any
	if err := v.verify(ctx, tok, h, &std, &claims); err != nil {
		return nil, err
	}
	if err := v.checkTimes(std); err != nil {
		return nil, err
	}
	p, err := v.mapClaims(claims)
	if err != nil {
		return nil, err
	}
	sector, err := v.orgs.sector(ctx, p.OrganizationID)
	if err != nil {
		return nil, err
	}
	p.Sector = sector
	p.ExpiresAt = std.Expiry.Time().Add(v.cfg.Leeway)
	id := std.ID
	if id == "" {
		id = token
	}
	sum := sha256.Sum256([]byte(id))
	p.TokenID = TokenIDPrefix + hex.EncodeToString(sum[:])[:16]
	return p, nil
}

// verify checks the signature of tok with the keys of the JWKS that fit
// its header, reading the JWKS again for a key id it does not know, and
// decodes the claims into dest.
func (v *Verifier) verify(ctx context.Context, tok *jwt.JSONWebToken, h header, dest ...any) error {
	keys, err := v.keys.lookup(ctx, h.Kid)
	if err != nil {
		v.cfg.Log.WarnContext(ctx, "oidc: reading the JWKS", "jwks", v.cfg.JWKS, "err", err)
	}
	var tried bool
	for _, k := range keys {
		if !fits(k, h.Alg) {
			continue
		}
		tried = true
		if tok.Claims(k.Key) != nil {
			continue // not this key, or a bad signature
		}
		if err := tok.Claims(k.Key, dest...); err != nil {
			return unauthenticated("has malformed claims")
		}
		return nil
	}
	switch {
	case len(keys) == 0 && h.Kid != "":
		return unauthenticated("is signed with an unknown key %q", model.Truncate(h.Kid, 60))
	case !tried && h.Kid == "":
		return unauthenticated("is signed with %s, for which the JWKS has no key", h.Alg)
	case !tried:
		return unauthenticated("is signed with %s, which its key %q is not for", h.Alg, model.Truncate(h.Kid, 60))
	}
	return unauthenticated("has a bad signature")
}

// checkTimes checks the issuer, the audience and the times of claims.
func (v *Verifier) checkTimes(c jwt.Claims) error {
	if c.Expiry == nil {
		return unauthenticated("has no expiry (exp)")
	}
	now := time.Now()
	err := c.ValidateWithLeeway(jwt.Expected{Issuer: v.cfg.Issuer, AnyAudience: []string{v.cfg.Audience}, Time: now}, v.cfg.Leeway)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jwt.ErrInvalidIssuer):
		return unauthenticated("has the wrong issuer %q (want %q)", model.Truncate(c.Issuer, 100), v.cfg.Issuer)
	case errors.Is(err, jwt.ErrInvalidAudience):
		return unauthenticated("has the wrong audience (want %q)", v.cfg.Audience)
	case errors.Is(err, jwt.ErrExpired):
		return unauthenticated("expired at %s", c.Expiry.Time().UTC().Format(time.RFC3339))
	case errors.Is(err, jwt.ErrNotValidYet):
		return unauthenticated("is not valid yet (nbf %s)", c.NotBefore.Time().UTC().Format(time.RFC3339))
	case errors.Is(err, jwt.ErrIssuedInTheFuture):
		return unauthenticated("was issued in the future (iat %s)", c.IssuedAt.Time().UTC().Format(time.RFC3339))
	}
	return unauthenticated("has invalid claims")
}
