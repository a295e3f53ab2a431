package neo4j

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// newID returns id when the client chose one (after checking it), else a
// new random id with the given prefix, such as "target-1f3a…".
func newID(field string, id *string, prefix string) (string, error) {
	if id != nil && *id != "" {
		return *id, model.ValidID(field, *id)
	}
	buf := make([]byte, 10)
	_, _ = rand.Read(buf)
	return prefix + "-" + hex.EncodeToString(buf), nil
}
