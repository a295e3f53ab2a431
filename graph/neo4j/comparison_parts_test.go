package neo4j

import (
	"context"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// TargetAnalysesParts runs TargetAnalyses's query for targetID and returns
// how long Neo4j itself took (the summary's ResultAvailableAfter plus
// ResultConsumedAfter: planning, running and streaming the records) and a
// function that decodes the records as TargetAnalyses does, so that a
// benchmark can tell the server's time from the driver's and the
// decoder's.
func TargetAnalysesParts(ctx context.Context, db *DB, targetID string) (time.Duration, func() []*model.AnalysisSnapshot, error) {
	type out struct {
		recs   []*neo4j.Record
		server time.Duration
	}
	o, err := readTx(ctx, db, "test", targetID, func(t *txn) (out, error) {
		res, err := t.tx.Run(ctx, targetAnalysesCypher, map[string]any{"target": targetID})
		if err != nil {
			return out{}, err
		}
		recs, err := res.Collect(ctx)
		if err != nil {
			return out{}, err
		}
		sum, err := res.Consume(ctx)
		if err != nil {
			return out{}, err
		}
		return out{recs, sum.ResultAvailableAfter() + sum.ResultConsumedAfter()}, nil
	})
	if err != nil {
		return 0, nil, err
	}
	return o.server, func() []*model.AnalysisSnapshot { return snapshots(o.recs) }, nil
}
