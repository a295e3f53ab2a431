package neo4j

import (
	"context"
	"fmt"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// schemaVersion grows whenever schemaStatements or the seeds change.
const schemaVersion = 2

// fulltextIndex is the full-text index over names and texts.
const fulltextIndex = "ssf_text"

// Labels of the graph. Cypher is built from these constants at compile time,
// never from input.
const (
	labelThreat          = "Threat"
	labelMeasure         = "Measure"
	labelGuideline       = "Guideline"
	labelClause          = "Clause"
	labelAssetKind       = "AssetKind"
	labelAxisScale       = "AxisScale"
	labelAxisLevel       = "AxisLevel"
	labelPerspective     = "Perspective"
	labelCategoryRule    = "CategoryRule"
	labelTarget          = "Target"
	labelAsset           = "Asset"
	labelIncident        = "Incident"
	labelOrganization    = "Organization"
	labelDepartment      = "Department"
	labelUser            = "User"
	labelAPIToken        = "ApiToken"
	labelAnalysis        = "Analysis"
	labelAssessment      = "Assessment"
	labelTreatment       = "Treatment"
	labelOpinion         = "Opinion"
	labelFeedback        = "Feedback"
	labelInsurancePolicy = "InsurancePolicy"
	labelCoverageLine    = "CoverageLine"
	labelSchemaMigration = "SchemaMigration"
)

// idLabels are the labels whose `id` is unique.
var idLabels = []string{
	labelEntity,
	labelThreat, labelMeasure, labelGuideline, labelClause, labelAssetKind,
	labelAxisScale, labelAxisLevel, labelPerspective, labelCategoryRule,
	labelTarget, labelAsset, labelIncident,
	labelOrganization, labelDepartment, labelUser, labelAPIToken,
	labelAnalysis, labelAssessment, labelTreatment, labelOpinion, labelFeedback,
	labelInsurancePolicy, labelCoverageLine, labelSchemaMigration,
}

// schemaStatements returns the constraints and indexes, each idempotent.
func schemaStatements() []string {
	stmts := make([]string, 0, len(idLabels)+4)
	for _, l := range idLabels {
		stmts = append(stmts, fmt.Sprintf("CREATE CONSTRAINT %s_id IF NOT EXISTS FOR (n:%s) REQUIRE n.id IS UNIQUE", snake(l), l))
	}
	return append(stmts,
		"CREATE INDEX target_sector IF NOT EXISTS FOR (n:"+labelTarget+") ON (n.sector)",
		"CREATE INDEX organization_sector IF NOT EXISTS FOR (n:"+labelOrganization+") ON (n.sector)",
		"CREATE INDEX threat_external_id IF NOT EXISTS FOR (n:"+labelThreat+") ON (n.externalId)",
		"CREATE INDEX analysis_target IF NOT EXISTS FOR (n:"+labelAnalysis+") ON (n.targetId)",
		"CREATE INDEX analysis_organization IF NOT EXISTS FOR (n:"+labelAnalysis+") ON (n.organizationId)",
		"CREATE INDEX feedback_routed_to IF NOT EXISTS FOR (n:"+labelFeedback+") ON (n.routedToId)",
		"CREATE FULLTEXT INDEX "+fulltextIndex+" IF NOT EXISTS FOR (n:"+labelTarget+"|"+labelAsset+"|"+labelIncident+"|"+
			labelThreat+"|"+labelMeasure+"|"+labelGuideline+"|"+labelClause+"|"+labelOrganization+"|"+
			labelAnalysis+"|"+labelFeedback+") ON EACH [n.name, n.title, n.text, n.description, n.rationale]",
	)
}

// snake turns a label such as ApiToken into api_token, for constraint names.
func snake(s string) string {
	out := make([]byte, 0, len(s)+4)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			if i > 0 {
				out = append(out, '_')
			}
			c += 'a' - 'A'
		}
		out = append(out, c)
	}
	return string(out)
}

const recordMigrationCypher = `
MERGE (m:` + labelSchemaMigration + ` {id: 'ssfgraph'})
SET m.version = $version, m.appliedAt = datetime()`

const schemaVersionCypher = `
MATCH (m:` + labelSchemaMigration + ` {id: 'ssfgraph'})
RETURN m.version AS version`

// Migrate creates every constraint and index that does not exist yet, each in
// its own transaction (Neo4j does not mix schema and data writes), waits for
// the indexes to come online and records the schema version. It is
// idempotent: running it again changes nothing.
func (db *DB) Migrate(ctx context.Context) error {
	if err := db.init(); err != nil {
		return err
	}
	start := time.Now()
	for _, stmt := range schemaStatements() {
		if _, err := db.execute(ctx, "neo4j.Migrate", stmt, nil); err != nil {
			return formatError("neo4j.Migrate", stmt, err)
		}
	}
	if _, err := db.execute(ctx, "neo4j.Migrate", "CALL db.awaitIndexes(300)", nil); err != nil {
		return formatError("neo4j.Migrate", "awaiting indexes", err)
	}
	if _, err := db.execute(ctx, "neo4j.Migrate", seedScalesCypher, seedScalesParams()); err != nil {
		return formatError("neo4j.Migrate", "seeding the IoT-SSF scales", err)
	}
	if _, err := db.execute(ctx, "neo4j.Migrate", recordMigrationCypher, map[string]any{"version": schemaVersion}); err != nil {
		return formatError("neo4j.Migrate", "recording the schema version", err)
	}
	db.migrated.Store(true)
	db.Log.InfoContext(ctx, "neo4j schema ready", "version", schemaVersion, "statements", len(schemaStatements()), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// execute runs one auto-committed, retried statement through ExecuteQuery and
// tells the Observer how long it took.
func (db *DB) execute(ctx context.Context, op, cypher string, params map[string]any) (*neo4j.EagerResult, error) {
	if err := db.enter(); err != nil {
		return nil, err
	}
	defer db.leave()
	start := time.Now()
	res, err := neo4j.ExecuteQuery(ctx, db.driver, cypher, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(db.DatabaseName))
	if db.Observer != nil {
		db.Observer.ObserveQuery(op, time.Since(start), err)
	}
	return res, err
}

// read is execute with routing to readers, for statements that only read.
func (db *DB) read(ctx context.Context, op, cypher string, params map[string]any) (*neo4j.EagerResult, error) {
	if err := db.enter(); err != nil {
		return nil, err
	}
	defer db.leave()
	start := time.Now()
	res, err := neo4j.ExecuteQuery(ctx, db.driver, cypher, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(db.DatabaseName), neo4j.ExecuteQueryWithReadersRouting())
	if db.Observer != nil {
		db.Observer.ObserveQuery(op, time.Since(start), err)
	}
	return res, err
}
