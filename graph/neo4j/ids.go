package neo4j

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// newID returns id when the client chose one (after checking it), else a
// new random id with the given prefix, such as "target-1f3a…": 128 bits
// from crypto/rand in hex, so that no id the server mints can be computed
// or guessed from public values.
func newID(field string, id *string, prefix string) (string, error) {
	if id != nil && *id != "" {
		return *id, model.ValidID(field, *id)
	}
	return prefix + "-" + randomHex(), nil
}

// randomHex returns 128 random bits (crypto/rand) as 32 hex digits.
func randomHex() string {
	buf := make([]byte, 16)
	_, _ = rand.Read(buf)
	return hex.EncodeToString(buf)
}
