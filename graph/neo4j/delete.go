package neo4j

import (
	"context"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// deletion is how one kind of node is deleted; deleteNode runs it. Every
// delete of the store is one: lock, plan, refuse or cascade, delete.
type deletion struct {
	op, what string // the operation ("neo4j.DeleteAsset") and the kind ("asset")
	// locks are statements run first, with $id: the first takes the write
	// lock of the node (and of the analyses a cascade would change: see
	// lockForDelete) and returns a row when the node exists.
	locks []string
	// plan reads, with $id, one row of what check and the removal need;
	// no row means there is no such node.
	plan string
	// check returns the refusal of the delete that rec describes, or nil.
	check func(rec *neo4j.Record, id string, cascade bool) error
	// before, if set, runs what the cascade changes besides deleting
	// (unsetting owners, …).
	before func(ctx context.Context, tx *txn, rec *neo4j.Record, id string) error
	// remove, if set, deletes; by default the analyses in the plan's
	// "touched" column are marked changed and the nodes in its "doomed"
	// column (element ids) deleted with what is about them.
	remove func(ctx context.Context, tx *txn, rec *neo4j.Record, id string) error
}

// deleteNode deletes the node id as d says, in one transaction. It returns
// ENOTFOUND naming "id" when there is no such node, and check's refusal.
func (db *DB) deleteNode(ctx context.Context, d deletion, id string, cascade bool) error {
	notFound := model.FieldErrorf(model.ENOTFOUND, "id", "no %s %q", d.what, model.Truncate(id, 60))
	_, err := writeTx(ctx, db, d.op, d.what+" "+id, func(tx *txn) (struct{}, error) {
		params := map[string]any{"id": id}
		for i, lock := range d.locks {
			recs, err := tx.run(ctx, lock, params)
			if err != nil {
				return struct{}{}, err
			}
			if i == 0 && len(recs) == 0 {
				return struct{}{}, notFound
			}
		}
		recs, err := tx.run(ctx, d.plan, params)
		if err != nil {
			return struct{}{}, err
		}
		if len(recs) == 0 {
			return struct{}{}, notFound
		}
		rec := recs[0]
		if err := d.check(rec, id, cascade); err != nil {
			return struct{}{}, err
		}
		if d.before != nil {
			if err := d.before(ctx, tx, rec, id); err != nil {
				return struct{}{}, err
			}
		}
		tx.touchNodes(id)
		if d.remove != nil {
			return struct{}{}, d.remove(ctx, tx, rec, id)
		}
		if err := touchAnalyses(ctx, tx, recordStrings(rec, "touched")); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, deleteNodes(ctx, tx, recordStrings(rec, "doomed"))
	})
	return err
}

// removeWith returns a deletion's remove that runs cypher with $id and
// records the "targets" and "nodes" it returns as changed.
func removeWith(cypher string) func(ctx context.Context, tx *txn, rec *neo4j.Record, id string) error {
	return func(ctx context.Context, tx *txn, _ *neo4j.Record, id string) error {
		recs, err := tx.run(ctx, cypher, map[string]any{"id": id})
		if err == nil && len(recs) == 1 {
			tx.touchRecord(recs[0])
		}
		return err
	}
}
