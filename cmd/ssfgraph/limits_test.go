package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
)

// TestServeFlagsAreDocumented checks that the README names every flag of
// serve with its environment variable.
func TestServeFlagsAreDocumented(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(neo4jtest.RepoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	var c Config
	fs, envs := c.flagSet("serve", io.Discard, true)
	fs.VisitAll(func(f *flag.Flag) {
		if !strings.Contains(readme, "`--"+f.Name+"`") {
			t.Errorf("README does not name --%s", f.Name)
		}
		if env := envs[f.Name]; !strings.Contains(readme, env) {
			t.Errorf("README does not name %s (--%s)", env, f.Name)
		}
	})
}

// TestLimitFlagsFallBackToTheEnvironment: a limit comes from its variable
// unless the flag is given, and a negative one is a usage error.
func TestLimitFlagsFallBackToTheEnvironment(t *testing.T) {
	t.Setenv("SSFGRAPH_MAX_COST", "5000")
	t.Setenv("SSFGRAPH_ANONYMOUS_INTROSPECTION", "false")
	t.Setenv("SSFGRAPH_RATE_PER_IP", "2.5")
	var c Config
	fs, envs := c.flagSet("serve", io.Discard, true)
	if err := c.parse(fs, envs, []string{"--max-aliases", "3"}); err != nil {
		t.Fatal(err)
	}
	if c.MaxCost != 5000 || c.AnonymousIntrospection || c.RatePerIP != 2.5 || c.MaxAliases != 3 || c.MaxTokens != 2000 {
		t.Errorf("config %+v", c)
	}
	var d Config
	fs, envs = d.flagSet("serve", io.Discard, true)
	if err := d.parse(fs, envs, []string{"--max-websockets", "-1"}); err == nil || !strings.Contains(err.Error(), "--max-websockets") {
		t.Errorf("negative limit: %v", err)
	}
}
