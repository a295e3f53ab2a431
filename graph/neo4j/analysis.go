package neo4j

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

var _ model.AnalysisService = (*DB)(nil)

// analysisChildID returns a new id for a node that belongs to parent (an
// assessment of an analysis, a treatment of an assessment): the parent's
// id with a random suffix of 128 bits (randomHex), so that the child sorts
// and is cleaned up with its parent but cannot be computed, or a plain
// random id when that would be too long.
func analysisChildID(parent, kind string) string {
	suffix := kind + "-" + randomHex()
	if id := parent + ":" + suffix; len(id) <= 200 {
		return id
	}
	id, _ := newID("", nil, kind)
	return id
}

// analysisVersionSuffix matches the ids analysisVersionID makes.
var analysisVersionSuffix = regexp.MustCompile(`^(.+):v([0-9]+)$`)

// analysisVersionID is the id of the version after the analysis old with
// the given version: the id of version 1 followed by ":v" and the new
// version number (so that concurrent revisions of one version clash on the
// id constraint too), or a random id when that would be too long.
func analysisVersionID(old string, version int) string {
	base := old
	if m := analysisVersionSuffix.FindStringSubmatch(old); m != nil && m[2] == strconv.Itoa(version) {
		base = m[1]
	}
	if id := base + ":v" + strconv.Itoa(version+1); len(id) <= 200 {
		return id
	}
	id, _ := newID("", nil, "analysis")
	return id
}

// analysisSubmittedError is the refusal of every change to a submitted
// version.
func analysisSubmittedError(id string) error {
	return model.Errorf(model.ECONFLICT, "analysis %q is submitted and can no longer change; call reviseAnalysis to start a new draft version", id)
}

// analysisSharing is the validated visibility and sharing of an analysis
// (or, as what says, of an insurance policy).
type analysisSharing struct {
	visibility model.Visibility
	orgs       []string
	sectors    []string
	what       string // what is shared, for messages: "analysis" when empty
}

// analysisSharedOrgs checks the shared organization ids (format only) and
// drops repeats, keeping the first. It also returns the input position of
// each id it keeps, for error messages.
func analysisSharedOrgs(ids []string) ([]string, []int, error) {
	out := make([]string, 0, len(ids))
	at := make([]int, 0, len(ids))
	for i, id := range ids {
		if err := model.ValidID(fmt.Sprintf("input.sharedWithOrganizationIds.%d", i), id); err != nil {
			return nil, nil, err
		}
		if !slices.Contains(out, id) {
			out, at = append(out, id), append(at, i)
		}
	}
	return out, at, nil
}

// analysisSharedSectors checks the shared sectors and drops repeats.
func analysisSharedSectors(sectors []string) ([]string, error) {
	out := make([]string, 0, len(sectors))
	for i, s := range sectors {
		v, err := model.Text(fmt.Sprintf("input.sharedWithSectors.%d", i), &s, 1, model.MaxCode)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

// check enforces the sharing rules (model.CheckSharing) on the input.
func (s analysisSharing) check() error {
	return model.CheckSharing("input.", cmp.Or(s.what, "analysis"), s.visibility, s.orgs, s.sectors)
}

// analysisMissingOrgs returns the ENOTFOUND error for the first of ids
// that a check statement reported missing (missing holds indexes into ids,
// at their input positions).
func analysisMissingOrgs(ids []string, at []int, missing []any) error {
	if len(missing) == 0 {
		return nil
	}
	i, _ := missing[0].(int64)
	return model.FieldErrorf(model.ENOTFOUND, fmt.Sprintf("input.sharedWithOrganizationIds.%d", at[i]), "no organization %q", ids[i])
}

// ---------------------------------------------------------------- create

const createAnalysisCheckCypher = `
OPTIONAL MATCH (o:` + model.LabelOrganization + ` {id: $org})
OPTIONAL MATCH (t:` + model.LabelTarget + ` {id: $target})
RETURN o IS NOT NULL AS org, t IS NOT NULL AS target,
  [i IN range(0, size($shared) - 1) WHERE NOT EXISTS { MATCH (:` + model.LabelOrganization + ` {id: $shared[i]}) }] AS missing`

const createAnalysisCypher = `
MATCH (o:` + model.LabelOrganization + ` {id: $org}), (t:` + model.LabelTarget + ` {id: $target})
CREATE (a:` + model.LabelAnalysis + `:` + model.LabelEntity + ` {id: $id, title: $title, status: 'DRAFT', version: 1,
  visibility: $visibility, sharedWithOrganizationIds: $shared, sharedWithSectors: $sectors,
  organizationId: o.id, targetId: t.id, createdAt: datetime(), updatedAt: datetime()})
CREATE (o)-[:` + model.RelAuthored + `]->(a), (a)-[:` + model.RelAnalyzes + `]->(t)
WITH a
CALL (a) {
  UNWIND $shared AS sid
  MATCH (s:` + model.LabelOrganization + ` {id: sid})
  CREATE (a)-[:` + model.RelSharedWith + `]->(s)
}
RETURN a`

// CreateAnalysis starts a draft analysis (version 1) of a target by
// organization org. It returns EINVALID for bad input or sharing that does
// not fit the visibility, ENOTFOUND for an unknown organization, target or
// shared organization, and ECONFLICT for an id in use.
func (db *DB) CreateAnalysis(ctx context.Context, org string, in model.AnalysisInput) (*model.Analysis, error) {
	id, err := newID("input.id", in.ID, "analysis")
	if err != nil {
		return nil, err
	}
	if err := model.ValidID("input.targetId", in.TargetID); err != nil {
		return nil, err
	}
	title, err := model.Text("input.title", &in.Title, 1, model.MaxName)
	if err != nil {
		return nil, err
	}
	sh := analysisSharing{visibility: model.VisibilityPrivate}
	if in.Visibility != nil {
		sh.visibility = *in.Visibility
	}
	var orgsAt []int
	if sh.orgs, orgsAt, err = analysisSharedOrgs(in.SharedWithOrganizationIds); err != nil {
		return nil, err
	}
	if sh.sectors, err = analysisSharedSectors(in.SharedWithSectors); err != nil {
		return nil, err
	}
	if err := sh.check(); err != nil {
		return nil, err
	}
	params := map[string]any{
		"id": id, "org": org, "target": in.TargetID, "title": title,
		"visibility": string(sh.visibility), "shared": sh.orgs, "sectors": sh.sectors,
	}
	return writeTx(ctx, db, "neo4j.CreateAnalysis", "analysis "+id, func(tx *txn) (*model.Analysis, error) {
		recs, err := tx.run(ctx, createAnalysisCheckCypher, params)
		if err != nil {
			return nil, err
		}
		p := props(recs[0].AsMap())
		switch {
		case !p.bool("org"):
			return nil, model.Errorf(model.ENOTFOUND, "no organization %q", org)
		case !p.bool("target"):
			return nil, model.FieldErrorf(model.ENOTFOUND, "input.targetId", "no target %q", in.TargetID)
		}
		if err := analysisMissingOrgs(sh.orgs, orgsAt, recs[0].Values[2].([]any)); err != nil {
			return nil, err
		}
		recs, err = tx.run(ctx, createAnalysisCypher, params)
		if err != nil {
			return nil, err
		}
		tx.touchTargets(in.TargetID)
		return requireNode[model.Analysis](recs)
	})
}

// ---------------------------------------------------------------- update

// analysisLockCypher starts every change to an existing analysis: it takes
// the analysis's write lock (a property set and removed again, so nothing
// changes), so that concurrent changes to one analysis run one after the
// other, and reads what the change is checked against.
const analysisLockCypher = `
OPTIONAL MATCH (a:` + model.LabelAnalysis + ` {id: $id})
SET a._lock = true
REMOVE a._lock
WITH a
RETURN a`

// lockAnalysis locks and returns the analysis with the given id, and
// records it and its target as changed (the transaction locks it to change
// it; nothing is reported unless it commits). It
// returns ENOTFOUND naming field when there is none and, unless submitted
// is allowed, ECONFLICT for a submitted one.
func (t *txn) lockAnalysis(ctx context.Context, id, field string, allowSubmitted bool) (*model.Analysis, error) {
	recs, err := t.run(ctx, analysisLockCypher, map[string]any{"id": id})
	if err != nil {
		return nil, err
	}
	n, ok := recs[0].Values[0].(neo4j.Node)
	if !ok {
		return nil, model.FieldErrorf(model.ENOTFOUND, field, "no analysis %q", id)
	}
	a := decode(n).(*model.Analysis)
	if a.Status == model.AnalysisStatusSubmitted && !allowSubmitted {
		return nil, analysisSubmittedError(id)
	}
	t.touchTargets(a.TargetID) // locked to be changed
	t.touchNodes(a.ID)
	return a, nil
}

const analysisOrgsMissingCypher = `
RETURN [i IN range(0, size($shared) - 1) WHERE NOT EXISTS { MATCH (:` + model.LabelOrganization + ` {id: $shared[i]}) }] AS missing`

const updateAnalysisCypher = `
MATCH (a:` + model.LabelAnalysis + ` {id: $id})
SET a.title = $title, a.visibility = $visibility, a.sharedWithOrganizationIds = $shared,
  a.sharedWithSectors = $sectors, a.updatedAt = datetime()
WITH a
CALL (a) {
  MATCH (a)-[r:` + model.RelSharedWith + `]->()
  DELETE r
}
CALL (a) {
  UNWIND $shared AS sid
  MATCH (s:` + model.LabelOrganization + ` {id: sid})
  CREATE (a)-[:` + model.RelSharedWith + `]->(s)
}
RETURN a`

// UpdateAnalysis changes a draft analysis's title, visibility and sharing;
// omitted fields keep their values, except that sharing lists are cleared
// when the visibility changes to PRIVATE or PUBLIC without naming them. It
// returns ENOTFOUND for an unknown analysis or shared organization,
// EINVALID for bad input, and ECONFLICT for a submitted analysis.
func (db *DB) UpdateAnalysis(ctx context.Context, id string, in model.AnalysisUpdateInput) (*model.Analysis, error) {
	var title *string
	if in.Title != nil {
		v, err := model.Text("input.title", in.Title, 1, model.MaxName)
		if err != nil {
			return nil, err
		}
		title = &v
	}
	var orgs, sectors []string
	var orgsAt []int
	var err error
	if in.SharedWithOrganizationIds != nil {
		if orgs, orgsAt, err = analysisSharedOrgs(in.SharedWithOrganizationIds); err != nil {
			return nil, err
		}
	}
	if in.SharedWithSectors != nil {
		if sectors, err = analysisSharedSectors(in.SharedWithSectors); err != nil {
			return nil, err
		}
	}
	if in.Visibility != nil && !in.Visibility.IsValid() {
		return nil, model.FieldErrorf(model.EINVALID, "input.visibility", "unknown visibility %q (want PRIVATE, SHARED or PUBLIC)", *in.Visibility)
	}
	return writeTx(ctx, db, "neo4j.UpdateAnalysis", "analysis "+id, func(tx *txn) (*model.Analysis, error) {
		a, err := tx.lockAnalysis(ctx, id, "id", false)
		if err != nil {
			return nil, err
		}
		sh := analysisSharing{visibility: a.Visibility, orgs: a.SharedWithOrganizationIDs, sectors: a.SharedWithSectors}
		if in.Visibility != nil && *in.Visibility != a.Visibility {
			sh.visibility = *in.Visibility
			if sh.visibility != model.VisibilityShared {
				sh.orgs, sh.sectors = nil, nil
			}
		}
		if in.SharedWithOrganizationIds != nil {
			sh.orgs = orgs
		}
		if in.SharedWithSectors != nil {
			sh.sectors = sectors
		}
		if err := sh.check(); err != nil {
			return nil, err
		}
		newTitle := a.Title
		if title != nil {
			newTitle = *title
		}
		if len(orgs) > 0 { // only the organizations named now: one deleted since may stay
			recs, err := tx.run(ctx, analysisOrgsMissingCypher, map[string]any{"shared": orgs})
			if err != nil {
				return nil, err
			}
			if err := analysisMissingOrgs(orgs, orgsAt, recs[0].Values[0].([]any)); err != nil {
				return nil, err
			}
		}
		recs, err := tx.run(ctx, updateAnalysisCypher, map[string]any{
			"id": id, "title": newTitle, "visibility": string(sh.visibility),
			"shared": append([]string{}, sh.orgs...), "sectors": append([]string{}, sh.sectors...),
		})
		if err != nil {
			return nil, err
		}
		return requireNode[model.Analysis](recs)
	})
}

// ---------------------------------------------------------------- delete

const deleteAnalysisCypher = `
MATCH (a:` + model.LabelAnalysis + ` {id: $id})
CALL (a) {
  MATCH (a)-[:` + model.RelHasAssessment + `]->(:` + model.LabelAssessment + `)-[:` + model.RelTreatedBy + `]->(tr:` + model.LabelTreatment + `)
  DETACH DELETE tr
}
CALL (a) {
  MATCH (a)-[:` + model.RelHasAssessment + `]->(s:` + model.LabelAssessment + `)
  DETACH DELETE s
}
DETACH DELETE a`

// DeleteAnalysis deletes a draft analysis with its assessments and their
// treatments. It returns ENOTFOUND for an unknown analysis and ECONFLICT
// for a submitted one.
func (db *DB) DeleteAnalysis(ctx context.Context, id string) error {
	_, err := writeTx(ctx, db, "neo4j.DeleteAnalysis", "analysis "+id, func(tx *txn) (struct{}, error) {
		if _, err := tx.lockAnalysis(ctx, id, "id", false); err != nil {
			return struct{}{}, err
		}
		_, err := tx.run(ctx, deleteAnalysisCypher, map[string]any{"id": id})
		return struct{}{}, err
	})
	return err
}

// ---------------------------------------------------------------- assess

// assessCheckCypher reads, in one round trip, everything AssessIncident
// checks its references against. An incident, threat or measure private to
// an analysis the caller may not read (model.InlineReadable) is answered as
// missing.
var assessCheckCypher = `
RETURN
  head([(:` + model.LabelAnalysis + ` {id: $analysis})-[:` + model.RelHasAssessment + `]->(x:` + model.LabelAssessment + ` {incidentId: $incident}) | x.id]) AS existing,
  head(COLLECT { MATCH (i:` + model.LabelIncident + ` {id: $incident}) WHERE ` + inlineReadable("i") + ` RETURN coalesce(i.targetId, '') }) AS incidentTarget,
  EXISTS { MATCH (:` + model.LabelAxisLevel + ` {axis: 1, rank: $axis1}) } AS axis1,
  EXISTS { MATCH (:` + model.LabelAxisLevel + ` {axis: 2, rank: $axis2}) } AS axis2,
  head(COLLECT { MATCH (r:` + model.LabelCategoryRule + ` {axis1Rank: $axis1, axis2Rank: $axis2}) RETURN r.category ORDER BY r.id }) AS category,
  head(COLLECT { MATCH (d:` + model.LabelDepartment + ` {id: $dept}) RETURN coalesce(d.organizationId, '') }) AS deptOrg,
  [x IN $threats | EXISTS { MATCH (th:` + model.LabelThreat + ` {id: x}) WHERE ` + inlineReadable("th") + ` }] AS threats,
  [x IN $assets | head(COLLECT { MATCH (s:` + model.LabelAsset + ` {id: x}) RETURN coalesce(s.targetId, '') })] AS assets,
  [x IN $measures | head(COLLECT { MATCH (m:` + model.LabelMeasure + ` {id: x}) WHERE ` + inlineReadable("m") + ` RETURN coalesce(m.perspective, '') })] AS measures,
  [x IN $newIds | EXISTS { MATCH (:` + model.LabelEntity + ` {id: x}) }] AS taken,
  COLLECT { MATCH (p:` + model.LabelPerspective + `) RETURN p.code } AS perspectives`

// assessWriteCypher creates the new catalog nodes (private to the
// analysis when $privateTo names it, see model.InlineReadable; threats and
// measures owned by its organization, see model.Principal.EditsShared),
// then the assessment (or
// clears the one it replaces, keeping its id) with all its edges and
// treatments, in one statement.
const assessWriteCypher = `
MATCH (a:` + model.LabelAnalysis + ` {id: $analysis})-[:` + model.RelAnalyzes + `]->(t:` + model.LabelTarget + `)
CALL (t) {
  UNWIND $newIncidents AS ni
  CREATE (i:` + model.LabelIncident + `:` + model.LabelEntity + `)
  SET i = ni, i.targetId = t.id, i.privateTo = $privateTo, i.createdAt = datetime(), i.updatedAt = datetime()
  CREATE (t)-[:` + model.RelHasIncident + `]->(i)
}
CALL (a) {
  UNWIND $newThreats AS nt
  CREATE (x:` + model.LabelThreat + `:` + model.LabelEntity + `)
  SET x = nt, x.privateTo = $privateTo, x.ownerId = a.organizationId, x.createdAt = datetime(), x.updatedAt = datetime()
}
CALL (a) {
  UNWIND $newMeasures AS nm
  CREATE (x:` + model.LabelMeasure + `:` + model.LabelEntity + `)
  SET x = nm, x.privateTo = $privateTo, x.ownerId = a.organizationId, x.createdAt = datetime(), x.updatedAt = datetime()
}
CALL (a) {
  MATCH (a)-[:` + model.RelHasAssessment + `]->(:` + model.LabelAssessment + ` {id: $sid})-[:` + model.RelTreatedBy + `]->(tr:` + model.LabelTreatment + `)
  DETACH DELETE tr
}
CALL (a) {
  MATCH (a)-[:` + model.RelHasAssessment + `]->(:` + model.LabelAssessment + ` {id: $sid})-[r:` + model.RelOf + `|` + model.RelCausedBy + `|` + model.RelThrough + `|` + model.RelOwnedBy + `]->()
  DELETE r
}
MERGE (s:` + model.LabelAssessment + ` {id: $sid})
  ON CREATE SET s:` + model.LabelEntity + `
SET s += $props
MERGE (a)-[:` + model.RelHasAssessment + `]->(s)
SET a.updatedAt = datetime()
WITH s
MATCH (i:` + model.LabelIncident + ` {id: $incident})
CREATE (s)-[:` + model.RelOf + `]->(i)
WITH s
CALL (s) {
  UNWIND $threatIds AS x
  MATCH (th:` + model.LabelThreat + ` {id: x})
  MERGE (s)-[:` + model.RelCausedBy + `]->(th)
}
CALL (s) {
  UNWIND $assetIds AS x
  MATCH (as:` + model.LabelAsset + ` {id: x})
  MERGE (s)-[:` + model.RelThrough + `]->(as)
}
CALL (s) {
  UNWIND $depts AS x
  MATCH (d:` + model.LabelDepartment + ` {id: x})
  CREATE (s)-[:` + model.RelOwnedBy + `]->(d)
}
CALL (s) {
  UNWIND $treatments AS tr
  MATCH (m:` + model.LabelMeasure + ` {id: tr.measureId})
  CREATE (s)-[:` + model.RelTreatedBy + `]->(n:` + model.LabelTreatment + `:` + model.LabelEntity + ` {id: tr.id, assessmentId: s.id, measureId: m.id,
    status: tr.status, perspective: coalesce(tr.perspective, m.perspective)})-[:` + model.RelApplies + `]->(m)
}
RETURN s`

// assessPlan is AssessIncident's input, checked in Go and ready for the
// check and write statements.
type assessPlan struct {
	incidentID   string
	incidentNew  bool
	newIncidents []map[string]any
	newThreats   []map[string]any
	newMeasures  []map[string]any
	newIDs       []string // ids of new nodes, in input order
	newFields    []string // the input fields that name them
	threatIDs    []string // every threat, existing or new
	oldThreats   []string // existing threats, to check
	oldThreatAt  []string // their input fields
	assetIDs     []string
	measureIDs   []string // existing measures, to check
	measureAt    []string // their input fields
	treatments   []map[string]any
	treatmentAt  []string // each treatment's perspective field
	props        map[string]any
}

// planAssessment checks AssessIncident's input in Go: shapes, lengths,
// numbers and enums. References are checked in the transaction.
func planAssessment(in model.AssessIncidentInput) (*assessPlan, error) {
	pl := &assessPlan{}
	if err := model.ValidID("input.analysisId", in.AnalysisID); err != nil {
		return nil, err
	}
	addNew := func(field, id string) error {
		if i := slices.Index(pl.newIDs, id); i >= 0 {
			return model.FieldErrorf(model.EINVALID, field, "id %q is given to two new nodes (also %s)", id, pl.newFields[i])
		}
		pl.newIDs, pl.newFields = append(pl.newIDs, id), append(pl.newFields, field)
		return nil
	}
	switch {
	case in.IncidentID != nil && in.NewIncident != nil:
		return nil, model.FieldErrorf(model.EINVALID, "input.incidentId", "give either incidentId or newIncident, not both")
	case in.IncidentID == nil && in.NewIncident == nil:
		return nil, model.FieldErrorf(model.EINVALID, "input.incidentId", "give incidentId (an incident of the analysis's target) or newIncident")
	case in.IncidentID != nil:
		if err := model.ValidID("input.incidentId", *in.IncidentID); err != nil {
			return nil, err
		}
		pl.incidentID = *in.IncidentID
	default:
		ni := in.NewIncident
		id, err := newID("input.newIncident.id", ni.ID, "incident")
		if err != nil {
			return nil, err
		}
		name, err := model.Text("input.newIncident.name", &ni.Name, 1, model.MaxName)
		if err != nil {
			return nil, err
		}
		consequence, err := model.Text("input.newIncident.consequence", &ni.Consequence, 1, model.MaxCode)
		if err != nil {
			return nil, err
		}
		desc, err := model.Text("input.newIncident.description", ni.Description, 0, model.MaxText)
		if err != nil {
			return nil, err
		}
		_ = addNew("input.newIncident.id", id)
		pl.incidentID, pl.incidentNew = id, true
		pl.newIncidents = []map[string]any{{"id": id, "name": name, "consequence": consequence, "description": desc}}
	}
	var loss any
	if in.EstimatedLossJpy != nil {
		v := *in.EstimatedLossJpy
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, model.FieldErrorf(model.EINVALID, "input.estimatedLossJPY", "estimatedLossJPY must be a finite amount of 0 or more, got %v", v)
		}
		loss = v
	}
	rationale, err := model.Text("input.rationale", in.Rationale, 0, model.MaxText)
	if err != nil {
		return nil, err
	}
	var dept any
	if in.OwnerDepartmentID != nil {
		if err := model.ValidID("input.ownerDepartmentId", *in.OwnerDepartmentID); err != nil {
			return nil, err
		}
		dept = *in.OwnerDepartmentID
	}
	for i, ref := range in.Threats {
		field := fmt.Sprintf("input.threats.%d", i)
		if ref == nil || (ref.ID == nil) == (ref.New == nil) {
			return nil, model.FieldErrorf(model.EINVALID, field, "give either id (an existing threat) or new (a new threat), exactly one")
		}
		if ref.ID != nil {
			if err := model.ValidID(field+".id", *ref.ID); err != nil {
				return nil, err
			}
			pl.oldThreats, pl.oldThreatAt = append(pl.oldThreats, *ref.ID), append(pl.oldThreatAt, field+".id")
			pl.threatIDs = append(pl.threatIDs, *ref.ID)
			continue
		}
		th, err := analysisNewThreat(field+".new", ref.New)
		if err != nil {
			return nil, err
		}
		if err := addNew(field+".new.id", th["id"].(string)); err != nil {
			return nil, err
		}
		pl.newThreats = append(pl.newThreats, th)
		pl.threatIDs = append(pl.threatIDs, th["id"].(string))
	}
	for i, id := range in.AssetIds {
		if err := model.ValidID(fmt.Sprintf("input.assetIds.%d", i), id); err != nil {
			return nil, err
		}
		pl.assetIDs = append(pl.assetIDs, id)
	}
	var treated []string
	for i, tr := range in.Treatments {
		field := fmt.Sprintf("input.treatments.%d", i)
		if tr == nil || (tr.MeasureID == nil) == (tr.NewMeasure == nil) {
			return nil, model.FieldErrorf(model.EINVALID, field, "give either measureId (an existing measure) or newMeasure, exactly one")
		}
		if !tr.Status.IsValid() {
			return nil, model.FieldErrorf(model.EINVALID, field+".status", "unknown treatment status %q (want PLANNED, IMPLEMENTED or VERIFIED)", tr.Status)
		}
		var perspective any
		if tr.Perspective != nil {
			v, err := model.Text(field+".perspective", tr.Perspective, 1, model.MaxCode)
			if err != nil {
				return nil, err
			}
			perspective = v
		}
		var measure, measureField string
		if tr.MeasureID != nil {
			measure, measureField = *tr.MeasureID, field+".measureId"
			if err := model.ValidID(measureField, measure); err != nil {
				return nil, err
			}
			pl.measureIDs, pl.measureAt = append(pl.measureIDs, measure), append(pl.measureAt, measureField)
		} else {
			m, err := analysisNewMeasure(field+".newMeasure", tr.NewMeasure)
			if err != nil {
				return nil, err
			}
			measure, measureField = m["id"].(string), field+".newMeasure.id"
			if err := addNew(measureField, measure); err != nil {
				return nil, err
			}
			pl.newMeasures = append(pl.newMeasures, m)
		}
		if slices.Contains(treated, measure) {
			return nil, model.FieldErrorf(model.EINVALID, measureField, "measure %q is applied twice; give one treatment per measure", measure)
		}
		treated = append(treated, measure)
		pl.treatments = append(pl.treatments, map[string]any{"measureId": measure, "status": string(tr.Status), "perspective": perspective})
		pl.treatmentAt = append(pl.treatmentAt, field+".perspective")
	}
	pl.props = map[string]any{
		"analysisId": in.AnalysisID, "incidentId": pl.incidentID, "axis1": in.Axis1, "axis2": in.Axis2,
		"estimatedLossJPY": loss, "rationale": rationale, "ownerDepartmentId": dept,
	}
	return pl, nil
}

// analysisNewThreat checks an inline new threat and returns its
// properties (id included), exactly as createThreat would store it.
func analysisNewThreat(field string, in *model.ThreatInput) (map[string]any, error) {
	if err := in.Validate(field); err != nil {
		return nil, err
	}
	id, err := newID(field+".id", in.ID, "threat")
	if err != nil {
		return nil, err
	}
	m := threatProps(*in)
	m["id"] = id
	return m, nil
}

// analysisNewMeasure checks an inline new measure and returns its
// properties (id included), exactly as createMeasure would store it; its
// perspective is checked against the stored ones later.
func analysisNewMeasure(field string, in *model.MeasureInput) (map[string]any, error) {
	if err := in.Validate(field); err != nil {
		return nil, err
	}
	id, err := newID(field+".id", in.ID, "measure")
	if err != nil {
		return nil, err
	}
	m := measureProps(*in)
	m["id"] = id
	return m, nil
}

// AssessIncident adds or replaces the assessment of one incident in a draft
// analysis, creating the inline new incident, threats and measures, in one
// transaction. Assessing an incident again replaces its assessment, which
// keeps its id. The category is derived from the category rules. It
// returns EINVALID for bad input (naming the field: a reference of another
// target or organization, a rank not on its scale, an unknown perspective),
// ENOTFOUND for a dangling reference, and ECONFLICT for a submitted
// analysis or a new node whose id is in use.
func (db *DB) AssessIncident(ctx context.Context, in model.AssessIncidentInput) (*model.Assessment, error) {
	pl, err := planAssessment(in)
	if err != nil {
		return nil, err
	}
	dept := pl.props["ownerDepartmentId"]
	incident := any(pl.incidentID)
	if pl.incidentNew {
		incident = nil
	}
	check := viewerParams(model.PrincipalFrom(ctx))
	maps.Copy(check, map[string]any{
		"analysis": in.AnalysisID, "incident": incident, "axis1": in.Axis1, "axis2": in.Axis2, "dept": dept,
		"threats": analysisList(pl.oldThreats), "assets": analysisList(pl.assetIDs), "measures": analysisList(pl.measureIDs), "newIds": analysisList(pl.newIDs),
	})
	return writeTx(ctx, db, "neo4j.AssessIncident", "assessment of "+pl.incidentID+" in "+in.AnalysisID, func(tx *txn) (*model.Assessment, error) {
		a, err := tx.lockAnalysis(ctx, in.AnalysisID, "input.analysisId", false)
		if err != nil {
			return nil, err
		}
		recs, err := tx.run(ctx, assessCheckCypher, check)
		if err != nil {
			return nil, err
		}
		c := props(recs[0].AsMap())
		if !pl.incidentNew {
			switch it := c.strPtr("incidentTarget"); {
			case it == nil:
				return nil, model.FieldErrorf(model.ENOTFOUND, "input.incidentId", "no incident %q", pl.incidentID)
			case *it != a.TargetID:
				return nil, model.FieldErrorf(model.EINVALID, "input.incidentId", "incident %q belongs to target %q, not to the analysis's target %q", pl.incidentID, *it, a.TargetID)
			}
		}
		if !c.bool("axis1") {
			return nil, model.FieldErrorf(model.EINVALID, "input.axis1", "axis 1 has no level of rank %d", in.Axis1)
		}
		if !c.bool("axis2") {
			return nil, model.FieldErrorf(model.EINVALID, "input.axis2", "axis 2 has no level of rank %d", in.Axis2)
		}
		category := c.intPtr("category")
		if category == nil {
			return nil, model.FieldErrorf(model.EINVALID, "input.axis1", "no category rule gives a category for axis-1 rank %d and axis-2 rank %d", in.Axis1, in.Axis2)
		}
		if dept != nil {
			switch org := c.strPtr("deptOrg"); {
			case org == nil:
				return nil, model.FieldErrorf(model.ENOTFOUND, "input.ownerDepartmentId", "no department %q", dept)
			case *org != a.OrganizationID:
				return nil, model.FieldErrorf(model.EINVALID, "input.ownerDepartmentId", "department %q belongs to organization %q, not to the analysis's organization %q", dept, *org, a.OrganizationID)
			}
		}
		for i, ok := range c["threats"].([]any) {
			if ok != true {
				return nil, model.FieldErrorf(model.ENOTFOUND, pl.oldThreatAt[i], "no threat %q", pl.oldThreats[i])
			}
		}
		for i, v := range c["assets"].([]any) {
			field := fmt.Sprintf("input.assetIds.%d", i)
			switch t, _ := v.(string); {
			case v == nil:
				return nil, model.FieldErrorf(model.ENOTFOUND, field, "no asset %q", pl.assetIDs[i])
			case t != a.TargetID:
				return nil, model.FieldErrorf(model.EINVALID, field, "asset %q belongs to target %q, not to the analysis's target %q", pl.assetIDs[i], t, a.TargetID)
			}
		}
		measurePerspective := map[string]string{}
		for i, v := range c["measures"].([]any) {
			if v == nil {
				return nil, model.FieldErrorf(model.ENOTFOUND, pl.measureAt[i], "no measure %q", pl.measureIDs[i])
			}
			measurePerspective[pl.measureIDs[i]] = v.(string)
		}
		perspectives := c.strs("perspectives")
		for _, m := range pl.newMeasures {
			if p := m["perspective"].(string); !slices.Contains(perspectives, p) {
				field := strings.TrimSuffix(pl.newFields[slices.Index(pl.newIDs, m["id"].(string))], ".id")
				return nil, model.FieldErrorf(model.EINVALID, field+".perspective", "unknown perspective %q (want one of %v)", p, perspectives)
			}
		}
		for i, tr := range pl.treatments {
			if p, ok := tr["perspective"].(string); ok && !slices.Contains(perspectives, p) {
				return nil, model.FieldErrorf(model.EINVALID, pl.treatmentAt[i], "unknown perspective %q (want one of %v)", p, perspectives)
			}
		}
		for i, taken := range c["taken"].([]any) {
			if taken == true {
				return nil, model.FieldErrorf(model.ECONFLICT, pl.newFields[i], "id %q is already in use", pl.newIDs[i])
			}
		}
		sid := analysisChildID(in.AnalysisID, "as")
		if s := c.strPtr("existing"); s != nil {
			sid = *s
		}
		treatments := make([]map[string]any, len(pl.treatments))
		for i, tr := range pl.treatments {
			treatments[i] = map[string]any{"id": analysisChildID(sid, "tr"), "measureId": tr["measureId"], "status": tr["status"], "perspective": tr["perspective"]}
		}
		props := analysisCopyMap(pl.props)
		props["category"] = *category
		var depts []string
		if dept != nil {
			depts = []string{dept.(string)}
		}
		recs, err = tx.run(ctx, assessWriteCypher, map[string]any{
			"privateTo": inlinePrivateTo(a),
			"analysis":  in.AnalysisID, "sid": sid, "props": props, "incident": pl.incidentID,
			"newIncidents": analysisMaps(pl.newIncidents), "newThreats": analysisMaps(pl.newThreats), "newMeasures": analysisMaps(pl.newMeasures),
			"threatIds": analysisList(pl.threatIDs), "assetIds": analysisList(pl.assetIDs), "depts": analysisList(depts), "treatments": analysisMaps(treatments),
		})
		if err != nil {
			return nil, err
		}
		tx.touchNodes(sid)
		tx.touchAssessments(sid)
		return requireNode[model.Assessment](recs)
	})
}

// inlinePrivateTo returns what the nodes created inline in analysis a keep
// as privateTo (model.InlineReadable): a's id while a is PRIVATE, nil
// (readable by everyone) otherwise.
func inlinePrivateTo(a *model.Analysis) any {
	if a.Visibility == model.VisibilityPrivate {
		return []string{a.ID}
	}
	return nil
}

// analysisCopyMap returns a shallow copy of m.
func analysisCopyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// analysisList returns s, or an empty list for nil, so that Cypher gets []
// and not null.
func analysisList(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// analysisMaps is analysisList for lists of maps.
func analysisMaps(s []map[string]any) []map[string]any {
	if s == nil {
		return []map[string]any{}
	}
	return s
}

// ---------------------------------------------------------------- remove

const analysisAssessmentOwnerCypher = `
OPTIONAL MATCH (a:` + model.LabelAnalysis + `)-[:` + model.RelHasAssessment + `]->(:` + model.LabelAssessment + ` {id: $id})
RETURN a.id AS analysis`

const removeAssessmentCypher = `
MATCH (a:` + model.LabelAnalysis + ` {id: $analysis})-[:` + model.RelHasAssessment + `]->(s:` + model.LabelAssessment + ` {id: $id})
SET a.updatedAt = datetime()
WITH s
CALL (s) {
  MATCH (s)-[:` + model.RelTreatedBy + `]->(tr:` + model.LabelTreatment + `)
  DETACH DELETE tr
}
DETACH DELETE s`

// RemoveAssessment deletes an assessment of a draft analysis with its
// treatments. It returns ENOTFOUND for an unknown assessment and ECONFLICT
// for one of a submitted analysis.
func (db *DB) RemoveAssessment(ctx context.Context, id string) error {
	_, err := writeTx(ctx, db, "neo4j.RemoveAssessment", "assessment "+id, func(tx *txn) (struct{}, error) {
		recs, err := tx.run(ctx, analysisAssessmentOwnerCypher, map[string]any{"id": id})
		if err != nil {
			return struct{}{}, err
		}
		analysis, _ := recs[0].Values[0].(string)
		if analysis == "" {
			return struct{}{}, model.FieldErrorf(model.ENOTFOUND, "id", "no assessment %q", id)
		}
		if _, err := tx.lockAnalysis(ctx, analysis, "id", false); err != nil {
			return struct{}{}, err
		}
		_, err = tx.run(ctx, removeAssessmentCypher, map[string]any{"id": id, "analysis": analysis})
		tx.touchNodes(id)
		return struct{}{}, err
	})
	return err
}

// ---------------------------------------------------------------- submit

const analysisAssessmentCountCypher = `
MATCH (a:` + model.LabelAnalysis + ` {id: $id})
RETURN COUNT { (a)-[:` + model.RelHasAssessment + `]->(:` + model.LabelAssessment + `) } AS n`

const submitAnalysisCypher = `
MATCH (a:` + model.LabelAnalysis + ` {id: $id})
SET a.status = 'SUBMITTED', a.submittedAt = datetime(), a.updatedAt = datetime()
RETURN a`

// SubmitAnalysis freezes a draft analysis as a submitted version, keeping
// on each assessment what it rated as it is now (snapshotAssessments). It
// returns ENOTFOUND for an unknown analysis, ECONFLICT for one already
// submitted and EINVALID for one without assessments.
func (db *DB) SubmitAnalysis(ctx context.Context, id string) (*model.Analysis, error) {
	return writeTx(ctx, db, "neo4j.SubmitAnalysis", "analysis "+id, func(tx *txn) (*model.Analysis, error) {
		a, err := tx.lockAnalysis(ctx, id, "id", true)
		if err != nil {
			return nil, err
		}
		if a.Status == model.AnalysisStatusSubmitted {
			return nil, model.FieldErrorf(model.ECONFLICT, "id", "analysis %q is already submitted; call reviseAnalysis to start a new draft version", id)
		}
		recs, err := tx.run(ctx, analysisAssessmentCountCypher, map[string]any{"id": id})
		if err != nil {
			return nil, err
		}
		if n, _ := recs[0].Values[0].(int64); n == 0 {
			return nil, model.FieldErrorf(model.EINVALID, "id", "analysis %q has no assessments; assess at least one incident before submitting", id)
		}
		recs, err = tx.run(ctx, submitAnalysisCypher, map[string]any{"id": id})
		if err != nil {
			return nil, err
		}
		if err := snapshotAssessments(ctx, tx, []string{id}); err != nil {
			return nil, err
		}
		return requireNode[model.Analysis](recs)
	})
}

// snapshotReadCypher reads, for the assessments of the given analyses that
// keep no snapshot yet, what they rate: the incident, threats, assets and
// the measures of their treatments.
const snapshotReadCypher = `
UNWIND $ids AS aid
MATCH (:` + model.LabelAnalysis + ` {id: aid})-[:` + model.RelHasAssessment + `]->(s:` + model.LabelAssessment + `)
WHERE s.snapshot IS NULL
OPTIONAL MATCH (s)-[:` + model.RelOf + `]->(i:` + model.LabelIncident + `)
RETURN s.id AS id, i AS incident,
  [(s)-[:` + model.RelCausedBy + `]->(x:` + model.LabelThreat + `) | x] AS threats,
  [(s)-[:` + model.RelThrough + `]->(x:` + model.LabelAsset + `) | x] AS assets,
  [(s)-[:` + model.RelTreatedBy + `]->(:` + model.LabelTreatment + `)-[:` + model.RelApplies + `]->(x:` + model.LabelMeasure + `) | x] AS measures`

const snapshotWriteCypher = `
UNWIND $rows AS row
MATCH (s:` + model.LabelAssessment + ` {id: row.id})
SET s.snapshot = row.snapshot`

// snapshotAssessments stores on each assessment of the given analyses that
// has none yet (as the property snapshot, JSON of model.AsSubmitted) the
// fields of the incident, threats, assets and measures it rates as they
// are now: what a submitted analysis keeps showing when those shared nodes
// change. It reads in one statement and writes in one, whatever the
// number of assessments.
func snapshotAssessments(ctx context.Context, tx *txn, analysisIDs []string) error {
	recs, err := tx.run(ctx, snapshotReadCypher, map[string]any{"ids": analysisIDs})
	if err != nil || len(recs) == 0 {
		return err
	}
	rows := make([]map[string]any, 0, len(recs))
	for _, r := range recs {
		m := r.AsMap()
		var snap model.AsSubmitted
		if n, ok := m["incident"].(neo4j.Node); ok {
			snap.Incident, _ = decode(n).(*model.Incident)
		}
		snap.Threats = decodeSorted[model.Threat](m["threats"], func(t *model.Threat) string { return t.ID })
		snap.Assets = decodeSorted[model.Asset](m["assets"], func(x *model.Asset) string { return x.ID })
		snap.Measures = decodeSorted[model.Measure](m["measures"], func(x *model.Measure) string { return x.ID })
		b, err := json.Marshal(&snap)
		if err != nil {
			return fmt.Errorf("snapshot of assessment %v: %w", m["id"], err)
		}
		rows = append(rows, map[string]any{"id": m["id"], "snapshot": string(b)})
	}
	_, err = tx.run(ctx, snapshotWriteCypher, map[string]any{"rows": rows})
	return err
}

// decodeSorted decodes a list of nodes of type T, ordered by id and
// without duplicates.
func decodeSorted[T any](v any, id func(*T) string) []*T {
	list, _ := v.([]any)
	out := make([]*T, 0, len(list))
	for _, x := range list {
		if n, ok := x.(neo4j.Node); ok {
			if t, ok := any(decode(n)).(*T); ok {
				out = append(out, t)
			}
		}
	}
	slices.SortFunc(out, func(a, b *T) int { return strings.Compare(id(a), id(b)) })
	return slices.CompactFunc(out, func(a, b *T) bool { return id(a) == id(b) })
}

// ---------------------------------------------------------------- revise

const reviseCheckCypher = `
MATCH (a:` + model.LabelAnalysis + ` {id: $id})
RETURN [(n:` + model.LabelAnalysis + `)-[:` + model.RelSupersedes + `]->(a) | n.id] AS supersededBy,
  [(a)-[:` + model.RelHasAssessment + `]->(s:` + model.LabelAssessment + `) | {id: s.id, treatments: [(s)-[:` + model.RelTreatedBy + `]->(tr:` + model.LabelTreatment + `) | tr.id]}] AS assessments`

// revisedIDKey is the natural key (idKey, see resolveDerivedIDs) of the
// copy of v, an assessment or treatment of analysis $id, in its next
// version $new: the same key under the new analysis's id (a document of the
// new version that leaves its ids out then finds the copies), none when the
// key does not start with the analysis's id (a hashed one). The keys are
// unique, so the copy cannot keep the old one.
func revisedIDKey(v string) string {
	return `CASE WHEN ` + v + `.idKey STARTS WITH $id + ':' THEN $new + substring(` + v + `.idKey, size($id)) END`
}

var reviseAnalysisCypher = `
MATCH (o:` + model.LabelOrganization + `)-[:` + model.RelAuthored + `]->(old:` + model.LabelAnalysis + ` {id: $id})-[:` + model.RelAnalyzes + `]->(t:` + model.LabelTarget + `)
CREATE (a:` + model.LabelAnalysis + `:` + model.LabelEntity + ` {id: $new, title: old.title, status: 'DRAFT', version: old.version + 1,
  visibility: old.visibility, sharedWithOrganizationIds: coalesce(old.sharedWithOrganizationIds, []),
  sharedWithSectors: coalesce(old.sharedWithSectors, []), organizationId: o.id, targetId: t.id,
  supersedesId: old.id, createdAt: datetime(), updatedAt: datetime()})
CREATE (o)-[:` + model.RelAuthored + `]->(a), (a)-[:` + model.RelAnalyzes + `]->(t), (a)-[:` + model.RelSupersedes + `]->(old)
WITH old, a
CALL (old, a) {
  MATCH (old)-[:` + model.RelSharedWith + `]->(x)
  CREATE (a)-[:` + model.RelSharedWith + `]->(x)
}
CALL (old, a) {
  MATCH (old)-[:` + model.RelReliesOn + `]->(p)
  CREATE (a)-[:` + model.RelReliesOn + `]->(p)
}
CALL (old, a) {
  MATCH (old)-[r:` + model.RelNotApplicable + `]->(c)
  CREATE (a)-[r2:` + model.RelNotApplicable + `]->(c)
  SET r2 = properties(r)
}
CALL (a) {
  UNWIND $copies AS c
  MATCH (s:` + model.LabelAssessment + ` {id: c.old})
  CREATE (a)-[:` + model.RelHasAssessment + `]->(s2:` + model.LabelAssessment + `:` + model.LabelEntity + `)
  SET s2 = s {.*, id: c.new, analysisId: a.id, snapshot: null, idKey: ` + revisedIDKey("s") + `}
  WITH s, s2, c
  CALL (s, s2) {
    MATCH (s)-[:` + model.RelOf + `]->(x)
    CREATE (s2)-[:` + model.RelOf + `]->(x)
  }
  CALL (s, s2) {
    MATCH (s)-[:` + model.RelCausedBy + `]->(x)
    CREATE (s2)-[:` + model.RelCausedBy + `]->(x)
  }
  CALL (s, s2) {
    MATCH (s)-[:` + model.RelThrough + `]->(x)
    CREATE (s2)-[:` + model.RelThrough + `]->(x)
  }
  CALL (s, s2) {
    MATCH (s)-[:` + model.RelOwnedBy + `]->(x)
    CREATE (s2)-[:` + model.RelOwnedBy + `]->(x)
  }
  CALL (s2, c) {
    UNWIND c.treatments AS tc
    MATCH (tr:` + model.LabelTreatment + ` {id: tc.old})-[:` + model.RelApplies + `]->(m)
    CREATE (s2)-[:` + model.RelTreatedBy + `]->(tr2:` + model.LabelTreatment + `:` + model.LabelEntity + `)-[:` + model.RelApplies + `]->(m)
    SET tr2 = tr {.*, id: tc.new, assessmentId: s2.id, idKey: ` + revisedIDKey("tr") + `}
  }
}
CALL (old, a) {
  MATCH (old)-[:` + model.RelHasAssessment + `]->(:` + model.LabelAssessment + `)-[:` + model.RelOf + `|` + model.RelCausedBy + `|` + model.RelTreatedBy + `]->(x)
  OPTIONAL MATCH (x:` + model.LabelTreatment + `)-[:` + model.RelApplies + `]->(m)
  WITH DISTINCT coalesce(m, x) AS n, old, a
  WHERE old.id IN n.privateTo
  SET n.privateTo = n.privateTo + a.id
}
RETURN a`

// ReviseAnalysis starts the next draft version of a submitted analysis: a
// copy with the same organization, target, title, sharing, policies and
// not-applicable clauses (with their reasons), whose assessments, their
// edges and treatments are copied under new ids (without the submitted
// values: a draft reads the shared nodes as they are), and which
// supersedes it. The nodes created inline in it that are private to it
// become private to the new version too (model.InlineReadable). It returns ENOTFOUND for an unknown analysis and
// ECONFLICT for a draft or an analysis that a later version already
// supersedes.
func (db *DB) ReviseAnalysis(ctx context.Context, id string) (*model.Analysis, error) {
	return writeTx(ctx, db, "neo4j.ReviseAnalysis", "analysis "+id, func(tx *txn) (*model.Analysis, error) {
		old, err := tx.lockAnalysis(ctx, id, "id", true)
		if err != nil {
			return nil, err
		}
		if old.Status != model.AnalysisStatusSubmitted {
			return nil, model.FieldErrorf(model.ECONFLICT, "id", "analysis %q is a draft; change it directly, or submit it before revising", id)
		}
		recs, err := tx.run(ctx, reviseCheckCypher, map[string]any{"id": id})
		if err != nil {
			return nil, err
		}
		c := props(recs[0].AsMap())
		if by := c.strs("supersededBy"); len(by) > 0 {
			return nil, model.FieldErrorf(model.ECONFLICT, "id", "analysis %q is already revised by %q; revise the latest version", id, by[0])
		}
		newID := analysisVersionID(id, old.Version)
		var copies []map[string]any
		for _, v := range c["assessments"].([]any) {
			s := props(v.(map[string]any))
			sid := analysisChildID(newID, "as")
			var trs []map[string]any
			for _, tr := range s.strs("treatments") {
				trs = append(trs, map[string]any{"old": tr, "new": analysisChildID(sid, "tr")})
			}
			copies = append(copies, map[string]any{"old": s.str("id"), "new": sid, "treatments": analysisMaps(trs)})
			tx.touchAssessments(sid) // the copy has the same refs; stored anew all the same
		}
		recs, err = tx.run(ctx, reviseAnalysisCypher, map[string]any{"id": id, "new": newID, "copies": analysisMaps(copies)})
		if err != nil {
			return nil, err
		}
		tx.touchNodes(newID)
		return requireNode[model.Analysis](recs)
	})
}

// ---------------------------------------------------------------- policies

// analysisPoliciesMissingCypher lists the positions in $ids of the ids
// that no policy the analysis's organization $org holds has
// (model.InsurancePolicy.ReliableFor): another organization's policy is
// answered as a missing one, so its existence does not leak.
const analysisPoliciesMissingCypher = `
RETURN [i IN range(0, size($ids) - 1) WHERE NOT EXISTS {
  MATCH (p:` + model.LabelInsurancePolicy + ` {id: $ids[i]}) WHERE p.holderId = $org }] AS missing`

const setAnalysisPoliciesCypher = `
MATCH (a:` + model.LabelAnalysis + ` {id: $id})
SET a.updatedAt = datetime()
WITH a
CALL (a) {
  MATCH (a)-[r:` + model.RelReliesOn + `]->()
  DELETE r
}
CALL (a) {
  UNWIND $ids AS pid
  MATCH (p:` + model.LabelInsurancePolicy + ` {id: pid})
  CREATE (a)-[:` + model.RelReliesOn + `]->(p)
}
RETURN a`

// SetAnalysisPolicies replaces the insurance policies a draft analysis
// relies on. It returns EINVALID for a malformed id, ENOTFOUND for an
// unknown analysis or policy (naming policyIds.N; a policy that the
// analysis's organization does not hold is unknown to it, and nothing is
// written), and ECONFLICT for a submitted analysis.
func (db *DB) SetAnalysisPolicies(ctx context.Context, id string, policyIDs []string) (*model.Analysis, error) {
	ids := make([]string, 0, len(policyIDs))
	at := make([]int, 0, len(policyIDs))
	for i, p := range policyIDs {
		if err := model.ValidID(fmt.Sprintf("policyIds.%d", i), p); err != nil {
			return nil, err
		}
		if !slices.Contains(ids, p) {
			ids, at = append(ids, p), append(at, i)
		}
	}
	return writeTx(ctx, db, "neo4j.SetAnalysisPolicies", "analysis "+id, func(tx *txn) (*model.Analysis, error) {
		a, err := tx.lockAnalysis(ctx, id, "id", false)
		if err != nil {
			return nil, err
		}
		recs, err := tx.run(ctx, analysisPoliciesMissingCypher, map[string]any{"ids": ids, "org": a.OrganizationID})
		if err != nil {
			return nil, err
		}
		if missing := recs[0].Values[0].([]any); len(missing) > 0 {
			i, _ := missing[0].(int64)
			return nil, model.FieldErrorf(model.ENOTFOUND, fmt.Sprintf("policyIds.%d", at[i]), "no insurance policy %q", ids[i])
		}
		recs, err = tx.run(ctx, setAnalysisPoliciesCypher, map[string]any{"id": id, "ids": ids})
		if err != nil {
			return nil, err
		}
		return requireNode[model.Analysis](recs)
	})
}

// ---------------------------------------------------------------- not applicable

// notApplicableMissingCypher lists the positions in $ids of the ids that
// no clause has.
const notApplicableMissingCypher = `
RETURN [i IN range(0, size($ids) - 1) WHERE NOT EXISTS { MATCH (:` + model.LabelClause + ` {id: $ids[i]}) }] AS missing`

// markNotApplicableCypher writes every mark of one call with one UNWIND:
// a clause marked already keeps its relationship and gets the new reason.
const markNotApplicableCypher = `
MATCH (a:` + model.LabelAnalysis + ` {id: $id})
SET a.updatedAt = datetime()
WITH a
CALL (a) {
  UNWIND $marks AS m
  MATCH (c:` + model.LabelClause + ` {id: m.clause})
  MERGE (a)-[r:` + model.RelNotApplicable + `]->(c)
  SET r.reason = m.reason
}
RETURN a`

const clearNotApplicableCypher = `
MATCH (a:` + model.LabelAnalysis + ` {id: $id})
SET a.updatedAt = datetime()
WITH a
CALL (a) {
  UNWIND $ids AS cid
  MATCH (a)-[r:` + model.RelNotApplicable + `]->(:` + model.LabelClause + ` {id: cid})
  DELETE r
}
RETURN a`

// notApplicableMissingShown is how many unknown clauses a refusal names.
const notApplicableMissingShown = 20

// planNotApplicable checks MarkClausesNotApplicable's marks in Go (count,
// each mark's Validate, one mark per clause) and returns the rows of the
// write and the clause ids in input order.
func planNotApplicable(marks []*model.NotApplicableInput) ([]map[string]any, []string, error) {
	if len(marks) > model.MaxMarksPerCall {
		return nil, nil, model.FieldErrorf(model.EINVALID, "marks", "%d marks; the limit is %d per call", len(marks), model.MaxMarksPerCall)
	}
	rows := make([]map[string]any, 0, len(marks))
	ids := make([]string, 0, len(marks))
	at := make(map[string]int, len(marks))
	for i, m := range marks {
		field := fmt.Sprintf("marks.%d", i)
		if m == nil {
			return nil, nil, model.FieldErrorf(model.EINVALID, field, "a mark must name a clause and a reason")
		}
		if err := m.Validate(field); err != nil {
			return nil, nil, err
		}
		if k, dup := at[m.ClauseID]; dup {
			return nil, nil, model.FieldErrorf(model.EINVALID, field+".clauseId", "clause %q is marked twice (also marks.%d); give one mark per clause", m.ClauseID, k)
		}
		at[m.ClauseID] = i
		ids = append(ids, m.ClauseID)
		rows = append(rows, map[string]any{"clause": m.ClauseID, "reason": m.Reason})
	}
	return rows, ids, nil
}

// notApplicableMissing returns the ENOTFOUND refusal of the marks whose
// clauses the check statement reported missing (missing holds positions
// in ids, which are the marks' positions): it names the first one's field
// and lists the unknown ids.
func notApplicableMissing(ids []string, missing []any) error {
	if len(missing) == 0 {
		return nil
	}
	names := make([]string, 0, min(len(missing), notApplicableMissingShown))
	for _, v := range missing[:min(len(missing), notApplicableMissingShown)] {
		i, _ := v.(int64)
		names = append(names, strconv.Quote(ids[i]))
	}
	list := strings.Join(names, ", ")
	if more := len(missing) - len(names); more > 0 {
		list += fmt.Sprintf(" and %d more", more)
	}
	first, _ := missing[0].(int64)
	noun := "clause"
	if len(missing) > 1 {
		noun = "clauses"
	}
	return model.FieldErrorf(model.ENOTFOUND, fmt.Sprintf("marks.%d.clauseId", first), "no %s %s", noun, list)
}

// MarkClausesNotApplicable marks clauses as not applicable to a draft
// analysis's target, with one check and one UNWIND write in one
// transaction. It returns EINVALID for bad marks (naming marks.N),
// ENOTFOUND for an unknown analysis or for unknown clauses (naming the
// first one's marks.N.clauseId and listing them all), and ECONFLICT for a
// submitted analysis; a refused call writes nothing.
func (db *DB) MarkClausesNotApplicable(ctx context.Context, id string, marks []*model.NotApplicableInput) (*model.Analysis, error) {
	rows, ids, err := planNotApplicable(marks)
	if err != nil {
		return nil, err
	}
	return writeTx(ctx, db, "neo4j.MarkClausesNotApplicable", "analysis "+id, func(tx *txn) (*model.Analysis, error) {
		if _, err := tx.lockAnalysis(ctx, id, "analysisId", false); err != nil {
			return nil, err
		}
		recs, err := tx.run(ctx, notApplicableMissingCypher, map[string]any{"ids": ids})
		if err != nil {
			return nil, err
		}
		if err := notApplicableMissing(ids, recs[0].Values[0].([]any)); err != nil {
			return nil, err
		}
		recs, err = tx.run(ctx, markNotApplicableCypher, map[string]any{"id": id, "marks": rows})
		if err != nil {
			return nil, err
		}
		return requireNode[model.Analysis](recs)
	})
}

// ClearClausesNotApplicable removes the not-applicable marks of the given
// clauses from a draft analysis; ids it has not marked, or that no clause
// has, are skipped. It returns EINVALID for a malformed id (naming
// clauseIds.N) or too many ids, ENOTFOUND for an unknown analysis and
// ECONFLICT for a submitted one.
func (db *DB) ClearClausesNotApplicable(ctx context.Context, id string, clauseIDs []string) (*model.Analysis, error) {
	if len(clauseIDs) > model.MaxMarksPerCall {
		return nil, model.FieldErrorf(model.EINVALID, "clauseIds", "%d clause ids; the limit is %d per call", len(clauseIDs), model.MaxMarksPerCall)
	}
	ids := make([]string, 0, len(clauseIDs))
	seen := make(map[string]bool, len(clauseIDs))
	for i, c := range clauseIDs {
		if err := model.ValidID(fmt.Sprintf("clauseIds.%d", i), c); err != nil {
			return nil, err
		}
		if !seen[c] {
			seen[c] = true
			ids = append(ids, c)
		}
	}
	return writeTx(ctx, db, "neo4j.ClearClausesNotApplicable", "analysis "+id, func(tx *txn) (*model.Analysis, error) {
		if _, err := tx.lockAnalysis(ctx, id, "analysisId", false); err != nil {
			return nil, err
		}
		recs, err := tx.run(ctx, clearNotApplicableCypher, map[string]any{"id": id, "ids": ids})
		if err != nil {
			return nil, err
		}
		return requireNode[model.Analysis](recs)
	})
}
