package ingest

// Native documents: ParseNative and ParseDocument, and the decoding of a
// tree that passed the schema into a Document.

import (
	"bytes"
	"fmt"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// nativeIsJSON reports whether data starts, after white space and a byte
// order mark, with '{' or '['.
func nativeIsJSON(data []byte) bool {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	data = bytes.TrimLeft(data, " \t\r\n")
	return len(data) > 0 && (data[0] == '{' || data[0] == '[')
}

// ParseNative reads a native analysis document (YAML, or JSON when it
// starts with '{') named name, checks it against the published schema and
// against the axis scales, perspectives and category rules in scales, and
// returns the batch that stores it. Assessment and treatment ids that the
// document omits are derived from the analysis, incident and measure ids,
// so that loading the same document again changes nothing. References to
// threats, measures, clauses, policies and organizations that the document
// does not define become relationships the loader checks against the
// stored graph (with a hint naming what to load first). Every problem is
// an *Error with the line and the path, such as
// "analysis.assessments[2].axis1".
func ParseNative(name string, data []byte, scales *model.Scales) (*Batch, error) {
	doc, lines, err := decodeNative(name, data)
	if err != nil {
		return nil, err
	}
	if scales == nil {
		return nil, yerr(name, 0, "", "no axis scales were given to check the ranks against (this is a bug in the caller)")
	}
	c := &nativeCheck{file: name, lines: lines, scales: scales}
	if err := c.check(doc); err != nil {
		return nil, err
	}
	b := c.batch(doc)
	if n := len(b.Nodes) + len(b.Rels); n > MaxRecords {
		return nil, yerr(name, 0, "", "the document makes %d nodes and relationships; the limit is %d", n, MaxRecords)
	}
	return b, nil
}

// ParseDocument reads a native analysis document like ParseNative and
// returns it as a Document, checked against the schema only (not against
// scales or references) and with no defaults filled in.
func ParseDocument(name string, data []byte) (*Document, error) {
	doc, _, err := decodeNative(name, data)
	return doc, err
}

// decodeNative parses data into a tree, validates it against the schema
// and decodes it. It also returns the line of every path it decoded.
func decodeNative(name string, data []byte) (*Document, map[string]int, error) {
	var root *ynode
	var err error
	if nativeIsJSON(data) {
		root, err = jsonTree(name, data)
	} else {
		root, err = yamlTree(name, data)
	}
	if err != nil {
		return nil, nil, err
	}
	s, err := nativeSchema()
	if err != nil {
		return nil, nil, err
	}
	if root.kind == yMap { // name the version problem first: the rest of the schema may not apply
		if v := root.get("apiVersion"); v != nil && (v.kind != yString || v.s != NativeAPIVersion) {
			return nil, nil, yerr(name, v.line, "apiVersion", "unsupported apiVersion %s; this ssfgraph reads %q", ydescribe(v), NativeAPIVersion)
		}
		if v := root.get("kind"); v != nil && (v.kind != yString || v.s != NativeKind) {
			return nil, nil, yerr(name, v.line, "kind", "kind must be %q, not %s", NativeKind, ydescribe(v))
		}
	}
	if err := s.validate(name, root, ""); err != nil {
		return nil, nil, err
	}
	d := &nativeDecoder{lines: map[string]int{"": root.line}}
	doc := d.document(root)
	if len(d.bad) > 0 {
		return nil, nil, yerr(name, d.lines[d.bad[0]], d.bad[0], "is not a time of the calendar (RFC 3339, such as 2026-04-01T09:00:00Z)")
	}
	return doc, d.lines, nil
}

// nativeDecoder turns a tree that passed the schema into a Document,
// recording the line of every path.
type nativeDecoder struct {
	lines map[string]int
	bad   []string // paths of times that do not parse
}

func (d *nativeDecoder) node(n *ynode, key, path string) *ynode {
	v := n.get(key)
	if v != nil {
		d.lines[ypath(path, key)] = v.line
	}
	return v
}

func (d *nativeDecoder) str(n *ynode, key, path string) string {
	if v := d.node(n, key, path); v != nil {
		return v.s
	}
	return ""
}

func (d *nativeDecoder) strPtr(n *ynode, key, path string) *string {
	if v := d.node(n, key, path); v != nil {
		s := v.s
		return &s
	}
	return nil
}

func (d *nativeDecoder) num(n *ynode, key, path string) *float64 {
	v := d.node(n, key, path)
	if v == nil {
		return nil
	}
	f := v.f
	if v.kind == yInt {
		f = float64(v.i)
	}
	return &f
}

func (d *nativeDecoder) integer(n *ynode, key, path string) *int {
	v := d.node(n, key, path)
	if v == nil {
		return nil
	}
	i := int(v.i)
	if v.kind == yFloat {
		i = int(v.f)
	}
	return &i
}

// time reads an RFC 3339 time that the schema's pattern admitted; one that
// does not parse (a 30 February) reads as nil and is reported by the check.
func (d *nativeDecoder) time(n *ynode, key, path string) *time.Time {
	v := d.node(n, key, path)
	if v == nil {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, v.s)
	if err != nil {
		d.bad = append(d.bad, ypath(path, key))
		return nil
	}
	t = t.UTC()
	return &t
}

func (d *nativeDecoder) strs(n *ynode, key, path string) []string {
	var out []string
	for i, it := range d.items(n, key, path) {
		d.lines[fmt.Sprintf("%s.%s[%d]", path, key, i)] = it.line
		out = append(out, it.s)
	}
	return out
}

func (d *nativeDecoder) items(n *ynode, key, path string) []*ynode {
	if v := d.node(n, key, path); v != nil {
		p := ypath(path, key)
		for i, it := range v.items {
			d.lines[fmt.Sprintf("%s[%d]", p, i)] = it.line
		}
		return v.items
	}
	return nil
}

func (d *nativeDecoder) document(root *ynode) *Document {
	doc := &Document{APIVersion: d.str(root, "apiVersion", ""), Kind: d.str(root, "kind", "")}
	o := d.node(root, "organization", "")
	doc.Organization = DocOrganization{ID: d.str(o, "id", "organization"), Name: d.str(o, "name", "organization"), Sector: d.str(o, "sector", "organization")}
	for i, it := range d.items(o, "departments", "organization") {
		p := fmt.Sprintf("organization.departments[%d]", i)
		doc.Organization.Departments = append(doc.Organization.Departments, DocDepartment{ID: d.str(it, "id", p), Name: d.str(it, "name", p)})
	}
	t := d.node(root, "target", "")
	doc.Target = DocTarget{ID: d.str(t, "id", "target"), Name: d.str(t, "name", "target"), Sector: d.str(t, "sector", "target"), Description: d.str(t, "description", "target")}
	for i, it := range d.items(t, "assets", "target") {
		p := fmt.Sprintf("target.assets[%d]", i)
		doc.Target.Assets = append(doc.Target.Assets, DocAsset{ID: d.str(it, "id", p), Name: d.str(it, "name", p), Kind: d.str(it, "kind", p),
			Description: d.str(it, "description", p), ConnectsTo: d.strs(it, "connectsTo", p)})
	}
	for i, it := range d.items(t, "incidents", "target") {
		p := fmt.Sprintf("target.incidents[%d]", i)
		doc.Target.Incidents = append(doc.Target.Incidents, DocIncident{ID: d.str(it, "id", p), Name: d.str(it, "name", p),
			Consequence: d.str(it, "consequence", p), Description: d.str(it, "description", p)})
	}
	a := d.node(root, "analysis", "")
	doc.Analysis = DocAnalysis{ID: d.str(a, "id", "analysis"), Title: d.str(a, "title", "analysis"), Status: d.str(a, "status", "analysis"),
		Visibility: d.str(a, "visibility", "analysis"), SharedWithOrganizationIDs: d.strs(a, "sharedWithOrganizationIds", "analysis"),
		SharedWithSectors: d.strs(a, "sharedWithSectors", "analysis"), Policies: d.strs(a, "policies", "analysis")}
	if v := d.integer(a, "version", "analysis"); v != nil {
		doc.Analysis.Version = *v
	}
	doc.Analysis.CreatedAt = d.time(a, "createdAt", "analysis")
	doc.Analysis.UpdatedAt = d.time(a, "updatedAt", "analysis")
	doc.Analysis.SubmittedAt = d.time(a, "submittedAt", "analysis")
	for i, it := range d.items(a, "assessments", "analysis") {
		p := fmt.Sprintf("analysis.assessments[%d]", i)
		s := DocAssessment{ID: d.str(it, "id", p), Incident: d.str(it, "incident", p), Category: d.integer(it, "category", p),
			EstimatedLossJPY: d.num(it, "estimatedLossJPY", p), Rationale: d.str(it, "rationale", p), OwnerDepartment: d.str(it, "ownerDepartment", p),
			Threats: d.strs(it, "threats", p), Assets: d.strs(it, "assets", p)}
		s.Axis1, s.Axis2 = *d.integer(it, "axis1", p), *d.integer(it, "axis2", p)
		for j, tr := range d.items(it, "treatments", p) {
			tp := fmt.Sprintf("%s.treatments[%d]", p, j)
			s.Treatments = append(s.Treatments, DocTreatment{ID: d.str(tr, "id", tp), Measure: d.str(tr, "measure", tp),
				Status: d.str(tr, "status", tp), Perspective: d.str(tr, "perspective", tp)})
		}
		doc.Analysis.Assessments = append(doc.Analysis.Assessments, s)
	}
	for i, it := range d.items(a, "notApplicable", "analysis") {
		p := fmt.Sprintf("analysis.notApplicable[%d]", i)
		doc.Analysis.NotApplicable = append(doc.Analysis.NotApplicable, DocNotApplicable{Clause: d.str(it, "clause", p), Reason: d.str(it, "reason", p)})
	}
	for i, it := range d.items(root, "threats", "") {
		p := fmt.Sprintf("threats[%d]", i)
		doc.Threats = append(doc.Threats, DocThreat{ID: d.str(it, "id", p), Name: d.str(it, "name", p), Kind: d.str(it, "kind", p),
			Description: d.str(it, "description", p), ExternalID: d.str(it, "externalId", p), Source: d.str(it, "source", p)})
	}
	for i, it := range d.items(root, "measures", "") {
		p := fmt.Sprintf("measures[%d]", i)
		m := DocMeasure{ID: d.str(it, "id", p), Name: d.str(it, "name", p), Description: d.str(it, "description", p),
			Perspective: d.str(it, "perspective", p), Kind: d.str(it, "kind", p), ExternalID: d.str(it, "externalId", p), Source: d.str(it, "source", p)}
		for j, c := range d.items(it, "clauses", p) {
			cp := fmt.Sprintf("%s.clauses[%d]", p, j)
			m.Clauses = append(m.Clauses, DocClauseLink{Clause: d.str(c, "clause", cp), Relationship: d.str(c, "relationship", cp),
				Coverage: d.num(c, "coverage", cp), Rationale: d.strPtr(c, "rationale", cp)})
		}
		doc.Measures = append(doc.Measures, m)
	}
	for i, it := range d.items(root, "policies", "") {
		p := fmt.Sprintf("policies[%d]", i)
		pol := DocPolicy{ID: d.str(it, "id", p), Insurer: d.str(it, "insurer", p), HolderID: d.str(it, "holderId", p), Product: d.str(it, "product", p),
			PeriodStart: d.str(it, "periodStart", p), PeriodEnd: d.str(it, "periodEnd", p), AggregateLimitJPY: *d.num(it, "aggregateLimitJPY", p),
			Visibility: d.str(it, "visibility", p), SharedWithOrganizationIDs: d.strs(it, "sharedWithOrganizationIds", p), SharedWithSectors: d.strs(it, "sharedWithSectors", p)}
		for j, l := range d.items(it, "lines", p) {
			lp := fmt.Sprintf("%s.lines[%d]", p, j)
			line := DocCoverageLine{ID: d.str(l, "id", lp), Type: d.str(l, "type", lp), LimitJPY: *d.num(l, "limitJPY", lp),
				Exclusions: d.strs(l, "exclusions", lp), CoversIncidentIDs: d.strs(l, "coversIncidentIds", lp), CoversThreatIDs: d.strs(l, "coversThreatIds", lp),
				RequiresMeasureIDs: d.strs(l, "requiresMeasureIds", lp), RequiresClauseIDs: d.strs(l, "requiresClauseIds", lp)}
			if v := d.num(l, "deductibleJPY", lp); v != nil {
				line.DeductibleJPY = *v
			}
			pol.Lines = append(pol.Lines, line)
		}
		doc.Policies = append(doc.Policies, pol)
	}
	return doc
}
