// Package neo4jtest opens the Neo4j that tests run against (one migrated DB
// per test process), writes fixtures into it through one driver per
// process, and starts private Neo4j instances for tests that need a
// database of their own. When Neo4j cannot be reached, tests fail at once
// naming the command that starts it; they never skip.
package neo4jtest

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	drv "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j"
)

// URI returns the Bolt URI of the test database: NEO4J_URI, or the local
// instance that `make neo4j-start` runs.
func URI() string {
	return cmp.Or(os.Getenv("NEO4J_URI"), "bolt://127.0.0.1:7687")
}

// Config fills db's credentials and database from the same environment
// variables the server reads.
func Config(db *neo4j.DB) *neo4j.DB {
	db.Username = os.Getenv("NEO4J_USERNAME")
	db.Password = os.Getenv("NEO4J_PASSWORD")
	db.DatabaseName = cmp.Or(os.Getenv("NEO4J_DATABASE"), "neo4j")
	return db
}

// Open returns the test process's one DB over the test database. The first
// call connects and applies the migrations; later calls, from any test or
// goroutine, return the same DB, which stays open until the process exits.
// Tests must not Close it or change its fields (use OpenObserved for an
// Observer of their own). When Neo4j cannot be reached, Open fails the test
// at once, naming the command that starts it.
func Open(t testing.TB) *neo4j.DB {
	t.Helper()
	shared.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		db := Config(neo4j.NewDB(URI()))
		if err := db.Open(ctx); err != nil {
			shared.err = unreachable(err)
			if model.ErrorCode(err) != model.EUNAVAILABLE {
				shared.err = fmt.Errorf("neo4jtest: migrating the test database at %s: %w", URI(), err)
			}
			_ = db.Close(ctx)
			return
		}
		shared.db = db
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.db
}

// shared is the DB that Open returns.
var shared struct {
	once sync.Once
	db   *neo4j.DB
	err  error
}

// OpenObserved returns a DB of the test's own over the test database (which
// Open has migrated), whose every query obs is told about, for tests that
// count round trips. It connects without migrating and is closed when the
// test ends.
func OpenObserved(t testing.TB, obs neo4j.QueryObserver) *neo4j.DB {
	t.Helper()
	Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db := Config(neo4j.NewDB(URI()))
	if err := db.Connect(ctx); err != nil {
		t.Fatal(unreachable(err))
	}
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	db.Observer = obs
	return db
}

// unreachable explains err, a failure to reach the test database, and
// names the command that starts it.
func unreachable(err error) error {
	return fmt.Errorf("Neo4j unreachable at %s: %w\nstart it with: make neo4j-start (or run the whole suite with: make test)", URI(), err)
}

// DataDir returns the folder of the shared real data sets: $SSFGRAPH_DATA,
// or ../shared/data beside the repository. It fails the test, saying how
// to point at them, when the folder is missing.
func DataDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("SSFGRAPH_DATA")
	if dir == "" {
		dir = filepath.Join(RepoRoot(t), "..", "shared", "data")
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Fatalf("the shared real data sets are not at %s (set SSFGRAPH_DATA to the folder that holds mitre-attack-ics/ and the others; default ../shared/data beside the repository): %v", dir, err)
	}
	return dir
}

// RepoRoot returns the repository's top folder (where go.mod is).
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("neo4jtest: no go.mod above the test's folder")
		}
		dir = parent
	}
}

// Instance is a private Neo4j run by tools/neo4j/neo4j.sh in a temporary
// folder on a free port, for tests that stop and start the database.
type Instance struct {
	// URI is the instance's Bolt URI.
	URI string

	t      testing.TB
	script string
	env    []string
	mu     sync.Mutex
}

// StartInstance starts a private Neo4j and stops it when the test ends. It
// needs the jars that `make neo4j-start` fetches (it fetches them itself if
// they are missing) and takes 10–40 s.
func StartInstance(t testing.TB) *Instance {
	t.Helper()
	in := newInstance(t, t.TempDir())
	t.Cleanup(func() { _ = in.run("stop") })
	in.Start()
	return in
}

// newInstance describes a private Neo4j with its files in home, on a free
// port, whose Start and Stop fail t.
func newInstance(t testing.TB, home string) *Instance {
	t.Helper()
	port := freePort(t)
	return &Instance{
		URI:    "bolt://127.0.0.1:" + strconv.Itoa(port),
		t:      t,
		script: filepath.Join(RepoRoot(t), "tools", "neo4j", "neo4j.sh"),
		env: append(os.Environ(),
			"NEO4J_LOCAL_HOME="+home,
			"NEO4J_LOCAL_PORT="+strconv.Itoa(port),
			"NEO4J_LOCAL_HEAP=512m",
			"NEO4J_LOCAL_PAGECACHE=64m",
		),
	}
}

// SharedInstance returns the test process's one private Neo4j, for tests
// that need a database of their own but never stop it: it starts on first
// use and is emptied (every node deleted; constraints and indexes stay)
// for each test that takes it. The test holds it until it ends, so the
// tests that take it run one after the other, each on an empty database,
// while one start serves them all. A package that uses it runs its tests
// through Main, which stops it when they are done.
func SharedInstance(t testing.TB) *Instance {
	t.Helper()
	if !sharedInstance.main {
		t.Fatal("neo4jtest.SharedInstance: the package's TestMain must run its tests through neo4jtest.Main, which stops the instance")
	}
	sharedInstance.mu.Lock()
	t.Cleanup(sharedInstance.mu.Unlock) // last: after the test's own clean-ups
	if sharedInstance.in == nil {
		home, err := os.MkdirTemp("", "neo4jtest-shared-")
		if err != nil {
			t.Fatal(err)
		}
		in := newInstance(t, home)
		sharedInstance.in, sharedInstance.home = in, home
		in.Start()
		if sharedInstance.driver, err = drv.NewDriverWithContext(in.URI, drv.NoAuth()); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := runInTransactions(ctx, sharedInstance.driver, "neo4j", emptyCypher, nil); err != nil {
		t.Fatalf("neo4jtest: emptying the shared instance on %s: %v", sharedInstance.in.URI, err)
	}
	return sharedInstance.in
}

// sharedInstance is what SharedInstance hands out (with a driver to empty
// it), and whether Main runs.
var sharedInstance struct {
	main   bool
	mu     sync.Mutex
	in     *Instance
	home   string
	driver drv.DriverWithContext
}

// Main runs the package's tests and then stops the instance that
// SharedInstance started, if any; it returns m.Run's exit code. A package
// whose tests use SharedInstance calls it from its TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(neo4jtest.Main(m)) }
func Main(m *testing.M) int {
	sharedInstance.main = true
	code := m.Run()
	if in := sharedInstance.in; in != nil {
		if sharedInstance.driver != nil {
			_ = sharedInstance.driver.Close(context.Background())
		}
		if err := in.run("stop"); err != nil {
			fmt.Fprintf(os.Stderr, "neo4jtest: stopping the shared instance: %v\n", err)
			code = cmp.Or(code, 1)
		}
		_ = os.RemoveAll(sharedInstance.home)
	}
	return code
}

// Start starts the instance (again) and waits until Bolt answers.
func (in *Instance) Start() {
	in.t.Helper()
	if err := in.run("start"); err != nil {
		in.t.Fatalf("neo4jtest: starting Neo4j on %s: %v", in.URI, err)
	}
}

// Stop stops the instance cleanly and waits until it has exited.
func (in *Instance) Stop() {
	in.t.Helper()
	if err := in.run("stop"); err != nil {
		in.t.Fatalf("neo4jtest: stopping Neo4j on %s: %v", in.URI, err)
	}
}

func (in *Instance) run(verb string) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", in.script, verb)
	cmd.Env = in.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", in.script, verb, err, strings.TrimSpace(out.String()))
	}
	return nil
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
