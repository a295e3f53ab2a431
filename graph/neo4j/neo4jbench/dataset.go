// Package neo4jbench is the Neo4j side of `make bench` (package bench, cmd/ssfbench): it writes the
// benchmark's data set and serves the raw-Cypher floor. Like neo4jtest it sits under graph/neo4j,
// the only place that imports the driver.
package neo4jbench

import (
	"context"
	"fmt"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/bench"
	"github.com/ssfgraph/ssfgraph/graph/model"
)

// DB is a connection to the Neo4j under test. Its methods are safe for
// concurrent use.
type DB struct {
	driver   neo4j.DriverWithContext
	database string
}

// Open connects to the Neo4j at uri (no authentication: the local one of
// tools/neo4j) and checks that it answers.
func Open(ctx context.Context, uri, database string) (*DB, error) {
	drv, err := neo4j.NewDriverWithContext(uri, neo4j.NoAuth(), func(c *neo4j.Config) { c.MaxConnectionPoolSize = 100 })
	if err != nil {
		return nil, fmt.Errorf("neo4jbench.Open %s: %w", uri, err)
	}
	if err := drv.VerifyConnectivity(ctx); err != nil {
		drv.Close(context.Background())
		return nil, fmt.Errorf("neo4jbench.Open %s: %w", uri, err)
	}
	return &DB{driver: drv, database: database}, nil
}

// Close closes the connection.
func (db *DB) Close(ctx context.Context) error { return db.driver.Close(ctx) }

// exec runs one statement and returns its records.
func (db *DB) exec(ctx context.Context, op, cypher string, params map[string]any) ([]*neo4j.Record, error) {
	res, err := neo4j.ExecuteQuery(ctx, db.driver, cypher, params, neo4j.EagerResultTransformer, neo4j.ExecuteQueryWithDatabase(db.database))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return res.Records, nil
}

const versionCypher = `CALL dbms.components() YIELD name, versions, edition RETURN name + ' ' + versions[0] + ' ' + edition`

// Version returns the Neo4j's name, version and edition.
func (db *DB) Version(ctx context.Context) (string, error) {
	recs, err := db.exec(ctx, "neo4jbench.Version", versionCypher, nil)
	if err != nil || len(recs) == 0 {
		return "", err
	}
	v, _ := recs[0].Values[0].(string)
	return v, nil
}

// APOCVersion returns apoc.version(), or an error when APOC is not loaded.
func (db *DB) APOCVersion(ctx context.Context) (string, error) {
	recs, err := db.exec(ctx, "neo4jbench.APOCVersion", `RETURN apoc.version()`, nil)
	if err != nil || len(recs) == 0 {
		return "", err
	}
	v, _ := recs[0].Values[0].(string)
	return v, nil
}

const datasetMarkerCypher = `
MATCH (o:` + model.LabelOrganization + ` {id: $org}) RETURN o.benchSize AS size`

const datasetDeleteCypher = `
MATCH (n:` + model.LabelEntity + `) WHERE n.id STARTS WITH $p
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS`

const datasetCatalogCypher = `
CREATE (o:` + model.LabelOrganization + `:` + model.LabelEntity + ` {id: $org, name: 'Benchmark organization', sector: 'bench'})
CREATE (g:` + model.LabelGuideline + `:` + model.LabelEntity + ` {id: $prefix + 'bg', title: 'Benchmark guide', publisher: 'ssfbench', version: '1'})
WITH g
UNWIND range(0, 2) AS k
CREATE (:` + model.LabelThreat + `:` + model.LabelEntity + ` {id: $prefix + 'bth-' + k, name: 'Bench threat ' + k, kind: 'failure', description: ''})
CREATE (m:` + model.LabelMeasure + `:` + model.LabelEntity + ` {id: $prefix + 'bm-' + k, name: 'Bench measure ' + k, description: '', perspective: 'P' + (k + 1), kind: 'technical'})
CREATE (g)-[:` + model.RelHasClause + `]->(c:` + model.LabelClause + `:` + model.LabelEntity + ` {id: $prefix + 'bc-' + k, ref: 'B ' + k, title: 'Bench clause', text: '', guidelineId: g.id})
CREATE (m)-[:` + model.RelSatisfies + ` {relationship: 'EQUIVALENT_TO'}]->(c)`

const datasetTargetsCypher = `
UNWIND $targets AS t
CREATE (tn:` + model.LabelTarget + `:` + model.LabelEntity + ` {id: t.id, name: t.name, sector: 'bench', description: ''})
CREATE (tn)-[:` + model.RelHasAsset + `]->(:` + model.LabelAsset + `:` + model.LabelEntity + ` {id: t.id + '-asset', name: 'Bench asset', kind: 'component', description: '', targetId: t.id})
WITH tn, t
UNWIND t.incidents AS iid
CREATE (tn)-[:` + model.RelHasIncident + `]->(:` + model.LabelIncident + `:` + model.LabelEntity + ` {id: iid, name: 'Bench incident', consequence: 'property', description: '', targetId: t.id})`

const datasetAnalysesCypher = `
MATCH (o:` + model.LabelOrganization + ` {id: $org})
UNWIND $analyses AS a
MATCH (t:` + model.LabelTarget + ` {id: a.target})
CREATE (o)-[:` + model.RelAuthored + `]->(an:` + model.LabelAnalysis + `:` + model.LabelEntity + ` {id: a.id, title: 'Bench analysis', status: 'DRAFT', version: 1, visibility: 'PUBLIC',
  sharedWithOrganizationIds: [], sharedWithSectors: [], organizationId: o.id, targetId: t.id,
  createdAt: datetime(), updatedAt: datetime()})-[:` + model.RelAnalyzes + `]->(t)
WITH an, a
CALL (an, a) {
  UNWIND a.notApplicable AS cid
  MATCH (c:` + model.LabelClause + ` {id: cid})
  CREATE (an)-[:` + model.RelNotApplicable + ` {reason: 'Bench reason'}]->(c)
}`

const datasetAssessmentsCypher = `
UNWIND $rows AS r
MATCH (a:` + model.LabelAnalysis + ` {id: r.analysis}), (i:` + model.LabelIncident + ` {id: r.incident}), (as:` + model.LabelAsset + ` {id: r.asset})
CREATE (a)-[:` + model.RelHasAssessment + `]->(s:` + model.LabelAssessment + `:` + model.LabelEntity + ` {id: r.id, analysisId: a.id, incidentId: i.id, axis1: r.axis1, axis2: r.axis2,
  category: r.category, estimatedLossJPY: 1000000.0, rationale: 'bench'})
CREATE (s)-[:` + model.RelOf + `]->(i), (s)-[:` + model.RelThrough + `]->(as)
WITH s, r
CALL (s, r) {
  UNWIND r.threats AS tid
  MATCH (th:` + model.LabelThreat + ` {id: tid})
  CREATE (s)-[:` + model.RelCausedBy + `]->(th)
}
CALL (s, r) {
  UNWIND r.treatments AS tr
  MATCH (m:` + model.LabelMeasure + ` {id: tr.measure})
  CREATE (s)-[:` + model.RelTreatedBy + `]->(:` + model.LabelTreatment + `:` + model.LabelEntity + ` {id: tr.id, assessmentId: s.id, measureId: m.id, status: 'IMPLEMENTED', perspective: m.perspective})-[:` + model.RelApplies + `]->(m)
}`

const datasetMarkCypher = `MATCH (o:` + model.LabelOrganization + ` {id: $org}) SET o.benchSize = $size`

// Load makes sure the data set d is in the database: when its
// organization carries d's mark it does nothing; otherwise it deletes
// every node whose id starts with d's prefix and writes the data set
// (d.Rows) in batches of UNWIND rows, marking the organization last (so an
// interrupted load is redone), and sets d.Created. It touches no node
// outside the prefix. The ssfgraph schema (`ssfgraph migrate`) should
// exist first, or the MATCHes by id scan.
func (db *DB) Load(ctx context.Context, d *bench.Dataset) error {
	op := "neo4jbench.Load " + d.Prefix
	recs, err := db.exec(ctx, op, datasetMarkerCypher, map[string]any{"org": d.Org})
	if err != nil {
		return err
	}
	if len(recs) == 1 {
		if got, _ := recs[0].Values[0].(string); got == d.Mark() {
			return nil
		}
	}
	if err := db.Delete(ctx, d); err != nil {
		return err
	}
	if _, err := db.exec(ctx, op, datasetCatalogCypher, map[string]any{"org": d.Org, "prefix": d.Prefix}); err != nil {
		return err
	}
	targets, analyses, assessments := d.Rows()
	const batch = 2000
	for _, step := range []struct {
		cypher, key string
		rows        []map[string]any
	}{
		{datasetTargetsCypher, "targets", targets},
		{datasetAnalysesCypher, "analyses", analyses},
		{datasetAssessmentsCypher, "rows", assessments},
	} {
		for i := 0; i < len(step.rows); i += batch {
			part := step.rows[i:min(i+batch, len(step.rows))]
			if _, err := db.exec(ctx, op, step.cypher, map[string]any{step.key: part, "org": d.Org}); err != nil {
				return err
			}
		}
	}
	d.Created = true
	_, err = db.exec(ctx, op, datasetMarkCypher, map[string]any{"org": d.Org, "size": d.Mark()})
	return err
}

// Delete removes every node whose id starts with d's prefix, in
// transactions of 5,000.
func (db *DB) Delete(ctx context.Context, d *bench.Dataset) error {
	sess := db.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: db.database})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, datasetDeleteCypher, map[string]any{"p": d.Prefix})
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		return fmt.Errorf("neo4jbench.Delete %s: %w", d.Prefix, err)
	}
	return nil
}
