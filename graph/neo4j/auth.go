package neo4j

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

var _ model.TokenService = (*DB)(nil)

// tokenPrefix starts every token, so that leaked tokens are easy to find.
const tokenPrefix = "ssf_"

// tokenIDLength is the length of a token's public id: a prefix of the hash
// it is stored under (model.APIToken.ID).
const tokenIDLength = 16

// hashToken returns the id a token is stored under: only this hash is kept.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// validTokenID matches a token's public id.
var validTokenID = regexp.MustCompile(`^[0-9a-f]{16}$`)

// checkTokenID returns ENOTFOUND for a string that cannot be a token id,
// as for an id that names no token. It does not repeat the string, which
// may be a secret passed by mistake.
func checkTokenID(id string) error {
	if !validTokenID.MatchString(id) {
		return model.FieldErrorf(model.ENOTFOUND, "id", "no token has that id (a token's id is 16 hex digits)")
	}
	return nil
}

// tokenFields returns a token t and its organization o as the columns
// decodeToken reads.
const tokenFields = `t.id AS hash, t.userId AS user, t.role AS role, o.id AS org,
  t.createdAt AS createdAt, t.expiresAt AS expiresAt, t.revokedAt AS revokedAt, t.revoked AS revoked`

// decodeToken reads a record of tokenFields.
func decodeToken(m map[string]any) *model.APIToken {
	p := props(m)
	t := &model.APIToken{
		ID: p.str("hash")[:tokenIDLength], UserID: p.str("user"), OrganizationID: p.str("org"),
		Role: model.Role(p.str("role")), CreatedAt: p.time("createdAt"),
		ExpiresAt: p.timePtr("expiresAt"), RevokedAt: p.timePtr("revokedAt"),
	}
	if t.RevokedAt == nil && p.bool("revoked") { // revoked before revokedAt was kept
		t.RevokedAt = &time.Time{}
	}
	return t
}

const authenticateCypher = `
MATCH (t:` + model.LabelAPIToken + ` {id: $hash})-[:` + model.RelActsFor + `]->(o:` + model.LabelOrganization + `)
RETURN ` + tokenFields + `, o.sector AS sector`

// Authenticate returns the principal a token stands for.
func (db *DB) Authenticate(ctx context.Context, token string) (*model.Principal, error) {
	if !strings.HasPrefix(token, tokenPrefix) {
		return nil, model.Errorf(model.EUNAUTHENTICATED, "malformed bearer token")
	}
	res, err := db.read(ctx, "neo4j.Authenticate", "token", authenticateCypher, map[string]any{"hash": hashToken(token)})
	if err != nil {
		return nil, err
	}
	if len(res) == 0 {
		return nil, model.Errorf(model.EUNAUTHENTICATED, "unknown bearer token")
	}
	m := res[0].AsMap()
	t := decodeToken(m)
	switch {
	case t.RevokedAt != nil:
		return nil, model.Errorf(model.EUNAUTHENTICATED, "the bearer token was revoked")
	case t.Expired(time.Now()):
		return nil, model.Errorf(model.EUNAUTHENTICATED, "the bearer token expired at %s", t.ExpiresAt.Format(time.RFC3339))
	}
	p := &model.Principal{UserID: t.UserID, Role: t.Role, OrganizationID: t.OrganizationID, Sector: props(m).str("sector"), TokenID: t.ID}
	if t.ExpiresAt != nil {
		p.ExpiresAt = *t.ExpiresAt
	}
	return p, nil
}

// tokenID returns a token's id (APIToken.ID): the first hex digits of its
// hash, enough to tell tokens apart, useless to sign in.
func tokenID(token string) string {
	return hashToken(token)[:tokenIDLength]
}

const createTokenCypher = `
MATCH (o:` + model.LabelOrganization + ` {id: $org})
MERGE (u:` + model.LabelUser + ` {id: $user})
  ON CREATE SET u.createdAt = datetime()
CREATE (t:` + model.LabelAPIToken + ` {id: $hash, userId: $user, role: $role, createdAt: datetime(), expiresAt: $expiresAt})
CREATE (t)-[:` + model.RelActsFor + `]->(o), (t)-[:` + model.RelForUser + `]->(u)
RETURN t.id`

// CreateToken issues a new token that never expires; only its hash is
// stored.
func (db *DB) CreateToken(ctx context.Context, user, org string, role model.Role) (string, error) {
	return db.CreateExpiringToken(ctx, user, org, role, 0)
}

// CreateExpiringToken issues a new token that expires ttl from now (never
// for zero); only its hash is stored.
func (db *DB) CreateExpiringToken(ctx context.Context, user, org string, role model.Role, ttl time.Duration) (string, error) {
	if !role.Valid() {
		return "", model.FieldErrorf(model.EINVALID, "role", "unknown role %q (want viewer, analyst, org-admin, curator or admin)", role)
	}
	if err := model.ValidID("user", user); err != nil {
		return "", err
	}
	if ttl < 0 {
		return "", model.FieldErrorf(model.EINVALID, "ttl", "the time to live must not be negative (got %v)", ttl)
	}
	var expiresAt any // null: never
	if ttl > 0 {
		expiresAt = time.Now().Add(ttl).UTC().Truncate(time.Millisecond)
	}
	buf := make([]byte, 32)
	_, _ = rand.Read(buf)
	token := tokenPrefix + base64.RawURLEncoding.EncodeToString(buf)
	params := map[string]any{"org": org, "user": user, "role": string(role), "hash": hashToken(token), "expiresAt": expiresAt}
	res, err := writeTx(ctx, db, "neo4j.CreateToken", "token for "+user, func(t *txn) ([]*neo4j.Record, error) {
		t.wrote(user, org) // never the token or its hash
		t.summarize(fmt.Sprintf("token %s for user %s of %s as %s", tokenID(token), user, org, role))
		return t.run(ctx, createTokenCypher, params)
	})
	if err != nil {
		return "", err
	}
	if len(res) == 0 {
		return "", model.FieldErrorf(model.ENOTFOUND, "org", "no organization %q", org)
	}
	return token, nil
}

// findTokenCypher matches a token by its public id, a prefix of the hash
// it is stored under (served by the uniqueness constraint's index).
const findTokenCypher = `
MATCH (t:` + model.LabelAPIToken + `)-[:` + model.RelActsFor + `]->(o:` + model.LabelOrganization + `)
WHERE t.id STARTS WITH $id
RETURN ` + tokenFields

// FindToken returns the token with the given id.
func (db *DB) FindToken(ctx context.Context, id string) (*model.APIToken, error) {
	if err := checkTokenID(id); err != nil {
		return nil, err
	}
	res, err := db.read(ctx, "neo4j.FindToken", "token "+id, findTokenCypher, map[string]any{"id": id})
	if err != nil {
		return nil, err
	}
	if len(res) == 0 {
		return nil, model.NotFound("id", "token", id)
	}
	return decodeToken(res[0].AsMap()), nil
}

const listTokensCypher = `
MATCH (t:` + model.LabelAPIToken + `)-[:` + model.RelActsFor + `]->(o:` + model.LabelOrganization + `)
WHERE $org = '' OR o.id = $org
RETURN ` + tokenFields + `
ORDER BY t.createdAt DESC, t.id`

// ListTokens returns the tokens of organization org, or of every
// organization for "", newest first.
func (db *DB) ListTokens(ctx context.Context, org string) ([]*model.APIToken, error) {
	res, err := db.read(ctx, "neo4j.ListTokens", "organization "+org, listTokensCypher, map[string]any{"org": org})
	if err != nil {
		return nil, err
	}
	out := make([]*model.APIToken, len(res))
	for i, r := range res {
		out[i] = decodeToken(r.AsMap())
	}
	return out, nil
}

const revokeTokenCypher = `
MATCH (t:` + model.LabelAPIToken + `)-[:` + model.RelActsFor + `]->(o:` + model.LabelOrganization + `)
WHERE t.id STARTS WITH $id
SET t.revoked = true, t.revokedAt = coalesce(t.revokedAt, datetime())
RETURN ` + tokenFields

// RevokeToken revokes the token with the given id; a revoked token keeps
// the time it was first revoked.
func (db *DB) RevokeToken(ctx context.Context, id string) (*model.APIToken, error) {
	if err := checkTokenID(id); err != nil {
		return nil, err
	}
	tok, err := writeTx(ctx, db, "neo4j.RevokeToken", "token "+id, func(t *txn) (*model.APIToken, error) {
		res, err := t.run(ctx, revokeTokenCypher, map[string]any{"id": id})
		if err != nil || len(res) == 0 {
			return nil, err
		}
		tok := decodeToken(res[0].AsMap())
		t.change.Tokens = append(t.change.Tokens, tok.ID) // caches of every process forget it
		return tok, nil
	})
	if err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, model.NotFound("id", "token", id)
	}
	return tok, nil
}

// revokedTokensCypher returns, of the ids given, those that name no token
// that is still valid (revoked ones, and deleted ones).
const revokedTokensCypher = `
UNWIND $ids AS id
OPTIONAL MATCH (t:` + model.LabelAPIToken + `) WHERE t.id STARTS WITH id AND coalesce(t.revoked, false) = false
WITH id, t WHERE t IS NULL
RETURN id`

// RevokedTokens returns which of ids are revoked or no longer exist.
func (db *DB) RevokedTokens(ctx context.Context, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	res, err := db.read(ctx, "neo4j.RevokedTokens", "tokens", revokedTokensCypher, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	out := make([]string, len(res))
	for i, r := range res {
		out[i], _ = r.Values[0].(string)
	}
	return out, nil
}
