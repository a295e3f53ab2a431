package resolvers

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
)

// Error codes of the limits checked on the raw document.
const (
	CodeTooManyTokens     = "TOO_MANY_TOKENS"
	CodeTooManyAliases    = "TOO_MANY_ALIASES"
	CodeTooManyDirectives = "TOO_MANY_DIRECTIVES"
)

// documentLimits is a gqlgen extension that checks a request's raw query
// text before gqlgen parses and validates it: the number of lexer tokens
// (comments included), of aliases and of directives. It runs for every
// transport (POST, GET, websocket subscribe) because the executor calls
// MutateOperationParameters before it parses. Its pass is one linear scan
// of the lexer, so it stops a document whose validation would be quadratic
// (gqlparser's OverlappingFieldsCanBeMerged compares repeated fields
// pairwise) before that work starts.
//
// gqlgen caches parsed documents by their exact text, so a unique comment
// makes every request a cache miss; the token limit bounds what such a miss
// costs (parsing and validating at most maxTokens tokens).
type documentLimits struct {
	maxTokens, maxAliases, maxDirectives int
}

var (
	_ graphql.HandlerExtension          = documentLimits{}
	_ graphql.OperationParameterMutator = documentLimits{}
)

// ExtensionName names the extension for gqlgen.
func (documentLimits) ExtensionName() string { return "DocumentLimits" }

// Validate accepts any schema.
func (documentLimits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters refuses a query over one of the limits with a
// GraphQL error coded TOO_MANY_TOKENS, TOO_MANY_ALIASES or
// TOO_MANY_DIRECTIVES, and variables with a list longer than any input
// list may be (model.CheckVariableLists: BAD_USER_INPUT naming the
// variable), before gqlgen coerces them. A query that does not lex is left
// to the parser.
func (l documentLimits) MutateOperationParameters(_ context.Context, p *graphql.RawParams) *gqlerror.Error {
	c, ok := countDocument(p.Query, l.maxTokens)
	switch {
	case !ok:
		return limitError(CodeTooManyTokens, "the document has more than %d tokens", l.maxTokens)
	case c.aliases > l.maxAliases:
		return limitError(CodeTooManyAliases, "the document has %d aliases; the limit is %d", c.aliases, l.maxAliases)
	case c.directives > l.maxDirectives:
		return limitError(CodeTooManyDirectives, "the document has %d directives; the limit is %d", c.directives, l.maxDirectives)
	}
	if err := model.CheckVariableLists(p.Variables); err != nil {
		return &gqlerror.Error{Message: model.ErrorMessage(err), Extensions: map[string]any{
			"code": extCodes[model.EINVALID], "field": model.ErrorField(err)}}
	}
	return nil
}

// docCounts is what countDocument finds in a query.
type docCounts struct {
	tokens, aliases, directives int
}

// countDocument lexes query and counts its tokens, aliases (a name followed
// by a colon outside parentheses, where only selections are) and
// directives. It stops and returns false as soon as there are more than
// maxTokens tokens. A lexing error ends the count: the parser reports it.
func countDocument(query string, maxTokens int) (c docCounts, ok bool) {
	lx := lexer.New(&ast.Source{Input: query})
	parens := 0
	prev := lexer.Invalid
	for {
		t, err := lx.ReadToken()
		if err != nil || t.Kind == lexer.EOF {
			return c, true
		}
		if c.tokens++; c.tokens > maxTokens {
			return c, false
		}
		switch t.Kind {
		case lexer.ParenL:
			parens++
		case lexer.ParenR:
			parens--
		case lexer.At:
			c.directives++
		case lexer.Colon:
			if parens <= 0 && prev == lexer.Name {
				c.aliases++
			}
		}
		if t.Kind != lexer.Comment {
			prev = t.Kind
		}
	}
}

// limitError is a request error with extensions.code set to code. gqlgen
// answers it with HTTP 200 (the code is not one of its protocol codes).
func limitError(code, format string, args ...any) *gqlerror.Error {
	return &gqlerror.Error{Message: fmt.Sprintf(format, args...), Extensions: map[string]any{"code": code}}
}
