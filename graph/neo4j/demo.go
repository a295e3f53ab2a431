package neo4j

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// DemoPrefix starts the id of every node of the demo data set.
const DemoPrefix = "demo-"

const deleteDemoCypher = `
MATCH (n) WHERE NOT n:` + model.LabelAuditEvent + ` AND (n.id STARTS WITH $p OR n.userId STARTS WITH $p
  OR ((n:` + model.LabelFeedback + ` OR n:` + model.LabelOpinion + `) AND (n.aboutId STARTS WITH $p OR n.organizationId STARTS WITH $p)))
WITH n LIMIT 1000
DETACH DELETE n
RETURN count(*) AS deleted`

// DeleteDemo deletes the demo data set (every node whose id or user id
// starts with DemoPrefix, the feedback and opinions about such nodes or by
// such organizations, whose own ids are generated, and their
// relationships), so that `seed --demo --reset` can load it afresh. It
// keeps the audit trail, the demo users' events included, and deletes in
// transactions of 1000 nodes.
func (db *DB) DeleteDemo(ctx context.Context) error {
	for {
		recs, err := db.write(ctx, "neo4j.DeleteDemo", DemoPrefix+"*", deleteDemoCypher, map[string]any{"p": DemoPrefix})
		if err != nil {
			return err
		}
		if n, _ := recs[0].Values[0].(int64); n == 0 {
			return nil
		}
	}
}
