// Package web serves ssfgraph's pages from the binary, nothing from the
// internet: GraphiQL, with the scripts and styles it needs embedded under
// /static/, so that the page works on a network without internet access.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql/playground"
)

//go:embed static
var files embed.FS

// static is the tree served under /static/.
var static, _ = fs.Sub(files, "static")

// Asset is a third-party file embedded as published on npm, with the
// Subresource Integrity hash of the published file (the one gqlgen's own
// GraphiQL page pins on its CDN), which the browser checks and
// TestEmbeddedAssetsAreThePublishedFiles recomputes.
type Asset struct {
	Path    string // under /static/
	Package string // npm package@version
	File    string // its path inside the package
	SRI     string
}

// Vendored lists the third-party files under static/vendor. tools/vendor-web.sh
// fetches them again from the npm registry.
var Vendored = []Asset{
	{"vendor/graphiql-4.1.2/graphiql.min.js", "graphiql@4.1.2", "graphiql.min.js", "sha256-hnImuor1znlJkD/FOTL3jayfS/xsyNoP04abi8bFJWs="},
	{"vendor/graphiql-4.1.2/graphiql.min.css", "graphiql@4.1.2", "graphiql.min.css", "sha256-MEh+B2NdMSpj9kexQNN3QKc8UzMrCXW/Sx/phcpuyIU="},
	{"vendor/react-18.2.0/react.production.min.js", "react@18.2.0", "umd/react.production.min.js", "sha256-S0lp+k7zWUMk2ixteM6HZvu8L9Eh//OVrt+ZfbCpmgY="},
	{"vendor/react-dom-18.2.0/react-dom.production.min.js", "react-dom@18.2.0", "umd/react-dom.production.min.js", "sha256-IXWO0ITNDjfnNXIu5POVfqlgYoop36bDzhodR6LW5Pc="},
}

// Static serves the embedded files; mount it on /static/. The vendored
// ones carry their versions in their paths, so browsers may keep them for
// a year; the app's own are checked again on each load.
func Static() http.Handler {
	files := http.StripPrefix("/static/", http.FileServerFS(static))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/static/vendor/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}

// GraphiQL serves GraphiQL for the endpoint (a path such as /graphql),
// with subscriptions over its websocket, loading everything from /static/.
func GraphiQL(title, endpoint string) http.Handler {
	asset := func(i int) (string, string) { return "/static/" + Vendored[i].Path, Vendored[i].SRI }
	js, jsSRI := asset(0)
	css, cssSRI := asset(1)
	react, reactSRI := asset(2)
	reactDOM, reactDOMSRI := asset(3)
	return playground.Handler(title, endpoint,
		playground.WithGraphiqlVersion(js, css, jsSRI, cssSRI),
		playground.WithGraphiqlReactVersion(react, reactDOM, reactSRI, reactDOMSRI),
		playground.WithGraphiqlEnablePluginExplorer(false), // its plugin is not embedded
	)
}

// Page serves one of the app's pages (a file under static/app): the same
// shell for every path it is mounted on, its data read by the page's
// script through the API. Its Content-Security-Policy allows this server
// only.
func Page(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := files.ReadFile("static/app/" + name)
		if err != nil {
			http.Error(w, "page not found", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; connect-src 'self'; frame-ancestors 'none'")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(b)
	})
}
