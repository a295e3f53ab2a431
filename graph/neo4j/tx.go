package neo4j

import (
	"context"
	"errors"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// txWrite runs work in one write transaction (retried by the driver on
// transient failures), tells the Observer how long it took, and classifies
// the error with formatError. work must only talk to tx. A *model.Error that
// work returns rolls the transaction back and reaches the caller as it is.
func txWrite[T any](ctx context.Context, db *DB, op, subject string, work func(tx neo4j.ManagedTransaction) (T, error)) (T, error) {
	if err := db.enter(); err != nil {
		var zero T
		return zero, err
	}
	defer db.leave()
	sess := db.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: db.DatabaseName})
	defer sess.Close(ctx)
	start := time.Now()
	v, err := neo4j.ExecuteWrite(ctx, sess, work)
	if db.Observer != nil {
		observed := err
		if _, ok := errors.AsType[*model.Error](err); ok {
			observed = nil // the client's mistake, not Neo4j's failure
		}
		db.Observer.ObserveQuery(op, time.Since(start), observed)
	}
	if err != nil {
		var zero T
		return zero, formatError(op, subject, err)
	}
	return v, nil
}

// txRecords runs one statement in tx and returns all its records.
func txRecords(ctx context.Context, tx neo4j.ManagedTransaction, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	res, err := tx.Run(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	return res.Collect(ctx)
}
