package neo4j

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

var _ model.ReadService = (*DB)(nil)

// relationSpec is the path of a model.Relation: from a node n labelled
// from along path to nodes m labelled to, those where the property
// condition where holds on m (if set), ordered by m's property order.
type relationSpec struct{ from, path, to, where, order string }

// match returns the pattern from the node variable n to the node variable
// m, with the relation's condition on m (a WHERE clause, or nothing).
func (s relationSpec) match(n, m string) string {
	out := "(" + n + ")" + s.path + "(" + m + ":" + s.to + ")"
	if s.where != "" {
		out += " WHERE " + m + "." + s.where
	}
	return out
}

// relationCypher maps each model.Relation to its path.
var relationCypher = map[model.Relation]relationSpec{
	model.OrganizationDepartments: {from: model.LabelOrganization, path: "-[:" + model.RelHasDepartment + "]->", to: model.LabelDepartment, order: "id"},
	model.OrganizationAnalyses:    {from: model.LabelOrganization, path: "-[:" + model.RelAuthored + "]->", to: model.LabelAnalysis, order: "id"},
	model.OrganizationPolicies:    {from: model.LabelOrganization, path: "-[:" + model.RelHolds + "]->", to: model.LabelInsurancePolicy, order: "id"},
	model.TargetAssets:            {from: model.LabelTarget, path: "-[:" + model.RelHasAsset + "]->", to: model.LabelAsset, order: "id"},
	model.TargetIncidents:         {from: model.LabelTarget, path: "-[:" + model.RelHasIncident + "]->", to: model.LabelIncident, order: "id"},
	model.TargetAnalyses:          {from: model.LabelTarget, path: "<-[:" + model.RelAnalyzes + "]-", to: model.LabelAnalysis, order: "id"},
	model.AssetConnectsTo:         {from: model.LabelAsset, path: "-[:" + model.RelConnectsTo + "]->", to: model.LabelAsset, order: "id"},
	model.ThreatMitigatedBy:       {from: model.LabelThreat, path: "-[:" + model.RelMitigatedBy + "]->", to: model.LabelMeasure, order: "id"},
	model.MeasureMitigates:        {from: model.LabelMeasure, path: "<-[:" + model.RelMitigatedBy + "]-", to: model.LabelThreat, order: "id"},
	model.ThreatParent:            {from: model.LabelThreat, path: "-[:" + model.RelSubtechniqueOf + "]->", to: model.LabelThreat, order: "id"},
	model.ThreatSubtechniques:     {from: model.LabelThreat, path: "<-[:" + model.RelSubtechniqueOf + "]-", to: model.LabelThreat, order: "id"},
	model.ThreatRevokedBy:         {from: model.LabelThreat, path: "-[:" + model.RelRevokedBy + "]->", to: model.LabelThreat, order: "id"},
	model.MeasureRevokedBy:        {from: model.LabelMeasure, path: "-[:" + model.RelRevokedBy + "]->", to: model.LabelMeasure, order: "id"},
	model.GuidelineTopClauses:     {from: model.LabelGuideline, path: "-[:" + model.RelHasClause + "]->", to: model.LabelClause, where: "parentId IS NULL", order: "id"},
	model.ClauseChildren:          {from: model.LabelClause, path: "<-[:" + model.RelPartOf + "]-", to: model.LabelClause, order: "id"},
	model.ClauseIncorporatedInto:  {from: model.LabelClause, path: "-[:" + model.RelIncorporatedInto + "]->", to: model.LabelClause, order: "id"},
	model.AnalysisAssessments:     {from: model.LabelAnalysis, path: "-[:" + model.RelHasAssessment + "]->", to: model.LabelAssessment, order: "incidentId"},
	model.PolicyReliedOnBy:        {from: model.LabelInsurancePolicy, path: "<-[:" + model.RelReliesOn + "]-", to: model.LabelAnalysis, order: "id"},
	model.AnalysisPolicies:        {from: model.LabelAnalysis, path: "-[:" + model.RelReliesOn + "]->", to: model.LabelInsurancePolicy, order: "id"},
	model.AssessmentThreats:       {from: model.LabelAssessment, path: "-[:" + model.RelCausedBy + "]->", to: model.LabelThreat, order: "id"},
	model.AssessmentAssets:        {from: model.LabelAssessment, path: "-[:" + model.RelThrough + "]->", to: model.LabelAsset, order: "id"},
	model.AssessmentTreatments:    {from: model.LabelAssessment, path: "-[:" + model.RelTreatedBy + "]->", to: model.LabelTreatment, order: "measureId"},
	model.PolicyLines:             {from: model.LabelInsurancePolicy, path: "-[:" + model.RelHasLine + "]->", to: model.LabelCoverageLine, order: "id"},
	model.LineCoversIncidents:     {from: model.LabelCoverageLine, path: "-[:" + model.RelCovers + "]->", to: model.LabelIncident, order: "id"},
	model.LineCoversThreats:       {from: model.LabelCoverageLine, path: "-[:" + model.RelCovers + "]->", to: model.LabelThreat, order: "id"},
	model.LineRequiresMeasures:    {from: model.LabelCoverageLine, path: "-[:" + model.RelRequires + "]->", to: model.LabelMeasure, order: "id"},
	model.LineRequiresClauses:     {from: model.LabelCoverageLine, path: "-[:" + model.RelRequires + "]->", to: model.LabelClause, order: "id"},
}

// nodesMatch finds the nodes with the ids $ids as n, each with its id.
const nodesMatch = `
UNWIND $ids AS id
MATCH (n:` + model.LabelEntity + ` {id: id})`

const nodesCypher = nodesMatch + `
RETURN id, n`

// Nodes returns the nodes with the given ids, of any kind, in one round trip.
func (db *DB) Nodes(ctx context.Context, ids []string) (map[string]model.Node, error) {
	return readTx(ctx, db, "neo4j.Nodes", fmt.Sprintf("%d ids", len(ids)), func(t *txn) (map[string]model.Node, error) {
		return t.nodes(ctx, nodesCypher, ids)
	})
}

// lockedNodesCypher is nodesCypher for a write transaction: it also takes
// each node's write lock (setting and removing a property leaves the node
// as it was), so that no other transaction changes them before this one
// ends.
const lockedNodesCypher = nodesMatch + `
SET n._lock = true
REMOVE n._lock
RETURN id, n`

// nodes runs cypher (nodesCypher or lockedNodesCypher) for ids in t and
// decodes the nodes it returns.
func (t *txn) nodes(ctx context.Context, cypher string, ids []string) (map[string]model.Node, error) {
	res, err := t.run(ctx, cypher, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	out := make(map[string]model.Node, len(res))
	for _, r := range res {
		id, _ := r.Values[0].(string)
		if n, ok := r.Values[1].(neo4j.Node); ok {
			if m := decode(n); m != nil {
				out[id] = m
			}
		}
	}
	return out, nil
}

// Related returns, for each id, the nodes rel leads to, in one round trip.
func (db *DB) Related(ctx context.Context, rel model.Relation, ids []string) (map[string][]model.Node, error) {
	c, ok := relationCypher[rel]
	if !ok {
		return nil, fmt.Errorf("neo4j.Related: unknown relation %q", rel)
	}
	cypher := "UNWIND $ids AS id MATCH (n:" + c.from + " {id: id}) MATCH " + c.match("n", "m") + " WITH id, m ORDER BY m." + c.order + ", m.id RETURN id, collect(m) AS ms"
	res, err := db.read(ctx, "neo4j.Related "+string(rel), fmt.Sprintf("%d ids", len(ids)), cypher, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]model.Node, len(res))
	for _, r := range res {
		id, _ := r.Values[0].(string)
		ms, _ := r.Values[1].([]any)
		nodes := make([]model.Node, 0, len(ms))
		for _, m := range ms {
			if n, ok := m.(neo4j.Node); ok {
				if d := decode(n); d != nil {
					nodes = append(nodes, d)
				}
			}
		}
		out[id] = nodes
	}
	return out, nil
}

const clauseMappingsOutCypher = `
UNWIND $ids AS id
MATCH (s:` + model.LabelClause + ` {id: id})-[r:` + model.RelMapsTo + `]->(t:` + model.LabelClause + `)
WITH id, s, r, t ORDER BY t.id
RETURN id, collect({source: s.id, target: t.id, props: properties(r)}) AS ms`

const clauseMappingsInCypher = `
UNWIND $ids AS id
MATCH (s:` + model.LabelClause + `)-[r:` + model.RelMapsTo + `]->(t:` + model.LabelClause + ` {id: id})
WITH id, s, r, t ORDER BY s.id
RETURN id, collect({source: s.id, target: t.id, props: properties(r)}) AS ms`

// ClauseMappings returns each clause's outgoing (or incoming) mappings.
func (db *DB) ClauseMappings(ctx context.Context, ids []string, incoming bool) (map[string][]*model.ClauseMapping, error) {
	cypher := clauseMappingsOutCypher
	if incoming {
		cypher = clauseMappingsInCypher
	}
	res, err := db.read(ctx, "neo4j.ClauseMappings", fmt.Sprintf("%d ids", len(ids)), cypher, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]*model.ClauseMapping, len(res))
	for _, r := range res {
		id, _ := r.Values[0].(string)
		for _, m := range r.Values[1].([]any) {
			row := m.(map[string]any)
			p := props(row["props"].(map[string]any))
			cm := &model.ClauseMapping{
				SourceID: row["source"].(string), TargetID: row["target"].(string),
				Relationship: model.MappingRelationship(p.str("relationship")),
				Confidence:   p.floatPtr("confidence"), Coverage: p.floatPtr("coverage"), Origin: p.strPtr("source"),
				Group: p.strPtr("group"), GroupSources: p.intPtr("groupSources"), GroupTargets: p.intPtr("groupTargets"),
			}
			if s := p.strPtr("rationale"); s != nil {
				ra := model.MappingRationale(*s)
				cm.Rationale = &ra
			}
			out[id] = append(out[id], cm)
		}
	}
	return out, nil
}

const linksByMeasureCypher = `
UNWIND $ids AS id
MATCH (m:` + model.LabelMeasure + ` {id: id})-[r:` + model.RelSatisfies + `]->(c:` + model.LabelClause + `)
WITH id, m, r, c ORDER BY c.id
RETURN id, collect({measure: m.id, clause: c.id, props: properties(r)}) AS ls`

const linksByClauseCypher = `
UNWIND $ids AS id
MATCH (m:` + model.LabelMeasure + `)-[r:` + model.RelSatisfies + `]->(c:` + model.LabelClause + ` {id: id})
WITH id, m, r, c ORDER BY m.id
RETURN id, collect({measure: m.id, clause: c.id, props: properties(r)}) AS ls`

// MeasureClauseLinks returns each measure's clause links (or each clause's
// measure links).
func (db *DB) MeasureClauseLinks(ctx context.Context, ids []string, byClause bool) (map[string][]*model.MeasureClauseLink, error) {
	cypher := linksByMeasureCypher
	if byClause {
		cypher = linksByClauseCypher
	}
	res, err := db.read(ctx, "neo4j.MeasureClauseLinks", fmt.Sprintf("%d ids", len(ids)), cypher, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]*model.MeasureClauseLink, len(res))
	for _, r := range res {
		id, _ := r.Values[0].(string)
		for _, l := range r.Values[1].([]any) {
			out[id] = append(out[id], decodeClauseLink(l.(map[string]any)))
		}
	}
	return out, nil
}

const notApplicableCypher = `
UNWIND $ids AS id
MATCH (:` + model.LabelAnalysis + ` {id: id})-[r:` + model.RelNotApplicable + `]->(c:` + model.LabelClause + `)
WITH id, r, c ORDER BY c.id
RETURN id, collect({clause: c.id, reason: r.reason}) AS marks`

// NotApplicable returns the clauses each analysis marks not applicable,
// ordered by clause id, in one round trip.
func (db *DB) NotApplicable(ctx context.Context, ids []string) (map[string][]*model.NotApplicableClause, error) {
	res, err := db.read(ctx, "neo4j.NotApplicable", fmt.Sprintf("%d ids", len(ids)), notApplicableCypher, map[string]any{"ids": ids})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]*model.NotApplicableClause, len(res))
	for _, r := range res {
		id, _ := r.Values[0].(string)
		for _, m := range r.Values[1].([]any) {
			out[id] = append(out[id], decodeNotApplicable(m.(map[string]any)))
		}
	}
	return out, nil
}

const clauseCountsCypher = `
UNWIND $ids AS id
MATCH (g:` + model.LabelGuideline + ` {id: id})
RETURN id, COUNT { (g)-[:` + model.RelHasClause + `]->(c:` + model.LabelClause + `) WHERE $withdrawn OR NOT coalesce(c.withdrawn, false) } AS n`

// ClauseCounts returns how many clauses each guideline has, withdrawn ones
// only when includeWithdrawn is true.
func (db *DB) ClauseCounts(ctx context.Context, ids []string, includeWithdrawn bool) (map[string]int, error) {
	res, err := db.read(ctx, "neo4j.ClauseCounts", fmt.Sprintf("%d ids", len(ids)), clauseCountsCypher,
		map[string]any{"ids": ids, "withdrawn": includeWithdrawn})
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(res))
	for _, r := range res {
		id, _ := r.Values[0].(string)
		n, _ := r.Values[1].(int64)
		out[id] = int(n)
	}
	return out, nil
}

const sectorsCypher = `
CALL () { MATCH (o:` + model.LabelOrganization + `) RETURN o.sector AS name, 'o' AS kind
          UNION ALL MATCH (t:` + model.LabelTarget + `) RETURN t.sector AS name, 't' AS kind }
WITH name, kind WHERE name IS NOT NULL AND name <> ''
RETURN name, sum(CASE kind WHEN 'o' THEN 1 ELSE 0 END) AS orgs, sum(CASE kind WHEN 't' THEN 1 ELSE 0 END) AS targets
ORDER BY name`

// Sectors returns the sectors that organizations and targets name.
func (db *DB) Sectors(ctx context.Context) ([]*model.Sector, error) {
	res, err := db.read(ctx, "neo4j.Sectors", "", sectorsCypher, nil)
	if err != nil {
		return nil, err
	}
	out := make([]*model.Sector, 0, len(res))
	for _, r := range res {
		name, _ := r.Values[0].(string)
		orgs, _ := r.Values[1].(int64)
		targets, _ := r.Values[2].(int64)
		out = append(out, &model.Sector{Name: name, Organizations: int(orgs), Targets: int(targets)})
	}
	return out, nil
}

// listFilters maps each list kind's filter names to a predicate on `n`
// that holds when the parameter of the same name is null or matches.
var listFilters = map[string]map[string]string{
	model.ListOrganizations: {"sector": "n.sector = $sector"},
	model.ListTargets:       {"sector": "n.sector = $sector"},
	model.ListThreats:       {"kind": "n.kind = $kind", "includeRevoked": inForceOnly},
	model.ListMeasures:      {"perspective": "n.perspective = $perspective", "includeRevoked": inForceOnly},
	model.ListGuidelines:    {},
	model.ListAnalyses: {
		"targetId": "n.targetId = $targetId", "organizationId": "n.organizationId = $organizationId", "status": "n.status = $status",
		"sector": "EXISTS { (n)-[:" + model.RelAnalyzes + "]->(:" + model.LabelTarget + " {sector: $sector}) }",
	},
	model.ListPolicies: {"holderId": "n.holderId = $holderId"},
	model.ListFeedback: {
		"status": "n.status = $status", "routedToId": "n.routedToId = $routedToId", "sector": "n.sector = $sector", "kind": "n.kind = $kind",
		"since": "n.createdAt >= datetime($since)", "targetId": feedbackUnderTarget,
	},
}

// feedbackUnderTarget holds for feedback n about the target $targetId or
// anything under it: its analyses, their assessments, its assets and
// incidents.
const feedbackUnderTarget = `EXISTS { MATCH (n)-[:` + model.RelAbout + `]->(x)
  WHERE (x:` + model.LabelTarget + ` AND x.id = $targetId)
     OR ((x:` + model.LabelAnalysis + ` OR x:` + model.LabelAsset + ` OR x:` + model.LabelIncident + `) AND x.targetId = $targetId)
     OR (x:` + model.LabelAssessment + ` AND EXISTS { MATCH (x)<-[:` + model.RelHasAssessment + `]-(:` + model.LabelAnalysis + ` {targetId: $targetId}) }) }`

// inForceOnly keeps catalog entries that are neither revoked nor
// deprecated, unless $includeRevoked is "true".
const inForceOnly = "($includeRevoked = 'true' OR NOT (coalesce(n.revoked, false) OR coalesce(n.deprecated, false)))"

// listVisibility restricts a list kind to what the viewer may see.
var listVisibility = map[string]string{
	model.ListAnalyses: analysisReadable("n"),
	model.ListFeedback: feedbackReadable("n"),
	model.ListPolicies: policyReadable("n"),
	model.ListThreats:  inlineReadable("n"),
	model.ListMeasures: inlineReadable("n"),
}

// listWhere returns the predicates on `n` that keep, of the nodes of a
// list kind, those that the filters select and the viewer may see, with
// the parameters they read. It returns EINVALID for an unknown kind or
// filter.
func listWhere(label string, set map[string]string, viewer *model.Principal) ([]string, map[string]any, error) {
	filters, ok := listFilters[label]
	if !ok {
		return nil, nil, model.Errorf(model.EINVALID, "unknown list %q", label)
	}
	params := viewerParams(viewer)
	var where []string
	for name := range set {
		if _, ok := filters[name]; !ok {
			return nil, nil, model.Errorf(model.EINVALID, "list %s has no filter %q", label, name)
		}
	}
	names := slices.Sorted(maps.Keys(set)) // one statement text per set of filters, for the query cache
	for _, name := range names {
		params[name] = set[name]
		where = append(where, filters[name])
	}
	if v, ok := listVisibility[label]; ok {
		where = append(where, v)
	}
	return where, params, nil
}

// List returns one page of a list, ordered by id, with its total count.
func (db *DB) List(ctx context.Context, q model.ListQuery) (*model.Page, error) {
	cypher, params, err := listPage(q)
	if err != nil {
		return nil, err
	}
	cypher += `
RETURN ` + listPageInfo + `, collect(m) AS page`
	res, err := db.read(ctx, "neo4j.List "+q.Label, "", cypher, params)
	if err != nil {
		return nil, err
	}
	page := &model.Page{}
	if len(res) == 0 {
		return page, nil
	}
	r := res[0]
	total, _ := r.Values[0].(int64)
	page.Total = int(total)
	page.HasNextPage, _ = r.Values[1].(bool)
	page.HasPreviousPage, _ = r.Values[2].(bool)
	for _, m := range r.Values[3].([]any) {
		if n, ok := m.(neo4j.Node); ok {
			if d := decode(n); d != nil {
				page.Nodes = append(page.Nodes, d)
			}
		}
	}
	return page, nil
}

// listPageInfo returns, after listPage, the list's size (total) and
// whether it has ids after (more) and before (previous) the page.
const listPageInfo = "size(ids) AS total, b < size(ids) AS more, a > 0 AS previous"

// listPage returns the start of the query for one page of a list: it
// ends with the page's nodes as m (one row each, or one null row), the
// list's ids (ids, sorted) and the page's bounds in them (ids[a..b]), for
// a RETURN to add (listPageInfo); and its parameters. A forward page
// (q.Last 0) is the first q.First ids after q.After; a backward one the
// last q.Last ids before q.Before; either way within both cursors.
func listPage(q model.ListQuery) (string, map[string]any, error) {
	where, params, err := listWhere(q.Label, q.Filters, q.Viewer)
	if err != nil {
		return "", nil, err
	}
	params["after"], params["before"], params["first"], params["last"] = nil, nil, q.First, nil
	if q.After != "" {
		params["after"] = q.After
	}
	if q.Before != "" {
		params["before"] = q.Before
	}
	if q.Last > 0 {
		params["first"], params["last"] = nil, q.Last
	}
	match := "MATCH (n:" + q.Label + ")"
	if q.Text != "" {
		if err := model.SearchText("text", q.Text); err != nil {
			return "", nil, err
		}
		params["text"] = luceneQuery(q.Text)
		match = "CALL db.index.fulltext.queryNodes('" + fulltextIndex + "', $text) YIELD node AS n WITH n WHERE n:" + q.Label
		if len(where) > 0 {
			match += " AND " + strings.Join(where, " AND ")
			where = nil
		}
	}
	cypher := match
	if len(where) > 0 {
		cypher += " WHERE " + strings.Join(where, " AND ")
	}
	// Sorting the ids only, then fetching the page's nodes, keeps memory
	// proportional to the ids, not to the nodes. The cursors bound the
	// page to ids[lo..hi]; a forward page is its first $first ids, a
	// backward one its last $last.
	cypher += `
WITH n.id AS id ORDER BY id
WITH collect(id) AS ids
WITH ids, size([x IN ids WHERE x <= $after]) AS lo, size([x IN ids WHERE $before IS NULL OR x < $before]) AS hi
WITH ids, lo, CASE WHEN hi < lo THEN lo ELSE hi END AS hi
WITH ids, CASE WHEN $last IS NULL OR hi - $last < lo THEN lo ELSE hi - $last END AS a,
  CASE WHEN $last IS NOT NULL OR lo + $first > hi THEN hi ELSE lo + $first END AS b
UNWIND (CASE WHEN a = b THEN [null] ELSE ids[a..b] END) AS id
OPTIONAL MATCH (m:` + q.Label + ` {id: id})`
	return cypher, params, nil
}

// FeedbackCounts counts the feedback that filters select and viewer may
// read, by kind, author sector and status, in one statement.
func (db *DB) FeedbackCounts(ctx context.Context, filters map[string]string, viewer *model.Principal) ([]*model.FeedbackCount, error) {
	where, params, err := listWhere(model.ListFeedback, filters, viewer)
	if err != nil {
		return nil, err
	}
	cypher := "MATCH (n:" + model.LabelFeedback + ") WHERE " + strings.Join(where, " AND ") + `
RETURN n.kind AS kind, coalesce(n.sector, '') AS sector, n.status AS status, count(*) AS n`
	res, err := db.read(ctx, "neo4j.FeedbackCounts", "", cypher, params)
	if err != nil {
		return nil, err
	}
	out := make([]*model.FeedbackCount, 0, len(res))
	for _, r := range res {
		p := props(r.AsMap())
		out = append(out, &model.FeedbackCount{Kind: model.FeedbackKind(p.str("kind")), Sector: p.str("sector"),
			Status: model.FeedbackStatus(p.str("status")), Count: p.int("n")})
	}
	return out, nil
}

// luceneQuery turns user text into a Lucene query that matches any of its
// words as plain text, so that no input can change the query's syntax. The
// words are split at Unicode white space (the ideographic space U+3000
// too), and each is quoted as a phrase with only `\` and `"` escaped: the
// index's analyzer (fulltextAnalyzer) splits the phrase as it split the
// names, so 輸液ポンプ matches the adjacent bigrams of 輸液ポンプ制御装置,
// infusion-pump the adjacent terms of "Infusion-pump", and AND, OR and NOT
// are words like any other. A word of one Chinese, Japanese or Korean
// character (and maybe punctuation: 窓、) equals no bigram, so it matches
// the terms that start or end with that character instead (窓 finds
// 窓シャッター).
func luceneQuery(text string) string {
	words := strings.Fields(text)
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		if r, ok := soleCJK(w); ok {
			b.WriteString("(" + string(r) + "* OR *" + string(r) + ")")
			continue
		}
		b.WriteByte('"')
		for _, r := range w {
			if r == '\\' || r == '"' {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		b.WriteByte('"')
	}
	return b.String()
}

// soleCJK returns the one letter or digit of w when w has just one and it
// is a Chinese, Japanese or Korean letter (isCJK).
func soleCJK(w string) (rune, bool) {
	var sole rune
	n := 0
	for _, r := range w {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			sole, n = r, n+1
		}
	}
	return sole, n == 1 && isCJK(sole)
}

// isCJK reports whether r is a Han, Hiragana, Katakana or Hangul letter,
// one that the cjk analyzer puts into bigrams.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) && unicode.IsLetter(r)
}

var searchCypher = `
CALL db.index.fulltext.queryNodes('` + fulltextIndex + `', $text) YIELD node, score
OPTIONAL MATCH (node)<-[:` + model.RelHasAssessment + `]-(owner:` + model.LabelAnalysis + `)
WITH node, score, CASE WHEN node:` + model.LabelAnalysis + ` THEN node ELSE owner END AS a
WHERE (a IS NULL OR ` + analysisReadable("a") + `) AND NOT node:` + model.LabelFeedback + `
  AND (NOT node:` + model.LabelInsurancePolicy + ` OR ` + policyReadable("node") + `)
  AND NOT node:` + model.LabelCoverageLine + `
  AND ` + inlineReadable("node") + `
RETURN node, score ORDER BY score DESC, node.id LIMIT $first`

// Search returns the nodes that match text, best first.
func (db *DB) Search(ctx context.Context, text string, first int, viewer *model.Principal) ([]model.Hit, error) {
	if err := model.SearchText("text", text); err != nil {
		return nil, err
	}
	q := luceneQuery(text)
	if q == "" {
		return nil, model.FieldErrorf(model.EINVALID, "text", "search text is empty")
	}
	params := viewerParams(viewer)
	params["text"], params["first"] = q, first
	res, err := db.read(ctx, "neo4j.Search", "", searchCypher, params)
	if err != nil {
		return nil, err
	}
	hits := make([]model.Hit, 0, len(res))
	for _, r := range res {
		n, _ := r.Values[0].(neo4j.Node)
		score, _ := r.Values[1].(float64)
		if d := decode(n); d != nil {
			hits = append(hits, model.Hit{Node: d, Score: score})
		}
	}
	return hits, nil
}

// decodeClauseLink decodes {measure, clause, props} (the SATISFIES
// relationship's properties) into a clause link.
func decodeClauseLink(row map[string]any) *model.MeasureClauseLink {
	p := props(row)
	rp := props(asMap(row["props"]))
	return &model.MeasureClauseLink{
		MeasureID: p.str("measure"), ClauseID: p.str("clause"),
		Relationship: model.MappingRelationship(rp.str("relationship")), Coverage: rp.floatPtr("coverage"), Rationale: rp.strPtr("rationale"),
	}
}

// decodeNotApplicable decodes {clause, reason} into a not-applicable mark.
func decodeNotApplicable(row map[string]any) *model.NotApplicableClause {
	p := props(row)
	return &model.NotApplicableClause{ClauseID: p.str("clause"), Reason: p.str("reason")}
}

// asMap returns v as a map, or nil.
func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }
