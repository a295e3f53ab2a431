package neo4jtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	drv "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j"
)

// Prefix returns a prefix unique to this test (such as "t3f9a2c-") and
// deletes, when the test ends, every node whose id or userId starts with
// it, and every audit event of its organizations or naming an id that holds
// it (such as "stix:" + prefix + "T0001"). Tests give their nodes ids with
// this prefix so that they can run in parallel on the one database and
// clean up after themselves; they must not assert global counts.
func Prefix(t testing.TB) string {
	t.Helper()
	buf := make([]byte, 4)
	_, _ = rand.Read(buf)
	prefix := "t" + hex.EncodeToString(buf) + "-"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := run(ctx, `MATCH (n) WHERE n.id STARTS WITH $p OR n.userId STARTS WITH $p
  OR n:`+model.LabelAuditEvent+` AND (n.organizationId STARTS WITH $p OR any(x IN n.ids WHERE x CONTAINS $p))
  OR n:`+model.LabelTargetRevision+` AND n.targetId STARTS WITH $p
DETACH DELETE n`, map[string]any{"p": prefix}); err != nil {
			t.Logf("neo4jtest: cleaning up %s: %v", prefix, err)
		}
	})
	return prefix
}

// Org creates an organization with the given id, name and sector directly
// in Neo4j (not through the API under test) and returns its id.
func Org(t testing.TB, id, sector string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := run(ctx, `MERGE (o:Organization:Entity {id: $id}) SET o.name = $id, o.sector = $sector`,
		map[string]any{"id": id, "sector": sector})
	if err != nil {
		t.Fatalf("neo4jtest.Org %s: %v", id, err)
	}
	return id
}

// Token issues a bearer token for a user (named after the organization and
// role) of organization org with role.
func Token(t testing.TB, db *neo4j.DB, org string, role model.Role) string {
	t.Helper()
	tok, err := db.CreateToken(t.Context(), org+"-"+string(role), org, role)
	if err != nil {
		t.Fatalf("neo4jtest.Token %s %s: %v", org, role, err)
	}
	return tok
}

// Count returns the number of nodes whose id starts with prefix, for tests
// that check that a failed write changed nothing.
func Count(t testing.TB, prefix string) int {
	t.Helper()
	n, _ := value(t, `MATCH (n) WHERE n.id STARTS WITH $p RETURN count(n) AS n`, map[string]any{"p": prefix}).(int64)
	return int(n)
}

// Snapshot returns a fingerprint of every node and relationship whose
// nodes' ids start with prefix (labels, properties, relationship types and
// properties), for tests that check that a failed write changed nothing.
func Snapshot(t testing.TB, prefix string) string {
	t.Helper()
	return fmt.Sprint(value(t, `MATCH (n) WHERE n.id STARTS WITH $p`+fingerprint, map[string]any{"p": prefix}))
}

// Snapshot is Snapshot of the private instance.
func (in *Instance) Snapshot(t testing.TB, prefix string) string {
	t.Helper()
	rows := in.Exec(t, `MATCH (n) WHERE n.id STARTS WITH $p`+fingerprint, map[string]any{"p": prefix})
	if len(rows) == 0 {
		t.Fatal("neo4jtest: no snapshot row")
	}
	return fmt.Sprint(rows[0]["all"])
}

// Exec runs one Cypher statement on the private instance in its own
// transaction and returns its records as maps, failing the test on error.
func (in *Instance) Exec(t testing.TB, cypher string, params map[string]any) []map[string]any {
	t.Helper()
	return execOn(t, in.URI, cypher, params)
}

// fingerprint follows a MATCH of nodes `n`: it returns, in a fixed order,
// each node's labels and properties and its outgoing relationships' types,
// ends and properties.
const fingerprint = `
OPTIONAL MATCH (n)-[r]->(m)
WITH n, r, m ORDER BY n.id, type(r), m.id
WITH n, collect(CASE WHEN r IS NULL THEN null ELSE [type(r), m.id, properties(r)] END) AS rels
RETURN collect([labels(n), properties(n), rels]) AS all`

// value runs one read and returns the first value of its first record,
// failing the test on any error.
func value(t testing.TB, cypher string, params map[string]any) any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rows, err := query(ctx, cypher, params)
	if err != nil {
		t.Fatalf("neo4jtest: %v", err)
	}
	if len(rows) == 0 {
		t.Fatalf("neo4jtest: no row from %s", cypher)
	}
	return rows[0].Values[0]
}

// run runs one statement in its own transaction.
func run(ctx context.Context, cypher string, params map[string]any) error {
	_, err := query(ctx, cypher, params)
	return err
}

// query runs one statement in its own (retried) transaction through the
// fixtures' driver and returns its records.
func query(ctx context.Context, cypher string, params map[string]any) ([]*drv.Record, error) {
	return queryOn(ctx, URI(), cypher, params)
}

// queryOn is query on the Neo4j at uri.
func queryOn(ctx context.Context, uri, cypher string, params map[string]any) ([]*drv.Record, error) {
	d, database, err := driver(ctx, uri)
	if err != nil {
		return nil, err
	}
	res, err := drv.ExecuteQuery(ctx, d, cypher, params, drv.EagerResultTransformer, drv.ExecuteQueryWithDatabase(database))
	if err != nil {
		return nil, err
	}
	return res.Records, nil
}

// fixtures holds the fixtures' drivers, one per URI (the test database's,
// and each private instance's that a test queries through Instance.Exec),
// each created and checked once.
var fixtures struct {
	mu      sync.Mutex
	drivers map[string]*fixtureDriver
}

type fixtureDriver struct {
	once     sync.Once
	driver   drv.DriverWithContext
	database string
	err      error
}

// driver returns the fixtures' driver for uri, creating it and checking
// that Neo4j answers on its first use.
func driver(ctx context.Context, uri string) (drv.DriverWithContext, string, error) {
	fixtures.mu.Lock()
	if fixtures.drivers == nil {
		fixtures.drivers = map[string]*fixtureDriver{}
	}
	f, ok := fixtures.drivers[uri]
	if !ok {
		f = &fixtureDriver{}
		fixtures.drivers[uri] = f
	}
	fixtures.mu.Unlock()
	f.once.Do(func() {
		cfg := Config(neo4j.NewDB(uri))
		auth := drv.NoAuth()
		if cfg.Username != "" {
			auth = drv.BasicAuth(cfg.Username, cfg.Password, "")
		}
		d, err := drv.NewDriverWithContext(uri, auth)
		if err == nil {
			err = d.VerifyConnectivity(ctx)
		}
		if err != nil {
			f.err = unreachable(err)
			return
		}
		f.driver, f.database = d, cfg.DatabaseName
	})
	return f.driver, f.database, f.err
}

// runInTransactions runs a statement that commits its own transactions
// (CALL … IN TRANSACTIONS), which only an auto-commit transaction may run.
func runInTransactions(ctx context.Context, d drv.DriverWithContext, database, cypher string, params map[string]any) error {
	sess := d.NewSession(ctx, drv.SessionConfig{DatabaseName: database})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, cypher, params)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	return err
}

// emptyCypher deletes every node, a few thousand per transaction.
const emptyCypher = `MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS`

// storeComparisonRefs stores the comparison refs of the assessments with
// the given ids, which a fixture wrote past the store, as the store keeps
// them for the assessments it writes: a migration run meanwhile by
// another test (its backfill stores them where they are missing) then
// finds nothing to change in the fixture's graph.
func storeComparisonRefs(t testing.TB, ctx context.Context, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if _, err := Open(t).RefreshComparisonRefs(ctx, id); err != nil {
			t.Fatalf("neo4jtest: comparison refs of %s: %v", id, err)
		}
	}
}
