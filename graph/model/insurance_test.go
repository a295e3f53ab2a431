package model_test

import (
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// The arithmetic of InsuranceGapsOf on cases the resolver tests do not
// reach. (Those run the whole path on Neo4j.)
func TestInsuranceGapsOfArithmetic(t *testing.T) {
	policy := func(id string, aggregate float64, lines ...*model.LineFacts) *model.PolicyFacts {
		return &model.PolicyFacts{Policy: &model.InsurancePolicy{ID: id, AggregateLimitJpy: aggregate}, Lines: lines}
	}
	line := func(id string, limit, deductible float64, measures ...string) *model.LineFacts {
		l := &model.LineFacts{Line: &model.CoverageLine{ID: id, LimitJpy: limit, DeductibleJpy: deductible}, CoversIncidentIDs: []string{"inc"}}
		for _, m := range measures {
			l.RequiresMeasures = append(l.RequiresMeasures, &model.Measure{ID: m})
		}
		return l
	}
	assessment := func(loss float64, treatments ...*model.TreatmentFacts) *model.AssessmentFacts {
		return &model.AssessmentFacts{Assessment: &model.Assessment{ID: "s", Axis1Rank: 1, Axis2Rank: 1, Category: 1, EstimatedLossJpy: &loss},
			Incident: &model.Incident{ID: "inc"}, Treatments: treatments}
	}
	treated := func(m string, s model.TreatmentStatus) *model.TreatmentFacts {
		return &model.TreatmentFacts{Measure: &model.Measure{ID: m}, Status: s}
	}
	for _, tt := range []struct {
		name                      string
		policies                  []*model.PolicyFacts
		assessments               []*model.AssessmentFacts
		status                    model.InsuranceStatus
		paid, residual, uncovered float64
	}{
		{"LossWithinTheDeductible", []*model.PolicyFacts{policy("p", 1e9, line("l", 1e7, 1e6))}, []*model.AssessmentFacts{assessment(5e5)},
			model.InsuranceStatusInsured, 0, 5e5, 0},
		{"LinesPayNoMoreThanTheLoss", []*model.PolicyFacts{policy("p1", 1e9, line("a", 1e8, 1e6)), policy("p2", 1e9, line("b", 1e8, 0))},
			[]*model.AssessmentFacts{assessment(5e7)}, model.InsuranceStatusInsured, 5e7, 0, 0},
		{"ZeroLimit", []*model.PolicyFacts{policy("p", 1e9, line("l", 0, 0))}, []*model.AssessmentFacts{assessment(1e6)},
			model.InsuranceStatusUnderInsured, 0, 1e6, 1e6},
		{"VerifiedElsewhereInTheAnalysisCounts", []*model.PolicyFacts{policy("p", 1e9, line("l", 1e8, 0, "m"))},
			[]*model.AssessmentFacts{assessment(1e6, treated("m", model.TreatmentStatusPlanned)), {
				Assessment: &model.Assessment{ID: "other", Category: 1}, Incident: &model.Incident{ID: "other-inc"},
				Treatments: []*model.TreatmentFacts{treated("m", model.TreatmentStatusVerified)}}},
			model.InsuranceStatusInsured, 1e6, 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := model.InsuranceGapsOf(&model.InsuranceFacts{Analysis: &model.Analysis{ID: "a"}, PolicySource: model.PolicySourceReliedOn,
				Policies: tt.policies, Assessments: tt.assessments})
			var g *model.InsuranceGap
			for _, e := range r.Entries {
				if e.Incident.ID == "inc" {
					g = e
				}
			}
			if g == nil || g.Status != tt.status || g.PaidJpy == nil || *g.PaidJpy != tt.paid || *g.ResidualJpy != tt.residual || *g.UncoveredJpy != tt.uncovered {
				t.Fatalf("entry %+v, want %s paid %v residual %v uncovered %v", g, tt.status, tt.paid, tt.residual, tt.uncovered)
			}
		})
	}
}
