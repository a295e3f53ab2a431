package resolvers

import (
	"bytes"
	"net/http"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/ssfgraph/ssfgraph/graph"
)

// sdl is the schema as SDL, printed once.
var sdl = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	formatter.NewFormatter(&b, formatter.WithComments()).FormatSchema(graph.NewExecutableSchema(graph.Config{}).Schema())
	return b.Bytes()
})

// schemaSDL serves the schema as SDL (GET /schema.graphql), for code
// generators and IDEs, under the introspection rule: without a token it
// answers 401 when noAnonymous is set.
func schemaSDL(noAnonymous bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD, OPTIONS")
			writeJSON(w, http.StatusMethodNotAllowed, graphql.Response{Errors: gqlerror.List{{
				Message: r.Method + " is not allowed on /schema.graphql; send GET", Extensions: map[string]any{"code": "METHOD_NOT_ALLOWED"},
			}}})
			return
		}
		if !introspectionAllowed(r.Context(), noAnonymous) {
			writeJSON(w, http.StatusUnauthorized, graphql.Response{Errors: gqlerror.List{limitError(CodeIntrospectionDisabled, "the schema needs a token on this server")}})
			return
		}
		w.Header().Set("Content-Type", "application/graphql; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(sdl())
	})
}
