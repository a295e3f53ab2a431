package model

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// InsuranceReader reads what insurance does for an analysis.
// Its methods are safe for concurrent use.
type InsuranceReader interface {
	// InsuranceGaps returns, for each assessment of the analysis, what the
	// coverage lines of its policies do for it (see InsuranceGapsOf). It
	// does not check who may read the analysis: callers do. It returns
	// ENOTFOUND when there is no analysis with the given id.
	InsuranceGaps(ctx context.Context, analysisID string) (*InsuranceGapReport, error)
}

// InsuranceFacts is what InsuranceGapsOf needs to know about one analysis,
// as the store reads it.
type InsuranceFacts struct {
	Analysis *Analysis
	// PolicySource says whether Policies are those the analysis relies on
	// or, when it names none, those its organization holds.
	PolicySource PolicySource
	Policies     []*PolicyFacts
	Assessments  []*AssessmentFacts
	// ClausesMet says, for each clause a line of Policies requires, whether
	// the analysis meets it; a clause missing from it is not met.
	ClausesMet map[string]bool
	// TopAxis1Rank is the highest rank on the axis-1 scale; an assessment at
	// it is irreversible. 0 when the scale has no levels.
	TopAxis1Rank int
	// Axis2UpperJPY maps each axis-2 rank to the upper bound of its level in
	// yen; an open-ended level has none.
	Axis2UpperJPY map[int]float64
}

// PolicyFacts is a policy with its lines.
type PolicyFacts struct {
	Policy *InsurancePolicy
	Lines  []*LineFacts
}

// LineFacts is a coverage line with what it covers and requires.
type LineFacts struct {
	Line              *CoverageLine
	CoversIncidentIDs []string
	CoversThreatIDs   []string
	RequiresMeasures  []*Measure
	RequiresClauses   []*Clause
}

// AssessmentFacts is an assessment with its incident, threats and the
// measures of its treatments.
type AssessmentFacts struct {
	Assessment *Assessment
	Incident   *Incident
	Threats    []*Threat
	Treatments []*TreatmentFacts
}

// TreatmentFacts is a measure applied to an assessment, and how far it has
// come.
type TreatmentFacts struct {
	Measure *Measure
	Status  TreatmentStatus
}

// moneyEpsilon is the amount below which a difference of yen counts as
// none (float arithmetic on whole yen leaves dust).
const moneyEpsilon = 0.5

// InsuranceGapsOf works out what insurance does for each assessment of an
// analysis, without probabilities (DOMAIN §5), and orders the entries by
// category (highest first), loss (largest first, none last) and incident
// id.
//
// A line covers an assessment when it covers its incident or one of its
// threats. It responds when, besides, every measure it requires is
// implemented or verified by some treatment of the analysis and every
// clause it requires is met (f.ClausesMet). The loss L is the estimated
// loss, else the upper bound of the assessment's axis-2 level. Each
// responding line pays min(max(L − deductible, 0), limit); taken in order of
// policy id and line id, a line pays no more than what is left of its
// policy's aggregate limit and of L (the loss is not split by coverage
// type, so the lines of one loss cannot together pay more than it). The
// residual is L − paid; the part of it above the smallest deductible of
// the responding lines is uncovered. Each assessment is reckoned alone, as
// if it were the only claim of the policy period.
func InsuranceGapsOf(f *InsuranceFacts) *InsuranceGapReport {
	r := &InsuranceGapReport{Analysis: f.Analysis, PolicySource: f.PolicySource, Policies: []*InsurancePolicy{}, Entries: []*InsuranceGap{}}
	policies := slices.Clone(f.Policies)
	slices.SortFunc(policies, func(a, b *PolicyFacts) int { return cmp.Compare(a.Policy.ID, b.Policy.ID) })
	for _, p := range policies {
		r.Policies = append(r.Policies, p.Policy)
		slices.SortFunc(p.Lines, func(a, b *LineFacts) int { return cmp.Compare(a.Line.ID, b.Line.ID) })
	}
	progress := map[string]TreatmentStatus{} // each measure's furthest status in the analysis
	for _, a := range f.Assessments {
		for _, t := range a.Treatments {
			if treatmentRank(t.Status) > treatmentRank(progress[t.Measure.ID]) {
				progress[t.Measure.ID] = t.Status
			}
		}
	}
	for _, a := range f.Assessments {
		r.Entries = append(r.Entries, insuranceGap(f, policies, a, progress))
	}
	slices.SortFunc(r.Entries, func(a, b *InsuranceGap) int {
		if c := cmp.Compare(b.Category, a.Category); c != 0 {
			return c
		}
		switch {
		case a.LossJpy == nil && b.LossJpy != nil:
			return 1
		case a.LossJpy != nil && b.LossJpy == nil:
			return -1
		case a.LossJpy != nil && *a.LossJpy != *b.LossJpy:
			return cmp.Compare(*b.LossJpy, *a.LossJpy)
		}
		return cmp.Compare(a.Incident.ID, b.Incident.ID)
	})
	r.Summary = summarizeGaps(r.Entries)
	return r
}

// treatmentRank orders treatment statuses: none < planned < implemented < verified.
func treatmentRank(s TreatmentStatus) int {
	switch s {
	case TreatmentStatusPlanned:
		return 1
	case TreatmentStatusImplemented:
		return 2
	case TreatmentStatusVerified:
		return 3
	}
	return 0
}

// achieved reports whether a treatment status counts as done.
func achieved(s TreatmentStatus) bool {
	return treatmentRank(s) >= treatmentRank(TreatmentStatusImplemented)
}

// insuranceGap is one assessment's entry of InsuranceGapsOf.
func insuranceGap(f *InsuranceFacts, policies []*PolicyFacts, a *AssessmentFacts, progress map[string]TreatmentStatus) *InsuranceGap {
	s := a.Assessment
	g := &InsuranceGap{Assessment: s, Incident: a.Incident, Category: s.Category, EstimatedLossJpy: s.EstimatedLossJpy,
		AchievedMeasures: []*Measure{}, Lines: []*RespondingLine{}, UnmetConditions: []*UnmetCondition{}}
	g.LossJpy, g.LossBasis = lossOf(s, f.Axis2UpperJPY)
	g.Irreversible = f.TopAxis1Rank > 0 && s.Axis1Rank >= f.TopAxis1Rank
	for _, t := range a.Treatments {
		if achieved(t.Status) && !slices.ContainsFunc(g.AchievedMeasures, func(m *Measure) bool { return m.ID == t.Measure.ID }) {
			g.AchievedMeasures = append(g.AchievedMeasures, t.Measure)
		}
	}
	slices.SortFunc(g.AchievedMeasures, func(x, y *Measure) int { return cmp.Compare(x.ID, y.ID) })
	g.Treated = len(g.AchievedMeasures) > 0

	covering := 0
	for _, p := range policies {
		for _, l := range p.Lines {
			coversIncident := slices.Contains(l.CoversIncidentIDs, a.Incident.ID)
			matched := []*Threat{}
			for _, t := range a.Threats {
				if slices.Contains(l.CoversThreatIDs, t.ID) {
					matched = append(matched, t)
				}
			}
			if !coversIncident && len(matched) == 0 {
				continue
			}
			covering++
			if unmet := unmetConditions(f, p.Policy, l, progress); len(unmet) > 0 {
				g.UnmetConditions = append(g.UnmetConditions, unmet...)
				continue
			}
			slices.SortFunc(matched, func(x, y *Threat) int { return cmp.Compare(x.ID, y.ID) })
			g.Lines = append(g.Lines, &RespondingLine{Policy: p.Policy, Line: l.Line, CoversIncident: coversIncident, MatchedThreats: matched})
		}
	}

	var why []string
	switch {
	case covering == 0:
		g.Status = InsuranceStatusResidual
		why = append(why, residualReason(f, a))
		g.PaidJpy, g.ResidualJpy = zeroIf(g.LossJpy), g.LossJpy
	case len(g.Lines) == 0:
		g.Status = InsuranceStatusConditionUnmet
		why = append(why, fmt.Sprintf("%s %s but none responds: %s.", plural(covering, "line covers", "lines cover"), whatIsCoveredObject(a), conditionsText(g.UnmetConditions)))
		if g.LossJpy != nil {
			why = append(why, fmt.Sprintf("The loss (%s, %s) stays with the organization.", yen(*g.LossJpy), basisText(g.LossBasis)))
		}
		g.PaidJpy, g.ResidualJpy = zeroIf(g.LossJpy), g.LossJpy
	case g.LossJpy == nil:
		g.Status = InsuranceStatusNoEstimate
		why = append(why, fmt.Sprintf("%s %s to incident %s, but the assessment gives no estimated loss and its axis-2 level %d has no upper bound: there is no loss to compare the limits with.",
			lineList(g.Lines), verb(g.Lines, "responds", "respond"), a.Incident.ID, s.Axis2Rank))
	default:
		paid, uncovered := pay(g.Lines, *g.LossJpy)
		residual := *g.LossJpy - paid
		g.PaidJpy, g.ResidualJpy, g.UncoveredJpy = &paid, &residual, &uncovered
		if uncovered > moneyEpsilon {
			g.Status = InsuranceStatusUnderInsured
			why = append(why, fmt.Sprintf("%s %s %s of the loss %s (%s): %s above the deductible stays with the organization%s.",
				lineList(g.Lines), verb(g.Lines, "pays", "pay"), yen(paid), yen(*g.LossJpy), basisText(g.LossBasis), yen(uncovered), capsText(g.Lines)))
		} else {
			g.Status = InsuranceStatusInsured
			why = append(why, fmt.Sprintf("%s %s %s of the loss %s (%s); the organization bears %s.",
				lineList(g.Lines), verb(g.Lines, "pays", "pay"), yen(paid), yen(*g.LossJpy), basisText(g.LossBasis), yen(residual)))
		}
	}
	if len(g.Lines) > 0 && len(g.UnmetConditions) > 0 {
		why = append(why, fmt.Sprintf("Other covering lines do not respond: %s.", conditionsText(g.UnmetConditions)))
	}
	var worded []string
	for _, rl := range g.Lines {
		if len(rl.Line.Exclusions) > 0 {
			worded = append(worded, rl.Line.ID)
		}
	}
	if len(worded) > 0 {
		why = append(why, fmt.Sprintf("Exclusions in words (line %s) are not checked.", strings.Join(worded, ", ")))
	}
	if g.Irreversible {
		why = append(why, fmt.Sprintf("Axis-1 level %d is the top of the scale: money does not undo the harm, so P1–P3 measures stay required.", s.Axis1Rank))
	}
	g.Reason = strings.Join(why, " ")
	return g
}

// lossOf returns the loss L of an assessment and where it comes from.
func lossOf(s *Assessment, axis2Upper map[int]float64) (*float64, LossBasis) {
	if s.EstimatedLossJpy != nil {
		v := *s.EstimatedLossJpy
		return &v, LossBasisEstimate
	}
	if v, ok := axis2Upper[s.Axis2Rank]; ok {
		return &v, LossBasisAxis2UpperBound
	}
	return nil, LossBasisNone
}

// unmetConditions lists the conditions of line l that the analysis does
// not meet, measures (by id) before clauses (by id).
func unmetConditions(f *InsuranceFacts, p *InsurancePolicy, l *LineFacts, progress map[string]TreatmentStatus) []*UnmetCondition {
	var out []*UnmetCondition
	measures := slices.Clone(l.RequiresMeasures)
	slices.SortFunc(measures, func(x, y *Measure) int { return cmp.Compare(x.ID, y.ID) })
	for _, m := range measures {
		st, ok := progress[m.ID]
		if ok && achieved(st) {
			continue
		}
		c := &UnmetCondition{Policy: p, Line: l.Line, Measure: m}
		if ok {
			c.MeasureStatus = &st
			c.Reason = fmt.Sprintf("measure %s is only %s in this analysis", m.ID, strings.ToLower(string(st)))
		} else {
			c.Reason = fmt.Sprintf("no treatment of this analysis applies measure %s", m.ID)
		}
		out = append(out, c)
	}
	clauses := slices.Clone(l.RequiresClauses)
	slices.SortFunc(clauses, func(x, y *Clause) int { return cmp.Compare(x.ID, y.ID) })
	for _, c := range clauses {
		if !f.ClausesMet[c.ID] {
			out = append(out, &UnmetCondition{Policy: p, Line: l.Line, Clause: c,
				Reason: fmt.Sprintf("clause %s is not met by the measures of this analysis", c.ID)})
		}
	}
	return out
}

// pay fills in what each responding line pays of loss and returns the
// total paid and the uncovered amount (see InsuranceGapsOf).
func pay(lines []*RespondingLine, loss float64) (paid, uncovered float64) {
	byPolicy := map[string]float64{}
	retained := math.Inf(1)
	for _, rl := range lines {
		l := rl.Line
		formula := min(max(loss-l.DeductibleJpy, 0), l.LimitJpy)
		room := max(rl.Policy.AggregateLimitJpy-byPolicy[rl.Policy.ID], 0)
		left := max(loss-paid, 0)
		pays := min(formula, left, room)
		rl.CappedByAggregate = room < min(formula, left)
		rl.FormulaJpy, rl.PaysJpy = &formula, &pays
		byPolicy[rl.Policy.ID] += pays
		paid += pays
		retained = min(retained, l.DeductibleJpy, loss)
	}
	return paid, max(loss-paid-retained, 0)
}

// zeroIf returns a pointer to 0 when loss is known, else nil.
func zeroIf(loss *float64) *float64 {
	if loss == nil {
		return nil
	}
	z := 0.0
	return &z
}

// residualReason explains why nothing covers an assessment.
func residualReason(f *InsuranceFacts, a *AssessmentFacts) string {
	var where string
	switch {
	case len(f.Policies) == 0 && f.PolicySource == PolicySourceHeld:
		where = "The analysis relies on no policy and its organization holds none"
	case f.PolicySource == PolicySourceHeld:
		where = "No line of the policies its organization holds (the analysis names none) covers " + whatIsCoveredObject(a)
	default:
		where = "No line of the policies the analysis relies on covers " + whatIsCoveredObject(a)
	}
	loss := "the whole risk stays with the organization."
	if l, basis := lossOf(a.Assessment, f.Axis2UpperJPY); l != nil {
		loss = fmt.Sprintf("the whole loss (%s, %s) stays with the organization.", yen(*l), basisText(basis))
	}
	return where + ": " + loss
}

// whatIsCoveredObject names the incident and its threats as an object.
func whatIsCoveredObject(a *AssessmentFacts) string {
	if len(a.Threats) == 0 {
		return "incident " + a.Incident.ID
	}
	return "incident " + a.Incident.ID + " or its threats" + threatsText(a)
}

func threatsText(a *AssessmentFacts) string {
	if len(a.Threats) == 0 {
		return ""
	}
	ids := make([]string, 0, len(a.Threats))
	for _, t := range a.Threats {
		ids = append(ids, t.ID)
	}
	slices.Sort(ids)
	return " (threats " + strings.Join(ids, ", ") + ")"
}

// lineList names responding lines: "Line x of policy p" or "Lines x (p), y (q)".
func lineList(lines []*RespondingLine) string {
	if len(lines) == 1 {
		return fmt.Sprintf("Line %s of policy %s", lines[0].Line.ID, lines[0].Policy.ID)
	}
	parts := make([]string, 0, len(lines))
	for _, rl := range lines {
		parts = append(parts, fmt.Sprintf("%s (policy %s)", rl.Line.ID, rl.Policy.ID))
	}
	return "Lines " + strings.Join(parts, ", ")
}

// verb returns one or many by the number of lines.
func verb(lines []*RespondingLine, one, many string) string {
	if len(lines) == 1 {
		return one
	}
	return many
}

// conditionsText lists unmet conditions by line.
func conditionsText(cs []*UnmetCondition) string {
	var parts []string
	for i := 0; i < len(cs); {
		j := i
		var reasons []string
		for ; j < len(cs) && cs[j].Line == cs[i].Line; j++ {
			reasons = append(reasons, cs[j].Reason)
		}
		parts = append(parts, fmt.Sprintf("on line %s of policy %s, %s", cs[i].Line.ID, cs[i].Policy.ID, strings.Join(reasons, "; ")))
		i = j
	}
	return strings.Join(parts, "; ")
}

// capsText says which responding lines were cut by a limit or an aggregate.
func capsText(lines []*RespondingLine) string {
	var parts []string
	for _, rl := range lines {
		switch {
		case rl.CappedByAggregate:
			parts = append(parts, fmt.Sprintf("policy %s reaches its aggregate limit %s", rl.Policy.ID, yen(rl.Policy.AggregateLimitJpy)))
		case rl.FormulaJpy != nil && *rl.FormulaJpy >= rl.Line.LimitJpy:
			parts = append(parts, fmt.Sprintf("line %s reaches its limit %s", rl.Line.ID, yen(rl.Line.LimitJpy)))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, "; ") + ")"
}

func basisText(b LossBasis) string {
	if b == LossBasisAxis2UpperBound {
		return "the upper bound of its axis-2 level"
	}
	return "estimated"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "A " + one
	}
	return strconv.Itoa(n) + " " + many
}

// yen formats an amount as whole yen with thousands separators: ¥12,345,678.
func yen(v float64) string {
	s := strconv.FormatFloat(math.Round(math.Abs(v)), 'f', 0, 64)
	var b strings.Builder
	if v <= -0.5 {
		b.WriteByte('-')
	}
	b.WriteString("¥")
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// summarizeGaps counts and totals a report's entries.
func summarizeGaps(entries []*InsuranceGap) *InsuranceGapSummary {
	s := &InsuranceGapSummary{Assessments: len(entries)}
	n := map[InsuranceStatus]int{}
	for _, g := range entries {
		n[g.Status]++
		if g.Irreversible {
			s.Irreversible++
		}
		if g.LossJpy == nil {
			s.WithoutLoss++
			continue
		}
		s.TotalLossJpy += *g.LossJpy
		if g.PaidJpy != nil {
			s.TotalPaidJpy += *g.PaidJpy
		}
		if g.ResidualJpy != nil {
			s.TotalResidualJpy += *g.ResidualJpy
		}
	}
	for _, st := range AllInsuranceStatus {
		s.Counts = append(s.Counts, &InsuranceStatusCount{Status: st, Count: n[st]})
	}
	return s
}
