package neo4j

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

var _ model.TokenService = (*DB)(nil)

// tokenPrefix starts every token, so that leaked tokens are easy to find.
const tokenPrefix = "ssf_"

// hashToken returns the id a token is stored under: only this hash is kept.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

const authenticateCypher = `
MATCH (t:` + model.LabelAPIToken + ` {id: $hash})-[:ACTS_FOR]->(o:` + model.LabelOrganization + `)
WHERE t.revoked IS NULL OR t.revoked = false
RETURN t.userId AS user, t.role AS role, o.id AS org, o.sector AS sector`

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
		return nil, model.Errorf(model.EUNAUTHENTICATED, "unknown or revoked bearer token")
	}
	p := props(res[0].AsMap())
	return &model.Principal{UserID: p.str("user"), Role: model.Role(p.str("role")), OrganizationID: p.str("org"), Sector: p.str("sector"),
		TokenID: tokenID(token)}, nil
}

// tokenID returns the id the audit trail gives a token: the first 16 hex
// digits of its hash, enough to tell tokens apart, useless to sign in.
func tokenID(token string) string {
	return hashToken(token)[:16]
}

const createTokenCypher = `
MATCH (o:` + model.LabelOrganization + ` {id: $org})
MERGE (u:` + model.LabelUser + ` {id: $user})
  ON CREATE SET u.createdAt = datetime()
CREATE (t:` + model.LabelAPIToken + ` {id: $hash, userId: $user, role: $role, createdAt: datetime()})
CREATE (t)-[:` + model.RelActsFor + `]->(o), (t)-[:` + model.RelForUser + `]->(u)
RETURN t.id`

// CreateToken issues a new token; only its hash is stored.
func (db *DB) CreateToken(ctx context.Context, user, org string, role model.Role) (string, error) {
	if !role.Valid() {
		return "", model.FieldErrorf(model.EINVALID, "role", "unknown role %q (want viewer, analyst, org-admin, curator or admin)", role)
	}
	if err := model.ValidID("user", user); err != nil {
		return "", err
	}
	buf := make([]byte, 32)
	_, _ = rand.Read(buf)
	token := tokenPrefix + base64.RawURLEncoding.EncodeToString(buf)
	params := map[string]any{"org": org, "user": user, "role": string(role), "hash": hashToken(token)}
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
