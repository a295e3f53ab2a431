package neo4j

import (
	"context"
	"fmt"
	"maps"
	"math"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

var _ model.CatalogService = (*DB)(nil)

// catalogRef is a reference to a node that must exist: its id, one of its
// labels, the input field that names it and what to call it in errors.
type catalogRef struct {
	field, label, id, what string
}

const catalogRefsCypher = `
UNWIND $refs AS r
OPTIONAL MATCH (n:` + model.LabelEntity + ` {id: r.id}) WHERE r.label IN labels(n)
RETURN r.i AS i, n`

// catalogResolve checks that every ref exists, in one round trip, and
// returns their nodes in order. It returns ENOTFOUND naming the first
// missing reference's field.
func catalogResolve(ctx context.Context, tx *txn, refs ...catalogRef) ([]neo4j.Node, error) {
	rows := make([]map[string]any, len(refs))
	for i, r := range refs {
		rows[i] = map[string]any{"i": i, "id": r.id, "label": r.label}
	}
	recs, err := tx.run(ctx, catalogRefsCypher, map[string]any{"refs": rows})
	if err != nil {
		return nil, err
	}
	out := make([]neo4j.Node, len(refs))
	found := make([]bool, len(refs))
	for _, rec := range recs {
		i, _ := rec.Values[0].(int64)
		if n, ok := rec.Values[1].(neo4j.Node); ok && int(i) < len(refs) {
			out[i], found[i] = n, true
		}
	}
	for i, r := range refs {
		if !found[i] {
			return nil, model.FieldErrorf(model.ENOTFOUND, r.field, "no %s %q", r.what, r.id)
		}
	}
	return out, nil
}

const catalogIDTakenCypher = `
MATCH (n:` + model.LabelEntity + ` {id: $id}) RETURN labels(n) AS labels`

// catalogFreeID returns ECONFLICT naming field when a node already has id.
func catalogFreeID(ctx context.Context, tx *txn, field, id string) error {
	recs, err := tx.run(ctx, catalogIDTakenCypher, map[string]any{"id": id})
	if err != nil {
		return err
	}
	if len(recs) > 0 {
		return model.FieldErrorf(model.ECONFLICT, field, "the id %q is already taken", id)
	}
	return nil
}

// catalogGone is the error for a node that was there when checked but
// gone when written: another transaction deleted it meanwhile.
func catalogGone(field string) error {
	return model.FieldErrorf(model.ECONFLICT, field, "a node this change refers to was deleted meanwhile; try again")
}

// catalogSameID returns EINVALID when an update's input names an id other
// than the node's: ids never change.
func catalogSameID(field string, in *string, id string) error {
	if in != nil && *in != "" && *in != id {
		return model.FieldErrorf(model.EINVALID, field, "an update cannot change the id (%q to %q)", id, model.Truncate(*in, 60))
	}
	return nil
}

// catalogUnit checks an optional share or confidence: from 0 to 1.
func catalogUnit(field string, v *float64) (any, error) {
	if v == nil {
		return nil, nil
	}
	if math.IsNaN(*v) || *v < 0 || *v > 1 {
		return nil, model.FieldErrorf(model.EINVALID, field, "%s must be from 0 to 1, got %v", field, *v)
	}
	return *v, nil
}

// catalogStr turns an optional string into a Cypher parameter (null when nil).
func catalogStr(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// ---------------------------------------------------------------- threats

// catalogWrite is one create or update of a catalog node: the statement
// (with $id and $props), the validated properties, and what to check in
// the transaction before writing (nil for nothing).
type catalogWrite struct {
	op, what, cypher string
	props            map[string]any
	check            func(ctx context.Context, tx *txn) error
}

// catalogCreate creates the node w describes with the chosen id (checked,
// and free) or a new one, owned by the caller's organization (ownerId; see
// model.Principal.EditsShared; none without a caller, as for an
// operator's command). It returns EINVALID for a bad id and ECONFLICT when
// the id is taken.
func catalogCreate[T any](ctx context.Context, db *DB, w catalogWrite, chosen *string) (*T, error) {
	id, err := newID("input.id", chosen, w.what)
	if err != nil {
		return nil, err
	}
	if p := model.PrincipalFrom(ctx); p != nil && p.OrganizationID != "" {
		w.props = maps.Clone(w.props)
		w.props["ownerId"] = p.OrganizationID
	}
	return writeTx(ctx, db, w.op, w.what+" "+id, func(tx *txn) (*T, error) {
		if w.check != nil {
			if err := w.check(ctx, tx); err != nil {
				return nil, err
			}
		}
		if err := catalogFreeID(ctx, tx, "input.id", id); err != nil {
			return nil, err
		}
		return txNode[T](ctx, tx, w.cypher, map[string]any{"id": id, "props": w.props})
	})
}

// catalogUpdate sets the properties w gives on the node id. It returns
// EINVALID for a bad id or an input id that differs, and ENOTFOUND when
// there is no such node.
func catalogUpdate[T any](ctx context.Context, db *DB, w catalogWrite, id string, inputID *string) (*T, error) {
	if err := model.ValidID("id", id); err != nil {
		return nil, err
	}
	if err := catalogSameID("input.id", inputID, id); err != nil {
		return nil, err
	}
	return writeTx(ctx, db, w.op, w.what+" "+id, func(tx *txn) (*T, error) {
		if w.check != nil {
			if err := w.check(ctx, tx); err != nil {
				return nil, err
			}
		}
		n, err := txNode[T](ctx, tx, w.cypher, map[string]any{"id": id, "props": w.props})
		if err == nil && n == nil {
			err = model.FieldErrorf(model.ENOTFOUND, "id", "no %s %q", w.what, model.Truncate(id, 60))
		}
		return n, err
	})
}

// optionalString is the value of s, "" when it is nil.
func optionalString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// threatProps returns the properties a validated threat is stored with.
func threatProps(in model.ThreatInput) map[string]any {
	return map[string]any{"name": in.Name, "kind": in.Kind, "description": optionalString(in.Description),
		"externalId": catalogStr(in.ExternalID), "source": catalogStr(in.Source)}
}

const createThreatCypher = `
CREATE (n:` + model.LabelThreat + `:` + model.LabelEntity + ` {id: $id})
SET n += $props
RETURN n`

// CreateThreat adds a threat to the catalog. It returns EINVALID for a bad
// field and ECONFLICT when the chosen id is taken.
func (db *DB) CreateThreat(ctx context.Context, in model.ThreatInput) (*model.Threat, error) {
	if err := in.Validate("input"); err != nil {
		return nil, err
	}
	return catalogCreate[model.Threat](ctx, db, catalogWrite{op: "neo4j.CreateThreat", what: "threat", cypher: createThreatCypher, props: threatProps(in)}, in.ID)
}

const updateThreatCypher = `
MATCH (n:` + model.LabelThreat + ` {id: $id})
SET n += $props
RETURN n`

// UpdateThreat replaces a threat's fields. It returns ENOTFOUND for an
// unknown threat and EINVALID for a bad field.
func (db *DB) UpdateThreat(ctx context.Context, id string, in model.ThreatInput) (*model.Threat, error) {
	if err := in.Validate("input"); err != nil {
		return nil, err
	}
	return catalogUpdate[model.Threat](ctx, db, catalogWrite{op: "neo4j.UpdateThreat", what: "threat", cypher: updateThreatCypher, props: threatProps(in)}, id, in.ID)
}

// The *DependentsCypher statements first write-lock the node (by setting
// and removing a dummy property), so that no other transaction can link to
// it between the count and the delete.
const threatDependentsCypher = `
MATCH (t:` + model.LabelThreat + ` {id: $id})
SET t._lock = true REMOVE t._lock
RETURN COUNT { MATCH (a:` + model.LabelAnalysis + `)-[:` + model.RelHasAssessment + `]->(:` + model.LabelAssessment + `)-[:` + model.RelCausedBy + `]->(t)
               WHERE a.status <> 'DRAFT' } AS frozen,
       COUNT { (:` + model.LabelAssessment + `)-[:` + model.RelCausedBy + `]->(t) } AS assessments,
       COUNT { (:` + model.LabelCoverageLine + `)-[:` + model.RelCovers + `]->(t) } AS lines,
       COUNT { ()-[:` + model.RelAbout + `]->(t) } AS about`

const deleteThreatCypher = `
MATCH (t:` + model.LabelThreat + ` {id: $id})
OPTIONAL MATCH (a:` + model.LabelAnalysis + `)-[:` + model.RelHasAssessment + `]->(:` + model.LabelAssessment + `)-[:` + model.RelCausedBy + `]->(t)
SET a.updatedAt = datetime()
WITH t, collect(DISTINCT a.targetId) AS targets, collect(DISTINCT a.id) AS nodes
DETACH DELETE t
RETURN targets, nodes`

// DeleteThreat deletes a threat with its mitigation links. It returns
// ENOTFOUND for an unknown threat and ECONFLICT while assessments name it
// or coverage lines cover it, unless cascade is true: then it is removed
// from those draft assessments and coverage lines. It always refuses
// (ECONFLICT) while an assessment of a submitted analysis names it, or
// while feedback or opinions are about it.
func (db *DB) DeleteThreat(ctx context.Context, id string, cascade bool) error {
	return db.deleteCatalogEntry(ctx, deletion{op: "neo4j.DeleteThreat", what: "threat", plan: threatDependentsCypher,
		use:    &inUse{frozen: "frozen", frozenNoun: "assessment", uses: []string{"assessments", "assessment", "lines", "coverage line"}},
		remove: removeWith(deleteThreatCypher)}, id, cascade)
}

// ---------------------------------------------------------------- measures

// measureProps returns the properties a validated measure is stored with.
// That its perspective exists is checked by catalogCheckPerspective, inside
// the transaction.
func measureProps(in model.MeasureInput) map[string]any {
	return map[string]any{"name": in.Name, "description": optionalString(in.Description), "perspective": in.Perspective, "kind": in.Kind}
}

const perspectiveCypher = `
OPTIONAL MATCH (p:` + model.LabelPerspective + ` {id: $code})
RETURN p IS NOT NULL AS ok, COLLECT { MATCH (q:` + model.LabelPerspective + `) RETURN q.id ORDER BY q.id } AS codes`

// catalogCheckPerspective returns EINVALID naming field unless code is the code
// of a stored Perspective (P1 to P4 as seeded).
func catalogCheckPerspective(ctx context.Context, tx *txn, field, code string) error {
	recs, err := tx.run(ctx, perspectiveCypher, map[string]any{"code": code})
	if err != nil {
		return err
	}
	if len(recs) > 0 {
		if ok, _ := recs[0].Values[0].(bool); ok {
			return nil
		}
		var codes []string
		for _, c := range recs[0].Values[1].([]any) {
			if s, ok := c.(string); ok {
				codes = append(codes, s)
			}
		}
		return model.FieldErrorf(model.EINVALID, field, "unknown perspective %q; use one of %s", model.Truncate(code, 60), strings.Join(codes, ", "))
	}
	return model.FieldErrorf(model.EINVALID, field, "unknown perspective %q", model.Truncate(code, 60))
}

const createMeasureCypher = `
CREATE (n:` + model.LabelMeasure + `:` + model.LabelEntity + ` {id: $id})
SET n += $props
RETURN n`

// CreateMeasure adds a measure to the catalog. It returns EINVALID for a
// bad field or an unknown perspective and ECONFLICT when the chosen id is
// taken.
func (db *DB) CreateMeasure(ctx context.Context, in model.MeasureInput) (*model.Measure, error) {
	if err := in.Validate("input"); err != nil {
		return nil, err
	}
	return catalogCreate[model.Measure](ctx, db, catalogWrite{op: "neo4j.CreateMeasure", what: "measure", cypher: createMeasureCypher, props: measureProps(in),
		check: func(ctx context.Context, tx *txn) error {
			return catalogCheckPerspective(ctx, tx, "input.perspective", in.Perspective)
		}}, in.ID)
}

const updateMeasureCypher = `
MATCH (n:` + model.LabelMeasure + ` {id: $id})
SET n += $props
RETURN n`

// UpdateMeasure replaces a measure's fields. It returns ENOTFOUND for an
// unknown measure and EINVALID for a bad field or an unknown perspective.
func (db *DB) UpdateMeasure(ctx context.Context, id string, in model.MeasureInput) (*model.Measure, error) {
	if err := in.Validate("input"); err != nil {
		return nil, err
	}
	return catalogUpdate[model.Measure](ctx, db, catalogWrite{op: "neo4j.UpdateMeasure", what: "measure", cypher: updateMeasureCypher, props: measureProps(in),
		check: func(ctx context.Context, tx *txn) error {
			return catalogCheckPerspective(ctx, tx, "input.perspective", in.Perspective)
		}}, id, in.ID)
}

const measureDependentsCypher = `
MATCH (m:` + model.LabelMeasure + ` {id: $id})
SET m._lock = true REMOVE m._lock
RETURN COUNT { MATCH (a:` + model.LabelAnalysis + `)-[:` + model.RelHasAssessment + `]->(:` + model.LabelAssessment + `)-[:` + model.RelTreatedBy + `]->(:` + model.LabelTreatment + `)-[:` + model.RelApplies + `]->(m)
               WHERE a.status <> 'DRAFT' } AS frozen,
       COUNT { (:` + model.LabelTreatment + `)-[:` + model.RelApplies + `]->(m) } AS treatments,
       COUNT { (:` + model.LabelCoverageLine + `)-[:` + model.RelRequires + `]->(m) } AS lines,
       COUNT { ()-[:` + model.RelAbout + `]->(m) } +
       COUNT { MATCH ()-[:` + model.RelAbout + `]->(tr:` + model.LabelTreatment + `)-[:` + model.RelApplies + `]->(m) } AS about`

const deleteMeasureCypher = `
MATCH (m:` + model.LabelMeasure + ` {id: $id})
OPTIONAL MATCH (tr:` + model.LabelTreatment + `)-[:` + model.RelApplies + `]->(m)
OPTIONAL MATCH (a:` + model.LabelAnalysis + `)-[:` + model.RelHasAssessment + `]->(:` + model.LabelAssessment + `)-[:` + model.RelTreatedBy + `]->(tr)
SET a.updatedAt = datetime()
WITH m, collect(DISTINCT tr) AS treatments, collect(DISTINCT a.targetId) AS targets, collect(DISTINCT a.id) AS nodes
FOREACH (tr IN treatments | DETACH DELETE tr)
DETACH DELETE m
RETURN targets, nodes`

// DeleteMeasure deletes a measure with its mitigation and clause links. It
// returns ENOTFOUND for an unknown measure and ECONFLICT while treatments
// apply it or coverage lines require it, unless cascade is true: then the
// treatments (all in draft analyses) are deleted and the coverage lines no
// longer require it. It always refuses (ECONFLICT) while a treatment in a
// submitted analysis applies it, or while feedback or opinions are about it
// or its treatments.
func (db *DB) DeleteMeasure(ctx context.Context, id string, cascade bool) error {
	return db.deleteCatalogEntry(ctx, deletion{op: "neo4j.DeleteMeasure", what: "measure", plan: measureDependentsCypher,
		use:    &inUse{frozen: "frozen", frozenNoun: "treatment", frozenAs: "in submitted analyses", uses: []string{"treatments", "treatment", "lines", "coverage line"}},
		remove: removeWith(deleteMeasureCypher)}, id, cascade)
}

// deleteCatalogEntry runs d, the deletion of a threat or a measure, whose
// plan returns the columns frozen, the users named in d.use, and about
// (how many feedback items and opinions are about the entry, or about
// what uses it: those always keep it).
func (db *DB) deleteCatalogEntry(ctx context.Context, d deletion, id string, cascade bool) error {
	if err := model.ValidID("id", id); err != nil {
		return err
	}
	d.use.verb, d.use.cascades = "is used by", "remove it from them"
	d.check = func(rec *neo4j.Record, id string, _ bool) error {
		if n := recordInt(rec, "about"); n > 0 {
			return model.FieldErrorf(model.ECONFLICT, "id", "%s %q (or what uses it) is the subject of %s; it cannot be deleted", d.what, id,
				dependents(n, "feedback item or opinion|feedback items or opinions"))
		}
		return nil
	}
	return db.deleteNode(ctx, d, id, cascade)
}

const linkThreatToMeasureCypher = `
MATCH (t:` + model.LabelThreat + ` {id: $threat})
MATCH (m:` + model.LabelMeasure + ` {id: $measure})
MERGE (t)-[r:` + model.RelMitigatedBy + `]->(m)
SET r.rationale = $rationale
RETURN t`

// LinkThreatToMeasure records that the measure mitigates the threat, with
// an optional rationale; linking again replaces the rationale. It returns
// ENOTFOUND for an unknown threat or measure.
func (db *DB) LinkThreatToMeasure(ctx context.Context, threatID, measureID string, rationale *string) (*model.Threat, error) {
	if err := model.ValidID("threatId", threatID); err != nil {
		return nil, err
	}
	if err := model.ValidID("measureId", measureID); err != nil {
		return nil, err
	}
	ra, err := model.OptionalText("rationale", rationale, model.MaxText)
	if err != nil {
		return nil, err
	}
	return writeTx(ctx, db, "neo4j.LinkThreatToMeasure", "threat "+threatID, func(tx *txn) (*model.Threat, error) {
		if _, err := catalogResolve(ctx, tx,
			catalogRef{"threatId", model.LabelThreat, threatID, "threat"},
			catalogRef{"measureId", model.LabelMeasure, measureID, "measure"}); err != nil {
			return nil, err
		}
		t, err := txNode[model.Threat](ctx, tx, linkThreatToMeasureCypher,
			map[string]any{"threat": threatID, "measure": measureID, "rationale": catalogStr(ra)})
		if err == nil && t == nil {
			err = catalogGone("threatId")
		}
		return t, err
	})
}

// ---------------------------------------------------------------- guidelines

func catalogGuidelineProps(in model.GuidelineInput) (map[string]any, error) {
	if err := in.Validate("input"); err != nil {
		return nil, err
	}
	return map[string]any{"title": in.Title, "publisher": in.Publisher, "version": in.Version}, nil
}

const createGuidelineCypher = `
CREATE (n:` + model.LabelGuideline + `:` + model.LabelEntity + ` {id: $id})
SET n += $props
RETURN n`

// CreateGuideline adds a guideline. It returns EINVALID for a bad field
// and ECONFLICT when the chosen id is taken.
func (db *DB) CreateGuideline(ctx context.Context, in model.GuidelineInput) (*model.Guideline, error) {
	fields, err := catalogGuidelineProps(in)
	if err != nil {
		return nil, err
	}
	return catalogCreate[model.Guideline](ctx, db, catalogWrite{op: "neo4j.CreateGuideline", what: "guideline", cypher: createGuidelineCypher, props: fields}, in.ID)
}

const updateGuidelineCypher = `
MATCH (n:` + model.LabelGuideline + ` {id: $id})
SET n += $props
RETURN n`

// UpdateGuideline replaces a guideline's fields. It returns ENOTFOUND for
// an unknown guideline and EINVALID for a bad field.
func (db *DB) UpdateGuideline(ctx context.Context, id string, in model.GuidelineInput) (*model.Guideline, error) {
	fields, err := catalogGuidelineProps(in)
	if err != nil {
		return nil, err
	}
	return catalogUpdate[model.Guideline](ctx, db, catalogWrite{op: "neo4j.UpdateGuideline", what: "guideline", cypher: updateGuidelineCypher, props: fields}, id, in.ID)
}

// lockGuidelineCypher locks a guideline and the analyses that mark one of
// its clauses not applicable.
const lockGuidelineCypher = `
MATCH (g:` + model.LabelGuideline + ` {id: $id})
SET g._lock = true REMOVE g._lock
WITH g
OPTIONAL MATCH (g)-[:` + model.RelHasClause + `]->(:` + model.LabelClause + `)<-[:` + model.RelNotApplicable + `]-(a:` + model.LabelAnalysis + `)
WITH g, collect(DISTINCT a) AS as
FOREACH (a IN as | SET a._lock = true REMOVE a._lock)
RETURN g.id AS id`

const guidelineDependentsCypher = `
MATCH (g:` + model.LabelGuideline + ` {id: $id})
OPTIONAL MATCH (g)-[:` + model.RelHasClause + `]->(c:` + model.LabelClause + `)
WITH g, collect(c) AS cs
` + clauseMarksCypher + `
RETURN [c IN cs | c.id] AS ids,
       size([x IN [g] + cs WHERE EXISTS { ()-[:` + model.RelAbout + `]->(x) }]) AS about,
       marks, frozenMarks, touched`

// clauseMarksCypher is the part of a deletion plan that reads, for the
// clauses cs that the deletion removes, the not-applicable marks on them:
// marks (how many), frozenMarks (how many of the clauses submitted
// analyses mark) and touched (the draft analyses that lose a mark).
const clauseMarksCypher = `CALL (cs) {
  UNWIND cs AS x
  MATCH (x)<-[:` + model.RelNotApplicable + `]-(a:` + model.LabelAnalysis + `)
  RETURN count(a) AS marks, count(DISTINCT CASE WHEN ` + frozenAnalysis + ` THEN x END) AS frozenMarks,
         collect(DISTINCT CASE WHEN NOT ` + frozenAnalysis + ` THEN a.id END) AS touched
}`

// clauseMarksFrozen refuses the deletion of clauses that submitted
// analyses mark not applicable (the plan's frozenMarks column): the marks
// would go, and submitted versions cannot change. among says where those
// clauses are ("among clause X and its sub-clauses").
func clauseMarksFrozen(rec *neo4j.Record, among string) error {
	if n := recordInt(rec, "frozenMarks"); n > 0 {
		return model.FieldErrorf(model.ECONFLICT, "id", "submitted analyses mark %s %s not applicable; submitted versions cannot change, so it cannot be deleted",
			dependents(n, "clause"), among)
	}
	return nil
}

const deleteGuidelineCypher = `
MATCH (g:` + model.LabelGuideline + ` {id: $id})
DETACH DELETE g`

// deleteClausesCypher deletes the clauses with the given ids and every
// edge of them (PART_OF, HAS_CLAUSE, MAPS_TO both ways, SATISFIES, the
// REQUIRES of coverage lines and analyses' NOT_APPLICABLE).
const deleteClausesCypher = `
UNWIND $ids AS cid
MATCH (x:` + model.LabelClause + ` {id: cid})
DETACH DELETE x`

// DeleteGuideline deletes a guideline. It returns ENOTFOUND for an unknown
// guideline and ECONFLICT while it has clauses, unless cascade is true:
// then its clauses go too, with their mappings, measure links,
// coverage-line requirements and the draft analyses' not-applicable marks.
// It always refuses (ECONFLICT) while feedback or opinions are about the
// guideline or one of its clauses, or while a submitted analysis marks one
// of its clauses not applicable.
func (db *DB) DeleteGuideline(ctx context.Context, id string, cascade bool) error {
	if err := model.ValidID("id", id); err != nil {
		return err
	}
	return db.deleteNode(ctx, deletion{
		op: "neo4j.DeleteGuideline", what: "guideline", locks: []string{lockGuidelineCypher}, plan: guidelineDependentsCypher,
		check: func(rec *neo4j.Record, id string, cascade bool) error {
			if d := dependents(rec.Values[1], "node|nodes"); d != "" {
				return model.FieldErrorf(model.ECONFLICT, "id", "feedback or opinions are about %s among guideline %q and its clauses; it cannot be deleted", d, id)
			}
			if err := clauseMarksFrozen(rec, fmt.Sprintf("of guideline %q", id)); err != nil {
				return err
			}
			if ids, _ := rec.Values[0].([]any); len(ids) > 0 && !cascade {
				return model.FieldErrorf(model.ECONFLICT, "id", "guideline %q still has %s; delete with cascade to delete them too",
					id, dependents(int64(len(ids)), "clause"))
			}
			return nil
		},
		remove: func(ctx context.Context, tx *txn, rec *neo4j.Record, id string) error {
			if err := touchAnalyses(ctx, tx, recordStrings(rec, "touched")); err != nil {
				return err
			}
			if ids, _ := rec.Values[0].([]any); len(ids) > 0 {
				if _, err := tx.run(ctx, deleteClausesCypher, map[string]any{"ids": ids}); err != nil {
					return err
				}
			}
			_, err := tx.run(ctx, deleteGuidelineCypher, map[string]any{"id": id})
			return err
		},
	}, id, cascade)
}

// ---------------------------------------------------------------- clauses

// clauseWrite checks a clause input and returns its properties and its
// parent's id (nil for a top-level clause).
func clauseWrite(in model.ClauseInput) (map[string]any, *string, error) {
	if err := in.Validate("input"); err != nil {
		return nil, nil, err
	}
	return map[string]any{"ref": in.Ref, "title": in.Title, "text": optionalString(in.Text)}, in.ParentID, nil
}

const createClauseCypher = `
MATCH (g:` + model.LabelGuideline + ` {id: $guidelineId})
OPTIONAL MATCH (p:` + model.LabelClause + ` {id: $parentId, guidelineId: $guidelineId})
WITH g, p WHERE $parentId IS NULL OR p IS NOT NULL
CREATE (c:` + model.LabelClause + `:` + model.LabelEntity + ` {id: $id})
SET c += $props, c.guidelineId = $guidelineId, c.parentId = $parentId
CREATE (g)-[:` + model.RelHasClause + `]->(c)
FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END | CREATE (c)-[:` + model.RelPartOf + `]->(p))
RETURN c`

// CreateClause adds a clause to a guideline, under a parent clause of the
// same guideline when one is named. It returns EINVALID for a bad field or
// a parent of another guideline, ENOTFOUND for an unknown guideline or
// parent, and ECONFLICT when the chosen id is taken.
func (db *DB) CreateClause(ctx context.Context, in model.ClauseInput) (*model.Clause, error) {
	id, err := newID("input.id", in.ID, "clause")
	if err != nil {
		return nil, err
	}
	fields, parent, err := clauseWrite(in)
	if err != nil {
		return nil, err
	}
	return writeTx(ctx, db, "neo4j.CreateClause", "clause "+id, func(tx *txn) (*model.Clause, error) {
		refs := []catalogRef{{"input.guidelineId", model.LabelGuideline, in.GuidelineID, "guideline"}}
		if parent != nil {
			refs = append(refs, catalogRef{"input.parentId", model.LabelClause, *parent, "clause"})
		}
		nodes, err := catalogResolve(ctx, tx, refs...)
		if err != nil {
			return nil, err
		}
		if parent != nil {
			if g := props(nodes[1].Props).str("guidelineId"); g != in.GuidelineID {
				return nil, model.FieldErrorf(model.EINVALID, "input.parentId", "clause %q belongs to guideline %q, not %q", *parent, g, in.GuidelineID)
			}
		}
		if err := catalogFreeID(ctx, tx, "input.id", id); err != nil {
			return nil, err
		}
		c, err := txNode[model.Clause](ctx, tx, createClauseCypher,
			map[string]any{"id": id, "props": fields, "guidelineId": in.GuidelineID, "parentId": catalogStr(parent)})
		if err == nil && c == nil {
			err = catalogGone("input.guidelineId")
		}
		return c, err
	})
}

const updateClauseCypher = `
MATCH (n:` + model.LabelClause + ` {id: $id})
SET n += $props
RETURN n`

// UpdateClause changes a clause's reference, title and text. It returns
// ENOTFOUND for an unknown clause and EINVALID for a bad field or an input
// whose guidelineId or parentId differ from the clause's.
func (db *DB) UpdateClause(ctx context.Context, id string, in model.ClauseInput) (*model.Clause, error) {
	if err := model.ValidID("id", id); err != nil {
		return nil, err
	}
	if err := catalogSameID("input.id", in.ID, id); err != nil {
		return nil, err
	}
	fields, parent, err := clauseWrite(in)
	if err != nil {
		return nil, err
	}
	return writeTx(ctx, db, "neo4j.UpdateClause", "clause "+id, func(tx *txn) (*model.Clause, error) {
		nodes, err := catalogResolve(ctx, tx, catalogRef{"id", model.LabelClause, id, "clause"})
		if err != nil {
			return nil, err
		}
		old := decode(nodes[0]).(*model.Clause)
		if old.GuidelineID != in.GuidelineID {
			return nil, model.FieldErrorf(model.EINVALID, "input.guidelineId", "clause %q belongs to guideline %q; an update cannot move it", id, old.GuidelineID)
		}
		if (old.ParentID == nil) != (parent == nil) || old.ParentID != nil && *old.ParentID != *parent {
			was := "no parent"
			if old.ParentID != nil {
				was = fmt.Sprintf("parent %q", *old.ParentID)
			}
			return nil, model.FieldErrorf(model.EINVALID, "input.parentId", "clause %q has %s; an update cannot move it", id, was)
		}
		return txNode[model.Clause](ctx, tx, updateClauseCypher, map[string]any{"id": id, "props": fields})
	})
}

// lockClauseCypher locks a clause and the analyses that mark it, or one
// of its sub-clauses at any level, not applicable.
const lockClauseCypher = `
MATCH (c:` + model.LabelClause + ` {id: $id})
SET c._lock = true REMOVE c._lock
WITH c
OPTIONAL MATCH (x:` + model.LabelClause + `)-[:` + model.RelPartOf + `*0..]->(c)
OPTIONAL MATCH (x)<-[:` + model.RelNotApplicable + `]-(a:` + model.LabelAnalysis + `)
WITH c, collect(DISTINCT a) AS as
FOREACH (a IN as | SET a._lock = true REMOVE a._lock)
RETURN c.id AS id`

const clauseDependentsCypher = `
MATCH (c:` + model.LabelClause + ` {id: $id})
OPTIONAL MATCH (d:` + model.LabelClause + `)-[:` + model.RelPartOf + `*1..]->(c)
WITH c, [c] + collect(DISTINCT d) AS cs
` + clauseMarksCypher + `
RETURN [x IN cs | x.id] AS ids,
       COUNT { (c)<-[:` + model.RelPartOf + `]-(:` + model.LabelClause + `) } AS children,
       COUNT { (c)-[:` + model.RelMapsTo + `]-(:` + model.LabelClause + `) } AS mappings,
       COUNT { (c)<-[:` + model.RelSatisfies + `]-(:` + model.LabelMeasure + `) } AS links,
       COUNT { (c)<-[:` + model.RelRequires + `]-(:` + model.LabelCoverageLine + `) } AS lines,
       size([x IN cs WHERE EXISTS { ()-[:` + model.RelAbout + `]->(x) }]) AS about,
       marks, frozenMarks, touched`

// DeleteClause deletes a clause. It returns ENOTFOUND for an unknown
// clause and ECONFLICT while it has sub-clauses, mappings, measure links,
// coverage lines that require it or analyses that mark it not applicable,
// unless cascade is true: then its sub-clauses at every level go too, with
// all their mappings, measure links, coverage-line requirements and the
// draft analyses' not-applicable marks. It always refuses (ECONFLICT)
// while feedback or opinions are about one of the clauses it would delete,
// or while a submitted analysis marks one of them not applicable.
func (db *DB) DeleteClause(ctx context.Context, id string, cascade bool) error {
	if err := model.ValidID("id", id); err != nil {
		return err
	}
	return db.deleteNode(ctx, deletion{
		op: "neo4j.DeleteClause", what: "clause", locks: []string{lockClauseCypher}, plan: clauseDependentsCypher,
		check: func(rec *neo4j.Record, id string, cascade bool) error {
			v := rec.Values
			if d := dependents(v[5], "clause|clauses"); d != "" {
				return model.FieldErrorf(model.ECONFLICT, "id", "feedback or opinions are about %s among clause %q and its sub-clauses; it cannot be deleted", d, id)
			}
			if err := clauseMarksFrozen(rec, fmt.Sprintf("among clause %q and its sub-clauses", id)); err != nil {
				return err
			}
			if d := dependents(v[1], "sub-clause", v[2], "mapping", v[3], "measure link", v[4], "coverage line", v[6], "not-applicable mark"); d != "" && !cascade {
				return model.FieldErrorf(model.ECONFLICT, "id", "clause %q still has %s; delete with cascade to delete them too", id, d)
			}
			return nil
		},
		remove: func(ctx context.Context, tx *txn, rec *neo4j.Record, _ string) error {
			if err := touchAnalyses(ctx, tx, recordStrings(rec, "touched")); err != nil {
				return err
			}
			_, err := tx.run(ctx, deleteClausesCypher, map[string]any{"ids": rec.Values[0]})
			return err
		},
	}, id, cascade)
}

// ---------------------------------------------------------------- crosswalks

const mapClausesCypher = `
MATCH (s:` + model.LabelClause + ` {id: $from})
MATCH (t:` + model.LabelClause + ` {id: $to})
MERGE (s)-[r:` + model.RelMapsTo + `]->(t)
SET r.relationship = $relationship, r.rationale = $rationale, r.confidence = $confidence,
    r.coverage = $coverage, r.source = $origin, r.group = null, r.groupSources = null, r.groupTargets = null
RETURN properties(r) AS props`

// MapClauses maps one clause to another, replacing any earlier mapping of
// the pair (a mapping made here is of that pair alone, so it removes the
// group of an OSCAL map that an import may have put on the edge). It returns EINVALID for a bad field or a clause mapped to
// itself and ENOTFOUND for an unknown clause.
func (db *DB) MapClauses(ctx context.Context, in model.ClauseMappingInput) (*model.ClauseMapping, error) {
	if in.SourceID == in.TargetID {
		return nil, model.FieldErrorf(model.EINVALID, "input.targetId", "a clause cannot be mapped to itself (%q)", in.TargetID)
	}
	if !in.Relationship.IsValid() {
		return nil, model.FieldErrorf(model.EINVALID, "input.relationship", "unknown relationship %q", model.Truncate(string(in.Relationship), 60))
	}
	var rationale any
	if in.Rationale != nil {
		if !in.Rationale.IsValid() {
			return nil, model.FieldErrorf(model.EINVALID, "input.rationale", "unknown rationale %q", model.Truncate(string(*in.Rationale), 60))
		}
		rationale = string(*in.Rationale)
	}
	confidence, err := catalogUnit("input.confidence", in.Confidence)
	if err != nil {
		return nil, err
	}
	coverage, err := catalogUnit("input.coverage", in.Coverage)
	if err != nil {
		return nil, err
	}
	origin, err := model.OptionalText("input.origin", in.Origin, model.MaxName)
	if err != nil {
		return nil, err
	}
	rec, err := catalogRelate(ctx, db, "neo4j.MapClauses", "mapping", mapClausesCypher,
		catalogRef{"input.sourceId", model.LabelClause, in.SourceID, "clause"}, catalogRef{"input.targetId", model.LabelClause, in.TargetID, "clause"},
		map[string]any{"relationship": string(in.Relationship), "rationale": rationale, "confidence": confidence, "coverage": coverage, "origin": catalogStr(origin)})
	if err != nil {
		return nil, err
	}
	p := props(rec.Values[0].(map[string]any))
	m := &model.ClauseMapping{SourceID: in.SourceID, TargetID: in.TargetID, Relationship: model.MappingRelationship(p.str("relationship")),
		Confidence: p.floatPtr("confidence"), Coverage: p.floatPtr("coverage"), Origin: p.strPtr("source")}
	if s := p.strPtr("rationale"); s != nil {
		ra := model.MappingRationale(*s)
		m.Rationale = &ra
	}
	return m, nil
}

const unmapClausesCypher = `
MATCH (:` + model.LabelClause + ` {id: $from})-[r:` + model.RelMapsTo + `]->(:` + model.LabelClause + ` {id: $to})
DELETE r
RETURN count(r) AS n`

// UnmapClauses removes the mapping from one clause to another. It reports
// whether there was one, and returns ENOTFOUND for an unknown clause.
func (db *DB) UnmapClauses(ctx context.Context, sourceID, targetID string) (bool, error) {
	rec, err := catalogRelate(ctx, db, "neo4j.UnmapClauses", "mapping", unmapClausesCypher,
		catalogRef{"sourceId", model.LabelClause, sourceID, "clause"}, catalogRef{"targetId", model.LabelClause, targetID, "clause"}, nil)
	return err == nil && rec.Values[0].(int64) > 0, err
}

const linkMeasureToClauseCypher = `
MATCH (m:` + model.LabelMeasure + ` {id: $from})
MATCH (c:` + model.LabelClause + ` {id: $to})
MERGE (m)-[r:` + model.RelSatisfies + `]->(c)
SET r.relationship = $relationship, r.coverage = $coverage, r.rationale = $rationale
RETURN properties(r) AS props`

// LinkMeasureToClause records that a measure satisfies a clause (by
// default EQUIVALENT_TO), replacing any earlier link of the pair. It
// returns EINVALID for a bad field and ENOTFOUND for an unknown measure or
// clause.
func (db *DB) LinkMeasureToClause(ctx context.Context, in model.MeasureClauseInput) (*model.MeasureClauseLink, error) {
	rel := model.MappingRelationshipEquivalentTo
	if in.Relationship != nil {
		rel = *in.Relationship
	}
	if !rel.IsValid() {
		return nil, model.FieldErrorf(model.EINVALID, "input.relationship", "unknown relationship %q", model.Truncate(string(rel), 60))
	}
	coverage, err := catalogUnit("input.coverage", in.Coverage)
	if err != nil {
		return nil, err
	}
	rationale, err := model.OptionalText("input.rationale", in.Rationale, model.MaxText)
	if err != nil {
		return nil, err
	}
	rec, err := catalogRelate(ctx, db, "neo4j.LinkMeasureToClause", "link", linkMeasureToClauseCypher,
		catalogRef{"input.measureId", model.LabelMeasure, in.MeasureID, "measure"}, catalogRef{"input.clauseId", model.LabelClause, in.ClauseID, "clause"},
		map[string]any{"relationship": string(rel), "coverage": coverage, "rationale": catalogStr(rationale)})
	if err != nil {
		return nil, err
	}
	p := props(rec.Values[0].(map[string]any))
	return &model.MeasureClauseLink{MeasureID: in.MeasureID, ClauseID: in.ClauseID, Relationship: model.MappingRelationship(p.str("relationship")),
		Coverage: p.floatPtr("coverage"), Rationale: p.strPtr("rationale")}, nil
}

const unlinkMeasureFromClauseCypher = `
MATCH (:` + model.LabelMeasure + ` {id: $from})-[r:` + model.RelSatisfies + `]->(:` + model.LabelClause + ` {id: $to})
DELETE r
RETURN count(r) AS n`

// UnlinkMeasureFromClause removes the link between a measure and a clause.
// It reports whether there was one, and returns ENOTFOUND for an unknown
// measure or clause.
func (db *DB) UnlinkMeasureFromClause(ctx context.Context, measureID, clauseID string) (bool, error) {
	rec, err := catalogRelate(ctx, db, "neo4j.UnlinkMeasureFromClause", "link", unlinkMeasureFromClauseCypher,
		catalogRef{"measureId", model.LabelMeasure, measureID, "measure"}, catalogRef{"clauseId", model.LabelClause, clauseID, "clause"}, nil)
	return err == nil && rec.Values[0].(int64) > 0, err
}

// catalogRelate runs cypher, which writes the relationship from the node
// that from names to the node that to names (given as $from and $to, with
// params), after checking their ids and, in the same transaction, that both
// nodes exist (ENOTFOUND naming the missing one's field). It returns the
// statement's first record, or an error when it returned none (a node
// deleted meanwhile).
func catalogRelate(ctx context.Context, db *DB, op, what, cypher string, from, to catalogRef, params map[string]any) (*neo4j.Record, error) {
	for _, r := range []catalogRef{from, to} {
		if err := model.ValidID(r.field, r.id); err != nil {
			return nil, err
		}
	}
	p := map[string]any{"from": from.id, "to": to.id}
	maps.Copy(p, params)
	return writeTx(ctx, db, op, what+" "+from.id+" → "+to.id, func(tx *txn) (*neo4j.Record, error) {
		if _, err := catalogResolve(ctx, tx, from, to); err != nil {
			return nil, err
		}
		recs, err := tx.run(ctx, cypher, p)
		if err != nil {
			return nil, err
		}
		if len(recs) == 0 {
			return nil, catalogGone("input")
		}
		return recs[0], nil
	})
}
