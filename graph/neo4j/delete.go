package neo4j

import (
	"cmp"
	"context"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// deletion is how one kind of node is deleted; deleteNode runs it. Every
// delete of the store is one: lock, plan, refuse or cascade, delete.
type deletion struct {
	op, what string // the operation ("neo4j.DeleteAsset") and the kind ("asset")
	// locks are statements run first, with $id: the first takes the write
	// lock of the node to delete and of the analyses a cascade would change
	// (a property set and removed again, so nothing changes), and returns a
	// row when the node exists. After it, no analysis involved can be
	// submitted or changed by another transaction until this one ends, so
	// the plan read next stays true.
	locks []string
	// plan reads, with $id, one row of what check and the removal need;
	// no row means there is no such node.
	plan string
	// use, if set, is the refusal most deletes share (see inUse).
	use *inUse
	// check, if set, returns the kind's other refusals of the delete that
	// rec describes, or nil.
	check func(rec *neo4j.Record, id string, cascade bool) error
	// before, if set, runs what the cascade changes besides deleting
	// (unsetting owners, …).
	before func(ctx context.Context, tx *txn, rec *neo4j.Record, id string) error
	// remove, if set, deletes; by default the analyses in the plan's
	// "touched" column are marked changed and the nodes in its "doomed"
	// column (element ids) deleted with what is about them.
	remove func(ctx context.Context, tx *txn, rec *neo4j.Record, id string) error
}

// deletedRefsCypher returns the assessments whose comparison refs name
// the node $id (a threat or asset they name, a measure their treatments
// apply): deleting it changes them (comparison.go).
const deletedRefsCypher = `
OPTIONAL MATCH (n:` + model.LabelEntity + ` {id: $id})
RETURN COLLECT { MATCH (n)<-[:` + model.RelCausedBy + `|` + model.RelThrough + `]-(s:` + model.LabelAssessment + `) RETURN s.id } +
  COLLECT { MATCH (n)<-[:` + model.RelApplies + `]-(:` + model.LabelTreatment + `)<-[:` + model.RelTreatedBy + `]-(s:` + model.LabelAssessment + `) RETURN s.id } AS assessments`

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
		if d.use != nil {
			if err := d.use.check(rec, d.what, id, cascade); err != nil {
				return struct{}{}, err
			}
		}
		if d.check != nil {
			if err := d.check(rec, id, cascade); err != nil {
				return struct{}{}, err
			}
		}
		refs, err := tx.single(ctx, deletedRefsCypher, params)
		if err != nil {
			return struct{}{}, err
		}
		tx.touchAssessments(recordStrings(refs, "assessments")...)
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

// inUse is the refusal most deletes share, read from columns of the plan:
// while something of a submitted analysis uses the node, it is refused
// (submitted versions cannot change); while anything else uses it, it is
// refused unless cascade.
type inUse struct {
	frozen     string   // the column counting users in submitted analyses
	frozenNoun string   // what those are ("assessment")
	uses       []string // pairs of a column counting users and their noun
	verb       string   // how they use the node ("is named by")
	cascades   string   // what cascade does ("remove it from them")
	frozenAs   string   // how the frozen ones are qualified; default "of submitted analyses"
}

func (u *inUse) check(rec *neo4j.Record, what, id string, cascade bool) error {
	if n := recordInt(rec, u.frozen); n > 0 {
		return model.FieldErrorf(model.ECONFLICT, "id", "%s %q %s %s; submitted versions cannot change", what, id, u.verb,
			dependents(n, u.frozenNoun, cmp.Or(u.frozenAs, "of submitted analyses")))
	}
	var counts []any
	for i := 0; i+1 < len(u.uses); i += 2 {
		counts = append(counts, recordInt(rec, u.uses[i]), u.uses[i+1])
	}
	if d := dependents(counts...); d != "" && !cascade {
		return model.FieldErrorf(model.ECONFLICT, "id", "%s %q %s %s; pass cascade: true to %s", what, id, u.verb, d, u.cascades)
	}
	return nil
}

// lockViaAssessmentsCypher returns the lock statement of a deletion (see
// deletion.locks) of a node of label that assessments point to by rel: it
// locks the node and the analyses of those assessments, and returns a row
// when the node exists. It is called with constants only.
func lockViaAssessmentsCypher(label, rel string) string {
	return `
MATCH (n:` + label + ` {id: $id})
SET n._lock = true REMOVE n._lock
WITH n
OPTIONAL MATCH (n)<-[:` + rel + `]-(:` + model.LabelAssessment + `)<-[:` + model.RelHasAssessment + `]-(a:` + model.LabelAnalysis + `)
WITH n, collect(DISTINCT a) AS as
FOREACH (a IN as | SET a._lock = true REMOVE a._lock)
RETURN n.id AS id`
}

// planViaAssessmentsCypher returns the plan of deleting a node of label
// that assessments point to by rel, and nothing else: refs (how many
// assessments), frozen (how many of submitted analyses), assessments
// (their ids), touched (the draft analyses that change) and doomed (the
// node). It is called with constants only.
func planViaAssessmentsCypher(label, rel string) string {
	return `
MATCH (n:` + label + ` {id: $id})
OPTIONAL MATCH (n)<-[:` + rel + `]-(s:` + model.LabelAssessment + `)
OPTIONAL MATCH (s)<-[:` + model.RelHasAssessment + `]-(a:` + model.LabelAnalysis + `)
RETURN count(DISTINCT s) AS refs,
       count(DISTINCT CASE WHEN a IS NOT NULL AND ` + frozenAnalysis + ` THEN s END) AS frozen,
       collect(DISTINCT s.id) AS assessments,
       collect(DISTINCT CASE WHEN a IS NOT NULL AND NOT ` + frozenAnalysis + ` THEN a.id END) AS touched,
       [elementId(n)] AS doomed`
}

// planAnalysesCypher returns the part of a deletion plan, for the node v,
// that reads the analyses pattern matches as a (with v's, such as
// "(t)<-[:ANALYZES]-(a:Analysis)"): analyses (how many), submitted (how many
// are no longer drafts), drafts (the draft ones) and inner (their
// assessments and treatments, which go with them). It is called with
// constants only.
func planAnalysesCypher(v, pattern string) string {
	return `CALL (` + v + `) {
  OPTIONAL MATCH ` + pattern + `
  RETURN count(a) AS analyses, count(CASE WHEN ` + frozenAnalysis + ` THEN a END) AS submitted,
         collect(CASE WHEN a.status = 'DRAFT' THEN a END) AS drafts
}
CALL (drafts) {
  UNWIND drafts AS d
  OPTIONAL MATCH (d)-[:` + model.RelHasAssessment + `]->(s:` + model.LabelAssessment + `)
  OPTIONAL MATCH (s)-[:` + model.RelTreatedBy + `]->(tr:` + model.LabelTreatment + `)
  RETURN collect(DISTINCT s) + collect(DISTINCT tr) AS inner
}`
}
