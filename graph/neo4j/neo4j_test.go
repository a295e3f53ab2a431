package neo4j_test

import (
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
)

func TestValidateURI(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		uri  string
		want string // substring of the error, "" for none
	}{
		{"bolt://127.0.0.1:7687", ""},
		{"neo4j+s://db.example.org", ""},
		{"bolt+ssc://[::1]:7687", ""},
		{"http://127.0.0.1:7474", "scheme must be"},
		{"127.0.0.1:7687", "malformed"},
		{"localhost:7687", "scheme must be"},
		{"bolt://", "no host"},
		{"bolt://host:port", "malformed"},
		{"bolt://%zz", "malformed"},
	} {
		t.Run(tt.uri, func(t *testing.T) {
			err := neo4j.ValidateURI(tt.uri)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ValidateURI(%q) = %v, want nil", tt.uri, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ValidateURI(%q) = %v, want an error containing %q", tt.uri, err, tt.want)
			}
			if model.ErrorCode(err) != model.EINVALID {
				t.Errorf("code = %q, want %q", model.ErrorCode(err), model.EINVALID)
			}
		})
	}
}

func TestOpenMigratesIdempotently(t *testing.T) {
	t.Parallel()
	neo4jtest.Open(t) // the process's DB ran Migrate once
	ctx := t.Context()
	db := neo4jtest.Config(neo4j.NewDB(neo4jtest.URI()))
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	if err := db.Open(ctx); err != nil { // and again: nothing to do
		t.Fatalf("second Open: %v", err)
	}
	if err := db.Ready(ctx); err != nil {
		t.Fatalf("Ready after Migrate: %v", err)
	}
	names, err := neo4j.ConstraintNames(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"target_id", "analysis_id", "assessment_id", "clause_id", "api_token_id", "schema_migration_id"} {
		if !names[want] {
			t.Errorf("constraint %s missing; have %v", want, names)
		}
	}
}

func TestNeo4jVersion(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Open(t)
	version, edition, err := db.Neo4jVersion(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^5\.\d+\.\d+`).MatchString(version) {
		t.Errorf("version = %q, want 5.x.y", version)
	}
	if edition != "community" && edition != "enterprise" {
		t.Errorf("edition = %q", edition)
	}
}

func TestReadyBeforeMigrate(t *testing.T) {
	t.Parallel()
	db := neo4jtest.Config(neo4j.NewDB(neo4jtest.URI()))
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	err := db.Ready(t.Context())
	if model.ErrorCode(err) != model.EUNAVAILABLE || !strings.Contains(err.Error(), "migrations") {
		t.Fatalf("Ready before Migrate = %v, want EUNAVAILABLE about migrations", err)
	}
}

func TestOpenUnreachable(t *testing.T) {
	t.Parallel()
	db := neo4j.NewDB("bolt://127.0.0.1:1")
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	err := db.Open(t.Context())
	if model.ErrorCode(err) != model.EUNAVAILABLE {
		t.Fatalf("Open(closed port) = %v (code %q), want EUNAVAILABLE", err, model.ErrorCode(err))
	}
	if err := db.Connect(t.Context()); model.ErrorCode(err) != model.EUNAVAILABLE {
		t.Fatalf("Connect(closed port) = %v (code %q), want EUNAVAILABLE", err, model.ErrorCode(err))
	}
}

// TestConnectOnlyReads connects to the migrated test database: Connect
// runs no migration, yet the DB is ready, since the schema version the
// database records is this build's.
func TestConnectOnlyReads(t *testing.T) {
	t.Parallel()
	neo4jtest.Open(t) // the process's DB migrated the database
	obs := &neo4jtest.Counter{}
	db := neo4jtest.Config(neo4j.NewDB(neo4jtest.URI()))
	db.Observer = obs
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	if err := db.Connect(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := db.Ready(t.Context()); err != nil {
		t.Fatalf("Ready after Connect to a migrated database: %v", err)
	}
	if n, by := obs.Take(); n != 2 || by != "neo4j.Connect×1, neo4j.Ready×1" {
		t.Errorf("statements %s, want one of neo4j.Connect and one of neo4j.Ready", by)
	}
}

// TestOnlyThisPackageImportsTheDriver keeps the driver behind graph/neo4j.
func TestOnlyThisPackageImportsTheDriver(t *testing.T) {
	t.Parallel()
	root := neo4jtest.RepoRoot(t)
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := regexp.MustCompile(`/graph/neo4j(/neo4jtest|/neo4jbench)?$`)
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || allowed.MatchString(fields[0]) {
			continue
		}
		for _, imp := range fields[1:] {
			if strings.HasPrefix(imp, "github.com/neo4j/") {
				t.Errorf("%s imports %s; only graph/neo4j may", fields[0], imp)
			}
		}
	}
}
