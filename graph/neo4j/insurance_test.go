package neo4j_test

import (
	"math"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
)

// Non-finite amounts cannot travel in JSON, so the GraphQL tests cannot
// send them; the store must still refuse them.
func TestInsurancePolicyRefusesNonFiniteMoney(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	prefix := neo4jtest.Prefix(t)
	org := neo4jtest.Org(t, prefix+"org", "home")
	policy := func(aggregate, limit, deductible float64) model.InsurancePolicyInput {
		id := prefix + "policy"
		return model.InsurancePolicyInput{ID: &id, Insurer: "I", HolderID: org, Product: "P", PeriodStart: "2026-01-01", PeriodEnd: "2026-12-31",
			AggregateLimitJpy: aggregate, Lines: []*model.CoverageLineInput{{Type: "all-cyber", LimitJpy: limit, DeductibleJpy: &deductible}}}
	}
	inf, nan := math.Inf(1), math.NaN()
	for _, tt := range []struct {
		name  string
		in    model.InsurancePolicyInput
		field string
	}{
		{"NaNAggregate", policy(nan, 1, 0), "input.aggregateLimitJPY"},
		{"InfiniteAggregate", policy(inf, 1, 0), "input.aggregateLimitJPY"},
		{"NegativeInfiniteAggregate", policy(math.Inf(-1), 1, 0), "input.aggregateLimitJPY"},
		{"NaNLimit", policy(10, nan, 0), "input.lines.0.limitJPY"},
		{"InfiniteLimit", policy(10, inf, 0), "input.lines.0.limitJPY"},
		{"NaNDeductible", policy(10, 1, nan), "input.lines.0.deductibleJPY"},
		{"InfiniteDeductible", policy(10, 1, inf), "input.lines.0.deductibleJPY"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.CreateInsurancePolicy(t.Context(), tt.in)
			if model.ErrorCode(err) != model.EINVALID || model.ErrorField(err) != tt.field {
				t.Errorf("CreateInsurancePolicy = %v, want EINVALID on %s", err, tt.field)
			}
		})
	}
	if n := neo4jtest.Count(t, prefix); n != 1 {
		t.Errorf("%d nodes with the prefix, want only the organization", n)
	}
}
