package resolvers

import (
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// validationRules returns gqlparser's default rules plus MaxDepth, which
// rejects operations whose selections nest deeper than limit. It runs once
// per distinct document (the query cache skips validation of known ones).
func validationRules(limit int) func() *rules.Rules {
	return func() *rules.Rules {
		r := rules.NewDefaultRules()
		r.AddRule("MaxDepth", func(ev *core.Events, addErr core.AddErrFunc) {
			ev.OnOperation(func(_ *core.Walker, op *ast.OperationDefinition) {
				if d := depthOf(op.SelectionSet, map[string]int{}); d > limit {
					addErr(core.Message("%s", fmt.Sprintf("operation is nested %d levels deep; the limit is %d", d, limit)), core.At(op.Position))
				}
			})
		})
		return r
	}
}

// depthOf returns the nesting depth of ss, not counting introspection
// fields. memo holds fragment depths and guards against fragment cycles.
func depthOf(ss ast.SelectionSet, memo map[string]int) (m int) {
	for _, s := range ss {
		d := 0
		switch s := s.(type) {
		case *ast.Field:
			if !strings.HasPrefix(s.Name, "__") {
				d = 1 + depthOf(s.SelectionSet, memo)
			}
		case *ast.InlineFragment:
			d = depthOf(s.SelectionSet, memo)
		case *ast.FragmentSpread:
			v, ok := memo[s.Name]
			if !ok && s.Definition != nil {
				memo[s.Name] = 0 // cycle guard
				v = depthOf(s.Definition.SelectionSet, memo)
				memo[s.Name] = v
			}
			d = v
		}
		m = max(m, d)
	}
	return m
}
