package neo4j

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// schemaVersion grows whenever schemaStatements or the seeds change.
// Version 3 adds the index on MAPS_TO groups; version 4 the audit trail's
// constraint and indexes; version 6 the TargetRevision constraint and the
// natural-key indexes of opinions, assessments and treatments; version 7
// the assessments' comparison refs (comparison.go), filled in where missing;
// version 8 the cjk analyzer of ssf_text (ensureFulltext recreates an
// earlier index).
const schemaVersion = 8

// fulltextIndex is the full-text index over names and texts.
const fulltextIndex = "ssf_text"

// fulltextAnalyzer is the analyzer of fulltextIndex: Lucene's CJKAnalyzer.
// It indexes Chinese, Japanese and Korean text as overlapping bigrams, so
// that a word written without spaces matches inside a longer one (輸液 in
// 輸液ポンプ制御装置), folds full-width Latin and half-width katakana to
// their usual forms, and splits and lower-cases other text as the standard
// analyzer does, dropping its English stop words ("the", "a", "it", ...).
// Before version 8 the index used Neo4j's default, standard-no-stop-words,
// which splits ideographs into single characters and keeps a katakana run
// whole as one term (so シャッター was not found in ウインドウシャッター),
// and does not fold widths (ｗｉｎｄｏｗ did not find window).
const fulltextAnalyzer = "cjk"

// fulltextSpec describes a full-text index over nodes.
type fulltextSpec struct {
	name, analyzer string
	labels, props  []string
}

// textIndex is the full-text index that search and the text filters of the
// lists query (luceneQuery).
var textIndex = fulltextSpec{
	name: fulltextIndex, analyzer: fulltextAnalyzer,
	labels: []string{model.LabelTarget, model.LabelAsset, model.LabelIncident, model.LabelThreat, model.LabelMeasure,
		model.LabelGuideline, model.LabelClause, model.LabelOrganization, model.LabelAnalysis, model.LabelFeedback},
	props: []string{"name", "title", "text", "description", "rationale"},
}

// createCypher returns the statement that creates s unless an index of its
// name exists. Names, labels, properties and analyzers are Go constants,
// never input (Cypher takes no parameters for them).
func (s fulltextSpec) createCypher() string {
	props := make([]string, len(s.props))
	for i, p := range s.props {
		props[i] = "n." + p
	}
	return "CREATE FULLTEXT INDEX " + s.name + " IF NOT EXISTS FOR (n:" + strings.Join(s.labels, "|") + ") ON EACH [" +
		strings.Join(props, ", ") + "] OPTIONS {indexConfig: {`fulltext.analyzer`: '" + s.analyzer + "'}}"
}

const fulltextIndexCypher = `
SHOW FULLTEXT INDEXES YIELD name, labelsOrTypes, properties, options WHERE name = $name
RETURN labelsOrTypes AS labels, properties AS props, options.indexConfig['fulltext.analyzer'] AS analyzer`

// ensureFulltext creates the full-text index s and waits until it is
// online. An index of s's name with another analyzer, labels or properties
// (an earlier version's) is dropped and created again, since CREATE … IF
// NOT EXISTS would keep it; searches that run meanwhile fail, so this
// happens once, when Migrate meets the old index.
func (db *DB) ensureFulltext(ctx context.Context, s fulltextSpec) error {
	recs, err := db.read(ctx, "neo4j.Migrate", "reading full-text index "+s.name, fulltextIndexCypher, map[string]any{"name": s.name})
	if err != nil {
		return err
	}
	if len(recs) == 1 {
		p := props(recs[0].AsMap())
		analyzer, labels, fields := p.str("analyzer"), p.strs("labels"), p.strs("props")
		if analyzer != s.analyzer || !sameSet(labels, s.labels) || !sameSet(fields, s.props) {
			db.Log.InfoContext(ctx, "recreating full-text index", "index", s.name,
				"analyzer", analyzer, "want_analyzer", s.analyzer, "labels", labels, "properties", fields)
			if err := db.migrate(ctx, "dropping full-text index "+s.name, "DROP INDEX "+s.name+" IF EXISTS", nil); err != nil {
				return err
			}
		}
	}
	if err := db.migrate(ctx, "creating full-text index "+s.name, s.createCypher(), nil); err != nil {
		return err
	}
	return db.migrate(ctx, "awaiting full-text index "+s.name, "CALL db.awaitIndex($name, 300)", map[string]any{"name": s.name})
}

// sameSet reports whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// idLabels are the labels whose `id` is unique.
var idLabels = []string{
	model.LabelEntity,
	model.LabelThreat, model.LabelMeasure, model.LabelGuideline, model.LabelClause, model.LabelAssetKind,
	model.LabelAxisScale, model.LabelAxisLevel, model.LabelPerspective, model.LabelCategoryRule,
	model.LabelTarget, model.LabelAsset, model.LabelIncident,
	model.LabelOrganization, model.LabelDepartment, model.LabelUser, model.LabelAPIToken,
	model.LabelAnalysis, model.LabelAssessment, model.LabelTreatment, model.LabelOpinion, model.LabelFeedback,
	model.LabelInsurancePolicy, model.LabelCoverageLine, model.LabelSchemaMigration, model.LabelAuditEvent,
}

// schemaStatements returns the constraints and indexes, each idempotent;
// the full-text index is textIndex (ensureFulltext).
func schemaStatements() []string {
	stmts := make([]string, 0, len(idLabels)+8)
	for _, l := range idLabels {
		stmts = append(stmts, fmt.Sprintf("CREATE CONSTRAINT %s_id IF NOT EXISTS FOR (n:%s) REQUIRE n.id IS UNIQUE", snake(l), l))
	}
	return append(stmts,
		"CREATE CONSTRAINT target_revision_target IF NOT EXISTS FOR (n:"+model.LabelTargetRevision+") REQUIRE n.targetId IS UNIQUE",
		"CREATE CONSTRAINT assessment_id_key IF NOT EXISTS FOR (n:"+model.LabelAssessment+") REQUIRE n.idKey IS UNIQUE",
		"CREATE CONSTRAINT treatment_id_key IF NOT EXISTS FOR (n:"+model.LabelTreatment+") REQUIRE n.idKey IS UNIQUE",
		"CREATE INDEX opinion_author_about IF NOT EXISTS FOR (n:"+model.LabelOpinion+") ON (n.organizationId, n.aboutId)",
		"CREATE INDEX target_sector IF NOT EXISTS FOR (n:"+model.LabelTarget+") ON (n.sector)",
		"CREATE INDEX organization_sector IF NOT EXISTS FOR (n:"+model.LabelOrganization+") ON (n.sector)",
		"CREATE INDEX threat_external_id IF NOT EXISTS FOR (n:"+model.LabelThreat+") ON (n.externalId)",
		"CREATE INDEX analysis_target IF NOT EXISTS FOR (n:"+model.LabelAnalysis+") ON (n.targetId)",
		"CREATE INDEX analysis_organization IF NOT EXISTS FOR (n:"+model.LabelAnalysis+") ON (n.organizationId)",
		"CREATE INDEX audit_event_at IF NOT EXISTS FOR (n:"+model.LabelAuditEvent+") ON (n.at)",
		"CREATE INDEX audit_event_organization IF NOT EXISTS FOR (n:"+model.LabelAuditEvent+") ON (n.organizationId, n.at)",
		"CREATE INDEX feedback_routed_to IF NOT EXISTS FOR (n:"+model.LabelFeedback+") ON (n.routedToId)",
		// The pairs of one OSCAL map share a group (ingest.ParseOSCALMapping);
		// coverage reads a group's edges together.
		"CREATE INDEX maps_to_group IF NOT EXISTS FOR ()-[r:"+model.RelMapsTo+"]-() ON (r.group)",
	)
}

// migrate runs one statement of Migrate in its own write transaction,
// without an audit event (see schemaAccess).
func (db *DB) migrate(ctx context.Context, subject, cypher string, params map[string]any) error {
	_, err := inTx(ctx, db, schemaAccess, "neo4j.Migrate", subject, func(t *txn) (struct{}, error) {
		_, err := t.run(ctx, cypher, params)
		return struct{}{}, err
	})
	return err
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
MERGE (m:` + model.LabelSchemaMigration + ` {id: 'ssfgraph'})
SET m.version = $version, m.appliedAt = datetime()`

const schemaVersionCypher = `
MATCH (m:` + model.LabelSchemaMigration + ` {id: 'ssfgraph'})
RETURN m.version AS version`

// Migrate creates every constraint and index that does not exist yet, each in
// its own transaction (Neo4j does not mix schema and data writes), recreates
// the full-text index when it has an earlier version's analyzer, waits for
// the indexes to come online and records the schema version. It is
// idempotent: running it again changes nothing. Its transactions write no
// audit event (schema statements cannot share a transaction with one).
func (db *DB) Migrate(ctx context.Context) error {
	if err := db.init(); err != nil {
		return err
	}
	start := time.Now()
	for _, stmt := range schemaStatements() {
		if err := db.migrate(ctx, stmt, stmt, nil); err != nil {
			return err
		}
	}
	if err := db.ensureFulltext(ctx, textIndex); err != nil {
		return err
	}
	if err := db.migrate(ctx, "awaiting indexes", "CALL db.awaitIndexes(300)", nil); err != nil {
		return err
	}
	if err := db.migrate(ctx, "seeding the IoT-SSF scales", seedScalesCypher, seedScalesParams()); err != nil {
		return err
	}
	if err := db.migrate(ctx, "storing the assessments' comparison refs", backfillComparisonRefsCypher, nil); err != nil {
		return err
	}
	if err := db.migrate(ctx, "recording the schema version", recordMigrationCypher, map[string]any{"version": schemaVersion}); err != nil {
		return err
	}
	db.migrated.Store(true)
	db.Log.InfoContext(ctx, "neo4j schema ready", "version", schemaVersion, "statements", len(schemaStatements()), "took", time.Since(start).Round(time.Millisecond))
	return nil
}
