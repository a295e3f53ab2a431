package resolvers

import "slices"

// FeedbackTopic is the bus topic of feedbackAdded, for tests that wait until
// a subscription has registered.
const FeedbackTopic = feedbackTopic

// WithoutLimits returns o with the document, cost and rate limits off, for
// the benchmark that measures what they cost.
func WithoutLimits(o Options) Options {
	o.noLimits = true
	return o
}

// ExtCode returns the GraphQL `extensions.code` of a model error code, for
// tests that classify answers by the codes the presenter gives.
func ExtCode(code string) string { return extCodes[code] }

// WithResolverReads returns o with compiled reads off: every field through
// its resolver, for tests that compare the two paths.
func WithResolverReads(o Options) Options {
	o.resolverReads = true
	return o
}

// CompiledFields returns the fields compiled reads know of the type, in
// order.
func CompiledFields(typ string) []string {
	var out []string
	for name := range compiledTypes[typ].fields {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// CompiledFieldType returns the type of an object field of a compiled
// type, or "" for a scalar.
func CompiledFieldType(typ, field string) string {
	return compiledTypes[typ].fields[field].child
}
