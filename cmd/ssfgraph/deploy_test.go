package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
)

// No Docker engine runs where the tests run, so these tests read
// docker-compose.yml and the Dockerfile as Docker would and check what the
// README promises of them.

type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Build       any               `yaml:"build"`
		Command     []string          `yaml:"command"`
		Environment map[string]string `yaml:"environment"`
		Ports       []string          `yaml:"ports"`
		Volumes     []string          `yaml:"volumes"`
		DependsOn   map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
		Healthcheck struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

func TestDockerCompose(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(neo4jtest.RepoRoot(t), "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	neo, app := c.Services["neo4j"], c.Services["ssfgraph"]
	if neo.Image != "neo4j:5.26-community" {
		t.Errorf("neo4j image = %q, want neo4j:5.26-community", neo.Image)
	}
	if !strings.Contains(neo.Environment["NEO4J_AUTH"], "${NEO4J_PASSWORD") {
		t.Errorf("NEO4J_AUTH = %q: the password must come from the environment", neo.Environment["NEO4J_AUTH"])
	}
	if len(neo.Healthcheck.Test) == 0 {
		t.Error("neo4j has no healthcheck")
	}
	if len(neo.Volumes) == 0 || !strings.HasSuffix(neo.Volumes[0], ":/data") {
		t.Errorf("neo4j volumes = %v, want a named volume on /data", neo.Volumes)
	} else if name, _, _ := strings.Cut(neo.Volumes[0], ":"); c.Volumes == nil || !hasKey(c.Volumes, name) {
		t.Errorf("volume %q is not declared at the top level", name)
	}
	if app.Build == nil {
		t.Error("ssfgraph is not built from the Dockerfile")
	}
	if app.DependsOn["neo4j"].Condition != "service_healthy" {
		t.Errorf("ssfgraph depends_on neo4j = %+v, want condition service_healthy", app.DependsOn)
	}
	if !slices.ContainsFunc(app.Ports, func(p string) bool { return strings.HasSuffix(p, "8080:8080") }) {
		t.Errorf("ssfgraph ports = %v, want 8080", app.Ports)
	}
	if app.Environment["NEO4J_URI"] != "bolt://neo4j:7687" || app.Environment["SSFGRAPH_ADDR"] != "0.0.0.0:8080" {
		t.Errorf("ssfgraph environment = %v", app.Environment)
	}
	// The server must accept what compose gives it.
	cfg := Config{Addr: app.Environment["SSFGRAPH_ADDR"], Neo4jURI: app.Environment["NEO4J_URI"], Neo4jDatabase: "neo4j",
		Neo4jWait: 1, LogLevel: "info", LogFormat: "text"}
	if err := cfg.Validate(); err != nil {
		t.Errorf("compose's settings do not validate: %v", err)
	}
	if !slices.Equal(app.Command, []string{"serve"}) {
		t.Errorf("ssfgraph command = %v, want [serve]", app.Command)
	}
}

func hasKey(m map[string]any, k string) bool { _, ok := m[k]; return ok }

func TestDockerfile(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(neo4jtest.RepoRoot(t), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	froms := regexp.MustCompile(`(?m)^FROM\s+(\S+)`).FindAllStringSubmatch(s, -1)
	if len(froms) < 2 {
		t.Fatalf("Dockerfile has %d stages, want a multi-stage build", len(froms))
	}
	if !strings.HasPrefix(froms[0][1], "golang:1.26") {
		t.Errorf("build stage = %s, want golang:1.26", froms[0][1])
	}
	for _, want := range []string{"CGO_ENABLED=0", "./cmd/ssfgraph", "COPY --from=build"} {
		if !strings.Contains(s, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	users := regexp.MustCompile(`(?m)^USER\s+(\S+)`).FindAllStringSubmatch(s, -1)
	if len(users) == 0 || strings.HasPrefix(users[len(users)-1][1], "root") || users[len(users)-1][1] == "0" {
		t.Errorf("the final stage must run as a non-root USER, got %v", users)
	}
}
