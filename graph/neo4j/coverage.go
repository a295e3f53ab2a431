package neo4j

import (
	"context"
	"maps"
	"slices"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/coverage"
	"github.com/ssfgraph/ssfgraph/graph/model"
)

var _ model.CoverageReader = (*DB)(nil)

// guidelineClausesCypher returns the clauses of a guideline with their
// parents' ids; no row when the guideline does not exist, one row with a
// null clause when it has none.
const guidelineClausesCypher = `
MATCH (g:` + model.LabelGuideline + ` {id: $guideline})
OPTIONAL MATCH (g)-[:` + model.RelHasClause + `]->(c:` + model.LabelClause + `)
RETURN c.id AS id, c.kind AS kind, coalesce(c.withdrawn, false) AS withdrawn, c.parentId AS parent`

// listedClausesCypher returns the listed clauses, as guidelineClausesCypher
// does, but every one in scope: whoever named a clause counts it, even one
// that only groups others or is withdrawn. Unknown ids give no row.
const listedClausesCypher = `
UNWIND $ids AS id
MATCH (c:` + model.LabelClause + ` {id: id})
RETURN c.id AS id, 'listed' AS kind, false AS withdrawn, c.parentId AS parent`

// claimsCypher returns, for an analysis, each measure of its treatments
// that claims a clause, with whether any treatment has it implemented or
// verified, and the clauses it marks not applicable. Revoked and
// deprecated measures claim nothing.
const claimsCypher = `
MATCH (a:` + model.LabelAnalysis + ` {id: $analysis})
CALL (a) {
  OPTIONAL MATCH (a)-[:` + model.RelHasAssessment + `]->(:` + model.LabelAssessment + `)-[:` + model.RelTreatedBy + `]->(t:` + model.LabelTreatment + `)-[:` + model.RelApplies + `]->(m:` + model.LabelMeasure + `)
  WHERE NOT coalesce(m.revoked, false) AND NOT coalesce(m.deprecated, false)
  WITH m, max(CASE WHEN t.status IN ['IMPLEMENTED', 'VERIFIED'] THEN 1 ELSE 0 END) = 1 AS achieved
  OPTIONAL MATCH (m)-[s:` + model.RelSatisfies + `]->(c:` + model.LabelClause + `)
  WITH m, achieved, s, c WHERE c IS NOT NULL
  RETURN collect({measure: m.id, clause: c.id, relationship: s.relationship, coverage: s.coverage,
                  rationale: s.rationale, achieved: achieved}) AS claims
}
RETURN claims, [(a)-[n:` + model.RelNotApplicable + `]->(c:` + model.LabelClause + `) | [c.id, n.reason]] AS notApplicable`

// edgesAroundCypher returns the crosswalk edges touching the listed
// clauses, each once.
const edgesAroundCypher = `
UNWIND $ids AS id
MATCH (c:` + model.LabelClause + ` {id: id})-[m:` + model.RelMapsTo + `|` + model.RelIncorporatedInto + `]-(:` + model.LabelClause + `)
WITH DISTINCT m
RETURN startNode(m).id AS from, endNode(m).id AS to, type(m) AS type, properties(m) AS props`

// groupEdgesCypher returns every edge of the listed multi-member map
// entries (a withdrawn clause incorporated into several is one too).
const groupEdgesCypher = `
UNWIND $groups AS g
CALL (g) {
  MATCH (a:` + model.LabelClause + `)-[m:` + model.RelMapsTo + ` {group: g}]->(b:` + model.LabelClause + `) RETURN a, m, b
  UNION
  MATCH (a:` + model.LabelClause + ` {id: substring(g, size('incorporated:'))})-[m:` + model.RelIncorporatedInto + `]->(b:` + model.LabelClause + `)
  WHERE g STARTS WITH 'incorporated:' RETURN a, m, b
}
RETURN a.id AS from, b.id AS to, type(m) AS type, properties(m) AS props`

// CoverageInput reads what coverage.Compute needs for an analysis: the
// clauses of the guideline (or, with guidelineID empty, the listed
// clauses, all counted), the analysis's claims and not-applicable marks, and the
// crosswalk edges within maxHops of the claimed clauses, with every edge of
// each multi-member map entry met on the way. It makes 3 + maxHops
// statements in one read transaction. The caller checks that the viewer
// may read the analysis.
func (db *DB) CoverageInput(ctx context.Context, analysisID, guidelineID string, clauseIDs []string, maxHops int) (*coverage.Input, error) {
	return readTx(ctx, db, "neo4j.CoverageInput", "analysis "+analysisID, func(t *txn) (*coverage.Input, error) {
		in := &coverage.Input{MaxHops: maxHops, NotApplicable: map[string]string{}}
		var err error
		if guidelineID != "" {
			in.Clauses, err = t.guidelineClauses(ctx, "guidelineId", guidelineID)
		} else {
			in.Clauses, err = t.clauses(ctx, listedClausesCypher, map[string]any{"ids": clauseIDs})
		}
		if err != nil {
			return nil, err
		}
		rec, err := t.run(ctx, claimsCypher, map[string]any{"analysis": analysisID})
		if err != nil {
			return nil, err
		}
		if len(rec) == 0 {
			return nil, model.FieldErrorf(model.ENOTFOUND, "analysisId", "no analysis %q", analysisID)
		}
		claimed := map[string]bool{}
		for _, c := range rec[0].Values[0].([]any) {
			p := props(c.(map[string]any))
			claim := coverage.Claim{Measure: p.str("measure"), Clause: p.str("clause"), Relationship: coverage.ParseRelation(p.str("relationship")),
				Coverage: p.floatPtr("coverage"), Rationale: p.str("rationale"), Achieved: p.bool("achieved")}
			in.Claims = append(in.Claims, claim)
			claimed[claim.Clause] = true
		}
		for _, na := range rec[0].Values[1].([]any) {
			pair := na.([]any)
			id, _ := pair[0].(string)
			reason, _ := pair[1].(string)
			in.NotApplicable[id] = reason
		}
		in.Edges, err = t.edgesAround(ctx, slices.Sorted(maps.Keys(claimed)), maxHops)
		return in, err
	})
}

// CrosswalkInput reads what coverage.Crosswalk needs: the clauses of both
// guidelines and the crosswalk edges within maxHops of the first one's.
func (db *DB) CrosswalkInput(ctx context.Context, fromGuidelineID, toGuidelineID string, maxHops int) (from, to []coverage.Clause, edges []coverage.Edge, err error) {
	type result struct {
		from, to []coverage.Clause
		edges    []coverage.Edge
	}
	r, err := readTx(ctx, db, "neo4j.CrosswalkInput", fromGuidelineID+" → "+toGuidelineID, func(t *txn) (*result, error) {
		var r result
		var err error
		if r.from, err = t.guidelineClauses(ctx, "fromGuidelineId", fromGuidelineID); err != nil {
			return nil, err
		}
		if r.to, err = t.guidelineClauses(ctx, "toGuidelineId", toGuidelineID); err != nil {
			return nil, err
		}
		ids := make([]string, 0, len(r.from))
		for _, c := range r.from {
			if c.InScope() {
				ids = append(ids, c.ID)
			}
		}
		r.edges, err = t.edgesAround(ctx, ids, maxHops)
		return &r, err
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return r.from, r.to, r.edges, nil
}

// guidelineClauses returns the clauses of a guideline (none when it has
// none), or a not-found error naming the argument field when there is no
// such guideline.
func (t *txn) guidelineClauses(ctx context.Context, field, guidelineID string) ([]coverage.Clause, error) {
	recs, err := t.run(ctx, guidelineClausesCypher, map[string]any{"guideline": guidelineID})
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, model.FieldErrorf(model.ENOTFOUND, field, "no guideline %q", guidelineID)
	}
	return decodeClauses(recs), nil
}

// clauses runs a clause query and decodes its rows.
func (t *txn) clauses(ctx context.Context, cypher string, params map[string]any) ([]coverage.Clause, error) {
	recs, err := t.run(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	return decodeClauses(recs), nil
}

// decodeClauses reads clause rows; each clause's family is its top-level
// ancestor among the rows (itself at the top).
func decodeClauses(recs []*neo4j.Record) []coverage.Clause {
	out := make([]coverage.Clause, 0, len(recs))
	parent := make(map[string]string, len(recs))
	for _, r := range recs {
		p := props(r.AsMap())
		id := p.str("id")
		if id == "" {
			continue
		}
		parent[id] = p.str("parent")
		out = append(out, coverage.Clause{ID: id, Group: p.str("kind") == "group", Withdrawn: p.bool("withdrawn")})
	}
	for i := range out {
		top := out[i].ID
		for range 16 { // clause trees are shallow; the bound guards against a cycle
			up, ok := parent[top]
			if !ok || up == "" {
				break
			}
			if _, known := parent[up]; !known {
				break
			}
			top = up
		}
		out[i].Family = top
	}
	return out
}

// edgesAround walks the crosswalk graph breadth first from the given
// clauses, maxHops levels deep, one statement per level, then reads every
// edge of the multi-member map entries met. Each edge is returned once.
func (t *txn) edgesAround(ctx context.Context, start []string, maxHops int) ([]coverage.Edge, error) {
	seen := map[string]bool{}
	for _, id := range start {
		seen[id] = true
	}
	type edgeKey struct{ from, to, typ string }
	have := map[edgeKey]bool{}
	groups := map[string]bool{}
	var edges []coverage.Edge
	add := func(recs []*neo4j.Record) []string {
		var next []string
		for _, r := range recs {
			e := decodeEdge(r)
			k := edgeKey{e.From, e.To, string(e.Kind)}
			if have[k] {
				continue
			}
			have[k] = true
			edges = append(edges, e)
			if e.Group != "" {
				groups[e.Group] = true
			}
			for _, id := range []string{e.From, e.To} {
				if !seen[id] {
					seen[id] = true
					next = append(next, id)
				}
			}
		}
		return next
	}
	frontier := start
	for hop := 0; hop < maxHops && len(frontier) > 0; hop++ {
		recs, err := t.run(ctx, edgesAroundCypher, map[string]any{"ids": frontier})
		if err != nil {
			return nil, err
		}
		frontier = add(recs)
	}
	if len(groups) > 0 {
		recs, err := t.run(ctx, groupEdgesCypher, map[string]any{"groups": slices.Sorted(maps.Keys(groups))})
		if err != nil {
			return nil, err
		}
		add(recs)
	}
	return edges, nil
}

// decodeEdge reads a row of (from, to, type, props) as a coverage edge. An
// incorporated-into link is read as "the withdrawn clause is a subset of
// the one it moved into".
func decodeEdge(r *neo4j.Record) coverage.Edge {
	m := r.AsMap()
	p := props(m["props"].(map[string]any))
	e := coverage.Edge{
		Kind: coverage.KindMapsTo, From: m["from"].(string), To: m["to"].(string),
		Relationship: coverage.ParseRelation(p.str("relationship")),
		Coverage:     p.floatPtr("coverage"), Confidence: p.floatPtr("confidence"),
		Rationale: p.str("rationale"), Origin: p.str("source"),
		Group: p.str("group"), GroupSources: p.int("groupSources"), GroupTargets: p.int("groupTargets"),
	}
	if m["type"] == model.RelIncorporatedInto {
		// A withdrawn clause is a subset of where its content went (of the
		// set of clauses, when it went into several: see group).
		e.Kind, e.Relationship = coverage.KindIncorporatedInto, coverage.SubsetOf
		if e.Origin == "" {
			e.Origin = p.str("kind")
		}
	}
	return e
}
