// Package report assembles and renders the due-care report of an
// analysis: what was judged and by whom, which measures are in place and
// which guideline clauses they satisfy directly or through crosswalks, the
// coverage of each guideline with its gaps, the insurance gaps, the
// feedback received with its answers, and the scale versions the ratings
// use. The GraphQL query dueCareReport and `ssfgraph export report` both
// build it with Build, so they say the same thing. Every list has a stable
// order, so that two reports of different dates diff to what changed.
package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ssfgraph/ssfgraph/coverage"
	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// Source is what Build reads. *neo4j.DB is one.
type Source interface {
	model.CoverageReader
	ExportAnalysis(ctx context.Context, id string) (*ingest.Document, error)
	Nodes(ctx context.Context, ids []string) (map[string]model.Node, error)
	Scales(ctx context.Context) (*model.Scales, error)
	AnalysisFeedback(ctx context.Context, analysisID string) ([]*model.Feedback, error)
	model.InsuranceReader
}

// MaxGuidelines is how many guidelines one report covers at most.
const MaxGuidelines = 20

// Report is the due-care report of one analysis. Its exported fields are
// the JSON rendering.
type Report struct {
	GeneratedAt  time.Time      `json:"generatedAt"`
	MaxHops      int            `json:"maxHops"`
	Analysis     Analysis       `json:"analysis"`
	Organization Party          `json:"organization"`
	Target       Party          `json:"target"`
	Scales       []Scale        `json:"scales"`
	Assessments  []Assessment   `json:"assessments"`
	Measures     []Measure      `json:"measures"`
	Guidelines   []GuidelineCov `json:"guidelines"`
	Insurance    *Insurance     `json:"insurance"`
	Feedback     []Feedback     `json:"feedback"`
	coverage     []*model.GuidelineCoverage
	feedback     []*model.Feedback
	insurance    *model.InsuranceGapReport
	refs         map[string]clauseRef        // clauses shown, by id
	guidelines   map[string]*model.Guideline // guidelines reported on, by id
	guidelineIDs []string
}

// Coverage returns the coverage of each guideline, in the order asked.
func (r *Report) Coverage() []*model.GuidelineCoverage { return r.coverage }

// FeedbackItems returns the feedback received, oldest first.
func (r *Report) FeedbackItems() []*model.Feedback { return r.feedback }

// InsuranceGaps returns what insurance does for each assessed incident.
func (r *Report) InsuranceGaps() *model.InsuranceGapReport { return r.insurance }

// Analysis is the analysis reported on.
type Analysis struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Status      string     `json:"status"`
	Version     int        `json:"version"`
	Visibility  string     `json:"visibility"`
	CreatedAt   *time.Time `json:"createdAt"`
	SubmittedAt *time.Time `json:"submittedAt"`
}

// Party is an organization or target.
type Party struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Sector string `json:"sector"`
}

// Scale is an axis scale in force, with its levels.
type Scale struct {
	Axis      int     `json:"axis"`
	Version   string  `json:"version"`
	Name      string  `json:"name"`
	Confirmed bool    `json:"confirmed"`
	Levels    []Level `json:"levels"`
}

// Level is one level of a scale.
type Level struct {
	Rank    int    `json:"rank"`
	LabelEn string `json:"labelEn"`
	LabelJa string `json:"labelJa"`
}

// Assessment is one assessed incident with its ratings and owner.
type Assessment struct {
	Incident         string      `json:"incident"`
	IncidentName     string      `json:"incidentName"`
	Axis1            int         `json:"axis1"`
	Axis2            int         `json:"axis2"`
	Category         *int        `json:"category"`
	EstimatedLossJPY *float64    `json:"estimatedLossJPY"`
	OwnerDepartment  string      `json:"ownerDepartment"`
	Rationale        string      `json:"rationale"`
	Threats          []string    `json:"threats"`
	Treatments       []Treatment `json:"treatments"`
}

// Treatment is a measure applied to an assessed incident.
type Treatment struct {
	Measure     string `json:"measure"`
	Status      string `json:"status"`
	Perspective string `json:"perspective"`
}

// Measure is a measure the analysis applies, with the clauses it claims
// and those of the reported guidelines its paths reach.
type Measure struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	Perspective string        `json:"perspective"`
	Kind        string        `json:"kind"`
	Status      string        `json:"status"`
	Direct      []ClauseClaim `json:"direct"`
	Reaches     []Reach       `json:"reaches"`
}

// ClauseClaim is a measure's own claim on a clause.
type ClauseClaim struct {
	Clause       string   `json:"clause"`
	Ref          string   `json:"ref"`
	Relationship string   `json:"relationship"`
	Coverage     *float64 `json:"coverage"`
}

// Reach is a clause of a reported guideline whose best path starts at the
// measure.
type Reach struct {
	Guideline    string `json:"guideline"`
	Clause       string `json:"clause"`
	Ref          string `json:"ref"`
	Status       string `json:"status"`
	Relationship string `json:"relationship"`
	Hops         int    `json:"hops"`
}

// GuidelineCov is the coverage of one guideline.
type GuidelineCov struct {
	ID       string       `json:"id"`
	Title    string       `json:"title"`
	Version  string       `json:"version"`
	Summary  Summary      `json:"summary"`
	Families []Family     `json:"families"`
	Clauses  []ClauseLine `json:"clauses"`
}

// Summary counts clauses by status.
type Summary struct {
	Clauses        int     `json:"clauses"`
	Applicable     int     `json:"applicable"`
	Covered        int     `json:"covered"`
	Partial        int     `json:"partial"`
	Planned        int     `json:"planned"`
	Gaps           int     `json:"gaps"`
	NotApplicable  int     `json:"notApplicable"`
	CoveredPercent float64 `json:"coveredPercent"`
	Score          float64 `json:"score"`
}

// Family is the summary of one clause family.
type Family struct {
	Clause  string  `json:"clause"`
	Ref     string  `json:"ref"`
	Title   string  `json:"title"`
	Summary Summary `json:"summary"`
}

// ClauseLine is one clause's status with its explaining path.
type ClauseLine struct {
	Clause       string   `json:"clause"`
	Ref          string   `json:"ref"`
	Title        string   `json:"title"`
	Family       string   `json:"family"`
	Status       string   `json:"status"`
	Score        float64  `json:"score"`
	Measure      string   `json:"measure,omitempty"`
	Relationship string   `json:"relationship,omitempty"`
	Hops         int      `json:"hops"`
	Path         []Step   `json:"path,omitempty"`
	Reason       string   `json:"reason,omitempty"`
	Confidence   *float64 `json:"confidence,omitempty"`
}

// Step is one step of an explaining path.
type Step struct {
	Kind         string   `json:"kind"`
	From         string   `json:"from,omitempty"`
	To           string   `json:"to"`
	Stored       string   `json:"stored"`
	Reversed     bool     `json:"reversed"`
	Relationship string   `json:"relationship"`
	Origin       string   `json:"origin,omitempty"`
	Members      []string `json:"members,omitempty"`
}

// Insurance is the insurance position of the analysis (perspective P4),
// in the order of model.InsuranceGapsOf (most severe first).
type Insurance struct {
	// PolicySource says whether the policies are those the analysis relies
	// on or those its organization holds.
	PolicySource string           `json:"policySource"`
	Policies     []string         `json:"policies"`
	Entries      []InsuranceEntry `json:"entries"`
}

// InsuranceEntry is one assessed incident's insurance status.
type InsuranceEntry struct {
	Incident         string   `json:"incident"`
	IncidentName     string   `json:"incidentName"`
	Category         int      `json:"category"`
	Status           string   `json:"status"`
	EstimatedLossJPY *float64 `json:"estimatedLossJPY"`
	LossJPY          *float64 `json:"lossJPY"`
	PaidJPY          *float64 `json:"paidJPY"`
	ResidualJPY      *float64 `json:"residualJPY"`
	UncoveredJPY     *float64 `json:"uncoveredJPY"`
	Irreversible     bool     `json:"irreversible"`
	Unmet            []string `json:"unmet,omitempty"`
	Reason           string   `json:"reason"`
}

// Feedback is one piece of feedback received, with its answer.
type Feedback struct {
	ID           string     `json:"id"`
	Kind         string     `json:"kind"`
	Status       string     `json:"status"`
	Sector       string     `json:"sector"`
	Organization string     `json:"organization"`
	About        string     `json:"about"`
	AboutVersion *int       `json:"aboutVersion"`
	Text         string     `json:"text"`
	Answer       string     `json:"answer,omitempty"`
	CreatedAt    time.Time  `json:"createdAt"`
	RespondedAt  *time.Time `json:"respondedAt"`
}

type clauseRef struct{ ref, title string }

// Build assembles the report of an analysis against the given guidelines
// (1 to MaxGuidelines, each once), with coverage paths of at most maxHops
// mappings. It does not check who may read the analysis: callers do.
func Build(ctx context.Context, src Source, analysisID string, guidelineIDs []string, maxHops int, now time.Time) (*Report, error) {
	if len(guidelineIDs) == 0 || len(guidelineIDs) > MaxGuidelines {
		return nil, model.FieldErrorf(model.EINVALID, "guidelineIds", "give 1 to %d guidelines, not %d", MaxGuidelines, len(guidelineIDs))
	}
	for i, g := range guidelineIDs {
		if slices.Contains(guidelineIDs[:i], g) {
			return nil, model.FieldErrorf(model.EINVALID, "guidelineIds", "guideline %q is named twice", g)
		}
	}
	doc, err := src.ExportAnalysis(ctx, analysisID)
	if err != nil {
		if model.ErrorCode(err) == model.ENOTFOUND {
			return nil, model.FieldErrorf(model.ENOTFOUND, "analysisId", "no analysis %q", analysisID)
		}
		return nil, fmt.Errorf("read analysis %s: %w", analysisID, err)
	}
	r := &Report{GeneratedAt: now.UTC().Truncate(time.Second), MaxHops: maxHops, guidelineIDs: guidelineIDs}
	for _, g := range guidelineIDs {
		c, err := model.ComputeCoverage(ctx, src, analysisID, g, maxHops)
		if err != nil {
			if model.ErrorCode(err) == model.ENOTFOUND {
				return nil, model.FieldErrorf(model.ENOTFOUND, "guidelineIds", "no guideline %q", g)
			}
			return nil, fmt.Errorf("coverage of %s: %w", g, err)
		}
		r.coverage = append(r.coverage, c)
	}
	if r.feedback, err = src.AnalysisFeedback(ctx, analysisID); err != nil {
		return nil, fmt.Errorf("read feedback: %w", err)
	}
	if r.insurance, err = src.InsuranceGaps(ctx, analysisID); err != nil {
		return nil, fmt.Errorf("insurance gaps: %w", err)
	}
	scales, err := src.Scales(ctx)
	if err != nil {
		return nil, fmt.Errorf("read scales: %w", err)
	}
	nodes, err := src.Nodes(ctx, r.referenced(doc))
	if err != nil {
		return nil, fmt.Errorf("read clauses: %w", err)
	}
	r.refs, r.guidelines = map[string]clauseRef{}, map[string]*model.Guideline{}
	names := map[string]string{}
	for id, n := range nodes {
		switch n := n.(type) {
		case *model.Clause:
			r.refs[id] = clauseRef{n.Ref, n.Title}
		case *model.Guideline:
			r.guidelines[id] = n
		case *model.Organization:
			names[id] = n.Name
		}
	}
	r.fill(doc, scales, names)
	return r, nil
}

// referenced lists the ids whose names the report shows: clauses of the
// coverage, claimed clauses, guidelines, feedback authors.
func (r *Report) referenced(doc *ingest.Document) []string {
	seen := map[string]bool{}
	for _, g := range r.guidelineIDs {
		seen[g] = true
	}
	for _, c := range r.coverage {
		for _, cl := range c.Clauses {
			seen[cl.Clause] = true
			seen[cl.Family] = true
		}
	}
	for _, m := range doc.Measures {
		for _, c := range m.Clauses {
			seen[c.Clause] = true
		}
	}
	for _, f := range r.feedback {
		seen[f.OrganizationID] = true
	}
	out := make([]string, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// fill turns the pieces read into the rendered fields.
func (r *Report) fill(doc *ingest.Document, scales *model.Scales, orgNames map[string]string) {
	a := doc.Analysis
	r.Analysis = Analysis{ID: a.ID, Title: a.Title, Status: a.Status, Version: a.Version, Visibility: a.Visibility, CreatedAt: a.CreatedAt, SubmittedAt: a.SubmittedAt}
	r.Organization = Party{doc.Organization.ID, doc.Organization.Name, doc.Organization.Sector}
	r.Target = Party{doc.Target.ID, doc.Target.Name, doc.Target.Sector}
	for _, s := range scales.Axes {
		sc := Scale{Axis: s.Axis, Version: s.Version, Name: s.Name, Confirmed: s.Confirmed}
		for _, l := range scales.Levels {
			if l.ScaleID == s.ID {
				sc.Levels = append(sc.Levels, Level{l.Rank, l.LabelEn, l.LabelJa})
			}
		}
		r.Scales = append(r.Scales, sc)
	}
	slices.SortFunc(r.Scales, func(a, b Scale) int { return cmp.Or(cmp.Compare(a.Axis, b.Axis), cmp.Compare(a.Version, b.Version)) })

	incidents := map[string]string{}
	for _, i := range doc.Target.Incidents {
		incidents[i.ID] = i.Name
	}
	departments := map[string]string{}
	for _, d := range doc.Organization.Departments {
		departments[d.ID] = d.Name
	}
	best := map[string]string{}
	for _, as := range a.Assessments {
		e := Assessment{Incident: as.Incident, IncidentName: incidents[as.Incident], Axis1: as.Axis1, Axis2: as.Axis2, Category: as.Category,
			EstimatedLossJPY: as.EstimatedLossJPY, OwnerDepartment: cmp.Or(departments[as.OwnerDepartment], as.OwnerDepartment), Rationale: as.Rationale,
			Threats: slices.Sorted(slices.Values(as.Threats))}
		for _, t := range as.Treatments {
			e.Treatments = append(e.Treatments, Treatment{t.Measure, t.Status, t.Perspective})
			if statusRank(t.Status) > statusRank(best[t.Measure]) {
				best[t.Measure] = t.Status
			}
		}
		slices.SortFunc(e.Treatments, func(a, b Treatment) int { return cmp.Compare(a.Measure, b.Measure) })
		r.Assessments = append(r.Assessments, e)
	}
	slices.SortFunc(r.Assessments, func(a, b Assessment) int { return cmp.Compare(a.Incident, b.Incident) })

	reaches := map[string][]Reach{}
	for _, c := range r.coverage {
		g := GuidelineCov{ID: c.GuidelineID, Summary: summary(c.Summary)}
		if gl := r.guidelines[c.GuidelineID]; gl != nil {
			g.Title, g.Version = gl.Title, gl.Version
		}
		for _, f := range c.Families {
			g.Families = append(g.Families, Family{Clause: f.Family, Ref: r.refs[f.Family].ref, Title: r.refs[f.Family].title, Summary: summary(f.Summary)})
		}
		for _, cl := range c.Clauses {
			line := ClauseLine{Clause: cl.Clause, Ref: r.refs[cl.Clause].ref, Title: r.refs[cl.Clause].title, Family: r.refs[cl.Family].ref,
				Status: string(cl.Status), Score: cl.Score, Reason: cl.Reason}
			if p := cl.Path; p != nil {
				line.Measure, line.Relationship, line.Hops, line.Confidence = p.Measure, string(p.Relation), p.Hops(), p.Confidence
				for _, s := range p.Steps {
					line.Path = append(line.Path, Step{Kind: string(s.Kind), From: s.From, To: s.To, Stored: string(s.Stored),
						Reversed: s.Reversed, Relationship: string(s.Relation), Origin: s.Origin, Members: s.Members})
				}
				reaches[p.Measure] = append(reaches[p.Measure], Reach{Guideline: c.GuidelineID, Clause: cl.Clause, Ref: line.Ref,
					Status: line.Status, Relationship: line.Relationship, Hops: line.Hops})
			}
			g.Clauses = append(g.Clauses, line)
		}
		r.Guidelines = append(r.Guidelines, g)
	}

	for _, m := range doc.Measures {
		e := Measure{ID: m.ID, Name: m.Name, Perspective: m.Perspective, Kind: m.Kind, Status: best[m.ID], Reaches: reaches[m.ID]}
		for _, c := range m.Clauses {
			e.Direct = append(e.Direct, ClauseClaim{Clause: c.Clause, Ref: r.refs[c.Clause].ref, Relationship: c.Relationship, Coverage: c.Coverage})
		}
		slices.SortFunc(e.Direct, func(a, b ClauseClaim) int { return cmp.Compare(a.Clause, b.Clause) })
		slices.SortFunc(e.Reaches, func(a, b Reach) int {
			return cmp.Or(cmp.Compare(a.Guideline, b.Guideline), cmp.Compare(a.Clause, b.Clause))
		})
		r.Measures = append(r.Measures, e)
	}
	slices.SortFunc(r.Measures, func(a, b Measure) int { return cmp.Compare(a.ID, b.ID) })

	if r.insurance != nil {
		r.Insurance = &Insurance{PolicySource: string(r.insurance.PolicySource)}
		for _, p := range r.insurance.Policies {
			r.Insurance.Policies = append(r.Insurance.Policies, p.ID)
		}
		for _, g := range r.insurance.Entries {
			e := InsuranceEntry{Category: g.Category, Status: string(g.Status), EstimatedLossJPY: g.EstimatedLossJpy, LossJPY: g.LossJpy,
				PaidJPY: g.PaidJpy, ResidualJPY: g.ResidualJpy, UncoveredJPY: g.UncoveredJpy, Irreversible: g.Irreversible, Reason: g.Reason}
			if g.Incident != nil {
				e.Incident, e.IncidentName = g.Incident.ID, g.Incident.Name
			}
			for _, u := range g.UnmetConditions {
				switch {
				case u.Measure != nil:
					e.Unmet = append(e.Unmet, u.Measure.ID)
				case u.Clause != nil:
					e.Unmet = append(e.Unmet, u.Clause.ID)
				}
			}
			r.Insurance.Entries = append(r.Insurance.Entries, e)
		}
	}
	for _, f := range r.feedback {
		e := Feedback{ID: f.ID, Kind: string(f.Kind), Status: string(f.Status), Sector: f.Sector,
			Organization: cmp.Or(orgNames[f.OrganizationID], f.OrganizationID), About: f.AboutID, AboutVersion: f.AboutVersion,
			Text: f.Text, CreatedAt: f.CreatedAt.UTC(), RespondedAt: f.RespondedAt}
		if f.Answer != nil {
			e.Answer = *f.Answer
		}
		r.Feedback = append(r.Feedback, e)
	}
}

// statusRank orders treatment statuses: verified > implemented > planned.
func statusRank(s string) int {
	switch s {
	case "VERIFIED":
		return 3
	case "IMPLEMENTED":
		return 2
	case "PLANNED":
		return 1
	}
	return 0
}

func summary(s coverage.Summary) Summary {
	return Summary{Clauses: s.Clauses, Applicable: s.Applicable(), Covered: s.Covered, Partial: s.Partial, Planned: s.Planned,
		Gaps: s.Gaps, NotApplicable: s.NotApplicable, CoveredPercent: s.CoveredPercent(), Score: s.Score}
}
