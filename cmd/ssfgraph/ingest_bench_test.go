package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	drv "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// BenchmarkIngest is issue 5's performance figure: MITRE ATT&CK for ICS, the
// SP 800-53 Rev. 5 catalog, the CSF 2.0 catalog and the CSF 2.0 → SP 800-53
// mapping collection loaded into an empty database (a private Neo4j, wiped
// before each load, constraints kept), by the batched loader
// (neo4j.DB.LoadBatch: one transaction per file, UNWIND in chunks) and by a
// naive loader that writes one record per transaction, measured in the same
// run. Parsing is done once, before timing, and both loaders are warmed up
// first. Run it with
//
//	go test ./cmd/ssfgraph -run '^$' -bench BenchmarkIngest -benchtime 1x
//
// It reports seconds and nodes+relationships per second for each loader
// and the ratio between them.
func BenchmarkIngest(b *testing.B) {
	data := ingestDataDir(b)
	paths := []string{
		"nist-csf2-to-sp800-53r5-oscal-mapping/NIST_CSF_v2.0-to-NIST_SP-800-53_rev5.mapping-collection.json",
		"mitre-attack-ics/ics-attack-18.1.json",
		"nist-sp800-53r5-oscal/NIST_SP-800-53_rev5_catalog.json",
		"nist-csf2-to-sp800-53r5-oscal-mapping/NIST_CSF_v2.0.catalog.json",
	}
	var files []ingest.File
	for _, p := range paths {
		raw, err := os.ReadFile(filepath.Join(data, p))
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, ingest.File{Name: p, Data: raw})
	}
	parseStart := time.Now()
	var batches []*ingest.Batch
	for _, f := range ingest.Order(files) {
		batch, err := ingest.Parse(f.Name, f.Data, f.Format, ingest.ParseOptions{})
		if err != nil {
			b.Fatal(err)
		}
		batches = append(batches, batch)
	}
	parsed := time.Since(parseStart)

	in := neo4jtest.StartInstance(b)
	ctx := context.Background()
	db := neo4j.NewDB(in.URI)
	if err := db.Open(ctx); err != nil {
		b.Fatal(err)
	}
	defer db.Close(ctx)
	d, err := drv.NewDriverWithContext(in.URI, drv.NoAuth())
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close(ctx)

	// Warm up both loaders (Cypher planning of every statement, the JVM's
	// JIT), untimed, so that neither pays for a cold server.
	for _, batch := range batches {
		if _, err := db.LoadBatch(ctx, batch, false); err != nil {
			b.Fatal(err)
		}
	}
	benchWipe(b, ctx, d)
	for _, batch := range batches {
		naiveLoad(b, ctx, d, &ingest.Batch{Nodes: batch.Nodes[:min(len(batch.Nodes), 20)], Rels: batch.Rels[:min(len(batch.Rels), 20)]})
	}
	benchWipe(b, ctx, d)

	var batchedTime, naiveTime time.Duration
	records := 0
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		benchWipe(b, ctx, d)
		b.StartTimer()
		start := time.Now()
		records = 0
		for _, batch := range batches {
			rep, err := db.LoadBatch(ctx, batch, false)
			if err != nil {
				b.Fatal(err)
			}
			for _, c := range rep.Nodes {
				records += c.Created
			}
			for _, c := range rep.Rels {
				records += c.Created
			}
		}
		batchedTime += time.Since(start)
		b.StopTimer()
		if got := benchRecords(b, ctx, d); got != records {
			b.Fatalf("the batched loader reported %d records created, the database holds %d", records, got)
		}
		benchWipe(b, ctx, d)
		b.StartTimer()
		start = time.Now()
		for _, batch := range batches {
			naiveLoad(b, ctx, d, batch)
		}
		naiveTime += time.Since(start)
		b.StopTimer()
		if got := benchRecords(b, ctx, d); got != records {
			b.Fatalf("the naive loader wrote %d records, the batched one %d", got, records)
		}
		b.StartTimer()
	}
	n := float64(b.N)
	bs, ns := batchedTime.Seconds()/n, naiveTime.Seconds()/n
	b.ReportMetric(float64(records), "records")
	b.ReportMetric(parsed.Seconds(), "parse-s")
	b.ReportMetric(bs, "batched-s")
	b.ReportMetric(float64(records)/bs, "batched-records/s")
	b.ReportMetric(ns, "naive-s")
	b.ReportMetric(float64(records)/ns, "naive-records/s")
	b.ReportMetric(ns/bs, "speedup-x")
}

// benchWipe empties the database (keeping constraints and indexes).
func benchWipe(b *testing.B, ctx context.Context, d drv.DriverWithContext) {
	b.Helper()
	sess := d.NewSession(ctx, drv.SessionConfig{})
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, `MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS`, nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		b.Fatal(err)
	}
}

// benchRecords counts the nodes and relationships in the database.
func benchRecords(b *testing.B, ctx context.Context, d drv.DriverWithContext) int {
	b.Helper()
	res, err := drv.ExecuteQuery(ctx, d, `CALL () { MATCH (n) RETURN count(n) AS n } CALL () { MATCH ()-[r]->() RETURN count(r) AS r } RETURN n + r AS total`,
		nil, drv.EagerResultTransformer)
	if err != nil {
		b.Fatal(err)
	}
	total, _ := res.Records[0].Values[0].(int64)
	return int(total)
}

// naiveLabels are the labels the naive loader accepts (it formats them
// into Cypher, as a naive loader would; the batches come from our parsers).
var naiveLabels = []string{model.LabelThreat, model.LabelMeasure, model.LabelGuideline, model.LabelClause, model.LabelAssetKind}

// naiveLoad writes a batch one record per transaction: an ExecuteWrite per
// node (MERGE and SET) and per relationship (MATCH both ends, MERGE, SET).
// It does less than LoadBatch (no validation, no end check, no outcome
// classification), so the comparison favours it.
func naiveLoad(b *testing.B, ctx context.Context, d drv.DriverWithContext, batch *ingest.Batch) {
	b.Helper()
	sess := d.NewSession(ctx, drv.SessionConfig{})
	defer sess.Close(ctx)
	write := func(cypher string, params map[string]any) {
		if _, err := drv.ExecuteWrite(ctx, sess, func(tx drv.ManagedTransaction) (any, error) {
			res, err := tx.Run(ctx, cypher, params)
			if err != nil {
				return nil, err
			}
			return res.Consume(ctx)
		}); err != nil {
			b.Fatal(err)
		}
	}
	label := func(l string) string {
		if !slices.Contains(naiveLabels, l) {
			b.Fatalf("naive loader: unexpected label %q", l)
		}
		return l
	}
	for _, n := range batch.Nodes {
		write(`MERGE (n:`+label(n.Label)+` {id: $id}) SET n:Entity, n += $props`, map[string]any{"id": n.ID, "props": naiveProps(n.Props)})
	}
	for _, r := range batch.Rels {
		typ := r.Type
		if typ != model.RelMitigatedBy && typ != model.RelTargets && typ != model.RelHasClause && typ != model.RelPartOf && typ != model.RelMapsTo {
			b.Fatalf("naive loader: unexpected relationship type %q", typ)
		}
		write(`MATCH (a:`+label(r.FromLabel)+` {id: $from}) MATCH (b:`+label(r.ToLabel)+` {id: $to}) MERGE (a)-[r:`+typ+`]->(b) SET r += $props`,
			map[string]any{"from": r.From, "to": r.To, "props": naiveProps(r.Props)})
	}
}

// naiveProps returns props, or an empty map for nil.
func naiveProps(p map[string]any) map[string]any {
	if p == nil {
		return map[string]any{}
	}
	return p
}
