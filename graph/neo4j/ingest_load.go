package neo4j

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/ingest"
)

var _ ingest.Loader = (*DB)(nil)

// ingestChunk is the most rows one UNWIND statement of a load carries.
const ingestChunk = 5000

// ingestMaxID is the longest id, in bytes, a loaded node may have (an index
// key must stay well below Neo4j's limit).
const ingestMaxID = 1024

// ingestMissingShown is how many missing relationship ends an error lists.
const ingestMissingShown = 20

// ingestOutcome classifies a row against `old`, the node or relationship it
// will MERGE onto (null when there is none): created, unchanged when every
// property the row sets has that value already (null for null), else updated.
const ingestOutcome = `CASE WHEN old IS NULL THEN 'created'
  WHEN all(k IN keys(row.props) WHERE coalesce(old[k] = row.props[k], old[k] IS NULL AND row.props[k] IS NULL)) THEN 'unchanged'
  ELSE 'updated' END`

// ingestNodeCypher returns the statement that merges rows {id, props} onto
// nodes of label. It is called only with the label constants below, so the
// statement is built from constants, never from input. The node also gets
// :Entity (every API node has it; its uniqueness constraint keeps ids unique
// across labels).
func ingestNodeCypher(label string) string {
	onCreate := ""
	if label == model.LabelAnalysis {
		// An analysis has its times whatever the document says: a new one
		// made by a document without them gets the load's (row.props
		// then sets those it states), as createAnalysis gives.
		onCreate = "\nON CREATE SET n.createdAt = datetime(), n.updatedAt = datetime()"
	}
	return `
UNWIND $rows AS row
OPTIONAL MATCH (old:` + label + ` {id: row.id})
WITH row, ` + ingestOutcome + ` AS outcome
MERGE (n:` + label + ` {id: row.id})` + onCreate + `
SET n:` + model.LabelEntity + `, n += row.props
RETURN outcome, count(*) AS n`
}

// ingestRelCypher returns the statement that merges rows {from, to, props}
// onto relationships of type typ from a from-labelled node to a
// to-labelled one. Like ingestNodeCypher it is called only with constants.
func ingestRelCypher(typ, from, to string) string {
	return `
UNWIND $rows AS row
MATCH (a:` + from + ` {id: row.from})
MATCH (b:` + to + ` {id: row.to})
CALL (a, b) { OPTIONAL MATCH (a)-[o:` + typ + `]->(b) RETURN o AS old LIMIT 1 }
WITH row, a, b, ` + ingestOutcome + ` AS outcome
MERGE (a)-[r:` + typ + `]->(b)
SET r += row.props
RETURN outcome, count(*) AS n`
}

// ingestNodeStatements is the whitelist of node labels a batch may name,
// with the statement that writes each.
var ingestNodeStatements = map[string]string{
	model.LabelThreat:          ingestNodeCypher(model.LabelThreat),
	model.LabelMeasure:         ingestNodeCypher(model.LabelMeasure),
	model.LabelGuideline:       ingestNodeCypher(model.LabelGuideline),
	model.LabelClause:          ingestNodeCypher(model.LabelClause),
	model.LabelAssetKind:       ingestNodeCypher(model.LabelAssetKind),
	model.LabelTarget:          ingestNodeCypher(model.LabelTarget),
	model.LabelAsset:           ingestNodeCypher(model.LabelAsset),
	model.LabelIncident:        ingestNodeCypher(model.LabelIncident),
	model.LabelOrganization:    ingestNodeCypher(model.LabelOrganization),
	model.LabelDepartment:      ingestNodeCypher(model.LabelDepartment),
	model.LabelAnalysis:        ingestNodeCypher(model.LabelAnalysis),
	model.LabelAssessment:      ingestNodeCypher(model.LabelAssessment),
	model.LabelTreatment:       ingestNodeCypher(model.LabelTreatment),
	model.LabelInsurancePolicy: ingestNodeCypher(model.LabelInsurancePolicy),
	model.LabelCoverageLine:    ingestNodeCypher(model.LabelCoverageLine),
}

// ingestRelKey is a relationship type with the labels of its ends.
type ingestRelKey struct{ Type, From, To string }

// ingestRelStatements is the whitelist of relationships a batch may name
// (type and end labels, as graph/model's vocabulary.go lists them), with the statement that
// writes each.
var ingestRelStatements = func() map[ingestRelKey]string {
	m := map[ingestRelKey]string{}
	for _, k := range []ingestRelKey{
		{model.RelMitigatedBy, model.LabelThreat, model.LabelMeasure},
		{model.RelTargets, model.LabelThreat, model.LabelAssetKind},
		{model.RelSubtechniqueOf, model.LabelThreat, model.LabelThreat},
		{model.RelRevokedBy, model.LabelThreat, model.LabelThreat},
		{model.RelRevokedBy, model.LabelMeasure, model.LabelMeasure},
		{model.RelHasClause, model.LabelGuideline, model.LabelClause},
		{model.RelPartOf, model.LabelClause, model.LabelClause},
		{model.RelMapsTo, model.LabelClause, model.LabelClause},
		{model.RelIncorporatedInto, model.LabelClause, model.LabelClause},
		{model.RelSatisfies, model.LabelMeasure, model.LabelClause},
		{model.RelHasAsset, model.LabelTarget, model.LabelAsset},
		{model.RelHasIncident, model.LabelTarget, model.LabelIncident},
		{model.RelConnectsTo, model.LabelAsset, model.LabelAsset},
		{model.RelHasDepartment, model.LabelOrganization, model.LabelDepartment},
		{model.RelAuthored, model.LabelOrganization, model.LabelAnalysis},
		{model.RelAnalyzes, model.LabelAnalysis, model.LabelTarget},
		{model.RelHasAssessment, model.LabelAnalysis, model.LabelAssessment},
		{model.RelOf, model.LabelAssessment, model.LabelIncident},
		{model.RelCausedBy, model.LabelAssessment, model.LabelThreat},
		{model.RelThrough, model.LabelAssessment, model.LabelAsset},
		{model.RelOwnedBy, model.LabelAssessment, model.LabelDepartment},
		{model.RelTreatedBy, model.LabelAssessment, model.LabelTreatment},
		{model.RelApplies, model.LabelTreatment, model.LabelMeasure},
		{model.RelHolds, model.LabelOrganization, model.LabelInsurancePolicy},
		{model.RelHasLine, model.LabelInsurancePolicy, model.LabelCoverageLine},
		{model.RelCovers, model.LabelCoverageLine, model.LabelIncident},
		{model.RelCovers, model.LabelCoverageLine, model.LabelThreat},
		{model.RelRequires, model.LabelCoverageLine, model.LabelMeasure},
		{model.RelRequires, model.LabelCoverageLine, model.LabelClause},
		{model.RelReliesOn, model.LabelAnalysis, model.LabelInsurancePolicy},
		{model.RelNotApplicable, model.LabelAnalysis, model.LabelClause},
	} {
		m[k] = ingestRelCypher(k.Type, k.From, k.To)
	}
	return m
}()

// ingestLabelsCypher finds, in one round trip, the labels of the nodes with
// the given ids (null for an id nothing has), and the title and version of
// those that are guidelines (see guidelineChanges).
const ingestLabelsCypher = `
UNWIND $ids AS id
OPTIONAL MATCH (n:` + model.LabelEntity + ` {id: id})
RETURN id, labels(n) AS labels,
       CASE WHEN n:` + model.LabelGuideline + ` THEN {title: n.title, version: n.version} END AS guideline`

// LoadBatch writes b in one transaction: it validates the batch (labels and
// relationship types against a whitelist, ids, property values), checks in
// one query that every relationship end outside the batch is stored with the
// right label, then MERGEs nodes and relationships with UNWIND in chunks of
// at most 5000 rows, counting what it created, updated and left unchanged.
// It commits unless dryRun is set or anything failed, in which case it rolls
// back and nothing is written. Problems with the batch come back as an
// *ingest.Error (missing ends listed with their Where and Hint); Neo4j
// failures are classified as the other methods do (a value too large for
// an index is an *ingest.Error too). A MAPS_TO whose missing end is a
// clause of a guideline that is loaded is skipped with a warning instead
// (see skipUnknownMappedClauses). A load that would change the title or
// version of a stored guideline goes on, with a warning that names the old
// and the new values (guidelineChanges). A load that fails with a transient error
// (a deadlock with a concurrent load) is tried again, up to three times in
// all. Properties a batch does not name are left as they are; a nil value
// removes one. If ctx carries a progress function (ingest.WithProgress) it
// is told of every chunk written. LoadBatch is safe for concurrent use.
func (db *DB) LoadBatch(ctx context.Context, b *ingest.Batch, dryRun bool) (*ingest.Report, error) {
	start := time.Now()
	source := cmp.Or(b.Source, "document")
	rep, err := writeTx(ctx, db, "neo4j.LoadBatch", source, func(t *txn) (*ingest.Report, error) {
		p, err := guardAndPrepare(ctx, t, b) // afresh on a retry: loading changes it
		if err != nil {
			return nil, err
		}
		rep, err := loadInTx(ctx, t, p)
		if err == nil && dryRun {
			return rep, errRollback
		}
		return rep, err
	})
	if err != nil {
		return nil, loadError(source, err)
	}
	rep.DryRun = dryRun
	rep.Took = time.Since(start)
	return rep, nil
}

// LoadBatches loads batches in order, calling done after each with its
// report or its error; a failed batch does not stop the ones after it.
// Without dryRun each batch is written in its own transaction, exactly as
// LoadBatch does, so each is atomic. With dryRun they run in one
// transaction that is rolled back at the end, so that each batch is checked
// against what the batches before it would have written (a mapping given
// after its catalogs finds their clauses). When a dry-run batch fails inside
// Neo4j, the transaction is replaced and the batches after it no longer see
// the ones before. LoadBatches is safe for concurrent use.
func (db *DB) LoadBatches(ctx context.Context, batches []*ingest.Batch, dryRun bool, done func(i int, r *ingest.Report, err error)) {
	if !dryRun {
		for i, b := range batches {
			r, err := db.LoadBatch(ctx, b, false)
			done(i, r, err)
		}
		return
	}
	type outcome struct {
		rep *ingest.Report
		err error
	}
	for next := 0; next < len(batches); {
		// One rolled-back transaction from batch next on, until Neo4j
		// fails one batch (which ends the transaction).
		from := next
		outcomes, err := writeTx(ctx, db, "neo4j.LoadBatch", "dry run", func(t *txn) ([]outcome, error) {
			var out []outcome
			for _, b := range batches[from:] {
				start := time.Now()
				p, err := guardAndPrepare(ctx, t, b)
				if err != nil {
					out = append(out, outcome{err: err})
					continue
				}
				rep, err := loadInTx(ctx, t, p)
				if err != nil {
					out = append(out, outcome{err: loadError(p.source, err)})
					if !isBatchError(err) {
						break // Neo4j failed the transaction
					}
					continue
				}
				rep.DryRun = true
				rep.Took = time.Since(start)
				out = append(out, outcome{rep: rep})
			}
			return out, errRollback
		})
		if err != nil {
			for i := next; i < len(batches); i++ {
				done(i, nil, err)
			}
			return
		}
		for _, o := range outcomes {
			done(next, o.rep, o.err)
			next++
		}
	}
}

// isBatchError reports whether err is a problem with a batch that leaves
// its transaction usable.
func isBatchError(err error) bool {
	if _, ok := errors.AsType[*ingest.Error](err); ok {
		return true
	}
	_, ok := errors.AsType[*model.Error](err)
	return ok
}

// indexTooLarge finds the index schema and the size in Neo4j's message
// about a value too large for an index.
var indexTooLarge = regexp.MustCompile(`schema=(\(:[A-Za-z]+ \{[A-Za-z]+\}\)).*property size: (\d+)`)

// loadError returns err as it is when it is a problem with the batch, as an
// *ingest.Error when Neo4j refused a value of the batch, and classified
// (formatError) otherwise.
func loadError(source string, err error) error {
	if _, ok := errors.AsType[*ingest.Error](err); ok {
		return err
	}
	if e, ok := errors.AsType[*neo4j.Neo4jError](err); ok && strings.Contains(e.Msg, "too large to index") {
		what := "an indexed property"
		if m := indexTooLarge.FindStringSubmatch(e.Msg); m != nil {
			what = fmt.Sprintf("%s, %s bytes,", m[1], m[2])
		}
		return &ingest.Error{File: source, Message: fmt.Sprintf("a value of %s is too large for its index; shorten it", what)}
	}
	return err
}

// guardAndPrepare runs the Guard in ctx, if any (ingest.WithGuard), in t,
// then prepares b. The guard runs first, so that what it completes in b
// (the owner of a target the load creates) is loaded.
func guardAndPrepare(ctx context.Context, t *txn, b *ingest.Batch) (*preparedBatch, error) {
	if guard := ingest.GuardFrom(ctx); guard != nil {
		locked := func(ctx context.Context, ids []string) (map[string]model.Node, error) {
			return t.nodes(ctx, lockedNodesCypher, ids)
		}
		if err := guard(ctx, locked); err != nil {
			return nil, err
		}
	}
	return prepareBatch(b)
}

// loadInTx checks the ends of p's relationships and writes p in tx. It
// writes nothing when a check refuses.
func loadInTx(ctx context.Context, t *txn, p *preparedBatch) (*ingest.Report, error) {
	if err := resolveDerivedIDs(ctx, t, p); err != nil {
		return nil, err
	}
	if err := checkEnds(ctx, t, p); err != nil {
		return nil, err
	}
	if err := checkTargetsUnchanged(ctx, t, p); err != nil {
		return nil, err
	}
	submitted, err := submittedAnalyses(ctx, t, p)
	if err != nil {
		return nil, err
	}
	inline, err := newInlineNodes(ctx, t, p)
	if err != nil {
		return nil, err
	}
	rep := &ingest.Report{Source: p.source, Format: p.format, Nodes: map[string]ingest.Counts{}, Rels: map[string]ingest.Counts{},
		Warnings: append(guidelineChanges(p), p.warnings...)}
	for _, label := range p.labels {
		rows := p.nodes[label]
		c, err := writeChunks(ctx, t, ingestNodeStatements[label], rows)
		if err != nil {
			return nil, err
		}
		if c.Created+c.Updated+c.Unchanged != len(rows) {
			return nil, fmt.Errorf("%d of %d %s nodes were not written", len(rows)-c.Created-c.Updated-c.Unchanged, len(rows), label)
		}
		rep.Nodes[label] = c
	}
	for _, k := range p.relKeys {
		rows := p.rels[k]
		c, err := writeChunks(ctx, t, ingestRelStatements[k], rows)
		if err != nil {
			return nil, err
		}
		if c.Created+c.Updated+c.Unchanged != len(rows) {
			// The ends were checked a moment ago: something deleted them since.
			return nil, fmt.Errorf("%d of %d %s relationships from %s to %s found no end", len(rows)-c.Created-c.Updated-c.Unchanged, len(rows), k.Type, k.From, k.To)
		}
		sum := rep.Rels[k.Type]
		sum.Created += c.Created
		sum.Updated += c.Updated
		sum.Unchanged += c.Unchanged
		rep.Rels[k.Type] = sum
	}
	if rep.Warnings == nil {
		rep.Warnings = []ingest.Warning{}
	}
	if len(submitted) > 0 && (changed(rep.Nodes, analysisLabels) || changed(rep.Rels, analysisRels)) {
		return nil, model.Errorf(model.ECONFLICT, "analysis %s is submitted and cannot change; revise it (reviseAnalysis) and load the document as the new version", strings.Join(submitted, ", "))
	}
	// A submitted analysis keeps what it rated as it is now, as
	// SubmitAnalysis keeps it (only an admin's restore loads one).
	var frozen []string
	for _, row := range p.nodes[model.LabelAnalysis] {
		if props, _ := row["props"].(map[string]any); props["status"] == string(model.AnalysisStatusSubmitted) {
			frozen = append(frozen, row["id"].(string))
		}
	}
	if len(frozen) > 0 {
		if err := snapshotAssessments(ctx, t, frozen); err != nil {
			return nil, err
		}
	}
	if len(inline.ids) > 0 {
		if _, err := t.run(ctx, setPrivateToCypher, map[string]any{"ids": inline.ids, "privateTo": inline.privateTo}); err != nil {
			return nil, err
		}
	}
	t.touchTargets(batchTargets(p)...)
	t.touchAssessments(batchAssessments(p)...)
	for id := range p.nodeLabel {
		t.wrote(id)
	}
	t.summarize(loadSummary(rep))
	return rep, nil
}

// batchAssessments returns the assessments and treatments of p, and the
// assessments its relationships start from: those whose comparison refs
// the load may have changed.
func batchAssessments(p *preparedBatch) []string {
	var ids []string
	for _, label := range []string{model.LabelAssessment, model.LabelTreatment} {
		for _, row := range p.nodes[label] {
			if id, _ := row["id"].(string); id != "" {
				ids = append(ids, id)
			}
		}
	}
	for _, k := range p.relKeys {
		if k.From == model.LabelAssessment {
			for _, row := range p.rels[k] {
				if id, _ := row["from"].(string); id != "" {
					ids = append(ids, id)
				}
			}
		}
	}
	return ids
}

// loadSummary says in one line what a load wrote, for the audit trail:
// the source and the nodes and relationships created, updated and left
// unchanged (never the document's contents).
func loadSummary(rep *ingest.Report) string {
	var n, r ingest.Counts
	for _, c := range rep.Nodes {
		n.Created, n.Updated, n.Unchanged = n.Created+c.Created, n.Updated+c.Updated, n.Unchanged+c.Unchanged
	}
	for _, c := range rep.Rels {
		r.Created, r.Updated, r.Unchanged = r.Created+c.Created, r.Updated+c.Updated, r.Unchanged+c.Unchanged
	}
	return fmt.Sprintf("load %s (%s): nodes %d created, %d updated, %d unchanged; relationships %d created, %d updated, %d unchanged",
		rep.Source, rep.Format, n.Created, n.Updated, n.Unchanged, r.Created, r.Updated, r.Unchanged)
}

// derivedIDLabels are the labels whose batch nodes may carry a derived id
// (ingest's nativeChildID), in the order resolveDerivedIDs resolves them:
// parents first.
var derivedIDLabels = []string{model.LabelAssessment, model.LabelTreatment}

// derivedIDCypher returns the statement that finds, for each natural key,
// the id of the stored node of the label that has it as idKey, or (stored
// before schema version 6) as its id. Called only with constants.
func derivedIDCypher(label string) string {
	return `
UNWIND $keys AS key
OPTIONAL MATCH (m:` + label + ` {idKey: key})
OPTIONAL MATCH (n:` + label + ` {id: key})
RETURN key, coalesce(m.id, n.id) AS id`
}

var derivedIDStatements = map[string]string{
	model.LabelAssessment: derivedIDCypher(model.LabelAssessment),
	model.LabelTreatment:  derivedIDCypher(model.LabelTreatment),
}

// derivedIDParent is, for each label of derivedIDLabels, the property that
// names the parent and the kind of the ids minted under it.
var derivedIDParent = map[string][2]string{
	model.LabelAssessment: {"analysisId", "as"},
	model.LabelTreatment:  {"assessmentId", "tr"},
}

// resolveDerivedIDs replaces, in p, every id ingest derived from public
// values (a node whose idKey property equals its id) by the id of the
// stored node with that idKey, or a new random one (analysisChildID), so
// that stored ids cannot be computed while loading a document again
// updates the nodes it created. The uniqueness constraints on idKey keep
// two concurrent loads of one document from both creating a node: one
// fails with CONFLICT. References to a replaced id (relationship ends,
// properties named …Id) follow.
func resolveDerivedIDs(ctx context.Context, t *txn, p *preparedBatch) error {
	ids := map[string]string{}
	for _, label := range derivedIDLabels {
		var keys []string
		parents := map[string]string{}
		for _, row := range p.nodes[label] {
			props := row["props"].(map[string]any)
			if k, _ := props["idKey"].(string); k != "" && k == row["id"] {
				keys = append(keys, k)
				parent, _ := props[derivedIDParent[label][0]].(string)
				parents[k] = cmp.Or(ids[parent], parent)
			}
		}
		if len(keys) == 0 {
			continue
		}
		recs, err := t.run(ctx, derivedIDStatements[label], map[string]any{"keys": keys})
		if err != nil {
			return err
		}
		for _, r := range recs {
			key, _ := r.Values[0].(string)
			id, _ := r.Values[1].(string)
			if id == "" {
				id = analysisChildID(parents[key], derivedIDParent[label][1])
			}
			ids[key] = id
		}
	}
	if len(ids) == 0 {
		return nil
	}
	renamed := func(v any) any {
		if s, ok := v.(string); ok {
			if id, ok := ids[s]; ok {
				return id
			}
		}
		return v
	}
	for _, label := range p.labels {
		for _, row := range p.nodes[label] {
			row["id"] = renamed(row["id"])
			for k, v := range row["props"].(map[string]any) {
				if k != "idKey" && strings.HasSuffix(k, "Id") {
					row["props"].(map[string]any)[k] = renamed(v)
				}
			}
		}
	}
	for key, id := range ids {
		if l, ok := p.nodeLabel[key]; ok && key != id {
			p.nodeLabel[id] = l
			delete(p.nodeLabel, key)
		}
	}
	for _, rows := range p.rels {
		for _, row := range rows {
			row["from"], row["to"] = renamed(row["from"]), renamed(row["to"])
		}
	}
	return nil
}

// inlineLabels are the labels of the nodes an analysis creates inline,
// private to it while it is PRIVATE (model.InlineReadable).
var inlineLabels = []string{model.LabelIncident, model.LabelThreat, model.LabelMeasure}

// storedIDsCypher returns which of the given ids are stored.
const storedIDsCypher = `
UNWIND $ids AS id
MATCH (n:` + model.LabelEntity + ` {id: id})
RETURN collect(id) AS stored`

const setPrivateToCypher = `
UNWIND $ids AS id
MATCH (n:` + model.LabelEntity + ` {id: id})
SET n.privateTo = $privateTo`

// inlineNodes are the nodes a load creates with the analyses they are
// private to.
type inlineNodes struct {
	ids       []string
	privateTo []string
}

// newInlineNodes returns the incidents, threats and measures that p would
// create when p holds a PRIVATE analysis: they become private to it, as
// assessIncident's inline nodes do. Nodes already stored keep their
// readers.
func newInlineNodes(ctx context.Context, t *txn, p *preparedBatch) (inlineNodes, error) {
	var private []string
	for _, row := range p.nodes[model.LabelAnalysis] {
		if props, _ := row["props"].(map[string]any); props["visibility"] == string(model.VisibilityPrivate) {
			private = append(private, row["id"].(string))
		}
	}
	var ids []string
	for _, label := range inlineLabels {
		for _, row := range p.nodes[label] {
			if id, _ := row["id"].(string); id != "" {
				ids = append(ids, id)
			}
		}
	}
	if len(private) == 0 || len(ids) == 0 {
		return inlineNodes{}, nil
	}
	recs, err := t.run(ctx, storedIDsCypher, map[string]any{"ids": ids})
	if err != nil {
		return inlineNodes{}, err
	}
	stored := map[any]bool{}
	list, _ := recs[0].Values[0].([]any)
	for _, id := range list {
		stored[id] = true
	}
	ids = slices.DeleteFunc(ids, func(id string) bool { return stored[id] })
	return inlineNodes{ids: ids, privateTo: private}, nil
}

// analysisLabels are the labels of what makes up an analysis.
var analysisLabels = []string{model.LabelAnalysis, model.LabelAssessment, model.LabelTreatment}

// analysisRels are the relationships that hang from an analysis.
var analysisRels = []string{model.RelAuthored, model.RelAnalyzes, model.RelHasAssessment, model.RelOf, model.RelCausedBy, model.RelThrough, model.RelOwnedBy, model.RelTreatedBy, model.RelApplies, model.RelReliesOn, model.RelNotApplicable}

// changed reports whether counts show anything created or updated of kinds.
func changed(counts map[string]ingest.Counts, kinds []string) bool {
	for _, k := range kinds {
		if c := counts[k]; c.Created+c.Updated > 0 {
			return true
		}
	}
	return false
}

// storedTargetsCypher finds, among the given assets and incidents, those
// stored under another target than the row names.
const storedTargetsCypher = `
UNWIND $rows AS row
MATCH (n:` + model.LabelEntity + ` {id: row.id})
WHERE (n:` + model.LabelAsset + ` OR n:` + model.LabelIncident + `) AND n.targetId IS NOT NULL AND n.targetId <> row.target
RETURN row.i AS i, n.targetId AS stored ORDER BY i LIMIT 1`

// checkTargetsUnchanged refuses a batch that would put a stored asset or
// incident under another target than the one it belongs to, as the
// mutations do (checkTargetUnchanged): an asset or incident belongs to one
// target, and its target's analyses rate it. The *ingest.Error names the
// document path that attaches it. It applies to every load, the operator's
// CLI included: it is a rule of the data, not of rights.
func checkTargetsUnchanged(ctx context.Context, t *txn, p *preparedBatch) error {
	if len(p.attached) == 0 {
		return nil
	}
	rows := make([]map[string]any, len(p.attached))
	for i, a := range p.attached {
		rows[i] = map[string]any{"i": int64(i), "id": a.id, "target": a.target}
	}
	recs, err := t.run(ctx, storedTargetsCypher, map[string]any{"rows": rows})
	if err != nil || len(recs) == 0 {
		return err
	}
	i, _ := recs[0].Values[0].(int64)
	stored, _ := recs[0].Values[1].(string)
	a := p.attached[i]
	return &ingest.Error{File: p.source, Path: a.where, Message: fmt.Sprintf("%s %s belongs to target %s; its target cannot change (use another id for target %s)",
		humanLabel(a.label), a.id, stored, a.target)}
}

// submittedAnalysesCypher finds the stored analyses that are no longer
// drafts among the given analyses, and those owning the given
// assessments or treatments.
const submittedAnalysesCypher = `
UNWIND $ids AS id
MATCH (n:` + model.LabelEntity + ` {id: id})
OPTIONAL MATCH (a2:` + model.LabelAnalysis + `)-[:` + model.RelHasAssessment + `]->(n)
OPTIONAL MATCH (a3:` + model.LabelAnalysis + `)-[:` + model.RelHasAssessment + `]->(:` + model.LabelAssessment + `)-[:` + model.RelTreatedBy + `]->(n)
WITH coalesce(CASE WHEN n:` + model.LabelAnalysis + ` THEN n END, a2, a3) AS a
WHERE a IS NOT NULL AND a.status <> 'DRAFT'
RETURN DISTINCT a.id AS id ORDER BY id`

// submittedAnalyses returns the ids of the submitted analyses that p would
// write to: analyses, assessments and treatments among its nodes, and the
// starting ends of its relationships. A submitted version is immutable, so
// the load may not change anything of an analysis when it names one.
func submittedAnalyses(ctx context.Context, t *txn, p *preparedBatch) ([]string, error) {
	var ids []string
	for _, label := range analysisLabels {
		for _, row := range p.nodes[label] {
			if id, _ := row["id"].(string); id != "" {
				ids = append(ids, id)
			}
		}
	}
	for _, k := range p.relKeys {
		if slices.Contains(analysisLabels, k.From) {
			for _, row := range p.rels[k] {
				if id, _ := row["from"].(string); id != "" {
					ids = append(ids, id)
				}
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	slices.Sort(ids)
	recs, err := t.run(ctx, submittedAnalysesCypher, map[string]any{"ids": slices.Compact(ids)})
	if err != nil {
		return nil, err
	}
	return firstColumn(recs), nil
}

// guidelineChanges returns a warning for each guideline of p that is
// stored with another title or version than p gives it (checkEnds read the
// stored ones). Two documents that claim one guideline id (two releases of
// a catalog, or a document whose title ingest reads as another's) would
// otherwise overwrite each other's title and version silently. The load
// goes on (a new release is a legitimate update), so the warning names the
// old and the new values.
func guidelineChanges(p *preparedBatch) []ingest.Warning {
	var out []ingest.Warning
	for _, row := range p.nodes[model.LabelGuideline] {
		id := row["id"].(string)
		old, ok := p.storedGuidelines[id]
		if !ok {
			continue
		}
		next := row["props"].(map[string]any)
		var changes []string
		for _, k := range []string{"title", "version"} {
			v, set := next[k]
			if s, _ := v.(string); set && old.strPtr(k) != nil && *old.strPtr(k) != s {
				changes = append(changes, fmt.Sprintf("%s %q → %q", k, *old.strPtr(k), s))
			}
		}
		if len(changes) > 0 {
			out = append(out, ingest.Warning{Location: "guideline " + id,
				Message: fmt.Sprintf("this document changes the stored guideline's %s: another document (an earlier release?) claims the id %s", strings.Join(changes, " and "), id)})
		}
	}
	return out
}

// batchTargets lists the targets of the analyses p writes.
func batchTargets(p *preparedBatch) []string {
	var out []string
	for _, row := range p.nodes[model.LabelAnalysis] {
		props, _ := row["props"].(map[string]any)
		if t, _ := props["targetId"].(string); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// writeChunks runs cypher over rows in chunks of at most ingestChunk and
// adds up the outcomes it returns.
func writeChunks(ctx context.Context, t *txn, cypher string, rows []map[string]any) (ingest.Counts, error) {
	var c ingest.Counts
	for chunk := range slices.Chunk(rows, ingestChunk) {
		recs, err := t.run(ctx, cypher, map[string]any{"rows": chunk})
		if err != nil {
			return c, err
		}
		for _, r := range recs {
			outcome, _ := r.Values[0].(string)
			n, _ := r.Values[1].(int64)
			switch outcome {
			case "created":
				c.Created += int(n)
			case "updated":
				c.Updated += int(n)
			case "unchanged":
				c.Unchanged += int(n)
			}
		}
		ingest.ReportProgress(ctx, len(chunk))
	}
	return c, nil
}

// checkEnds looks up, in one query, every id of the batch's nodes and of
// the relationship ends outside the batch. It fails when a batch node's id
// is stored with another label, or when an outside end is not stored with
// the label the relationship needs.
func checkEnds(ctx context.Context, t *txn, p *preparedBatch) error {
	ids := make([]string, 0, len(p.nodeLabel)+len(p.external))
	seen := make(map[string]bool, cap(ids))
	for _, label := range p.labels {
		for _, row := range p.nodes[label] {
			id := row["id"].(string)
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, e := range p.external {
		if !seen[e.id] {
			seen[e.id] = true
			ids = append(ids, e.id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	recs, err := t.run(ctx, ingestLabelsCypher, map[string]any{"ids": ids})
	if err != nil {
		return err
	}
	stored := make(map[string][]string, len(recs))
	p.storedGuidelines = map[string]props{}
	for _, r := range recs {
		id, _ := r.Values[0].(string)
		raw, _ := r.Values[1].([]any)
		for _, l := range raw {
			if s, ok := l.(string); ok && s != model.LabelEntity {
				stored[id] = append(stored[id], s)
			}
		}
		if g, ok := r.Values[2].(map[string]any); ok {
			p.storedGuidelines[id] = props(g)
		}
	}
	var conflicts []string
	for _, label := range p.labels {
		for _, row := range p.nodes[label] {
			id := row["id"].(string)
			if ls, ok := stored[id]; ok && !slices.Contains(ls, label) {
				conflicts = append(conflicts, fmt.Sprintf("%s %s: the database has a %s with this id", humanLabel(label), id, humanLabel(mainLabel(ls))))
			}
		}
	}
	if len(conflicts) > 0 {
		return &ingest.Error{File: p.source, Message: listProblems(conflicts, "node ids are taken by nodes of another kind")}
	}
	var absent []externalEnd // not stored at all
	var missing []string
	var firstWhere string
	addMissing := func(where, msg string) {
		if len(missing) == 0 {
			firstWhere = where
		}
		missing = append(missing, where+": "+msg)
	}
	for _, e := range p.external {
		ls, ok := stored[e.id]
		switch {
		case ok && slices.Contains(ls, e.label):
		case ok:
			addMissing(cmp.Or(e.where, e.rel), fmt.Sprintf("%s %s is a %s in the database, not a %s", humanLabel(e.label), e.id, humanLabel(mainLabel(ls)), humanLabel(e.label)))
		default:
			absent = append(absent, e)
		}
	}
	absent, err = skipUnknownMappedClauses(ctx, t, p, absent)
	if err != nil {
		return err
	}
	for _, e := range absent {
		msg := fmt.Sprintf("%s %s is not loaded", humanLabel(e.label), e.id)
		if e.hint != "" {
			msg += fmt.Sprintf("; ingest %s first (or give both files in one run)", e.hint)
		}
		addMissing(cmp.Or(e.where, e.rel), msg)
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return &ingest.Error{File: p.source, Path: firstWhere, Message: strings.TrimPrefix(missing[0], firstWhere+": ")}
	}
	return &ingest.Error{File: p.source, Message: listProblems(missing, "relationship ends are not in the database")}
}

// ingestSiblingsCypher says, for each id prefix, whether a stored clause
// has an id that starts with it.
const ingestSiblingsCypher = `
UNWIND $prefixes AS prefix
RETURN prefix, EXISTS { MATCH (c:` + model.LabelClause + `) WHERE c.id STARTS WITH prefix } AS loaded`

// skipUnknownMappedClauses drops, with a warning, each MAPS_TO whose
// missing end is a clause of a guideline that is loaded (stored clauses
// share the missing id's prefix up to its last ':'): a crosswalk made for
// another revision of a guideline can name clauses the loaded revision does
// not have, and that should not keep the rest of the crosswalk out. It
// returns the ends that are still missing: those of other relationships,
// and clauses of guidelines that are not loaded at all.
func skipUnknownMappedClauses(ctx context.Context, t *txn, p *preparedBatch, absent []externalEnd) ([]externalEnd, error) {
	prefixOf := func(e externalEnd) string {
		if e.key.Type != model.RelMapsTo || e.label != model.LabelClause {
			return ""
		}
		return e.id[:strings.LastIndex(e.id, ":")+1]
	}
	var prefixes []string
	for _, e := range absent {
		if pre := prefixOf(e); pre != "" && !slices.Contains(prefixes, pre) {
			prefixes = append(prefixes, pre)
		}
	}
	if len(prefixes) == 0 {
		return absent, nil
	}
	recs, err := t.run(ctx, ingestSiblingsCypher, map[string]any{"prefixes": prefixes})
	if err != nil {
		return nil, err
	}
	loaded := map[string]bool{}
	for _, r := range recs {
		pre, _ := r.Values[0].(string)
		ok, _ := r.Values[1].(bool)
		loaded[pre] = ok
	}
	skip := map[ingestRelKey]map[int]bool{}
	var still []externalEnd
	for _, e := range absent {
		pre := prefixOf(e)
		if pre == "" || !loaded[pre] {
			still = append(still, e)
			continue
		}
		if skip[e.key] == nil {
			skip[e.key] = map[int]bool{}
		}
		if !skip[e.key][e.row] {
			skip[e.key][e.row] = true
			p.warnings = append(p.warnings, ingest.Warning{Location: cmp.Or(e.where, e.rel),
				Message: fmt.Sprintf("clause %s is not in the loaded guideline (a crosswalk for another revision?); this mapping is skipped", e.id)})
		}
	}
	for k, rows := range skip {
		kept := p.rels[k][:0:0]
		for i, row := range p.rels[k] {
			if !rows[i] {
				kept = append(kept, row)
			}
		}
		p.rels[k] = kept
		if len(kept) == 0 {
			p.relKeys = slices.DeleteFunc(p.relKeys, func(x ingestRelKey) bool { return x == k })
		}
	}
	return still, nil
}

// listProblems joins problems under a heading that counts them, showing at
// most ingestMissingShown.
func listProblems(problems []string, what string) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d %s:", len(problems), what)
	for i, p := range problems {
		if i == ingestMissingShown {
			fmt.Fprintf(&sb, "\n\t… and %d more", len(problems)-i)
			break
		}
		sb.WriteString("\n\t" + p)
	}
	return sb.String()
}

// mainLabel returns the first of a stored node's labels, for messages.
func mainLabel(labels []string) string {
	if len(labels) == 0 {
		return "node"
	}
	slices.Sort(labels)
	return labels[0]
}

// humanLabel writes a label in words: InsurancePolicy → insurance policy.
func humanLabel(label string) string {
	var sb strings.Builder
	for i, r := range label {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				sb.WriteByte(' ')
			}
			r += 'a' - 'A'
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// preparedBatch is a validated batch, deduplicated and grouped into the
// rows each statement takes.
type preparedBatch struct {
	source   string
	format   ingest.Format
	warnings []ingest.Warning
	// labels lists the node labels present, sorted; nodes holds each one's
	// rows {id, props} in batch order.
	labels []string
	nodes  map[string][]map[string]any
	// nodeLabel is each batch node's label, by id.
	nodeLabel map[string]string
	// relKeys lists the relationship kinds present, sorted; rels holds
	// each one's rows {from, to, props} in batch order.
	relKeys []ingestRelKey
	rels    map[ingestRelKey][]map[string]any
	// external lists the relationship ends that are not batch nodes.
	external []externalEnd
	// storedGuidelines holds the stored title and version of the batch's
	// guidelines that exist already, as checkEnds found them.
	storedGuidelines map[string]props
	// attached lists the assets and incidents the batch attaches to a
	// target (HAS_ASSET, HAS_INCIDENT), for checkTargetsUnchanged.
	attached []attachment
}

// attachment is an asset or incident that a batch puts under a target.
type attachment struct {
	id, label, target, where string
}

// externalEnd is a relationship end that must be stored already.
type externalEnd struct {
	id, label  string
	where, rel string // the Rel's Where, and a description of it
	hint       string
	// key and row locate the relationship's row in preparedBatch.rels.
	key ingestRelKey
	row int
}

// prepareBatch validates b and groups it into rows. It merges a node or
// relationship given twice (a warning when their properties disagree: the
// last value wins) and fails with an *ingest.Error on an unknown label,
// relationship type or end labels, an empty or overlong id, an id given with
// two labels, or a property value Neo4j cannot store.
func prepareBatch(b *ingest.Batch) (*preparedBatch, error) {
	if b == nil {
		return nil, &ingest.Error{Message: "no batch to load"}
	}
	source := cmp.Or(b.Source, "document")
	fail := func(path, format string, args ...any) error {
		return &ingest.Error{File: source, Path: path, Message: fmt.Sprintf(format, args...)}
	}
	if n := len(b.Nodes) + len(b.Rels); n > ingest.MaxRecords {
		return nil, fail("", "%d nodes and relationships; the limit is %d per document", n, ingest.MaxRecords)
	}
	p := &preparedBatch{source: source, format: b.Format, warnings: slices.Clone(b.Warnings),
		nodes: map[string][]map[string]any{}, nodeLabel: map[string]string{}, rels: map[ingestRelKey][]map[string]any{}}
	rowOf := map[string]map[string]any{}
	for i, n := range b.Nodes {
		where := fmt.Sprintf("node %q", n.ID)
		if _, ok := ingestNodeStatements[n.Label]; !ok {
			return nil, fail("", "%s (batch node %d): label %q is not one ingest writes", where, i, n.Label)
		}
		if err := checkID(n.ID); err != nil {
			return nil, fail("", "%s node (batch node %d): %v", n.Label, i, err)
		}
		props, err := storableProps(n.Props)
		if err != nil {
			return nil, fail("", "%s %s: %v", humanLabel(n.Label), n.ID, err)
		}
		if id, ok := props["id"]; ok {
			if id != n.ID {
				return nil, fail("", "%s %s: property id is %v", humanLabel(n.Label), n.ID, id)
			}
			delete(props, "id")
		}
		if l, ok := p.nodeLabel[n.ID]; ok {
			if l != n.Label {
				return nil, fail("", "id %s is given both as a %s and as a %s", n.ID, humanLabel(l), humanLabel(n.Label))
			}
			if k, ok := mergeProps(rowOf[n.ID]["props"].(map[string]any), props); !ok {
				p.warnings = append(p.warnings, ingest.Warning{Location: fmt.Sprintf("%s %s", humanLabel(n.Label), n.ID),
					Message: fmt.Sprintf("given twice with different values of %s; the last one is kept", k)})
			}
			continue
		}
		p.nodeLabel[n.ID] = n.Label
		row := map[string]any{"id": n.ID, "props": props}
		rowOf[n.ID] = row
		p.nodes[n.Label] = append(p.nodes[n.Label], row)
	}
	type relID struct{ typ, from, to string }
	relRow := map[relID]map[string]any{}
	for i, r := range b.Rels {
		k := ingestRelKey{r.Type, r.FromLabel, r.ToLabel}
		desc := fmt.Sprintf("%s from %s %s to %s %s", r.Type, humanLabel(r.FromLabel), r.From, humanLabel(r.ToLabel), r.To)
		where := cmp.Or(r.Where, fmt.Sprintf("relationship %d", i))
		if _, ok := ingestRelStatements[k]; !ok {
			return nil, fail(r.Where, "relationship %s: ingest writes no %s from a %s to a %s", desc, r.Type, humanLabel(r.FromLabel), humanLabel(r.ToLabel))
		}
		var ends []externalEnd
		for _, end := range []struct{ id, label string }{{r.From, r.FromLabel}, {r.To, r.ToLabel}} {
			if err := checkID(end.id); err != nil {
				return nil, fail(r.Where, "relationship %s: %v", desc, err)
			}
			switch l, ok := p.nodeLabel[end.id]; {
			case !ok:
				ends = append(ends, externalEnd{id: end.id, label: end.label, where: r.Where, rel: where, hint: r.Hint, key: k, row: len(p.rels[k])})
			case l != end.label:
				return nil, fail(r.Where, "relationship %s: %s is a %s in this document", desc, end.id, humanLabel(l))
			}
		}
		props, err := storableProps(r.Props)
		if err != nil {
			return nil, fail(r.Where, "relationship %s: %v", desc, err)
		}
		id := relID{r.Type, r.From, r.To}
		if row, ok := relRow[id]; ok {
			if name, ok := mergeProps(row["props"].(map[string]any), props); !ok {
				p.warnings = append(p.warnings, ingest.Warning{Location: where,
					Message: fmt.Sprintf("%s is given twice with different values of %s; the last one is kept", desc, name)})
			}
			continue
		}
		p.external = append(p.external, ends...)
		if r.Type == model.RelHasAsset || r.Type == model.RelHasIncident {
			p.attached = append(p.attached, attachment{id: r.To, label: r.ToLabel, target: r.From, where: where})
		}
		row := map[string]any{"from": r.From, "to": r.To, "props": props}
		relRow[id] = row
		p.rels[k] = append(p.rels[k], row)
	}
	for l := range p.nodes {
		p.labels = append(p.labels, l)
	}
	slices.Sort(p.labels)
	for k := range p.rels {
		p.relKeys = append(p.relKeys, k)
	}
	slices.SortFunc(p.relKeys, func(a, b ingestRelKey) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	return p, nil
}

// checkID says what is wrong with a node id, if anything.
func checkID(id string) error {
	switch {
	case strings.TrimSpace(id) == "":
		return errors.New("empty id")
	case len(id) > ingestMaxID:
		return fmt.Errorf("id %.40q… is longer than %d bytes", id, ingestMaxID)
	}
	return nil
}

// mergeProps copies src into dst and reports the first key (in order) whose
// value it changed, with ok false, when there is one.
func mergeProps(dst, src map[string]any) (string, bool) {
	changed := ""
	for _, k := range slices.Sorted(maps.Keys(src)) {
		if old, ok := dst[k]; ok && changed == "" && !reflect.DeepEqual(old, src[k]) {
			changed = k
		}
		dst[k] = src[k]
	}
	return changed, changed == ""
}

// storableProps returns a copy of props with values Neo4j stores: strings,
// bools, integers, floats, times, lists of strings, and nil (which removes
// the property). It fails on any other value and on an empty key.
func storableProps(props map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(props))
	for k, v := range props {
		if k == "" {
			return nil, errors.New("a property with an empty name")
		}
		switch v := v.(type) {
		case nil, string, bool, int64, float64, time.Time:
			out[k] = v
		case int:
			out[k] = int64(v)
		case int32:
			out[k] = int64(v)
		case float32:
			out[k] = float64(v)
		case []string:
			out[k] = slices.Clone(v)
		case []any:
			ss := make([]string, len(v))
			for i, e := range v {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("property %s: a list may hold only strings, not %T", k, e)
				}
				ss[i] = s
			}
			out[k] = ss
		default:
			return nil, fmt.Errorf("property %s: a %T cannot be stored", k, v)
		}
	}
	return out, nil
}
