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

// replicaService is what TestDockerComposeReplicas reads of a service of
// the "replicas" profile.
type replicaService struct {
	Image       string            `yaml:"image"`
	Build       any               `yaml:"build"`
	Profiles    []string          `yaml:"profiles"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Ports       []string          `yaml:"ports"`
	Volumes     []string          `yaml:"volumes"`
	DependsOn   map[string]any    `yaml:"depends_on"`
	Healthcheck struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
}

func TestDockerComposeReplicas(t *testing.T) {
	t.Parallel()
	root := neo4jtest.RepoRoot(t)
	raw, err := os.ReadFile(filepath.Join(root, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Services map[string]replicaService `yaml:"services"`
		Volumes  map[string]any            `yaml:"volumes"`
	}
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	// The default profile is untouched: no service of it names a profile.
	for _, name := range []string{"neo4j", "ssfgraph"} {
		if p := c.Services[name].Profiles; len(p) != 0 {
			t.Errorf("%s has profiles %v: the default `docker compose up` would lose it", name, p)
		}
	}
	inProfile := func(name string) replicaService {
		s, ok := c.Services[name]
		if !ok {
			t.Fatalf("no service %q", name)
		}
		if !slices.Equal(s.Profiles, []string{"replicas"}) {
			t.Errorf("%s profiles = %v, want [replicas]", name, s.Profiles)
		}
		return s
	}

	nats := inProfile("nats")
	if !strings.HasPrefix(nats.Image, "nats:") {
		t.Errorf("nats image = %q, want the official nats image", nats.Image)
	}
	cmd := strings.Join(nats.Command, " ")
	for _, want := range []string{"-js", "-sd /data", "-m 8222"} {
		if !strings.Contains(cmd, want) {
			t.Errorf("nats command %q lacks %q (JetStream stored in the volume, monitoring for the healthcheck)", cmd, want)
		}
	}
	checkNamedVolume(t, "nats", nats.Volumes, c.Volumes)
	if hc := strings.Join(nats.Healthcheck.Test, " "); !strings.Contains(hc, ":8222/healthz") {
		t.Errorf("nats healthcheck = %q, want the monitoring port's /healthz", hc)
	}

	for _, name := range []string{"replica-a", "replica-b"} {
		r := inProfile(name)
		if r.Build == nil || !slices.Equal(r.Command, []string{"serve"}) {
			t.Errorf("%s: build %v, command %v: want the ssfgraph service's", name, r.Build, r.Command)
		}
		if r.Environment["SSFGRAPH_BUS"] != "nats://nats:4222" {
			t.Errorf("%s SSFGRAPH_BUS = %q, want nats://nats:4222", name, r.Environment["SSFGRAPH_BUS"])
		}
		if r.Environment["NEO4J_URI"] != "bolt://neo4j:7687" || !strings.Contains(r.Environment["NEO4J_PASSWORD"], "${NEO4J_PASSWORD") {
			t.Errorf("%s environment = %v, want the same Neo4j as the ssfgraph service", name, r.Environment)
		}
		if len(r.Ports) != 0 {
			t.Errorf("%s publishes %v: replicas are reached through the proxy only", name, r.Ports)
		}
		for _, dep := range []string{"neo4j", "nats"} {
			d, _ := r.DependsOn[dep].(map[string]any)
			if d["condition"] != "service_healthy" {
				t.Errorf("%s depends_on %s = %v, want condition service_healthy", name, dep, r.DependsOn[dep])
			}
		}
		// The server must accept what compose gives it.
		cfg := Config{Addr: r.Environment["SSFGRAPH_ADDR"], Neo4jURI: r.Environment["NEO4J_URI"], Neo4jDatabase: "neo4j",
			Bus: r.Environment["SSFGRAPH_BUS"], Neo4jWait: 1, LogLevel: "info", LogFormat: "text"}
		if err := cfg.Validate(); err != nil {
			t.Errorf("%s's settings do not validate: %v", name, err)
		}
	}

	proxy := inProfile("proxy")
	if !strings.HasPrefix(proxy.Image, "nginx:") {
		t.Errorf("proxy image = %q, want the official nginx image", proxy.Image)
	}
	if !slices.ContainsFunc(proxy.Ports, func(p string) bool { return strings.HasSuffix(p, "8090:8090") }) {
		t.Errorf("proxy ports = %v, want 8090", proxy.Ports)
	}
	var conf string
	for _, v := range proxy.Volumes {
		if src, dst, _ := strings.Cut(v, ":"); strings.HasPrefix(dst, "/etc/nginx/conf.d/") {
			conf = src
		}
	}
	if conf == "" {
		t.Fatalf("proxy volumes = %v: no configuration mounted in /etc/nginx/conf.d", proxy.Volumes)
	}
	b, err := os.ReadFile(filepath.Join(root, conf))
	if err != nil {
		t.Fatalf("the proxy's configuration: %v", err)
	}
	nginx := string(b)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^\s*listen\s+8090;`),
		regexp.MustCompile(`(?m)^\s*server\s+replica-a:8080\b`),
		regexp.MustCompile(`(?m)^\s*server\s+replica-b:8080\b`),
		regexp.MustCompile(`(?m)^\s*proxy_pass\s+http://ssfgraph;`),
		regexp.MustCompile(`(?m)^\s*proxy_http_version\s+1\.1;`),
		regexp.MustCompile(`(?m)^\s*proxy_set_header\s+Upgrade\s+\$http_upgrade;`),
		regexp.MustCompile(`(?m)^\s*proxy_set_header\s+Connection\s+\$connection_upgrade;`),
		regexp.MustCompile(`(?m)^map\s+\$http_upgrade\s+\$connection_upgrade\s*\{\s*\n\s*default\s+upgrade;`),
		regexp.MustCompile(`(?m)^\s*proxy_buffering\s+off;`),
	} {
		if !want.MatchString(nginx) {
			t.Errorf("%s does not match %s", conf, want)
		}
	}
	if !hasKey(proxy.DependsOn, "replica-a") || !hasKey(proxy.DependsOn, "replica-b") {
		t.Errorf("proxy depends_on = %v, want both replicas", proxy.DependsOn)
	}

	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "docker compose --profile replicas up") {
		t.Error("README does not say how to start the replicas profile")
	}
}

// checkNamedVolume checks that a service keeps /data in a named volume
// declared at the top level.
func checkNamedVolume(t *testing.T, service string, volumes []string, declared map[string]any) {
	t.Helper()
	if len(volumes) == 0 || !strings.HasSuffix(volumes[0], ":/data") {
		t.Errorf("%s volumes = %v, want a named volume on /data", service, volumes)
	} else if name, _, _ := strings.Cut(volumes[0], ":"); !hasKey(declared, name) {
		t.Errorf("%s: volume %q is not declared at the top level", service, name)
	}
}
