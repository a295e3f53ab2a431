package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/internal/tstest"
	"github.com/ssfgraph/ssfgraph/internal/wsclient"
)

func TestCommandLineErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string
	}{
		{"NoCommand", nil, nil, exitUsage, ""},
		{"UnknownCommand", []string{"serv"}, nil, exitUsage, `unknown command "serv"`},
		{"UnknownFlag", []string{"serve", "--bogus"}, nil, exitUsage, "flag provided but not defined: -bogus"},
		{"StrayArgument", []string{"serve", "extra"}, nil, exitUsage, `unexpected argument "extra"`},
		{"MalformedURI", []string{"serve"}, map[string]string{"NEO4J_URI": "localhost:7687"}, exitUsage, `NEO4J_URI: malformed Neo4j URI "localhost:7687"`},
		{"BadEnvDuration", []string{"serve"}, map[string]string{"SSFGRAPH_NEO4J_WAIT": "soon"}, exitUsage, "SSFGRAPH_NEO4J_WAIT"},
		{"BadAddr", []string{"serve", "--addr", "nowhere"}, nil, exitUsage, `bad listen address "nowhere"`},
		{"BadLogLevel", []string{"migrate", "--log-level", "loud"}, nil, exitUsage, "--log-level"},
		{"PortInUse", []string{"serve", "--addr", busy.Addr().String()}, nil, exitError, "address is already in use"},
		{"Neo4jNeverUp", []string{"serve", "--addr", "127.0.0.1:0", "--neo4j-uri", "bolt://127.0.0.1:1", "--neo4j-wait", "1s"}, nil, exitError, "did not answer within 1s"},
		{"OIDCWithoutAudience", []string{"serve", "--oidc-issuer", "https://sso.example", "--oidc-jwks", "keys.json"}, nil, exitUsage, "needs all of --oidc-issuer, --oidc-audience and --oidc-jwks"},
		{"OIDCPlainHTTP", []string{"serve", "--addr", "127.0.0.1:0", "--oidc-issuer", "https://sso.example", "--oidc-audience", "ssfgraph", "--oidc-jwks", "http://sso.example/keys"}, nil, exitError, "must use https"},
		{"OIDCMissingJWKS", []string{"serve", "--addr", "127.0.0.1:0", "--oidc-issuer", "https://sso.example", "--oidc-audience", "ssfgraph", "--oidc-jwks", "/nonexistent/keys.json"}, nil, exitError, "single sign-on: oidc: reading the JWKS"},
		{"OIDCNoneAlgorithm", []string{"serve", "--addr", "127.0.0.1:0", "--oidc-issuer", "https://sso.example", "--oidc-audience", "ssfgraph", "--oidc-jwks", "keys.json", "--oidc-algorithms", "RS256,none"}, nil, exitError, `unknown signature algorithm "none"`},
		{"MigrateNeo4jNeverUp", []string{"migrate", "--neo4j-uri", "bolt://127.0.0.1:1", "--neo4j-wait", "500ms"}, nil, exitError, "bolt://127.0.0.1:1"},
		{"BadBus", []string{"serve"}, map[string]string{"SSFGRAPH_BUS": "redis://127.0.0.1:6379"}, exitUsage, "--bus: \"redis://127.0.0.1:6379\": the scheme must be nats"},
		{"BusNeverUp", []string{"serve", "--addr", "127.0.0.1:0", "--bus", "nats://127.0.0.1:1"}, nil, exitError, "--bus (SSFGRAPH_BUS): natsbus: connecting to nats://127.0.0.1:1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("NEO4J_URI", "")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), tt.args, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr: %s", code, tt.code, stderr.String())
			}
			if tt.want == "" {
				return
			}
			first, _, _ := strings.Cut(lastError(stderr.String()), "\n")
			if !strings.Contains(first, tt.want) {
				t.Errorf("error line %q does not contain %q", first, tt.want)
			}
			if !strings.HasPrefix(first, "ssfgraph") {
				t.Errorf("error line %q does not start with the command name", first)
			}
		})
	}
}

// lastError returns stderr from its first line that starts with "ssfgraph"
// (log lines come before it).
func lastError(stderr string) string {
	if i := strings.Index(stderr, "\nssfgraph"); i >= 0 {
		return stderr[i+1:]
	}
	return stderr
}

func TestHelpListsEveryCommandAndFlag(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if code := run(t.Context(), []string{"--help"}, &out, io.Discard); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, c := range commands {
		if !strings.Contains(out.String(), c.name) {
			t.Errorf("--help does not list %s", c.name)
		}
	}
	out.Reset()
	if code := run(t.Context(), []string{"serve", "--help"}, &out, io.Discard); code != exitOK {
		t.Fatalf("serve --help: exit %d", code)
	}
	for _, f := range []string{"-addr", "SSFGRAPH_ADDR", "-bus", "SSFGRAPH_BUS", "-neo4j-uri", "NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("serve --help does not mention %s", f)
		}
	}
}

// startMain runs a server on a free port against the Neo4j at uri.
func startMain(t *testing.T, uri string) *Main {
	t.Helper()
	return startConfig(t, testConfig(uri))
}

// testConfig is the configuration the tests serve with: a free loopback
// port, the Neo4j at uri, short waits and quiet logs.
func testConfig(uri string) Config {
	return Config{
		Addr: "127.0.0.1:0", Neo4jURI: uri, Neo4jDatabase: "neo4j",
		Neo4jUsername: os.Getenv("NEO4J_USERNAME"), Neo4jPassword: os.Getenv("NEO4J_PASSWORD"),
		Neo4jWait: 60 * time.Second, ShutdownTimeout: 5 * time.Second, MaxBodyBytes: 1 << 20,
		LogLevel: "warn", LogFormat: "text",
	}
}

// startConfig runs a server with cfg until the test ends.
func startConfig(t *testing.T, cfg Config) *Main {
	t.Helper()
	m := NewMain(cfg, cfg.logger(io.Discard))
	if err := m.Run(t.Context()); err != nil {
		_ = m.Close()
		t.Fatalf("Run: %v\nstart Neo4j with: make neo4j-start", err)
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// wantStatus returns an error unless GET url answers with status code.
func wantStatus(t *testing.T, url string, code int) error {
	t.Helper()
	if got, body := get(t, url); got != code {
		return fmt.Errorf("GET %s = %d %s, want %d", url, got, body, code)
	}
	return nil
}

func TestServeEndToEnd(t *testing.T) {
	t.Parallel()
	m := startMain(t, neo4jtest.URI())

	if code, body := get(t, m.URL()+"/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz = %d %s", code, body)
	}
	resp, err := http.Post(m.URL()+"/graphql", "application/json", strings.NewReader(`{"query":"{ serverInfo { version neo4jVersion } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Data struct {
			ServerInfo struct{ Version, Neo4jVersion string }
		}
	}
	err = json.NewDecoder(resp.Body).Decode(&r)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := m.DB.Neo4jVersion(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if r.Data.ServerInfo.Neo4jVersion != want || !strings.HasPrefix(want, "5.") || r.Data.ServerInfo.Version == "" {
		t.Errorf("serverInfo = %+v, want neo4jVersion %q", r.Data.ServerInfo, want)
	}
}

// TestShutdownEndsSubscriptions checks that Close ends open websocket
// subscriptions (ticks on both subprotocols, and a comparison) and leaves
// no goroutine behind.
func TestShutdownEndsSubscriptions(t *testing.T) {
	before := runtime.NumGoroutine()
	m := startMain(t, neo4jtest.URI())
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	var clients []*wsclient.Client
	for _, proto := range []string{wsclient.TransportWS, wsclient.LegacyWS} {
		c, err := wsclient.Dial(ctx, m.URL()+"/graphql", proto, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Conn.Close()
		if err := c.Subscribe("t", `subscription { ticks(every: 20) { n } }`, nil); err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.NextData(ctx); err != nil {
			t.Fatalf("%s: first tick: %v", proto, err)
		}
		clients = append(clients, c)
	}

	// And a comparison subscription, which lives on the event bus.
	prefix := neo4jtest.Prefix(t)
	target := prefix + "target"
	if _, err := m.DB.CreateTarget(ctx, "", model.TargetInput{ID: &target, Name: "Shutdown target", Sector: "home"}); err != nil {
		t.Fatal(err)
	}
	c, err := wsclient.Dial(ctx, m.URL()+"/graphql", wsclient.TransportWS, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Conn.Close()
	if err := c.Subscribe("cmp", `subscription($t: ID!) { comparisonUpdated(targetId: $t) { revision } }`, map[string]any{"t": target}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.NextData(ctx); err != nil {
		t.Fatalf("first comparison: %v", err)
	}
	clients = append(clients, c)

	done := make(chan error, 1)
	go func() { done <- m.Close() }()
	for _, c := range clients {
		for {
			_, _, err := c.NextData(ctx)
			if err == nil {
				continue // ticks sent before the close
			}
			if ctx.Err() != nil {
				t.Fatalf("%s: subscription still open after Close", c.Protocol)
			}
			break // closed, completed or connection error: ended
		}
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	tstest.WaitGoroutines(t, 10*time.Second, before+2)
}

// TestReadyzFollowsNeo4j stops and starts a private Neo4j under a running
// server: /readyz turns 503 while /healthz stays 200, and comes back to 200
// without restarting the server.
func TestReadyzFollowsNeo4j(t *testing.T) {
	t.Parallel()
	in := neo4jtest.StartInstance(t)
	m := startMain(t, in.URI)
	if code, body := get(t, m.URL()+"/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz with Neo4j up = %d %s", code, body)
	}

	in.Stop()
	tstest.WaitFor(t, 30*time.Second, func() error { return wantStatus(t, m.URL()+"/readyz", http.StatusServiceUnavailable) })
	if code, body := get(t, m.URL()+"/readyz"); !strings.Contains(body, "does not answer") {
		t.Errorf("/readyz while down = %d %s, want a reason naming Neo4j", code, body)
	}
	if code, _ := get(t, m.URL()+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz while Neo4j is down = %d, want 200", code)
	}

	in.Start()
	tstest.WaitFor(t, 60*time.Second, func() error { return wantStatus(t, m.URL()+"/readyz", http.StatusOK) })
}
