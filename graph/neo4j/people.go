package neo4j

import (
	"context"
	"fmt"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

var _ model.PeopleService = (*DB)(nil)

// model.RelActsFor links an API token to the organization it acts for (see
// auth.go).

// ref is a reference that a write checks inside its transaction: the node
// with id must exist and carry label, or, when label is "", no node may
// have id yet (a new node's id).
type ref struct {
	field string // the input path to name in the error
	id    string
	label string
	what  string // "organization", "incident", … for the message
}

const checkRefsCypher = `
UNWIND $refs AS r
OPTIONAL MATCH (n:` + model.LabelEntity + ` {id: r.id})
RETURN r.i AS i, n IS NOT NULL AS found, n IS NOT NULL AND r.label IN labels(n) AS ok`

// checkRefs checks all refs in one round trip and returns an error for the
// first that fails, in order: ECONFLICT for a new id that is taken,
// ENOTFOUND for a reference to a missing node or a node of another kind.
func checkRefs(ctx context.Context, tx *txn, refs []ref) error {
	if len(refs) == 0 {
		return nil
	}
	rows := make([]map[string]any, len(refs))
	for i, r := range refs {
		rows[i] = map[string]any{"i": i, "id": r.id, "label": r.label}
	}
	recs, err := tx.run(ctx, checkRefsCypher, map[string]any{"refs": rows})
	if err != nil {
		return err
	}
	type result struct{ found, ok bool }
	results := make([]result, len(refs))
	for _, rec := range recs {
		i, _ := rec.Values[0].(int64)
		found, _ := rec.Values[1].(bool)
		ok, _ := rec.Values[2].(bool)
		if int(i) < len(results) {
			results[i] = result{found, ok}
		}
	}
	for i, r := range refs {
		switch res := results[i]; {
		case r.label == "" && res.found:
			return model.FieldErrorf(model.ECONFLICT, r.field, "the id %q is already taken", r.id)
		case r.label != "" && !res.found:
			return model.FieldErrorf(model.ENOTFOUND, r.field, "no %s %q", r.what, r.id)
		case r.label != "" && !res.ok:
			return model.FieldErrorf(model.ENOTFOUND, r.field, "%q is not %s", r.id, article(r.what))
		}
	}
	return nil
}

// article returns what with "a" or "an" in front.
func article(what string) string {
	if what != "" && strings.ContainsRune("aeiou", rune(what[0])) {
		return "an " + what
	}
	return "a " + what
}

// checkSameID returns EINVALID when an update's input names an id other
// than the one being updated.
func checkSameID(id string, in *string) error {
	if in != nil && *in != "" && *in != id {
		return model.FieldErrorf(model.EINVALID, "input.id", "input.id %q differs from the id %q being updated; ids cannot change", model.Truncate(*in, 60), model.Truncate(id, 60))
	}
	return nil
}

// deleteNodesCypher deletes nodes by element id, together with the
// feedback and opinions about them: what they were about no longer exists.
const deleteNodesCypher = `
UNWIND $eids AS e
MATCH (x) WHERE elementId(x) = e
OPTIONAL MATCH (x)<-[:` + model.RelAbout + `]-(f) WHERE f:` + model.LabelFeedback + ` OR f:` + model.LabelOpinion + `
WITH collect(DISTINCT x) + collect(DISTINCT f) AS ns
UNWIND ns AS n
WITH DISTINCT n
WITH n, n.id AS id, CASE WHEN n:` + model.LabelAnalysis + ` THEN n.targetId END AS target
DETACH DELETE n
RETURN collect(DISTINCT target) AS targets, collect(id) AS nodes`

// deleteNodes runs deleteNodesCypher in tx and records the deleted nodes,
// and the targets of deleted analyses, as changed.
func deleteNodes(ctx context.Context, tx *txn, eids []string) error {
	recs, err := tx.run(ctx, deleteNodesCypher, map[string]any{"eids": eids})
	if err == nil && len(recs) == 1 {
		tx.touchRecord(recs[0])
	}
	return err
}

// touchAnalysesCypher marks draft analyses as changed by a cascade.
const touchAnalysesCypher = `
UNWIND $ids AS id
MATCH (a:` + model.LabelAnalysis + ` {id: id})
SET a.updatedAt = datetime()
RETURN collect(DISTINCT a.targetId) AS targets, collect(a.id) AS nodes`

// touchAnalyses marks the draft analyses with the given ids as changed by
// a cascade, in the graph and in what tx reports.
func touchAnalyses(ctx context.Context, tx *txn, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	recs, err := tx.run(ctx, touchAnalysesCypher, map[string]any{"ids": ids})
	if err == nil && len(recs) == 1 {
		tx.touchRecord(recs[0])
	}
	return err
}

// recordStrings reads a list of strings from a record's column.
func recordStrings(rec *neo4j.Record, key string) []string {
	v, _ := rec.Get(key)
	raw, _ := v.([]any)
	out := make([]string, 0, len(raw))
	for _, x := range raw {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// recordInt reads an integer from a record's column.
func recordInt(rec *neo4j.Record, key string) int {
	v, _ := rec.Get(key)
	n, _ := v.(int64)
	return int(n)
}

// dependents describes what still depends on a node, for ECONFLICT
// messages, from pairs of a count (int or int64) and a noun ("assessment",
// or "singular|plural" where plural does not know it): "3 assessments and 1
// coverage line". It skips zero counts. A lone trailing string qualifies
// the whole ("of submitted analyses").
func dependents(counts ...any) string {
	var parts []string
	for i := 0; i+1 < len(counts); i += 2 {
		var n int64
		switch c := counts[i].(type) {
		case int:
			n = int64(c)
		case int64:
			n = c
		}
		if n == 0 {
			continue
		}
		one, many, ok := strings.Cut(counts[i+1].(string), "|")
		if !ok {
			many = plural(one)
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

// plural returns the plural of one of the nouns dependents uses.
func plural(what string) string {
	switch {
	case strings.HasSuffix(what, "sis"):
		return strings.TrimSuffix(what, "sis") + "ses"
	case strings.HasSuffix(what, "y"):
		return strings.TrimSuffix(what, "y") + "ies"
	case what == "feedback":
		return what
	}
	return what + "s"
}

// validOrganization checks an organization's fields.
func validOrganization(in model.OrganizationInput) (name, sector string, err error) {
	if err := in.Validate("input"); err != nil {
		return "", "", err
	}
	return in.Name, in.Sector, nil
}

const createOrganizationCypher = `
CREATE (o:` + model.LabelOrganization + `:` + model.LabelEntity + ` {id: $id, name: $name, sector: $sector})
RETURN o`

// CreateOrganization creates an organization. It returns EINVALID for a
// bad id, name or sector and ECONFLICT when the id is taken.
func (db *DB) CreateOrganization(ctx context.Context, in model.OrganizationInput) (*model.Organization, error) {
	id, err := newID("input.id", in.ID, "org")
	if err != nil {
		return nil, err
	}
	name, sector, err := validOrganization(in)
	if err != nil {
		return nil, err
	}
	return writeTx(ctx, db, "neo4j.CreateOrganization", "organization "+id, func(tx *txn) (*model.Organization, error) {
		if err := checkRefs(ctx, tx, []ref{{field: "input.id", id: id}}); err != nil {
			return nil, err
		}
		return txNode[model.Organization](ctx, tx, createOrganizationCypher, map[string]any{"id": id, "name": name, "sector": sector})
	})
}

const updateOrganizationCypher = `
MATCH (o:` + model.LabelOrganization + ` {id: $id})
SET o.name = $name, o.sector = $sector
RETURN o`

// UpdateOrganization changes an organization's name and sector. It returns
// ENOTFOUND for an unknown id and EINVALID for bad values or an input id
// other than id.
func (db *DB) UpdateOrganization(ctx context.Context, id string, in model.OrganizationInput) (*model.Organization, error) {
	if err := checkSameID(id, in.ID); err != nil {
		return nil, err
	}
	name, sector, err := validOrganization(in)
	if err != nil {
		return nil, err
	}
	return writeTx(ctx, db, "neo4j.UpdateOrganization", "organization "+id, func(tx *txn) (*model.Organization, error) {
		o, err := txNode[model.Organization](ctx, tx, updateOrganizationCypher, map[string]any{"id": id, "name": name, "sector": sector})
		if err == nil && o == nil {
			err = model.FieldErrorf(model.ENOTFOUND, "id", "no organization %q", id)
		}
		return o, err
	})
}

// frozenAnalysis holds for an analysis `a` that may no longer change (it is
// submitted, or has no status at all).
const frozenAnalysis = `(a.status IS NULL OR a.status <> 'DRAFT')`

// lockOrganizationCypher locks an organization, the analyses it authored
// and the analyses that name its departments or policies.
const lockOrganizationCypher = `
MATCH (o:` + model.LabelOrganization + ` {id: $id})
SET o._lock = true REMOVE o._lock
WITH o
CALL (o) {
  OPTIONAL MATCH (o)-[:` + model.RelAuthored + `]->(a:` + model.LabelAnalysis + `)
  RETURN collect(a) AS authored
}
CALL (o) {
  OPTIONAL MATCH (o)-[:` + model.RelHasDepartment + `]->(:` + model.LabelDepartment + `)<-[:` + model.RelOwnedBy + `]-(:` + model.LabelAssessment + `)<-[:` + model.RelHasAssessment + `]-(a:` + model.LabelAnalysis + `)
  RETURN collect(a) AS owning
}
CALL (o) {
  OPTIONAL MATCH (o)-[:` + model.RelHolds + `]->(:` + model.LabelInsurancePolicy + `)<-[:` + model.RelReliesOn + `]-(a:` + model.LabelAnalysis + `)
  RETURN collect(a) AS relying
}
FOREACH (a IN authored + owning + relying | SET a._lock = true REMOVE a._lock)
RETURN o.id AS id`

// planDeleteOrganizationCypher finds what depends on an organization and
// what a cascade would delete (as element ids).
var planDeleteOrganizationCypher = `
MATCH (o:` + model.LabelOrganization + ` {id: $id})
` + planAnalysesCypher("o", "(o)-[:"+model.RelAuthored+"]->(a:"+model.LabelAnalysis+")") + `
CALL (o) {
  OPTIONAL MATCH (o)-[:` + model.RelHasDepartment + `]->(dep:` + model.LabelDepartment + `)
  RETURN count(dep) AS departments, collect(dep) AS deps
}
CALL (deps) {
  UNWIND deps AS dep
  MATCH (dep)<-[:` + model.RelOwnedBy + `]-(s:` + model.LabelAssessment + `)<-[:` + model.RelHasAssessment + `]-(a:` + model.LabelAnalysis + `)
  RETURN count(DISTINCT CASE WHEN ` + frozenAnalysis + ` THEN s END) AS frozenOwned,
         collect(DISTINCT CASE WHEN NOT ` + frozenAnalysis + ` THEN s.id END) AS owned,
         collect(DISTINCT CASE WHEN NOT ` + frozenAnalysis + ` THEN a.id END) AS ownedAnalyses
}
CALL (o) {
  OPTIONAL MATCH (o)-[:` + model.RelHolds + `]->(p:` + model.LabelInsurancePolicy + `)
  OPTIONAL MATCH (p)-[:` + model.RelHasLine + `]->(l:` + model.LabelCoverageLine + `)
  RETURN count(DISTINCT p) AS policies, collect(DISTINCT p) + collect(DISTINCT l) AS pls
}
CALL (o) {
  MATCH (o)-[:` + model.RelHolds + `]->(:` + model.LabelInsurancePolicy + `)<-[:` + model.RelReliesOn + `]-(a:` + model.LabelAnalysis + `)
  RETURN count(DISTINCT CASE WHEN ` + frozenAnalysis + ` THEN a END) AS frozenReliant,
         collect(DISTINCT CASE WHEN NOT ` + frozenAnalysis + ` THEN a.id END) AS reliant
}
CALL (o) {
  OPTIONAL MATCH (o)<--(f) WHERE (f:` + model.LabelFeedback + ` OR f:` + model.LabelOpinion + `) AND f.organizationId = o.id
  WITH DISTINCT f
  RETURN count(CASE WHEN f:` + model.LabelFeedback + ` THEN f END) AS feedback,
         count(CASE WHEN f:` + model.LabelOpinion + ` THEN f END) AS opinions, collect(f) AS fs
}
CALL (o) {
  OPTIONAL MATCH (o)<-[:` + model.RelActsFor + `]-(k:` + model.LabelAPIToken + `)
  RETURN collect(k) AS ks
}
RETURN analyses, submitted, departments, frozenOwned, policies, frozenReliant, feedback, opinions,
       owned, ownedAnalyses + reliant AS touched, [d IN deps | d.id] AS departmentIds,
       [n IN drafts + inner + deps + pls + fs + ks + [o] | elementId(n)] AS doomed`

// DeleteOrganization deletes an organization and its API tokens. Without
// cascade it refuses (ECONFLICT) while the organization authored analyses,
// has departments, holds policies or wrote feedback or opinions. With
// cascade it deletes them too (draft analyses with their assessments and
// treatments, departments, policies with their lines, feedback and
// opinions), but still refuses while it authored a submitted analysis or
// while a submitted analysis names one of its departments or policies:
// submitted versions are the record. It returns ENOTFOUND for an unknown id.
func (db *DB) DeleteOrganization(ctx context.Context, id string, cascade bool) error {
	return db.deleteNode(ctx, deletion{
		op: "neo4j.DeleteOrganization", what: "organization",
		locks: []string{lockOrganizationCypher}, plan: planDeleteOrganizationCypher,
		check: func(rec *neo4j.Record, id string, cascade bool) error {
			if !cascade {
				if deps := dependents(recordInt(rec, "analyses"), "analysis", recordInt(rec, "departments"), "department",
					recordInt(rec, "policies"), "insurance policy", recordInt(rec, "feedback"), "feedback",
					recordInt(rec, "opinions"), "opinion"); deps != "" {
					return model.FieldErrorf(model.ECONFLICT, "id", "organization %q still has %s; delete them first or pass cascade: true", id, deps)
				}
			}
			if n := recordInt(rec, "submitted"); n > 0 {
				return model.FieldErrorf(model.ECONFLICT, "id", "organization %q authored %s; submitted versions are the record and are never deleted", id, dependents(n, "submitted analysis"))
			}
			if n := recordInt(rec, "frozenOwned"); n > 0 {
				return model.FieldErrorf(model.ECONFLICT, "id", "departments of organization %q own %s of submitted analyses; submitted versions cannot change", id, dependents(n, "assessment"))
			}
			if n := recordInt(rec, "frozenReliant"); n > 0 {
				return model.FieldErrorf(model.ECONFLICT, "id", "policies of organization %q are relied on by %s; submitted versions cannot change", id, dependents(n, "submitted analysis"))
			}
			return nil
		},
		before: func(ctx context.Context, tx *txn, rec *neo4j.Record, id string) error {
			return unsetOwners(ctx, tx, recordStrings(rec, "departmentIds"), recordStrings(rec, "owned"))
		},
	}, id, cascade)
}

// unsetOwnersCypher removes the ownerDepartmentId of assessments owned by
// departments about to be deleted (their OWNED_BY relationships go with
// the departments).
const unsetOwnersCypher = `
UNWIND $assessments AS sid
MATCH (s:` + model.LabelAssessment + ` {id: sid})
WHERE s.ownerDepartmentId IN $departments
SET s.ownerDepartmentId = null`

// unsetOwners unsets departments as owners of the given assessments.
func unsetOwners(ctx context.Context, tx *txn, departments, assessments []string) error {
	if len(departments) == 0 || len(assessments) == 0 {
		return nil
	}
	_, err := tx.run(ctx, unsetOwnersCypher, map[string]any{"departments": departments, "assessments": assessments})
	return err
}

const createDepartmentCypher = `
MATCH (o:` + model.LabelOrganization + ` {id: $org})
CREATE (o)-[:` + model.RelHasDepartment + `]->(d:` + model.LabelDepartment + `:` + model.LabelEntity + ` {id: $id, name: $name, organizationId: $org})
RETURN d`

// CreateDepartment creates a department of an organization. It returns
// EINVALID for a bad id or name, ENOTFOUND for an unknown organization and
// ECONFLICT when the id is taken.
func (db *DB) CreateDepartment(ctx context.Context, in model.DepartmentInput) (*model.Department, error) {
	id, err := newID("input.id", in.ID, "dept")
	if err != nil {
		return nil, err
	}
	if err := model.ValidID("input.organizationId", in.OrganizationID); err != nil {
		return nil, err
	}
	name, err := model.Text("input.name", &in.Name, 1, model.MaxName)
	if err != nil {
		return nil, err
	}
	return writeTx(ctx, db, "neo4j.CreateDepartment", "department "+id, func(tx *txn) (*model.Department, error) {
		if err := checkRefs(ctx, tx, []ref{
			{field: "input.organizationId", id: in.OrganizationID, label: model.LabelOrganization, what: "organization"},
			{field: "input.id", id: id},
		}); err != nil {
			return nil, err
		}
		return txNode[model.Department](ctx, tx, createDepartmentCypher, map[string]any{"id": id, "org": in.OrganizationID, "name": name})
	})
}

const updateDepartmentCypher = `
MATCH (d:` + model.LabelDepartment + ` {id: $id})
SET d.name = $name
RETURN d`

// UpdateDepartment renames a department. It returns EINVALID for a bad
// name and ENOTFOUND for an unknown id.
func (db *DB) UpdateDepartment(ctx context.Context, id, name string) (*model.Department, error) {
	name, err := model.Text("name", &name, 1, model.MaxName)
	if err != nil {
		return nil, err
	}
	return writeTx(ctx, db, "neo4j.UpdateDepartment", "department "+id, func(tx *txn) (*model.Department, error) {
		d, err := txNode[model.Department](ctx, tx, updateDepartmentCypher, map[string]any{"id": id, "name": name})
		if err == nil && d == nil {
			err = model.FieldErrorf(model.ENOTFOUND, "id", "no department %q", id)
		}
		return d, err
	})
}

// DeleteDepartment deletes a department. Without cascade it refuses
// (ECONFLICT) while assessments name it as owner; with cascade they lose
// their owner, unless one of them belongs to a submitted analysis
// (ECONFLICT). It returns ENOTFOUND for an unknown id.
func (db *DB) DeleteDepartment(ctx context.Context, id string, cascade bool) error {
	return db.deleteNode(ctx, deletion{
		op: "neo4j.DeleteDepartment", what: "department",
		locks: []string{lockViaAssessmentsCypher(model.LabelDepartment, model.RelOwnedBy)}, plan: planViaAssessmentsCypher(model.LabelDepartment, model.RelOwnedBy),
		use: &inUse{frozen: "frozen", frozenNoun: "assessment", uses: []string{"refs", "assessment"}, verb: "owns", cascades: "unset their owner"},
		before: func(ctx context.Context, tx *txn, rec *neo4j.Record, id string) error {
			return unsetOwners(ctx, tx, []string{id}, recordStrings(rec, "assessments"))
		},
	}, id, cascade)
}

// dedupe returns ids without repeats, in first-seen order.
func dedupe(ids []string) []string {
	out := make([]string, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
