package neo4j

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

var _ model.InsuranceService = (*DB)(nil)

// Bounds on the size of one policy, so that one request cannot build an
// unbounded transaction.
const (
	maxLines      = 200  // coverage lines per policy
	maxLineRefs   = 1000 // ids in each of a line's reference lists
	maxExclusions = 100  // exclusions per line
)

// policyWrite is a validated policy, ready to be written.
type policyWrite struct {
	params map[string]any // the policy's properties, and "lines"
	refs   []ref          // what must exist (or be free) at write time
}

// validDate checks a YYYY-MM-DD date.
func validDate(field, s string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil || len(s) != len(time.DateOnly) {
		return time.Time{}, model.FieldErrorf(model.EINVALID, field, "%s %q is not a date of the form YYYY-MM-DD", field, model.Truncate(s, 40))
	}
	return d, nil
}

// validMoney checks an amount of yen: finite and not negative.
func validMoney(field string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return model.FieldErrorf(model.EINVALID, field, "%s must be a finite amount of 0 yen or more, not %v", field, v)
	}
	return nil
}

// validPolicy checks a policy's terms, sharing and lines in Go, before any
// write, and lists the references to check in the transaction. id is the
// policy's id. Line ids must always be free: an update deletes the old
// lines before it checks, so a line may keep its id. A new policy (create)
// without a visibility is PRIVATE; an update without one keeps its sharing
// (the parameter visibility is then null).
func validPolicy(id string, in model.InsurancePolicyInput, create bool) (*policyWrite, error) {
	insurer, err := model.Text("input.insurer", &in.Insurer, 1, model.MaxName)
	if err != nil {
		return nil, err
	}
	if err := model.ValidID("input.holderId", in.HolderID); err != nil {
		return nil, err
	}
	product, err := model.Text("input.product", &in.Product, 1, model.MaxName)
	if err != nil {
		return nil, err
	}
	start, err := validDate("input.periodStart", in.PeriodStart)
	if err != nil {
		return nil, err
	}
	end, err := validDate("input.periodEnd", in.PeriodEnd)
	if err != nil {
		return nil, err
	}
	if end.Before(start) {
		return nil, model.FieldErrorf(model.EINVALID, "input.periodEnd", "input.periodEnd %s is before input.periodStart %s", in.PeriodEnd, in.PeriodStart)
	}
	if err := validMoney("input.aggregateLimitJPY", in.AggregateLimitJpy); err != nil {
		return nil, err
	}
	switch {
	case len(in.Lines) == 0:
		return nil, model.FieldErrorf(model.EINVALID, "input.lines", "a policy needs at least one coverage line")
	case len(in.Lines) > maxLines:
		return nil, model.FieldErrorf(model.EINVALID, "input.lines", "a policy has at most %d coverage lines, not %d", maxLines, len(in.Lines))
	}
	pw := &policyWrite{
		params: map[string]any{"id": id, "insurer": insurer, "holderId": in.HolderID, "product": product,
			"periodStart": in.PeriodStart, "periodEnd": in.PeriodEnd, "aggregateLimitJPY": in.AggregateLimitJpy,
			"visibility": nil, "shared": []string{}, "sectors": []string{}},
		refs: []ref{{field: "input.holderId", id: in.HolderID, label: model.LabelOrganization, what: "organization"}},
	}
	if err := pw.sharing(in, create); err != nil {
		return nil, err
	}
	lines := make([]map[string]any, 0, len(in.Lines))
	seen := map[string]int{id: -1}
	for n, l := range in.Lines {
		field := fmt.Sprintf("input.lines.%d", n)
		if l == nil {
			return nil, model.FieldErrorf(model.EINVALID, field, "%s is null", field)
		}
		lineID, err := newID(field+".id", l.ID, "line")
		if err != nil {
			return nil, err
		}
		if _, dup := seen[lineID]; dup {
			return nil, model.FieldErrorf(model.EINVALID, field+".id", "the id %q is used twice in this policy", lineID)
		}
		seen[lineID] = n
		typ, err := model.Text(field+".type", &l.Type, 1, model.MaxCode)
		if err != nil {
			return nil, err
		}
		if err := validMoney(field+".limitJPY", l.LimitJpy); err != nil {
			return nil, err
		}
		if l.LimitJpy > in.AggregateLimitJpy {
			return nil, model.FieldErrorf(model.EINVALID, field+".limitJPY", "%s %v is above the aggregate limit %v", field+".limitJPY", l.LimitJpy, in.AggregateLimitJpy)
		}
		deductible := 0.0
		if l.DeductibleJpy != nil {
			deductible = *l.DeductibleJpy
		}
		if err := validMoney(field+".deductibleJPY", deductible); err != nil {
			return nil, err
		}
		if len(l.Exclusions) > maxExclusions {
			return nil, model.FieldErrorf(model.EINVALID, field+".exclusions", "a line has at most %d exclusions, not %d", maxExclusions, len(l.Exclusions))
		}
		exclusions := make([]string, 0, len(l.Exclusions))
		for m, e := range l.Exclusions {
			v, err := model.Text(fmt.Sprintf("%s.exclusions.%d", field, m), &e, 1, model.MaxText)
			if err != nil {
				return nil, err
			}
			exclusions = append(exclusions, v)
		}
		line := map[string]any{"id": lineID, "type": typ, "limitJPY": l.LimitJpy, "deductibleJPY": deductible, "exclusions": exclusions}
		pw.refs = append(pw.refs, ref{field: field + ".id", id: lineID})
		for _, list := range []struct {
			key, field, label, what string
			ids                     []string
		}{
			{"coversIncidentIds", "coversIncidentIds", model.LabelIncident, "incident", l.CoversIncidentIds},
			{"coversThreatIds", "coversThreatIds", model.LabelThreat, "threat", l.CoversThreatIds},
			{"requiresMeasureIds", "requiresMeasureIds", model.LabelMeasure, "measure", l.RequiresMeasureIds},
			{"requiresClauseIds", "requiresClauseIds", model.LabelClause, "clause", l.RequiresClauseIds},
		} {
			lf := field + "." + list.field
			if len(list.ids) > maxLineRefs {
				return nil, model.FieldErrorf(model.EINVALID, lf, "a line names at most %d ids in %s, not %d", maxLineRefs, list.field, len(list.ids))
			}
			for m, rid := range list.ids {
				f := fmt.Sprintf("%s.%d", lf, m)
				if err := model.ValidID(f, rid); err != nil {
					return nil, err
				}
				pw.refs = append(pw.refs, ref{field: f, id: rid, label: list.label, what: list.what})
			}
			line[list.key] = dedupe(list.ids)
		}
		lines = append(lines, line)
	}
	pw.params["lines"] = lines
	return pw, nil
}

// sharing checks a policy's visibility and the organizations and sectors it
// is shared with, by the rules of an analysis's (analysisSharing), and
// sets them in pw's parameters; each shared organization must exist.
func (pw *policyWrite) sharing(in model.InsurancePolicyInput, create bool) error {
	if in.Visibility == nil && !create {
		if len(in.SharedWithOrganizationIds) > 0 || len(in.SharedWithSectors) > 0 {
			return model.FieldErrorf(model.EINVALID, "input.visibility", "give visibility SHARED with sharedWithOrganizationIds or sharedWithSectors")
		}
		return nil // keep the stored sharing
	}
	sh := analysisSharing{visibility: model.VisibilityPrivate, what: "policy"}
	if in.Visibility != nil {
		sh.visibility = *in.Visibility
	}
	var at []int
	var err error
	if sh.orgs, at, err = analysisSharedOrgs(in.SharedWithOrganizationIds); err != nil {
		return err
	}
	if sh.sectors, err = analysisSharedSectors(in.SharedWithSectors); err != nil {
		return err
	}
	if err := sh.check(); err != nil {
		return err
	}
	for i, org := range sh.orgs {
		pw.refs = append(pw.refs, ref{field: fmt.Sprintf("input.sharedWithOrganizationIds.%d", at[i]), id: org, label: model.LabelOrganization, what: "organization"})
	}
	pw.params["visibility"], pw.params["shared"], pw.params["sectors"] = string(sh.visibility), sh.orgs, sh.sectors
	return nil
}

// createLinesCypher creates a policy's lines and links each to what it
// covers and requires, all in one statement.
const createLinesCypher = `
MATCH (p:` + model.LabelInsurancePolicy + ` {id: $id})
UNWIND $lines AS line
CREATE (p)-[:` + model.RelHasLine + `]->(l:` + model.LabelCoverageLine + `:` + model.LabelEntity + ` {id: line.id, policyId: $id, type: line.type,
  limitJPY: line.limitJPY, deductibleJPY: line.deductibleJPY, exclusions: line.exclusions})
WITH l, line
CALL (l, line) {
  UNWIND line.coversIncidentIds AS x
  MATCH (i:` + model.LabelIncident + ` {id: x})
  MERGE (l)-[:` + model.RelCovers + `]->(i)
}
CALL (l, line) {
  UNWIND line.coversThreatIds AS x
  MATCH (th:` + model.LabelThreat + ` {id: x})
  MERGE (l)-[:` + model.RelCovers + `]->(th)
}
CALL (l, line) {
  UNWIND line.requiresMeasureIds AS x
  MATCH (m:` + model.LabelMeasure + ` {id: x})
  MERGE (l)-[:` + model.RelRequires + `]->(m)
}
CALL (l, line) {
  UNWIND line.requiresClauseIds AS x
  MATCH (c:` + model.LabelClause + ` {id: x})
  MERGE (l)-[:` + model.RelRequires + `]->(c)
}
RETURN count(l) AS lines`

const createPolicyCypher = `
MATCH (o:` + model.LabelOrganization + ` {id: $holderId})
CREATE (o)-[:` + model.RelHolds + `]->(p:` + model.LabelInsurancePolicy + `:` + model.LabelEntity + ` {id: $id, insurer: $insurer, holderId: $holderId,
  product: $product, periodStart: $periodStart, periodEnd: $periodEnd, aggregateLimitJPY: $aggregateLimitJPY,
  visibility: $visibility, sharedWithOrganizationIds: $shared, sharedWithSectors: $sectors})
RETURN p`

// CreateInsurancePolicy records a policy held by an organization, with its
// coverage lines. It returns EINVALID for bad terms or lines (the field
// names the line, e.g. input.lines.2.limitJPY), ENOTFOUND for an unknown
// holder or a line's reference to a missing incident, threat, measure or
// clause, and ECONFLICT when the policy's or a line's id is taken.
func (db *DB) CreateInsurancePolicy(ctx context.Context, in model.InsurancePolicyInput) (*model.InsurancePolicy, error) {
	id, err := newID("input.id", in.ID, "policy")
	if err != nil {
		return nil, err
	}
	pw, err := validPolicy(id, in, true)
	if err != nil {
		return nil, err
	}
	return writeTx(ctx, db, "neo4j.CreateInsurancePolicy", "insurance policy "+id, func(tx *txn) (*model.InsurancePolicy, error) {
		if err := checkRefs(ctx, tx, append([]ref{{field: "input.id", id: id}}, pw.refs...)); err != nil {
			return nil, err
		}
		p, err := txNode[model.InsurancePolicy](ctx, tx, createPolicyCypher, pw.params)
		if err != nil {
			return nil, err
		}
		if _, err := tx.run(ctx, createLinesCypher, pw.params); err != nil {
			return nil, err
		}
		return p, nil
	})
}

// replacePolicyCypher deletes a policy's lines and moves it to its new
// holder; updatePolicyCypher then sets its terms.
const replacePolicyCypher = `
MATCH (p:` + model.LabelInsurancePolicy + ` {id: $id})
CALL (p) {
  OPTIONAL MATCH (p)-[:` + model.RelHasLine + `]->(l:` + model.LabelCoverageLine + `)
  DETACH DELETE l
}
CALL (p) {
  OPTIONAL MATCH (p)<-[h:` + model.RelHolds + `]-(:` + model.LabelOrganization + `)
  DELETE h
}
RETURN p.id AS id`

const updatePolicyCypher = `
MATCH (p:` + model.LabelInsurancePolicy + ` {id: $id}), (o:` + model.LabelOrganization + ` {id: $holderId})
SET p.insurer = $insurer, p.holderId = $holderId, p.product = $product, p.periodStart = $periodStart,
    p.periodEnd = $periodEnd, p.aggregateLimitJPY = $aggregateLimitJPY
FOREACH (_ IN CASE WHEN $visibility IS NULL THEN [] ELSE [1] END |
  SET p.visibility = $visibility, p.sharedWithOrganizationIds = $shared, p.sharedWithSectors = $sectors)
CREATE (o)-[:` + model.RelHolds + `]->(p)
RETURN p`

// UpdateInsurancePolicy replaces a policy's terms and all its lines in one
// transaction (the old lines are deleted, the new ones created; a line may
// keep its old id). It returns ENOTFOUND for an unknown id and otherwise
// the errors of CreateInsurancePolicy.
func (db *DB) UpdateInsurancePolicy(ctx context.Context, id string, in model.InsurancePolicyInput) (*model.InsurancePolicy, error) {
	if err := checkSameID(id, in.ID); err != nil {
		return nil, err
	}
	pw, err := validPolicy(id, in, false)
	if err != nil {
		return nil, err
	}
	return writeTx(ctx, db, "neo4j.UpdateInsurancePolicy", "insurance policy "+id, func(tx *txn) (*model.InsurancePolicy, error) {
		recs, err := tx.run(ctx, replacePolicyCypher, map[string]any{"id": id})
		if err != nil {
			return nil, err
		}
		if len(recs) == 0 {
			return nil, model.FieldErrorf(model.ENOTFOUND, "id", "no insurance policy %q", id)
		}
		if err := checkRefs(ctx, tx, pw.refs); err != nil {
			return nil, err
		}
		p, err := txNode[model.InsurancePolicy](ctx, tx, updatePolicyCypher, pw.params)
		if err != nil {
			return nil, err
		}
		if _, err := tx.run(ctx, createLinesCypher, pw.params); err != nil {
			return nil, err
		}
		return p, nil
	})
}

// lockPolicyCypher locks an insurance policy and the analyses that rely on it.
const lockPolicyCypher = `
MATCH (p:` + model.LabelInsurancePolicy + ` {id: $id})
SET p._lock = true REMOVE p._lock
WITH p
OPTIONAL MATCH (p)<-[:` + model.RelReliesOn + `]-(a:` + model.LabelAnalysis + `)
WITH p, collect(DISTINCT a) AS as
FOREACH (a IN as | SET a._lock = true REMOVE a._lock)
RETURN p.id AS id`

// planDeletePolicyCypher finds the analyses that rely on a policy and what
// its deletion removes.
const planDeletePolicyCypher = `
MATCH (p:` + model.LabelInsurancePolicy + ` {id: $id})
CALL (p) {
  OPTIONAL MATCH (p)<-[:` + model.RelReliesOn + `]-(a:` + model.LabelAnalysis + `)
  RETURN count(a) AS reliant, count(CASE WHEN ` + frozenAnalysis + ` THEN a END) AS frozen,
         collect(CASE WHEN NOT ` + frozenAnalysis + ` THEN a.id END) AS touched
}
CALL (p) {
  OPTIONAL MATCH (p)-[:` + model.RelHasLine + `]->(l:` + model.LabelCoverageLine + `)
  RETURN collect(l) AS ls
}
RETURN reliant, frozen, touched, [n IN ls + [p] | elementId(n)] AS doomed`

// DeleteInsurancePolicy deletes a policy and its lines. Without cascade it
// refuses (ECONFLICT) while analyses rely on it; with cascade it is removed
// from the draft analyses that rely on it, unless a submitted analysis
// relies on it (ECONFLICT). It returns ENOTFOUND for an unknown id.
func (db *DB) DeleteInsurancePolicy(ctx context.Context, id string, cascade bool) error {
	return db.deleteNode(ctx, deletion{
		op: "neo4j.DeleteInsurancePolicy", what: "insurance policy",
		locks: []string{lockPolicyCypher}, plan: planDeletePolicyCypher,
		use: &inUse{frozen: "frozen", frozenNoun: "analysis", frozenAs: "that are submitted", uses: []string{"reliant", "analysis"}, verb: "is relied on by", cascades: "remove it from the draft ones"},
	}, id, cascade)
}
