package neo4j

import (
	"context"
	"fmt"
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
OPTIONAL MATCH (n:` + labelEntity + ` {id: r.id}) WHERE r.label IN labels(n)
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
MATCH (n:` + labelEntity + ` {id: $id}) RETURN labels(n) AS labels`

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

// catalogDependents describes what still depends on a node, for ECONFLICT
// messages, from pairs of a count and a noun ("assessment", or
// "singular|plural" when adding an s will not do): "3 assessments and 1
// coverage line". It skips zero counts. A lone trailing string qualifies
// the whole ("of submitted analyses").
func catalogDependents(counts ...any) string {
	var parts []string
	for i := 0; i+1 < len(counts); i += 2 {
		n, _ := counts[i].(int64)
		if n == 0 {
			continue
		}
		one, many, ok := strings.Cut(counts[i+1].(string), "|")
		if !ok {
			many = one + "s"
		}
		if n == 1 {
			parts = append(parts, "1 "+one)
		} else {
			parts = append(parts, fmt.Sprintf("%d %s", n, many))
		}
	}
	out := ""
	switch len(parts) {
	case 0:
		return ""
	case 1:
		out = parts[0]
	default:
		out = strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
	}
	if len(counts)%2 == 1 {
		out += " " + counts[len(counts)-1].(string)
	}
	return out
}

// ---------------------------------------------------------------- threats

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
CREATE (n:` + labelThreat + `:` + labelEntity + ` {id: $id})
SET n += $props
RETURN n`

// CreateThreat adds a threat to the catalog. It returns EINVALID for a bad
// field and ECONFLICT when the chosen id is taken.
func (db *DB) CreateThreat(ctx context.Context, in model.ThreatInput) (*model.Threat, error) {
	id, err := newID("input.id", in.ID, "threat")
	if err != nil {
		return nil, err
	}
	if err := in.Validate("input"); err != nil {
		return nil, err
	}
	fields := threatProps(in)
	return writeTx(ctx, db, "neo4j.CreateThreat", "threat "+id, func(tx *txn) (*model.Threat, error) {
		if err := catalogFreeID(ctx, tx, "input.id", id); err != nil {
			return nil, err
		}
		return txNode[model.Threat](ctx, tx, createThreatCypher, map[string]any{"id": id, "props": fields})
	})
}

const updateThreatCypher = `
MATCH (n:` + labelThreat + ` {id: $id})
SET n += $props
RETURN n`

// UpdateThreat replaces a threat's fields. It returns ENOTFOUND for an
// unknown threat and EINVALID for a bad field.
func (db *DB) UpdateThreat(ctx context.Context, id string, in model.ThreatInput) (*model.Threat, error) {
	if err := model.ValidID("id", id); err != nil {
		return nil, err
	}
	if err := catalogSameID("input.id", in.ID, id); err != nil {
		return nil, err
	}
	if err := in.Validate("input"); err != nil {
		return nil, err
	}
	fields := threatProps(in)
	return writeTx(ctx, db, "neo4j.UpdateThreat", "threat "+id, func(tx *txn) (*model.Threat, error) {
		t, err := txNode[model.Threat](ctx, tx, updateThreatCypher, map[string]any{"id": id, "props": fields})
		if err == nil && t == nil {
			err = model.FieldErrorf(model.ENOTFOUND, "id", "no threat %q", id)
		}
		return t, err
	})
}

// The *DependentsCypher statements first write-lock the node (by setting
// and removing a dummy property), so that no other transaction can link to
// it between the count and the delete.
const threatDependentsCypher = `
MATCH (t:` + labelThreat + ` {id: $id})
SET t._lock = true REMOVE t._lock
RETURN COUNT { MATCH (a:` + labelAnalysis + `)-[:` + relHasAssessment + `]->(:` + labelAssessment + `)-[:` + relCausedBy + `]->(t)
               WHERE a.status <> 'DRAFT' } AS frozen,
       COUNT { (:` + labelAssessment + `)-[:` + relCausedBy + `]->(t) } AS assessments,
       COUNT { (:` + labelCoverageLine + `)-[:` + relCovers + `]->(t) } AS lines,
       COUNT { ()-[:` + relAbout + `]->(t) } AS about`

const deleteThreatCypher = `
MATCH (t:` + labelThreat + ` {id: $id})
OPTIONAL MATCH (a:` + labelAnalysis + `)-[:` + relHasAssessment + `]->(:` + labelAssessment + `)-[:` + relCausedBy + `]->(t)
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
	if err := model.ValidID("id", id); err != nil {
		return err
	}
	return db.deleteNode(ctx, deletion{
		op: "neo4j.DeleteThreat", what: "threat", plan: threatDependentsCypher,
		check: func(rec *neo4j.Record, id string, cascade bool) error {
			v := rec.Values
			if d := catalogDependents(v[0], "assessment|assessments", "of submitted analyses"); d != "" {
				return model.FieldErrorf(model.ECONFLICT, "id", "threat %q is named by %s, which cannot change", id, d)
			}
			if d := catalogDependents(v[3], "feedback item or opinion|feedback items or opinions"); d != "" {
				return model.FieldErrorf(model.ECONFLICT, "id", "threat %q is the subject of %s; it cannot be deleted", id, d)
			}
			if d := catalogDependents(v[1], "assessment", v[2], "coverage line"); d != "" && !cascade {
				return model.FieldErrorf(model.ECONFLICT, "id", "threat %q is still used by %s; delete with cascade to remove it from them", id, d)
			}
			return nil
		},
		remove: removeWith(deleteThreatCypher),
	}, id, cascade)
}

// ---------------------------------------------------------------- measures

// measureProps returns the properties a validated measure is stored with.
// That its perspective exists is checked by catalogCheckPerspective, inside
// the transaction.
func measureProps(in model.MeasureInput) map[string]any {
	return map[string]any{"name": in.Name, "description": optionalString(in.Description), "perspective": in.Perspective, "kind": in.Kind}
}

const perspectiveCypher = `
OPTIONAL MATCH (p:` + labelPerspective + ` {id: $code})
RETURN p IS NOT NULL AS ok, COLLECT { MATCH (q:` + labelPerspective + `) RETURN q.id ORDER BY q.id } AS codes`

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
CREATE (n:` + labelMeasure + `:` + labelEntity + ` {id: $id})
SET n += $props
RETURN n`

// CreateMeasure adds a measure to the catalog. It returns EINVALID for a
// bad field or an unknown perspective and ECONFLICT when the chosen id is
// taken.
func (db *DB) CreateMeasure(ctx context.Context, in model.MeasureInput) (*model.Measure, error) {
	id, err := newID("input.id", in.ID, "measure")
	if err != nil {
		return nil, err
	}
	if err := in.Validate("input"); err != nil {
		return nil, err
	}
	fields := measureProps(in)
	return writeTx(ctx, db, "neo4j.CreateMeasure", "measure "+id, func(tx *txn) (*model.Measure, error) {
		if err := catalogCheckPerspective(ctx, tx, "input.perspective", in.Perspective); err != nil {
			return nil, err
		}
		if err := catalogFreeID(ctx, tx, "input.id", id); err != nil {
			return nil, err
		}
		return txNode[model.Measure](ctx, tx, createMeasureCypher, map[string]any{"id": id, "props": fields})
	})
}

const updateMeasureCypher = `
MATCH (n:` + labelMeasure + ` {id: $id})
SET n += $props
RETURN n`

// UpdateMeasure replaces a measure's fields. It returns ENOTFOUND for an
// unknown measure and EINVALID for a bad field or an unknown perspective.
func (db *DB) UpdateMeasure(ctx context.Context, id string, in model.MeasureInput) (*model.Measure, error) {
	if err := model.ValidID("id", id); err != nil {
		return nil, err
	}
	if err := catalogSameID("input.id", in.ID, id); err != nil {
		return nil, err
	}
	if err := in.Validate("input"); err != nil {
		return nil, err
	}
	fields := measureProps(in)
	return writeTx(ctx, db, "neo4j.UpdateMeasure", "measure "+id, func(tx *txn) (*model.Measure, error) {
		if err := catalogCheckPerspective(ctx, tx, "input.perspective", in.Perspective); err != nil {
			return nil, err
		}
		m, err := txNode[model.Measure](ctx, tx, updateMeasureCypher, map[string]any{"id": id, "props": fields})
		if err == nil && m == nil {
			err = model.FieldErrorf(model.ENOTFOUND, "id", "no measure %q", id)
		}
		return m, err
	})
}

const measureDependentsCypher = `
MATCH (m:` + labelMeasure + ` {id: $id})
SET m._lock = true REMOVE m._lock
RETURN COUNT { MATCH (a:` + labelAnalysis + `)-[:` + relHasAssessment + `]->(:` + labelAssessment + `)-[:` + relTreatedBy + `]->(:` + labelTreatment + `)-[:` + relApplies + `]->(m)
               WHERE a.status <> 'DRAFT' } AS frozen,
       COUNT { (:` + labelTreatment + `)-[:` + relApplies + `]->(m) } AS treatments,
       COUNT { (:` + labelCoverageLine + `)-[:` + relRequires + `]->(m) } AS lines,
       COUNT { ()-[:` + relAbout + `]->(m) } +
       COUNT { MATCH ()-[:` + relAbout + `]->(tr:` + labelTreatment + `)-[:` + relApplies + `]->(m) } AS about`

const deleteMeasureCypher = `
MATCH (m:` + labelMeasure + ` {id: $id})
OPTIONAL MATCH (tr:` + labelTreatment + `)-[:` + relApplies + `]->(m)
OPTIONAL MATCH (a:` + labelAnalysis + `)-[:` + relHasAssessment + `]->(:` + labelAssessment + `)-[:` + relTreatedBy + `]->(tr)
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
	if err := model.ValidID("id", id); err != nil {
		return err
	}
	return db.deleteNode(ctx, deletion{
		op: "neo4j.DeleteMeasure", what: "measure", plan: measureDependentsCypher,
		check: func(rec *neo4j.Record, id string, cascade bool) error {
			v := rec.Values
			if d := catalogDependents(v[0], "treatment|treatments", "in submitted analyses"); d != "" {
				return model.FieldErrorf(model.ECONFLICT, "id", "measure %q is applied by %s, which cannot change", id, d)
			}
			if d := catalogDependents(v[3], "feedback item or opinion|feedback items or opinions"); d != "" {
				return model.FieldErrorf(model.ECONFLICT, "id", "measure %q (or a treatment applying it) is the subject of %s; it cannot be deleted", id, d)
			}
			if d := catalogDependents(v[1], "treatment", v[2], "coverage line"); d != "" && !cascade {
				return model.FieldErrorf(model.ECONFLICT, "id", "measure %q is still used by %s; delete with cascade to remove it from them", id, d)
			}
			return nil
		},
		remove: removeWith(deleteMeasureCypher),
	}, id, cascade)
}

const linkThreatToMeasureCypher = `
MATCH (t:` + labelThreat + ` {id: $threat})
MATCH (m:` + labelMeasure + ` {id: $measure})
MERGE (t)-[r:` + relMitigatedBy + `]->(m)
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
			catalogRef{"threatId", labelThreat, threatID, "threat"},
			catalogRef{"measureId", labelMeasure, measureID, "measure"}); err != nil {
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
	title, err := model.Text("input.title", &in.Title, 1, model.MaxName)
	if err != nil {
		return nil, err
	}
	publisher, err := model.Text("input.publisher", &in.Publisher, 1, model.MaxName)
	if err != nil {
		return nil, err
	}
	version, err := model.Text("input.version", &in.Version, 1, model.MaxCode)
	if err != nil {
		return nil, err
	}
	return map[string]any{"title": title, "publisher": publisher, "version": version}, nil
}

const createGuidelineCypher = `
CREATE (n:` + labelGuideline + `:` + labelEntity + ` {id: $id})
SET n += $props
RETURN n`

// CreateGuideline adds a guideline. It returns EINVALID for a bad field
// and ECONFLICT when the chosen id is taken.
func (db *DB) CreateGuideline(ctx context.Context, in model.GuidelineInput) (*model.Guideline, error) {
	id, err := newID("input.id", in.ID, "guideline")
	if err != nil {
		return nil, err
	}
	fields, err := catalogGuidelineProps(in)
	if err != nil {
		return nil, err
	}
	return writeTx(ctx, db, "neo4j.CreateGuideline", "guideline "+id, func(tx *txn) (*model.Guideline, error) {
		if err := catalogFreeID(ctx, tx, "input.id", id); err != nil {
			return nil, err
		}
		return txNode[model.Guideline](ctx, tx, createGuidelineCypher, map[string]any{"id": id, "props": fields})
	})
}

const updateGuidelineCypher = `
MATCH (n:` + labelGuideline + ` {id: $id})
SET n += $props
RETURN n`

// UpdateGuideline replaces a guideline's fields. It returns ENOTFOUND for
// an unknown guideline and EINVALID for a bad field.
func (db *DB) UpdateGuideline(ctx context.Context, id string, in model.GuidelineInput) (*model.Guideline, error) {
	if err := model.ValidID("id", id); err != nil {
		return nil, err
	}
	if err := catalogSameID("input.id", in.ID, id); err != nil {
		return nil, err
	}
	fields, err := catalogGuidelineProps(in)
	if err != nil {
		return nil, err
	}
	return writeTx(ctx, db, "neo4j.UpdateGuideline", "guideline "+id, func(tx *txn) (*model.Guideline, error) {
		g, err := txNode[model.Guideline](ctx, tx, updateGuidelineCypher, map[string]any{"id": id, "props": fields})
		if err == nil && g == nil {
			err = model.FieldErrorf(model.ENOTFOUND, "id", "no guideline %q", id)
		}
		return g, err
	})
}

const guidelineDependentsCypher = `
MATCH (g:` + labelGuideline + ` {id: $id})
SET g._lock = true REMOVE g._lock
WITH g
OPTIONAL MATCH (g)-[:` + relHasClause + `]->(c:` + labelClause + `)
WITH g, collect(c) AS cs
RETURN [c IN cs | c.id] AS ids,
       size([x IN [g] + cs WHERE EXISTS { ()-[:` + relAbout + `]->(x) }]) AS about`

const deleteGuidelineCypher = `
MATCH (g:` + labelGuideline + ` {id: $id})
DETACH DELETE g`

// deleteClausesCypher deletes the clauses with the given ids and every
// edge of them (PART_OF, HAS_CLAUSE, MAPS_TO both ways, SATISFIES, and the
// REQUIRES of coverage lines).
const deleteClausesCypher = `
UNWIND $ids AS cid
MATCH (x:` + labelClause + ` {id: cid})
DETACH DELETE x`

// DeleteGuideline deletes a guideline. It returns ENOTFOUND for an unknown
// guideline and ECONFLICT while it has clauses, unless cascade is true:
// then its clauses go too, with their mappings, measure links and
// coverage-line requirements. It always refuses (ECONFLICT) while feedback
// or opinions are about the guideline or one of its clauses.
func (db *DB) DeleteGuideline(ctx context.Context, id string, cascade bool) error {
	if err := model.ValidID("id", id); err != nil {
		return err
	}
	return db.deleteNode(ctx, deletion{
		op: "neo4j.DeleteGuideline", what: "guideline", plan: guidelineDependentsCypher,
		check: func(rec *neo4j.Record, id string, cascade bool) error {
			if d := catalogDependents(rec.Values[1], "node|nodes"); d != "" {
				return model.FieldErrorf(model.ECONFLICT, "id", "feedback or opinions are about %s among guideline %q and its clauses; it cannot be deleted", d, id)
			}
			if ids, _ := rec.Values[0].([]any); len(ids) > 0 && !cascade {
				return model.FieldErrorf(model.ECONFLICT, "id", "guideline %q still has %s; delete with cascade to delete them too",
					id, catalogDependents(int64(len(ids)), "clause"))
			}
			return nil
		},
		remove: func(ctx context.Context, tx *txn, rec *neo4j.Record, id string) error {
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

func catalogClauseProps(in model.ClauseInput) (map[string]any, error) {
	ref, err := model.Text("input.ref", &in.Ref, 1, model.MaxCode)
	if err != nil {
		return nil, err
	}
	title, err := model.Text("input.title", &in.Title, 1, model.MaxName)
	if err != nil {
		return nil, err
	}
	body, err := model.Text("input.text", in.Text, 0, model.MaxText)
	if err != nil {
		return nil, err
	}
	return map[string]any{"ref": ref, "title": title, "text": body}, nil
}

// catalogClauseRefs checks the guideline and parent ids of a clause input.
func catalogClauseRefs(in model.ClauseInput) (parent *string, err error) {
	if err := model.ValidID("input.guidelineId", in.GuidelineID); err != nil {
		return nil, err
	}
	if in.ParentID == nil || *in.ParentID == "" {
		return nil, nil
	}
	if err := model.ValidID("input.parentId", *in.ParentID); err != nil {
		return nil, err
	}
	return in.ParentID, nil
}

const createClauseCypher = `
MATCH (g:` + labelGuideline + ` {id: $guidelineId})
OPTIONAL MATCH (p:` + labelClause + ` {id: $parentId, guidelineId: $guidelineId})
WITH g, p WHERE $parentId IS NULL OR p IS NOT NULL
CREATE (c:` + labelClause + `:` + labelEntity + ` {id: $id})
SET c += $props, c.guidelineId = $guidelineId, c.parentId = $parentId
CREATE (g)-[:` + relHasClause + `]->(c)
FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END | CREATE (c)-[:` + relPartOf + `]->(p))
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
	parent, err := catalogClauseRefs(in)
	if err != nil {
		return nil, err
	}
	fields, err := catalogClauseProps(in)
	if err != nil {
		return nil, err
	}
	return writeTx(ctx, db, "neo4j.CreateClause", "clause "+id, func(tx *txn) (*model.Clause, error) {
		refs := []catalogRef{{"input.guidelineId", labelGuideline, in.GuidelineID, "guideline"}}
		if parent != nil {
			refs = append(refs, catalogRef{"input.parentId", labelClause, *parent, "clause"})
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
MATCH (n:` + labelClause + ` {id: $id})
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
	parent, err := catalogClauseRefs(in)
	if err != nil {
		return nil, err
	}
	fields, err := catalogClauseProps(in)
	if err != nil {
		return nil, err
	}
	return writeTx(ctx, db, "neo4j.UpdateClause", "clause "+id, func(tx *txn) (*model.Clause, error) {
		nodes, err := catalogResolve(ctx, tx, catalogRef{"id", labelClause, id, "clause"})
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

const clauseDependentsCypher = `
MATCH (c:` + labelClause + ` {id: $id})
SET c._lock = true REMOVE c._lock
WITH c
OPTIONAL MATCH (d:` + labelClause + `)-[:` + relPartOf + `*1..]->(c)
WITH c, collect(DISTINCT d) AS ds
RETURN [x IN [c] + ds | x.id] AS ids,
       COUNT { (c)<-[:` + relPartOf + `]-(:` + labelClause + `) } AS children,
       COUNT { (c)-[:` + relMapsTo + `]-(:` + labelClause + `) } AS mappings,
       COUNT { (c)<-[:` + relSatisfies + `]-(:` + labelMeasure + `) } AS links,
       COUNT { (c)<-[:` + relRequires + `]-(:` + labelCoverageLine + `) } AS lines,
       size([x IN [c] + ds WHERE EXISTS { ()-[:` + relAbout + `]->(x) }]) AS about`

// DeleteClause deletes a clause. It returns ENOTFOUND for an unknown
// clause and ECONFLICT while it has sub-clauses, mappings, measure links or
// coverage lines that require it, unless cascade is true: then its
// sub-clauses at every level go too, with all their mappings, measure links
// and coverage-line requirements. It always refuses (ECONFLICT) while
// feedback or opinions are about one of the clauses it would delete.
func (db *DB) DeleteClause(ctx context.Context, id string, cascade bool) error {
	if err := model.ValidID("id", id); err != nil {
		return err
	}
	return db.deleteNode(ctx, deletion{
		op: "neo4j.DeleteClause", what: "clause", plan: clauseDependentsCypher,
		check: func(rec *neo4j.Record, id string, cascade bool) error {
			v := rec.Values
			if d := catalogDependents(v[5], "clause|clauses"); d != "" {
				return model.FieldErrorf(model.ECONFLICT, "id", "feedback or opinions are about %s among clause %q and its sub-clauses; it cannot be deleted", d, id)
			}
			if d := catalogDependents(v[1], "sub-clause", v[2], "mapping", v[3], "measure link", v[4], "coverage line"); d != "" && !cascade {
				return model.FieldErrorf(model.ECONFLICT, "id", "clause %q still has %s; delete with cascade to delete them too", id, d)
			}
			return nil
		},
		remove: func(ctx context.Context, tx *txn, rec *neo4j.Record, _ string) error {
			_, err := tx.run(ctx, deleteClausesCypher, map[string]any{"ids": rec.Values[0]})
			return err
		},
	}, id, cascade)
}

// ---------------------------------------------------------------- crosswalks

const mapClausesCypher = `
MATCH (s:` + labelClause + ` {id: $source})
MATCH (t:` + labelClause + ` {id: $target})
MERGE (s)-[r:` + relMapsTo + `]->(t)
SET r.relationship = $relationship, r.rationale = $rationale, r.confidence = $confidence,
    r.coverage = $coverage, r.source = $origin
RETURN properties(r) AS props`

// MapClauses maps one clause to another, replacing any earlier mapping of
// the pair. It returns EINVALID for a bad field or a clause mapped to
// itself and ENOTFOUND for an unknown clause.
func (db *DB) MapClauses(ctx context.Context, in model.ClauseMappingInput) (*model.ClauseMapping, error) {
	if err := model.ValidID("input.sourceId", in.SourceID); err != nil {
		return nil, err
	}
	if err := model.ValidID("input.targetId", in.TargetID); err != nil {
		return nil, err
	}
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
	return writeTx(ctx, db, "neo4j.MapClauses", "mapping "+in.SourceID+" → "+in.TargetID, func(tx *txn) (*model.ClauseMapping, error) {
		if _, err := catalogResolve(ctx, tx,
			catalogRef{"input.sourceId", labelClause, in.SourceID, "clause"},
			catalogRef{"input.targetId", labelClause, in.TargetID, "clause"}); err != nil {
			return nil, err
		}
		recs, err := tx.run(ctx, mapClausesCypher, map[string]any{
			"source": in.SourceID, "target": in.TargetID, "relationship": string(in.Relationship), "rationale": rationale,
			"confidence": confidence, "coverage": coverage, "origin": catalogStr(origin),
		})
		if err != nil {
			return nil, err
		}
		if len(recs) == 0 {
			return nil, catalogGone("input")
		}
		p := props(recs[0].Values[0].(map[string]any))
		m := &model.ClauseMapping{SourceID: in.SourceID, TargetID: in.TargetID, Relationship: model.MappingRelationship(p.str("relationship")),
			Confidence: p.floatPtr("confidence"), Coverage: p.floatPtr("coverage"), Origin: p.strPtr("source")}
		if s := p.strPtr("rationale"); s != nil {
			ra := model.MappingRationale(*s)
			m.Rationale = &ra
		}
		return m, nil
	})
}

const unmapClausesCypher = `
MATCH (:` + labelClause + ` {id: $source})-[r:` + relMapsTo + `]->(:` + labelClause + ` {id: $target})
DELETE r
RETURN count(r) AS n`

// UnmapClauses removes the mapping from one clause to another. It reports
// whether there was one, and returns ENOTFOUND for an unknown clause.
func (db *DB) UnmapClauses(ctx context.Context, sourceID, targetID string) (bool, error) {
	if err := model.ValidID("sourceId", sourceID); err != nil {
		return false, err
	}
	if err := model.ValidID("targetId", targetID); err != nil {
		return false, err
	}
	return writeTx(ctx, db, "neo4j.UnmapClauses", "mapping "+sourceID+" → "+targetID, func(tx *txn) (bool, error) {
		if _, err := catalogResolve(ctx, tx,
			catalogRef{"sourceId", labelClause, sourceID, "clause"},
			catalogRef{"targetId", labelClause, targetID, "clause"}); err != nil {
			return false, err
		}
		return catalogCount(ctx, tx, unmapClausesCypher, map[string]any{"source": sourceID, "target": targetID})
	})
}

// catalogCount runs a statement that returns one count and reports whether
// it is positive.
func catalogCount(ctx context.Context, tx *txn, cypher string, params map[string]any) (bool, error) {
	recs, err := tx.run(ctx, cypher, params)
	if err != nil || len(recs) == 0 {
		return false, err
	}
	n, _ := recs[0].Values[0].(int64)
	return n > 0, nil
}

const linkMeasureToClauseCypher = `
MATCH (m:` + labelMeasure + ` {id: $measure})
MATCH (c:` + labelClause + ` {id: $clause})
MERGE (m)-[r:` + relSatisfies + `]->(c)
SET r.relationship = $relationship, r.coverage = $coverage, r.rationale = $rationale
RETURN properties(r) AS props`

// LinkMeasureToClause records that a measure satisfies a clause (by
// default EQUIVALENT_TO), replacing any earlier link of the pair. It
// returns EINVALID for a bad field and ENOTFOUND for an unknown measure or
// clause.
func (db *DB) LinkMeasureToClause(ctx context.Context, in model.MeasureClauseInput) (*model.MeasureClauseLink, error) {
	if err := model.ValidID("input.measureId", in.MeasureID); err != nil {
		return nil, err
	}
	if err := model.ValidID("input.clauseId", in.ClauseID); err != nil {
		return nil, err
	}
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
	return writeTx(ctx, db, "neo4j.LinkMeasureToClause", "link "+in.MeasureID+" → "+in.ClauseID, func(tx *txn) (*model.MeasureClauseLink, error) {
		if _, err := catalogResolve(ctx, tx,
			catalogRef{"input.measureId", labelMeasure, in.MeasureID, "measure"},
			catalogRef{"input.clauseId", labelClause, in.ClauseID, "clause"}); err != nil {
			return nil, err
		}
		recs, err := tx.run(ctx, linkMeasureToClauseCypher, map[string]any{
			"measure": in.MeasureID, "clause": in.ClauseID, "relationship": string(rel), "coverage": coverage, "rationale": catalogStr(rationale),
		})
		if err != nil {
			return nil, err
		}
		if len(recs) == 0 {
			return nil, catalogGone("input")
		}
		p := props(recs[0].Values[0].(map[string]any))
		return &model.MeasureClauseLink{MeasureID: in.MeasureID, ClauseID: in.ClauseID, Relationship: model.MappingRelationship(p.str("relationship")),
			Coverage: p.floatPtr("coverage"), Rationale: p.strPtr("rationale")}, nil
	})
}

const unlinkMeasureFromClauseCypher = `
MATCH (:` + labelMeasure + ` {id: $measure})-[r:` + relSatisfies + `]->(:` + labelClause + ` {id: $clause})
DELETE r
RETURN count(r) AS n`

// UnlinkMeasureFromClause removes the link between a measure and a clause.
// It reports whether there was one, and returns ENOTFOUND for an unknown
// measure or clause.
func (db *DB) UnlinkMeasureFromClause(ctx context.Context, measureID, clauseID string) (bool, error) {
	if err := model.ValidID("measureId", measureID); err != nil {
		return false, err
	}
	if err := model.ValidID("clauseId", clauseID); err != nil {
		return false, err
	}
	return writeTx(ctx, db, "neo4j.UnlinkMeasureFromClause", "link "+measureID+" → "+clauseID, func(tx *txn) (bool, error) {
		if _, err := catalogResolve(ctx, tx,
			catalogRef{"measureId", labelMeasure, measureID, "measure"},
			catalogRef{"clauseId", labelClause, clauseID, "clause"}); err != nil {
			return false, err
		}
		return catalogCount(ctx, tx, unlinkMeasureFromClauseCypher, map[string]any{"measure": measureID, "clause": clauseID})
	})
}
