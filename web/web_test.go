package web

import (
	"crypto/sha256"
	"encoding/base64"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestEmbeddedAssetsAreThePublishedFiles recomputes the SRI hash of each
// embedded third-party file: it must be the published file's.
func TestEmbeddedAssetsAreThePublishedFiles(t *testing.T) {
	for _, a := range Vendored {
		b, err := files.ReadFile("static/" + a.Path)
		if err != nil {
			t.Fatalf("%s is not embedded: %v", a.Path, err)
		}
		sum := sha256.Sum256(b)
		if got := "sha256-" + base64.StdEncoding.EncodeToString(sum[:]); got != a.SRI {
			t.Errorf("%s: %s, want %s (%s %s)", a.Path, got, a.SRI, a.Package, a.File)
		}
	}
}

// TestGraphiQLLoadsNothingFromOutside serves GraphiQL and checks that every
// script and style it names is served here, with its integrity hash.
func TestGraphiQLLoadsNothingFromOutside(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", Static())
	mux.Handle("GET /{$}", GraphiQL("ssfgraph", "/graphql"))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	page := html.UnescapeString(get(t, srv.URL+"/", "text/html"))
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) != 4 {
		t.Fatalf("%d scripts and styles, want 4:\n%s", len(refs), page)
	}
	for _, m := range refs {
		ref := m[1]
		if !strings.HasPrefix(ref, "/static/vendor/") {
			t.Errorf("the page loads %s from outside", ref)
			continue
		}
		want := "text/javascript"
		if strings.HasSuffix(ref, ".css") {
			want = "text/css"
		}
		get(t, srv.URL+ref, want)
	}
	for _, a := range Vendored {
		if !strings.Contains(page, `integrity="`+a.SRI+`"`) {
			t.Errorf("the page does not pin %s with %s", a.Path, a.SRI)
		}
	}
	if !strings.Contains(page, `subscriptionUrl`) {
		t.Error("the page lost its websocket subscriptions")
	}
}

func get(t *testing.T, url, contentType string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), contentType) {
		t.Errorf("%s: HTTP %d, %s; want 200, %s", url, resp.StatusCode, resp.Header.Get("Content-Type"), contentType)
	}
	return string(b)
}
