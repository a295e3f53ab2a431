package resolvers

import (
	"context"
	"math"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Error codes of the limits checked on the parsed operation.
const (
	CodeCostLimit             = "COMPLEXITY_LIMIT_EXCEEDED"
	CodeIntrospectionDisabled = "INTROSPECTION_DISABLED"
)

// introspectionCost is what each __schema or __type field costs on top of
// its subfields: the introspection types answer lists (all types, all
// fields) whose sizes the document does not state, so each such root is
// priced like a page of a few hundred nodes, and aliased copies multiply it.
const introspectionCost = 1000

// operationCost is a gqlgen extension that prices an operation once it is
// parsed and validated, refuses it over the limit, and turns introspection
// on (for everyone, or only for callers with a token). It replaces gqlgen's
// complexity limit, which ignores list sizes and introspection.
//
// The cost of a field is 1, plus its subfields' cost, where a page (a
// field with a `first` or `last` argument, or a connection given neither:
// pageSizeOf) multiplies the cost of its list subfields (nodes, edges) by
// its size,
// plus the number of list elements in its arguments (input lists such as
// inline threats or sector lists), counted through variables. __typename
// is free; __schema and __type cost introspectionCost plus their
// subfields. Lists that are not pages count once.
type operationCost struct {
	limit             int
	anonIntrospection bool
}

var (
	_ graphql.HandlerExtension        = operationCost{}
	_ graphql.OperationContextMutator = operationCost{}
)

// ExtensionName names the extension for gqlgen.
func (operationCost) ExtensionName() string { return "OperationCost" }

// Validate accepts any schema.
func (operationCost) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext refuses an operation with an input list over its
// cap (BAD_USER_INPUT naming the field; model.CheckInputLists), one whose
// cost is over the limit (COMPLEXITY_LIMIT_EXCEEDED) and one that introspects while introspection
// is off for the caller (INTROSPECTION_DISABLED).
func (c operationCost) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	introspects := false
	var listErr error
	w := costWalker{vars: oc.Variables, doc: oc.Doc, memo: map[string]int{}, introspects: &introspects, listErr: &listErr}
	cost := w.selectionSet(oc.Operation.SelectionSet)
	if listErr != nil {
		return &gqlerror.Error{Message: model.ErrorMessage(listErr), Extensions: map[string]any{
			"code": extCodes[model.EINVALID], "field": model.ErrorField(listErr)}}
	}
	oc.DisableIntrospection = !introspectionAllowed(ctx, !c.anonIntrospection)
	if introspects && oc.DisableIntrospection {
		return limitError(CodeIntrospectionDisabled, "introspection needs a token on this server")
	}
	if cost > c.limit {
		return limitError(CodeCostLimit, "operation has complexity %d, which exceeds the limit of %d", cost, c.limit)
	}
	return nil
}

// operationCostOf returns the cost operationCost gives op; for tests and
// benchmarks of the pricing itself.
func operationCostOf(doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) int {
	var introspects bool
	var listErr error
	w := costWalker{vars: vars, doc: doc, memo: map[string]int{}, introspects: &introspects, listErr: &listErr}
	return w.selectionSet(op.SelectionSet)
}

type costWalker struct {
	vars        map[string]any
	doc         *ast.QueryDocument
	memo        map[string]int // fragment costs: a fragment spread many times is priced once
	introspects *bool
	listErr     *error // the first input list over its cap
}

func (w costWalker) selectionSet(ss ast.SelectionSet) int {
	total := 0
	for _, s := range ss {
		switch s := s.(type) {
		case *ast.Field:
			total = satAdd(total, w.field(s))
		case *ast.InlineFragment:
			total = satAdd(total, w.selectionSet(s.SelectionSet))
		case *ast.FragmentSpread:
			v, ok := w.memo[s.Name]
			if !ok {
				w.memo[s.Name] = 0 // cycle guard (validation refuses cycles)
				if def := s.Definition; def != nil {
					v = w.selectionSet(def.SelectionSet)
				} else if def := w.doc.Fragments.ForName(s.Name); def != nil {
					v = w.selectionSet(def.SelectionSet)
				}
				w.memo[s.Name] = v
			}
			total = satAdd(total, v)
		}
	}
	return total
}

func (w costWalker) field(f *ast.Field) int {
	if f.Name == "__typename" {
		return 0
	}
	if strings.HasPrefix(f.Name, "__") {
		children := w.selectionSet(f.SelectionSet)
		*w.introspects = true
		if f.Name == "__schema" || f.Name == "__type" {
			return satAdd(introspectionCost, children)
		}
		return satAdd(1, children)
	}
	args := f.ArgumentMap(w.vars)
	var children int
	if n, ok := pageSizeOf(f, args); !ok || n <= 1 {
		children = w.selectionSet(f.SelectionSet)
	} else {
		// A page: its lists (nodes, edges) hold up to n items; totalCount
		// and pageInfo are answered once.
		for _, s := range f.SelectionSet {
			c := w.selectionSet(ast.SelectionSet{s})
			if sf, ok := s.(*ast.Field); !ok || sf.Definition == nil || sf.Definition.Type.Elem != nil {
				c = satMul(c, n)
			}
			children = satAdd(children, c)
		}
	}
	cost := satAdd(1, children)
	for name, v := range args {
		cost = satAdd(cost, listElements(v))
		if *w.listErr == nil {
			*w.listErr = model.CheckInputLists(name, v)
		}
	}
	return cost
}

// pageSizeOf returns how many items a page of the field f with arguments
// args may hold: its `first` or `last` (the larger, should a document give
// both), or for a connection (a field with a `last` argument) given
// neither, the default page size. ok is false for a field that is not a
// page.
func pageSizeOf(f *ast.Field, args map[string]any) (int, bool) {
	first, ok1 := asInt(args["first"])
	last, ok2 := asInt(args["last"])
	switch {
	case ok1 || ok2:
		return max(first, last), true
	case f.Definition != nil && f.Definition.Arguments.ForName("last") != nil:
		return defaultPageSize, true
	}
	return 0, false
}

// listElements counts the elements of every list in an argument value.
func listElements(v any) int {
	n := 0
	switch v := v.(type) {
	case []any:
		n = len(v)
		for _, e := range v {
			n = satAdd(n, listElements(e))
		}
	case map[string]any:
		for _, e := range v {
			n = satAdd(n, listElements(e))
		}
	}
	return n
}

func asInt(v any) (int, bool) {
	switch v := v.(type) {
	case int:
		return v, true
	case int64:
		return int(min(v, math.MaxInt32)), true
	case float64:
		return int(min(v, math.MaxInt32)), true
	case interface{ Int64() (int64, error) }: // json.Number
		n, err := v.Int64()
		return int(min(n, math.MaxInt32)), err == nil
	}
	return 0, false
}

func satAdd(a, b int) int {
	if a > math.MaxInt32-b {
		return math.MaxInt32
	}
	return a + b
}

func satMul(a, b int) int {
	if a != 0 && b > math.MaxInt32/a {
		return math.MaxInt32
	}
	return a * b
}

// introspectionAllowed is the introspection rule, for operations and the
// schema download alike: allowed, unless noAnonymous and the caller has
// no token.
func introspectionAllowed(ctx context.Context, noAnonymous bool) bool {
	return !noAnonymous || model.PrincipalFrom(ctx) != nil
}
