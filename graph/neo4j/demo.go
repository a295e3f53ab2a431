package neo4j

import (
	"context"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// DemoPrefix starts the id of every node of the demo data set.
const DemoPrefix = "demo-"

const deleteDemoCypher = `
MATCH (n) WHERE n.id STARTS WITH $p OR n.userId STARTS WITH $p
  OR ((n:` + labelFeedback + ` OR n:` + labelOpinion + `) AND (n.aboutId STARTS WITH $p OR n.organizationId STARTS WITH $p))
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS`

// DeleteDemo deletes the demo data set (every node whose id or user id
// starts with DemoPrefix, the feedback and opinions about such nodes or by
// such organizations, whose own ids are generated, and their
// relationships), so that `seed --demo --reset` can load it afresh.
func (db *DB) DeleteDemo(ctx context.Context) error {
	if err := db.init(); err != nil {
		return err
	}
	sess := db.driver.NewSession(ctx, sessionConfig(db.DatabaseName))
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, deleteDemoCypher, map[string]any{"p": DemoPrefix})
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		return formatError("neo4j.DeleteDemo", DemoPrefix+"*", err)
	}
	return nil
}

// sessionConfig returns the configuration of a session on database.
func sessionConfig(database string) neo4j.SessionConfig {
	return neo4j.SessionConfig{DatabaseName: database}
}
