package resolvers_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// BenchmarkLimitsOnNestedRead runs the nested read of BenchmarkNestedRead
// (20 targets × 3 analyses × 20 assessments) against two servers on the
// same data, one with every limit at its default (rate limits raised so
// that they count but never refuse) and one without them. Each iteration
// sends the read to both, in alternating order, so that drift on a shared
// machine hits both alike; it reports each server's time per read and the
// overhead of the limits in percent:
//
//	go test -run '^$' -bench BenchmarkLimitsOnNestedRead -benchtime 20x ./resolvers/
func BenchmarkLimitsOnNestedRead(b *testing.B) {
	size := neo4jtest.AnalysisBulkSize{Targets: 20, AnalysesPerTarget: 3, AssessmentsPerAnalysis: 20}
	bulk := neo4jtest.AnalysisBulkCreate(b, neo4jtest.Prefix(b), size)
	db := neo4jtest.Open(b)
	limits := resolvers.RateLimits{PerIP: 1e6, PerIPBurst: 1e6, PerToken: 1e6, PerTokenBurst: 1e6,
		Websockets: 1000, WebsocketsPerIP: 20, WebsocketsPerToken: 10, SubscriptionsPerConnection: 20}
	without := httptest.NewServer(resolvers.NewHandler(resolvers.WithoutLimits(resolvers.Options{Store: db})))
	b.Cleanup(without.Close)
	with := httptest.NewServer(resolvers.NewHandler(resolvers.Options{Store: db, Limits: limits}))
	b.Cleanup(with.Close)
	for _, srv := range []*httptest.Server{without, with} {
		postNested(b, srv, bulk.Word, 500) // warm: query cache, connections
	}
	var tWith, tWithout time.Duration
	timed := func(srv *httptest.Server, total *time.Duration) {
		start := time.Now()
		postNested(b, srv, bulk.Word, 500)
		*total += time.Since(start)
	}
	i := 0
	for b.Loop() {
		if i%2 == 0 {
			timed(without, &tWithout)
			timed(with, &tWith)
		} else {
			timed(with, &tWith)
			timed(without, &tWithout)
		}
		i++
	}
	b.ReportMetric(float64(tWith.Nanoseconds())/float64(i), "ns-with/read")
	b.ReportMetric(float64(tWithout.Nanoseconds())/float64(i), "ns-without/read")
	b.ReportMetric(100*(float64(tWith)/float64(tWithout)-1), "%overhead")
}

// BenchmarkAbuseRefusal times the refusal of each abuse document of issue
// 10 over real HTTP (the figures behind TestAbuseDocumentsAreRefusedBeforeTheWork).
func BenchmarkAbuseRefusal(b *testing.B) {
	srv := newServer(b, resolvers.Options{})
	sectors := make([]string, 50000)
	for i := range sectors {
		sectors[i] = fmt.Sprintf("s%d", i)
	}
	for _, bb := range []struct {
		name, query string
		vars        map[string]any
	}{
		{"RepeatedFields10000", "{ " + repeat("viewer { role }", 10000) + " }", nil},
		{"AliasedSchema1000", "{ " + aliased("__schema { types { name fields { name } } }", 1000) + " }", nil},
		{"PageSizes", "{ " + aliased(`targets(first: 500) { nodes { id name sector description assets { id name } incidents { id name } analyses { id title } } }`, 3) + " }", nil},
		{"Sectors50000", `mutation($in: AnalysisInput!) { createAnalysis(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"targetId": "t", "title": "x", "visibility": "SHARED", "sharedWithSectors": sectors}}},
		{"InlineThreats5000", `mutation($in: AssessIncidentInput!) { assessIncident(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"analysisId": "a", "incidentId": "i", "axis1": 1, "axis2": 1, "threats": inlineThreats(5000)}}},
	} {
		body, err := json.Marshal(map[string]any{"query": bb.query, "variables": bb.vars})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() { // the request is encoded once: the figure is the server's
				if _, r := postRaw(b, srv, "", body); r.code() == "" {
					b.Fatal("not refused")
				}
			}
		})
	}
}
