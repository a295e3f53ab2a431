package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/ssfgraph/ssfgraph/metrics"
)

// operationMetrics is a gqlgen extension that records every response of a
// query or mutation (including ones rejected before execution) and the start
// of every subscription.
type operationMetrics struct{ m *metrics.Metrics }

var (
	_ graphql.HandlerExtension     = operationMetrics{}
	_ graphql.ResponseInterceptor  = operationMetrics{}
	_ graphql.OperationInterceptor = operationMetrics{}
)

func (operationMetrics) ExtensionName() string                          { return "OperationMetrics" }
func (operationMetrics) Validate(schema graphql.ExecutableSchema) error { return nil }

// InterceptOperation counts subscriptions once, when they start.
func (x operationMetrics) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if op := graphql.GetOperationContext(ctx); op.Operation != nil && op.Operation.Operation == "subscription" {
		x.m.ObserveOperation(op.Operation.Name, "subscription", "started", 0)
	}
	return next(ctx)
}

// InterceptResponse counts each query and mutation response by outcome.
func (x operationMetrics) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	name, opType := "", "invalid"
	var start = graphql.GetStartTime(ctx)
	if graphql.HasOperationContext(ctx) {
		op := graphql.GetOperationContext(ctx)
		name = op.OperationName
		if op.Operation != nil {
			name, opType = op.Operation.Name, string(op.Operation.Operation)
		}
		if !op.Stats.OperationStart.IsZero() {
			start = op.Stats.OperationStart
		}
	}
	if opType == "subscription" {
		return resp
	}
	outcome := "ok"
	if resp != nil && len(resp.Errors) > 0 {
		outcome = "error"
		if c, ok := resp.Errors[0].Extensions["code"].(string); ok {
			outcome = c
		}
	}
	x.m.ObserveOperation(name, opType, outcome, graphql.Now().Sub(start))
	return resp
}
