package resolvers

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// CodeForbiddenOrigin is the error code of a request from a page whose
// origin is not allowed.
const CodeForbiddenOrigin = "FORBIDDEN_ORIGIN"

// originAllowed is the origin rule of every browser request, websocket
// upgrades included: no Origin header (not a browser), the server's own
// origin, an origin in allowed, or any when allowed holds "*".
func originAllowed(allowed []string, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || slices.Contains(allowed, "*") || slices.Contains(allowed, origin) {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// cors applies originAllowed to every request (403, FORBIDDEN_ORIGIN, for
// another origin), answers OPTIONS (a CORS preflight, or a client asking
// what /graphql allows) with 204, and lets the pages of allowed origins
// read the answers. An origin allowed by name gets itself back with
// Access-Control-Allow-Credentials; one allowed only by "*" gets "*" and
// never credentials. It goes outside every other middleware, so that a
// page can read their errors (429, 401) too.
func cors(allowed []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if !originAllowed(allowed, r) {
			writeJSON(w, http.StatusForbidden, graphql.Response{Errors: gqlerror.List{{
				Message:    "pages of the origin " + origin + " may not use this server; its operator can add it to --allowed-origins",
				Extensions: map[string]any{"code": CodeForbiddenOrigin},
			}}})
			return
		}
		h := w.Header()
		if origin != "" {
			h.Add("Vary", "Origin")
			if slices.Contains(allowed, origin) || !slices.Contains(allowed, "*") {
				h.Set("Access-Control-Allow-Origin", origin)
				h.Set("Access-Control-Allow-Credentials", "true")
			} else {
				h.Set("Access-Control-Allow-Origin", "*")
			}
			h.Set("Access-Control-Expose-Headers", "Retry-After")
		}
		if r.Method != http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		h.Set("Allow", "GET, HEAD, POST, OPTIONS")
		if origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS")
			if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
				h.Set("Access-Control-Allow-Headers", req)
			}
			h.Set("Access-Control-Max-Age", "600")
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
