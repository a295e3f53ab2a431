package neo4j

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

var _ model.Projector = (*DB)(nil)

// refSpec is a single reference: the node labelled label whose id the
// parent's property idProp holds. Where a relationship stands beside the
// property (path, from the parent), the projection follows it: a step
// along a relationship costs Neo4j less than an index seek.
type refSpec struct{ idProp, label, path string }

// projectionRefs are the single references a projection follows.
var projectionRefs = map[model.Relation]refSpec{
	model.ProjAnalysisOrganization: {"organizationId", model.LabelOrganization, "<-[:" + model.RelAuthored + "]-"},
	model.ProjAnalysisTarget:       {"targetId", model.LabelTarget, "-[:" + model.RelAnalyzes + "]->"},
	model.ProjAssessmentAnalysis:   {"analysisId", model.LabelAnalysis, "<-[:" + model.RelHasAssessment + "]-"},
	model.ProjAssessmentIncident:   {"incidentId", model.LabelIncident, "-[:" + model.RelOf + "]->"},
	model.ProjAssessmentDepartment: {"ownerDepartmentId", model.LabelDepartment, ""},
	model.ProjTreatmentMeasure:     {"measureId", model.LabelMeasure, "-[:" + model.RelApplies + "]->"},
	model.ProjTargetOwner:          {"ownerId", model.LabelOrganization, ""},
	model.ProjMeasureOwner:         {"ownerId", model.LabelOrganization, ""},
	model.ProjThreatOwner:          {"ownerId", model.LabelOrganization, ""},
	model.ProjAssetTarget:          {"targetId", model.LabelTarget, "<-[:" + model.RelHasAsset + "]-"},
	model.ProjIncidentTarget:       {"targetId", model.LabelTarget, "<-[:" + model.RelHasIncident + "]-"},
	model.ProjClauseGuideline:      {"guidelineId", model.LabelGuideline, "<-[:" + model.RelHasClause + "]-"},
	model.ProjDepartmentOrg:        {"organizationId", model.LabelOrganization, "<-[:" + model.RelHasDepartment + "]-"},
	model.ProjClauseParent:         {"parentId", model.LabelClause, "-[:" + model.RelPartOf + "]->"},
	model.ProjAnalysisSupersedes:   {"supersedesId", model.LabelAnalysis, ""},
}

// edgeSpec is a relation whose elements are the relationships themselves
// (a clause link, a not-applicable mark): the path from the parent to a
// clause, and how the element's map is written and decoded.
type edgeSpec struct {
	rel    string                                // the relationship type, from the parent to a clause
	row    func(r string, props []string) string // the element map's entries for the props its link's fields need, with r bound
	decode func(map[string]any) any              // the element
}

var projectionEdges = map[model.Relation]edgeSpec{
	model.ProjMeasureClauses: {
		rel: model.RelSatisfies,
		row: func(r string, props []string) string {
			if len(props) == 0 {
				return "props: {}"
			}
			return "props: " + r + " {" + joinProps(props) + "}"
		},
		decode: func(m map[string]any) any { return decodeClauseLink(m) },
	},
	model.ProjAnalysisNotApplicable: {
		rel: model.RelNotApplicable,
		row: func(r string, props []string) string {
			if slices.Contains(props, "reason") {
				return "reason: " + r + ".reason"
			}
			return "reason: null"
		},
		decode: func(m map[string]any) any { return decodeNotApplicable(m) },
	},
}

// Project runs p from root in one query (model.Projector).
func (db *DB) Project(ctx context.Context, root model.ProjectionRoot, p *model.Projection, viewer *model.Principal) (*model.ProjectedPage, error) {
	b := &projectionBuilder{params: viewerParams(viewer)}
	var cypher, label string
	switch {
	case root.List != nil:
		q := *root.List
		q.Viewer = viewer
		start, params, err := listPage(q)
		if err != nil {
			return nil, err
		}
		for k, v := range params {
			b.params[k] = v
		}
		label = q.Label
		proj, err := b.node("m", label, p, 0)
		if err != nil {
			return nil, err
		}
		cypher = start + "\nWITH " + listPageInfo + ", collect(" + proj + ") AS page"
	case root.ByLabel != nil:
		b.params["id"] = root.ID
		var sb strings.Builder
		sb.WriteString("MATCH (m:" + model.LabelEntity + " {id: $id})\nWITH 1 AS total, false AS more, false AS previous, [CASE")
		for _, l := range sortedKeys(root.ByLabel) {
			if !nodeRootLabels[l] {
				return nil, fmt.Errorf("neo4j.Project: no projection from %q", l)
			}
			proj, err := b.node("m", l, root.ByLabel[l], 0)
			if err != nil {
				return nil, err
			}
			sb.WriteString("\n WHEN m:" + l + " THEN CASE WHEN " + nodeReadable(l, "m") + " THEN {k: '" + l + "', e: " + proj + "} END")
		}
		sb.WriteString("\n ELSE {k: ''} END] AS page")
		cypher, label = sb.String(), "node"
	default:
		label = root.Label
		if !nodeRootLabels[label] {
			return nil, fmt.Errorf("neo4j.Project: no projection from %q", label)
		}
		b.params["id"] = root.ID
		proj, err := b.node("m", label, p, 0)
		if err != nil {
			return nil, err
		}
		cypher = "MATCH (m:" + label + " {id: $id}) WHERE " + nodeReadable(label, "m") + "\nWITH 1 AS total, false AS more, false AS previous, [" + proj + "] AS page"
	}
	if root.Scales {
		cypher += scalesCalls + "\nRETURN total, more, previous, page, scales, levels, perspectives, rules"
	} else {
		cypher += "\nRETURN total, more, previous, page"
	}
	res, err := db.read(ctx, "neo4j.Project "+label, root.ID, cypher, b.params)
	if err != nil {
		return nil, err
	}
	page := &model.ProjectedPage{}
	if len(res) == 0 {
		return page, nil
	}
	total, _ := res[0].Values[0].(int64)
	page.Total = int(total)
	page.HasNextPage, _ = res[0].Values[1].(bool)
	page.HasPreviousPage, _ = res[0].Values[2].(bool)
	if root.Scales {
		page.Scales = decodeScales(res[0].Values[4:8])
	}
	if root.ByLabel != nil {
		page.Nodes = decodeByLabel(res[0].Values[3], root.ByLabel)
		return page, nil
	}
	page.Nodes = decodeProjected(res[0].Values[3], projected{label: label}, p)
	return page, nil
}

// nodeRootLabels are the labels a projection may start from (by id, or
// among those of a root of any label).
var nodeRootLabels = map[string]bool{
	model.LabelOrganization: true, model.LabelDepartment: true, model.LabelTarget: true, model.LabelAsset: true,
	model.LabelIncident: true, model.LabelThreat: true, model.LabelMeasure: true, model.LabelGuideline: true,
	model.LabelClause: true, model.LabelAnalysis: true, model.LabelAssessment: true,
}

// nodeReadable is the visibility rule of a node labelled l (canSee in the
// resolvers) as a predicate on v.
func nodeReadable(l, v string) string {
	switch l {
	case model.LabelAnalysis:
		return analysisReadable(v)
	case model.LabelAssessment:
		return "EXISTS { MATCH (" + v + ")<-[:" + model.RelHasAssessment + "]-(va:" + model.LabelAnalysis + ") WHERE " + analysisReadable("va") + " }"
	case model.LabelIncident, model.LabelThreat, model.LabelMeasure:
		return inlineReadable(v)
	}
	return "true"
}

// decodeByLabel decodes the elements {k: label, e: element} of a
// projection from a node of any label; an element of no label named
// decodes with a nil Node.
func decodeByLabel(v any, byLabel map[string]*model.Projection) []*model.Projected {
	raw, _ := v.([]any)
	out := make([]*model.Projected, 0, len(raw))
	for _, e := range raw {
		m := asMap(e)
		if m == nil {
			continue // a node the caller may not see
		}
		l, _ := m["k"].(string)
		p, ok := byLabel[l]
		if !ok {
			out = append(out, &model.Projected{})
			continue
		}
		for _, el := range decodeProjected([]any{m["e"]}, projected{label: l}, p) {
			el.Kind = l
			out = append(out, el)
		}
	}
	return out
}

// sortedKeys returns the keys of m in order, so that the same projection
// is the same text (one cached plan).
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// projectionBuilder writes a projection's Cypher, collecting its
// parameters (filter values; never written into the text).
type projectionBuilder struct {
	params map[string]any
	n      int // parameters added
}

// param adds v as a parameter and returns its reference.
func (b *projectionBuilder) param(v any) string {
	b.n++
	name := "p" + strconv.Itoa(b.n)
	b.params[name] = v
	return "$" + name
}

// node returns the element map of the node v (labelled label): its
// properties (its id at the root, where the page's cursor needs it), and
// under the keys _0, _1, ... the list each relation leads to. One map per
// node, with nothing around it, keeps what Neo4j builds and the driver
// decodes to what the answer holds.
func (b *projectionBuilder) node(v, label string, p *model.Projection, depth int) (string, error) {
	var sb strings.Builder
	sb.WriteString(v + " {")
	sep := ""
	if depth == 0 && !slices.Contains(p.Props, "id") {
		sb.WriteString(".id")
		sep = ", "
	}
	for _, prop := range p.Props {
		if !validProp(prop) {
			return "", fmt.Errorf("neo4j.Project: bad property name %q", prop)
		}
		sb.WriteString(sep + "." + prop)
		sep = ", "
	}
	if err := b.rels(&sb, sep, v, p, depth); err != nil {
		return "", err
	}
	sb.WriteString("}")
	return sb.String(), nil
}

// rels writes `_0: ..., _1: ...`, one list per relation of p from v, after
// sep.
func (b *projectionBuilder) rels(sb *strings.Builder, sep, v string, p *model.Projection, depth int) error {
	c := "n" + strconv.Itoa(depth+1)
	for i, rp := range p.Rels {
		expr, err := b.rel(v, c, rp, depth+1)
		if err != nil {
			return err
		}
		sb.WriteString(sep + relKey(i) + ": " + expr)
		sep = ", "
	}
	return nil
}

// relKey is the key of the i-th relation's list in an element map.
func relKey(i int) string { return "_" + strconv.Itoa(i) }

// rel returns the list expression of one relation from v, its nodes bound
// to c.
func (b *projectionBuilder) rel(v, c string, rp *model.RelProjection, depth int) (string, error) {
	child := rp.Child
	if child == nil {
		child = &model.Projection{}
	}
	if s, ok := relationCypher[rp.Rel]; ok {
		var conds []string
		switch rp.Rel {
		case model.TargetAnalyses, model.OrganizationAnalyses, model.PolicyReliedOnBy:
			conds = append(conds, analysisReadable(c))
			if rp.Status != nil {
				conds = append(conds, c+".status = "+b.param(string(*rp.Status)))
			}
		case model.TargetIncidents:
			conds = append(conds, inlineReadable(c))
		}
		match := s.match(v, c)
		if len(conds) > 0 {
			if s.where != "" {
				match += " AND " + strings.Join(conds, " AND ")
			} else {
				match += " WHERE " + strings.Join(conds, " AND ")
			}
		}
		proj, err := b.node(c, s.to, child, depth)
		if err != nil {
			return "", err
		}
		order := c + "." + s.order
		if s.order != "id" {
			order += ", " + c + ".id"
		}
		return "COLLECT { MATCH " + match + " WITH " + c + " ORDER BY " + order + " RETURN " + proj + " }", nil
	}
	if s, ok := projectionRefs[rp.Rel]; ok {
		proj, err := b.node(c, s.label, child, depth)
		if err != nil {
			return "", err
		}
		if s.path != "" {
			return "COLLECT { MATCH (" + v + ")" + s.path + "(" + c + ":" + s.label + ") RETURN " + proj + " LIMIT 1 }", nil
		}
		return "COLLECT { MATCH (" + c + ":" + s.label + " {id: " + v + "." + s.idProp + "}) RETURN " + proj + " }", nil
	}
	if s, ok := projectionEdges[rp.Rel]; ok {
		// Each depth names its relationship and clause apart, since a
		// subquery sees the variables of the ones around it.
		d := strconv.Itoa(depth)
		r, cl := "r"+d, "c"+d
		var sb strings.Builder
		sb.WriteString("{" + s.row(r, child.Props))
		for i, er := range child.Rels {
			if er.Rel != model.ProjLinkClause {
				return "", fmt.Errorf("neo4j.Project: relation %q does not follow from %q", er.Rel, rp.Rel)
			}
			clause := er.Child
			if clause == nil {
				clause = &model.Projection{}
			}
			proj, err := b.node(cl, model.LabelClause, clause, depth+1)
			if err != nil {
				return "", err
			}
			sb.WriteString(", " + relKey(i) + ": [" + proj + "]")
		}
		sb.WriteString("}")
		return "COLLECT { MATCH (" + v + ")-[" + r + ":" + s.rel + "]->(" + cl + ":" + model.LabelClause + ") WITH " + r + ", " + cl +
			" ORDER BY " + cl + ".id RETURN " + sb.String() + " }", nil
	}
	return "", fmt.Errorf("neo4j.Project: unknown relation %q", rp.Rel)
}

// joinProps returns props as the entries of a map projection (".a, .b"),
// keeping only plain property names.
func joinProps(props []string) string {
	var sb strings.Builder
	for _, p := range props {
		if !validProp(p) {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("." + p)
	}
	return sb.String()
}

// validProp reports whether s is a plain property name (letters and
// digits), safe to write into a map projection.
func validProp(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// projected says how to decode the elements of one list: as nodes
// labelled label, or as edges of the relation edge.
type projected struct {
	label string
	edge  model.Relation
}

// decodeProjected decodes a list of element maps read with p.
func decodeProjected(v any, kind projected, p *model.Projection) []*model.Projected {
	raw, _ := v.([]any)
	out := make([]*model.Projected, 0, len(raw))
	for _, e := range raw {
		m := asMap(e)
		if m == nil {
			continue
		}
		el := &model.Projected{}
		if kind.edge != "" {
			el.Node = projectionEdges[kind.edge].decode(m)
		} else {
			n := decodeAs(kind.label, m)
			if n == nil {
				continue
			}
			el.Node = n
		}
		if p != nil && len(p.Rels) > 0 {
			el.Rels = make([][]*model.Projected, len(p.Rels))
			for i, rp := range p.Rels {
				el.Rels[i] = decodeProjected(m[relKey(i)], childKind(rp.Rel), rp.Child)
			}
		}
		out = append(out, el)
	}
	return out
}

// childKind is what the relation rel leads to.
func childKind(rel model.Relation) projected {
	if s, ok := relationCypher[rel]; ok {
		return projected{label: s.to}
	}
	if s, ok := projectionRefs[rel]; ok {
		return projected{label: s.label}
	}
	if _, ok := projectionEdges[rel]; ok {
		return projected{edge: rel}
	}
	if rel == model.ProjLinkClause {
		return projected{label: model.LabelClause}
	}
	return projected{}
}
