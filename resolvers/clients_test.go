package resolvers_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// The client tests run off-the-shelf JavaScript GraphQL clients from npm
// (clients/package.json: graphql-ws, Apollo Client, urql, graphql-sse)
// against NewHandler over real HTTP and websockets on the test database.
// Each subtest runs one step of a script in clients/ with a JSON
// configuration and asserts on the JSON line the step prints.

// clientSubscription is what every live step subscribes to: the
// comparison of the fixture's target, drafts included, so that the
// analysis a step creates shows up in the next update.
const clientSubscription = `subscription($t: ID!) { comparisonUpdated(targetId: $t, includeDrafts: true) { revision analyses { analysis { id } } } }`

// clientMutation is the change every live step makes: a new analysis of
// the target, with an id under the test's prefix.
const clientMutation = `mutation($t: ID!, $id: ID!, $title: String!) { createAnalysis(input: {id: $id, targetId: $t, title: $title, visibility: PUBLIC}) { id } }`

// clientConfig is the JSON configuration of a client script (clients/lib.mjs).
type clientConfig struct {
	HTTPURL      string   `json:"httpUrl"`
	WSURL        string   `json:"wsUrl"`
	Token        string   `json:"token"`
	TargetID     string   `json:"targetId"`
	IDPrefix     string   `json:"idPrefix"`
	Subscription string   `json:"subscription"`
	Mutation     string   `json:"mutation"`
	MissingID    string   `json:"missingId"`
	PagerTarget  string   `json:"pagerTargetId"`
	PageSize     int      `json:"pageSize"`
	Steps        []string `json:"steps"`
}

// clientResult is the JSON line a step prints; each step fills the fields
// it checks.
type clientResult struct {
	Step  string
	OK    bool
	Error string

	// Every live step (lib.mjs liveUpdate).
	FirstRevision, LiveRevision int
	Created                     string
	LiveAnalyses                []string

	// graphql-ws.
	ViewerOrganization  string
	Ended               string
	AfterComplete       []string
	ViewerAfterComplete string
	CloseCode           int

	// Apollo Client.
	Target                         string
	ValidationCodes, NotFoundCodes []string
	Posts                          int
	OperationsPerPost              []int
	Forwards, Backwards            []clientPage

	// Subscriptions over HTTP: each request's Accept and its answer's
	// Content-Type, in the order the answers came.
	Exchanges []struct{ Accept, ContentType string }
}

// subscriptionExchange returns the exchange of a step's subscription
// request (the one whose Accept names accept), failing when there is none.
func (r clientResult) subscriptionExchange(t *testing.T, accept string) (string, string) {
	t.Helper()
	for _, x := range r.Exchanges {
		if strings.Contains(x.Accept, accept) {
			return x.Accept, x.ContentType
		}
	}
	t.Fatalf("%s: no request accepted %q: %+v", r.Step, accept, r.Exchanges)
	return "", ""
}

// clientPage is one page a pager step read.
type clientPage struct {
	IDs, Cursors []string
	PageInfo     struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       *string
	}
}

// clientsEnv is a testEnv with a target that two organizations analysed
// (neo4jtest.ComparisonFixture) and an analyst token of the first.
type clientsEnv struct {
	*testEnv
	fx      neo4jtest.Compared
	pager   neo4jtest.Compared // another target, with five analyses to page through
	org     string
	analyst string // a token of org
}

func newClientsEnv(t *testing.T) *clientsEnv {
	t.Helper()
	env := newEnv(t, resolvers.Options{})
	e := &clientsEnv{testEnv: env, org: env.p + "org-00",
		fx:    neo4jtest.ComparisonFixture(t, env.p, 2, 4),
		pager: neo4jtest.ComparisonFixture(t, env.p+"pager-", 5, 1)}
	e.analyst = e.token(t, e.org, model.RoleAnalyst)
	return e
}

// config returns the configuration of a script running step.
func (e *clientsEnv) config(step string) clientConfig {
	return clientConfig{
		HTTPURL:      e.srv.URL + "/graphql",
		WSURL:        "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/graphql",
		Token:        e.analyst,
		TargetID:     e.fx.TargetID,
		IDPrefix:     e.p + "client-",
		Subscription: clientSubscription,
		Mutation:     clientMutation,
		MissingID:    e.p + "missing",
		PagerTarget:  e.pager.TargetID,
		PageSize:     2,
		Steps:        []string{step},
	}
}

// assertLive checks a live step's report: a first comparison, then an
// update with a higher revision that compares the fixture's analyses and
// the one the step created.
func (e *clientsEnv) assertLive(t *testing.T, r clientResult) {
	t.Helper()
	if r.LiveRevision <= r.FirstRevision {
		t.Errorf("%s: the live update has revision %d, the first comparison %d: want it higher", r.Step, r.LiveRevision, r.FirstRevision)
	}
	if !strings.HasPrefix(r.Created, e.p+"client-") {
		t.Errorf("%s: created %q, want an id under %q", r.Step, r.Created, e.p+"client-")
	}
	for _, id := range append(slices.Clone(e.fx.AnalysisIDs), r.Created) {
		if !slices.Contains(r.LiveAnalyses, id) {
			t.Errorf("%s: the live update compares %v, want %s among them", r.Step, r.LiveAnalyses, id)
		}
	}
}

func TestClients(t *testing.T) {
	t.Parallel()
	installClients(t) // before the fixture: without node, fail at once
	e := newClientsEnv(t)

	t.Run("GraphQLWS", func(t *testing.T) {
		for _, step := range []string{"authorization", "headers"} {
			t.Run(step, func(t *testing.T) {
				r := runClient(t, "graphql-ws.mjs", e.config(step))
				e.assertLive(t, r)
				if r.ViewerOrganization != e.org || r.ViewerAfterComplete != e.org {
					t.Errorf("the socket's viewer is %q, and %q after complete; want %q (the token's organization) both times", r.ViewerOrganization, r.ViewerAfterComplete, e.org)
				}
				if r.Ended != "complete" {
					t.Errorf("after the client's complete the subscription ended with %q, want complete", r.Ended)
				}
				if r.CloseCode != 1000 {
					t.Errorf("dispose closed the socket with %d, want 1000", r.CloseCode)
				}
				t.Run("NoEchoOfComplete", func(t *testing.T) {
					// A next already on its way may still come; the end may not.
					if slices.Contains(r.AfterComplete, "complete") || slices.Contains(r.AfterComplete, "error") {
						t.Errorf("after the client's complete the server sent %v for the subscription, want no complete or error", r.AfterComplete)
					}
				})
			})
		}
	})

	t.Run("Apollo", func(t *testing.T) {
		t.Run("HttpLink", func(t *testing.T) {
			r := runClient(t, "apollo.mjs", e.config("http"))
			if r.Target != e.fx.TargetID || r.Created != e.p+"client-apollo-http" {
				t.Errorf("read target %q and created %q, want %q and %q", r.Target, r.Created, e.fx.TargetID, e.p+"client-apollo-http")
			}
		})
		t.Run("Errors", func(t *testing.T) {
			r := runClient(t, "apollo.mjs", e.config("errors"))
			if !slices.Equal(r.ValidationCodes, []string{"GRAPHQL_VALIDATION_FAILED"}) {
				t.Errorf("a query of a field that does not exist: codes %v, want [GRAPHQL_VALIDATION_FAILED]", r.ValidationCodes)
			}
			if !slices.Equal(r.NotFoundCodes, []string{"NOT_FOUND"}) {
				t.Errorf("submitting an analysis that does not exist: codes %v, want [NOT_FOUND]", r.NotFoundCodes)
			}
		})
		t.Run("GraphQLWsLink", func(t *testing.T) {
			e.assertLive(t, runClient(t, "apollo.mjs", e.config("ws")))
		})
		t.Run("Multipart", func(t *testing.T) {
			r := runClient(t, "apollo.mjs", e.config("multipart"))
			e.assertLive(t, r)
			if _, ct := r.subscriptionExchange(t, "subscriptionSpec=1.0"); !strings.HasPrefix(ct, "multipart/mixed") {
				t.Errorf("the subscription was answered with Content-Type %q, want multipart/mixed", ct)
			}
		})
		t.Run("BatchHttpLink", func(t *testing.T) {
			r := runClient(t, "apollo.mjs", e.config("batch"))
			if r.Posts != 1 || !slices.Equal(r.OperationsPerPost, []int{2}) {
				t.Errorf("%d POSTs with %v operations each, want 1 with 2", r.Posts, r.OperationsPerPost)
			}
			if r.Target != e.fx.TargetID || r.ViewerOrganization != e.org {
				t.Errorf("the batch answered target %q and viewer %q, want %q and %q", r.Target, r.ViewerOrganization, e.fx.TargetID, e.org)
			}
		})
		t.Run("Pager", func(t *testing.T) {
			e.assertPager(t, runClient(t, "apollo.mjs", e.config("pager")))
		})
	})

	t.Run("Urql", func(t *testing.T) {
		t.Run("Query", func(t *testing.T) {
			if r := runClient(t, "urql.mjs", e.config("query")); r.Target != e.fx.TargetID {
				t.Errorf("read target %q, want %q", r.Target, e.fx.TargetID)
			}
		})
		t.Run("SubscriptionExchange", func(t *testing.T) {
			e.assertLive(t, runClient(t, "urql.mjs", e.config("ws")))
		})
		t.Run("FetchSubscriptions", func(t *testing.T) {
			r := runClient(t, "urql.mjs", e.config("fetch"))
			e.assertLive(t, r)
			if _, ct := r.subscriptionExchange(t, "text/event-stream, multipart/mixed"); !strings.HasPrefix(ct, "text/event-stream") && !strings.HasPrefix(ct, "multipart/mixed") {
				t.Errorf("the subscription was answered with Content-Type %q, want text/event-stream or multipart/mixed", ct)
			}
		})
	})

	t.Run("GraphQLSSE", func(t *testing.T) {
		r := runClient(t, "graphql-sse.mjs", e.config("distinct"))
		e.assertLive(t, r)
		if _, ct := r.subscriptionExchange(t, "text/event-stream"); !strings.HasPrefix(ct, "text/event-stream") {
			t.Errorf("the subscription was answered with Content-Type %q, want text/event-stream", ct)
		}
	})
}

// assertPager checks a pager step's pages of the pager target's five
// analyses, two at a time: forwards [0 1] [2 3] [4], each but the last with
// a next page, and backwards [3 4] [1 2] [0], each but the last with a
// previous page; every page's start and end cursors are its first and last
// edge's, and a node has the same cursor whichever way it was reached.
func (e *clientsEnv) assertPager(t *testing.T, r clientResult) {
	t.Helper()
	ids := e.pager.AnalysisIDs
	check := func(dir string, pages []clientPage, want [][]string, more func(clientPage) bool) {
		t.Helper()
		var got [][]string
		for _, p := range pages {
			got = append(got, p.IDs)
		}
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("%s: pages %v, want %v", dir, got, want)
		}
		for i, p := range pages {
			if last := i == len(pages)-1; more(p) == last {
				t.Errorf("%s: page %d of %d says there is more: %v", dir, i+1, len(pages), more(p))
			}
			if len(p.Cursors) != len(p.IDs) || p.PageInfo.StartCursor == nil || p.PageInfo.EndCursor == nil ||
				*p.PageInfo.StartCursor != p.Cursors[0] || *p.PageInfo.EndCursor != p.Cursors[len(p.Cursors)-1] {
				t.Errorf("%s: page %d has edge cursors %v and pageInfo %+v, want startCursor and endCursor the first and last", dir, i+1, p.Cursors, p.PageInfo)
			}
		}
	}
	check("forwards", r.Forwards, [][]string{ids[0:2], ids[2:4], ids[4:5]}, func(p clientPage) bool { return p.PageInfo.HasNextPage })
	check("backwards", r.Backwards, [][]string{ids[3:5], ids[1:3], ids[0:1]}, func(p clientPage) bool { return p.PageInfo.HasPreviousPage })
	t.Run("CursorsStable", func(t *testing.T) {
		cursor := map[string]string{}
		for _, p := range r.Forwards {
			for i, id := range p.IDs {
				cursor[id] = p.Cursors[i]
			}
		}
		for _, p := range r.Backwards {
			for i, id := range p.IDs {
				if cursor[id] != p.Cursors[i] {
					t.Errorf("%s has cursor %q forwards and %q backwards", id, cursor[id], p.Cursors[i])
				}
			}
		}
	})
}

// clientsDir is the absolute path of clients/.
func clientsDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "clients"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

var npmCI sync.Mutex

// installClients makes sure that node runs and that clients/node_modules
// holds what package-lock.json pins: unless its marker file
// (node_modules/.ci-done) is newer than the lock file, it runs npm ci.
// Without node it fails, naming the command that installs it.
func installClients(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the client tests need Node 20 and npm: %v\ninstall them with: sudo apt-get install nodejs npm", err)
		}
	}
	npmCI.Lock()
	defer npmCI.Unlock()
	dir := clientsDir(t)
	lock, err := os.Stat(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(dir, "node_modules", ".ci-done")
	if m, err := os.Stat(marker); err == nil && m.ModTime().After(lock.ModTime()) {
		return
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("(cd clients && npm ci): %v\n%s", err, out)
	}
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

// runClient runs `node clients/<script> <config file>` and returns the
// line of the configuration's one step. It fails the test when node
// fails, prints no line for the step, or the step reports an error.
func runClient(t *testing.T, script string, cfg clientConfig) clientResult {
	t.Helper()
	installClients(t)
	if len(cfg.Steps) != 1 {
		t.Fatalf("runClient runs one step, not %v", cfg.Steps)
	}
	file := filepath.Join(t.TempDir(), "config.json")
	b, _ := json.Marshal(cfg)
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(clientsDir(t), script), file)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var r *clientResult
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line clientResult
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Step == cfg.Steps[0] {
			r = &line
		}
	}
	switch {
	case err != nil || r == nil:
		t.Fatalf("node clients/%s %s: %v\nstdout:\n%s\nstderr:\n%s", script, cfg.Steps[0], err, stdout.Bytes(), stderr.Bytes())
	case !r.OK:
		t.Fatalf("clients/%s %s: %s\nstderr:\n%s", script, cfg.Steps[0], r.Error, stderr.Bytes())
	}
	return *r
}
