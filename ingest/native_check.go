package ingest

// Native documents: the rules a schema cannot state (references, ranks
// against the scales in force, sharing, derived ids), checked on a
// decoded Document.

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// nativeIDPattern is the rule of graph/neo4j/ids.go for node ids.
var nativeIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:\-]{0,199}$`)

// nativeChildID derives the id of a node that belongs to parent (an
// assessment of an analysis, a treatment of an assessment) from the ids
// that identify it: parent + ":" + kind + ":" + key when that is a valid
// id, else kind + "-" and a hash of both, so that the same document always
// gives the same ids. A document that states the id this derives (as an
// export does) is read as if it had left it out. Such an id is a natural key, not the stored id: the
// batch gives it as the node's id and as its property idKey, and the store
// keeps it as idKey beside a random id of its own (graph/neo4j
// resolveDerivedIDs), so that stored ids cannot be computed from public
// values while loading the same document again finds the same nodes.
func nativeChildID(parent, kind, key string) string {
	if id := parent + ":" + kind + ":" + key; nativeIDPattern.MatchString(id) {
		return id
	}
	sum := sha256.Sum256([]byte(parent + "\x00" + key))
	return kind + "-" + hex.EncodeToString(sum[:16])
}

// naturalID gives *id, a child's id at document path p, its natural key
// when the document leaves it out (defining it with label), and records
// that the id is the natural key (derive) when it is or equals it.
func (c *nativeCheck) naturalID(id *string, natural, label, p string) error {
	if *id != "" && *id != natural {
		return nil
	}
	if *id == "" { // a stated one is defined already
		*id = natural
		if err := c.define(*id, label, p+".id (derived)"); err != nil {
			return err
		}
	}
	c.derive(*id)
	return nil
}

// derive records that id was derived, not stated.
func (c *nativeCheck) derive(id string) {
	if c.derived == nil {
		c.derived = map[string]bool{}
	}
	c.derived[id] = true
}

// nativeCheck checks a decoded document against the rules the schema
// cannot state, fills in its defaults and derived ids, and builds its
// batch.
type nativeCheck struct {
	file   string
	lines  map[string]int
	scales *model.Scales

	defined     map[string]string // id → the path that defines it
	derived     map[string]bool   // ids nativeChildID derived (see batch)
	labels      map[string]string // id → label, for ids the document defines
	perspective map[string]string // measure id → perspective, for measures the document defines
}

// err returns an *Error at path, with the line of path or of its nearest
// decoded parent.
func (c *nativeCheck) err(path, format string, args ...any) *Error {
	line := 0
	for p := path; ; {
		if l, ok := c.lines[p]; ok {
			line = l
			break
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return yerr(c.file, line, path, format, args...)
}

// define records that path defines id with label; an id is unique across
// the whole graph, so the document may define it once.
func (c *nativeCheck) define(id, label, path string) error {
	if prev, dup := c.defined[id]; dup {
		return c.err(path, "id %q is already used by %s; ids are unique across the graph", id, prev)
	}
	c.defined[id], c.labels[id] = path, label
	return nil
}

// is reports whether the document defines id with label.
func (c *nativeCheck) is(id, label string) bool { return c.labels[id] == label }

// check validates doc and fills in defaults and derived ids.
func (c *nativeCheck) check(doc *Document) error {
	c.defined, c.labels, c.perspective = map[string]string{}, map[string]string{}, map[string]string{}
	o, t, a := &doc.Organization, &doc.Target, &doc.Analysis
	if err := c.define(o.ID, model.LabelOrganization, "organization.id"); err != nil {
		return err
	}
	for i, d := range o.Departments {
		if err := c.define(d.ID, model.LabelDepartment, fmt.Sprintf("organization.departments[%d].id", i)); err != nil {
			return err
		}
	}
	if err := c.define(t.ID, model.LabelTarget, "target.id"); err != nil {
		return err
	}
	for i, x := range t.Assets {
		if err := c.define(x.ID, model.LabelAsset, fmt.Sprintf("target.assets[%d].id", i)); err != nil {
			return err
		}
	}
	for i, x := range t.Incidents {
		if err := c.define(x.ID, model.LabelIncident, fmt.Sprintf("target.incidents[%d].id", i)); err != nil {
			return err
		}
	}
	for i, x := range doc.Threats {
		if err := c.define(x.ID, model.LabelThreat, fmt.Sprintf("threats[%d].id", i)); err != nil {
			return err
		}
	}
	for i, m := range doc.Measures {
		p := fmt.Sprintf("measures[%d]", i)
		if err := c.define(m.ID, model.LabelMeasure, p+".id"); err != nil {
			return err
		}
		if c.scales.Perspective(m.Perspective) == nil {
			return c.err(p+".perspective", "unknown perspective %q (want one of %s)", m.Perspective, c.perspectives())
		}
		c.perspective[m.ID] = m.Perspective
		seen := map[string]int{}
		for j := range m.Clauses {
			l := &m.Clauses[j]
			lp := fmt.Sprintf("%s.clauses[%d]", p, j)
			if k, dup := seen[l.Clause]; dup {
				return c.err(lp+".clause", "clause %q is linked twice (also at %s.clauses[%d]); give one link per clause", l.Clause, p, k)
			}
			seen[l.Clause] = j
			if l.Relationship == "" {
				l.Relationship = string(model.MappingRelationshipEquivalentTo)
			}
		}
	}
	for i := range doc.Policies {
		pol := &doc.Policies[i]
		p := fmt.Sprintf("policies[%d]", i)
		if err := c.define(pol.ID, model.LabelInsurancePolicy, p+".id"); err != nil {
			return err
		}
		if pol.HolderID == "" {
			pol.HolderID = o.ID
		}
		if pol.Visibility == "" {
			pol.Visibility = string(model.VisibilityPrivate)
		}
		if err := model.CheckSharing(p+".", "policy", model.Visibility(pol.Visibility), pol.SharedWithOrganizationIDs, pol.SharedWithSectors); err != nil {
			return c.err(model.ErrorField(err), "%s", model.ErrorMessage(err))
		}
		start, err := time.Parse(time.DateOnly, pol.PeriodStart)
		if err != nil {
			return c.err(p+".periodStart", "%q is not a day of the calendar (YYYY-MM-DD)", pol.PeriodStart)
		}
		end, err := time.Parse(time.DateOnly, pol.PeriodEnd)
		if err != nil {
			return c.err(p+".periodEnd", "%q is not a day of the calendar (YYYY-MM-DD)", pol.PeriodEnd)
		}
		if end.Before(start) {
			return c.err(p+".periodEnd", "periodEnd %s is before periodStart %s", pol.PeriodEnd, pol.PeriodStart)
		}
		for j, l := range pol.Lines {
			lp := fmt.Sprintf("%s.lines[%d]", p, j)
			if err := c.define(l.ID, model.LabelCoverageLine, lp+".id"); err != nil {
				return err
			}
			if l.LimitJPY > pol.AggregateLimitJPY {
				return c.err(lp+".limitJPY", "limitJPY %v is above the policy's aggregateLimitJPY %v", l.LimitJPY, pol.AggregateLimitJPY)
			}
		}
	}
	if err := c.define(a.ID, model.LabelAnalysis, "analysis.id"); err != nil {
		return err
	}
	if a.Status == "" {
		a.Status = string(model.AnalysisStatusDraft)
	}
	if a.Version == 0 {
		a.Version = 1
	}
	if a.Visibility == "" {
		a.Visibility = string(model.VisibilityPrivate)
	}
	if a.SubmittedAt != nil && a.Status != string(model.AnalysisStatusSubmitted) {
		return c.err("analysis.submittedAt", "a %s analysis has no submittedAt; only a SUBMITTED one does", a.Status)
	}
	if err := model.CheckSharing("analysis.", "analysis", model.Visibility(a.Visibility), a.SharedWithOrganizationIDs, a.SharedWithSectors); err != nil {
		return c.err(model.ErrorField(err), "%s", model.ErrorMessage(err))
	}
	// Children of the analysis get their ids after every id the document
	// states, so that a derived id never hides a clash with a stated one.
	for i := range a.Assessments {
		if s := &a.Assessments[i]; s.ID != "" {
			if err := c.define(s.ID, model.LabelAssessment, fmt.Sprintf("analysis.assessments[%d].id", i)); err != nil {
				return err
			}
		}
		for j, tr := range a.Assessments[i].Treatments {
			if tr.ID != "" {
				if err := c.define(tr.ID, model.LabelTreatment, fmt.Sprintf("analysis.assessments[%d].treatments[%d].id", i, j)); err != nil {
					return err
				}
			}
		}
	}
	for i, x := range t.Assets {
		for j, to := range x.ConnectsTo {
			p := fmt.Sprintf("target.assets[%d].connectsTo[%d]", i, j)
			switch {
			case to == x.ID:
				return c.err(p, "asset %q cannot connect to itself", to)
			case !c.is(to, model.LabelAsset):
				return c.err(p, "%q is not an asset of target %q in this document; only assets of one target connect", to, t.ID)
			}
		}
	}
	assessed := map[string]int{}
	for i := range a.Assessments {
		if err := c.assessment(doc, i, assessed); err != nil {
			return err
		}
	}
	marked := map[string]int{}
	for i, na := range a.NotApplicable {
		p := fmt.Sprintf("analysis.notApplicable[%d].clause", i)
		if k, dup := marked[na.Clause]; dup {
			return c.err(p, "clause %q is marked twice (also at analysis.notApplicable[%d]); give one mark per clause", na.Clause, k)
		}
		marked[na.Clause] = i
		if c.labels[na.Clause] != "" {
			return c.err(p, "%q is not a clause: this document defines it as %s", na.Clause, c.defined[na.Clause])
		}
	}
	return nil
}

// assessment checks the i-th assessment and fills in its derived values.
func (c *nativeCheck) assessment(doc *Document, i int, assessed map[string]int) error {
	a := &doc.Analysis
	s := &a.Assessments[i]
	p := fmt.Sprintf("analysis.assessments[%d]", i)
	if !c.is(s.Incident, model.LabelIncident) {
		return c.err(p+".incident", "%q is not an incident of target %q in this document (target.incidents)", s.Incident, doc.Target.ID)
	}
	if k, dup := assessed[s.Incident]; dup {
		return c.err(p+".incident", "incident %q is assessed twice (also at analysis.assessments[%d]); give one assessment per incident", s.Incident, k)
	}
	assessed[s.Incident] = i
	if c.scales.Level(1, s.Axis1) == nil {
		return c.err(p+".axis1", "axis 1 has no level of rank %d (ranks %s)", s.Axis1, c.ranks(1))
	}
	if c.scales.Level(2, s.Axis2) == nil {
		return c.err(p+".axis2", "axis 2 has no level of rank %d (ranks %s)", s.Axis2, c.ranks(2))
	}
	cat, ok := c.scales.Category(s.Axis1, s.Axis2)
	switch {
	case !ok:
		return c.err(p+".axis1", "no category rule gives a category for axis-1 rank %d and axis-2 rank %d", s.Axis1, s.Axis2)
	case s.Category != nil && *s.Category != cat:
		return c.err(p+".category", "category %d differs from %d, which the category rules in force derive from axis1 %d and axis2 %d; the category is always derived: remove it or correct it", *s.Category, cat, s.Axis1, s.Axis2)
	}
	s.Category = &cat
	if s.OwnerDepartment != "" && !c.is(s.OwnerDepartment, model.LabelDepartment) {
		return c.err(p+".ownerDepartment", "%q is not a department of organization %q in this document (organization.departments)", s.OwnerDepartment, doc.Organization.ID)
	}
	for j, th := range s.Threats {
		if c.labels[th] != "" && !c.is(th, model.LabelThreat) {
			return c.err(fmt.Sprintf("%s.threats[%d]", p, j), "%q is not a threat: this document defines it as %s", th, c.defined[th])
		}
	}
	for j, x := range s.Assets {
		if !c.is(x, model.LabelAsset) {
			return c.err(fmt.Sprintf("%s.assets[%d]", p, j), "%q is not an asset of target %q in this document (target.assets)", x, doc.Target.ID)
		}
	}
	if err := c.naturalID(&s.ID, nativeChildID(a.ID, "as", s.Incident), model.LabelAssessment, p); err != nil {
		return err
	}
	applied := map[string]int{}
	for j := range s.Treatments {
		tr := &s.Treatments[j]
		tp := fmt.Sprintf("%s.treatments[%d]", p, j)
		if k, dup := applied[tr.Measure]; dup {
			return c.err(tp+".measure", "measure %q is applied twice (also at %s.treatments[%d]); give one treatment per measure", tr.Measure, p, k)
		}
		applied[tr.Measure] = j
		if c.labels[tr.Measure] != "" && !c.is(tr.Measure, model.LabelMeasure) {
			return c.err(tp+".measure", "%q is not a measure: this document defines it as %s", tr.Measure, c.defined[tr.Measure])
		}
		if tr.Perspective == "" {
			p, ok := c.perspective[tr.Measure]
			if !ok {
				return c.err(tp+".perspective", "give the perspective: measure %q is not defined in this document, so its default perspective is unknown here", tr.Measure)
			}
			tr.Perspective = p
		} else if c.scales.Perspective(tr.Perspective) == nil {
			return c.err(tp+".perspective", "unknown perspective %q (want one of %s)", tr.Perspective, c.perspectives())
		}
		if err := c.naturalID(&tr.ID, nativeChildID(s.ID, "tr", tr.Measure), model.LabelTreatment, tp); err != nil {
			return err
		}
	}
	return nil
}

// perspectives lists the perspective codes in force.
func (c *nativeCheck) perspectives() string {
	var codes []string
	for _, p := range c.scales.Perspectives {
		codes = append(codes, p.Code)
	}
	return strings.Join(codes, ", ")
}

// ranks lists the ranks of an axis in force.
func (c *nativeCheck) ranks(axis int) string {
	var r []string
	for _, l := range c.scales.Levels {
		if l.Axis == axis {
			r = append(r, strconv.Itoa(l.Rank))
		}
	}
	if len(r) == 0 {
		return "none: the scales are not seeded"
	}
	return strings.Join(r, ", ")
}
