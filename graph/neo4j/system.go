package neo4j

import (
	"context"
	"errors"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

var _ model.SystemService = (*DB)(nil)

const componentsCypher = `
CALL dbms.components() YIELD name, versions, edition
WHERE name = 'Neo4j Kernel'
RETURN versions[0] AS version, edition`

// Neo4jVersion returns the version and edition that Neo4j reports through
// dbms.components(). It returns EUNAVAILABLE when Neo4j cannot be reached.
func (db *DB) Neo4jVersion(ctx context.Context) (version, edition string, err error) {
	if err := db.init(); err != nil {
		return "", "", err
	}
	res, err := db.read(ctx, "neo4j.Neo4jVersion", db.URI, componentsCypher, nil)
	if err != nil {
		return "", "", err
	}
	if len(res) != 1 {
		return "", "", errors.New("neo4j.Neo4jVersion: dbms.components() returned no Neo4j Kernel row")
	}
	rec := res[0]
	if version, _, err = neo4j.GetRecordValue[string](rec, "version"); err != nil {
		return "", "", errors.New("neo4j.Neo4jVersion: " + err.Error())
	}
	if edition, _, err = neo4j.GetRecordValue[string](rec, "edition"); err != nil {
		return "", "", errors.New("neo4j.Neo4jVersion: " + err.Error())
	}
	return version, edition, nil
}

// readyTimeout bounds one readiness probe, so that /readyz answers quickly
// even when Neo4j hangs.
const readyTimeout = 2 * time.Second

// Ready returns nil when the schema migrations have run and Neo4j answers a
// trivial query now. It returns EUNAVAILABLE otherwise, with a message that
// says which of the two is missing.
func (db *DB) Ready(ctx context.Context) error {
	if !db.migrated.Load() {
		return model.Errorf(model.EUNAVAILABLE, "schema migrations have not run")
	}
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	if _, err := db.read(ctx, "neo4j.Ready", "", "RETURN 1", nil); err != nil {
		return &wrapped{model.Errorf(model.EUNAVAILABLE, "Neo4j at %s does not answer", db.URI), err}
	}
	return nil
}
