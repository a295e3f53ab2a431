package neo4jbench

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// The floor answers the benchmark's two nested reads (OneTargetQuery and
// AllTargetsQuery, told apart by their variables) with one hand-written
// Cypher query each, projecting the JSON that ssfgraph returns: the least
// work any server could do for the same answer.

// floorProjection projects a target `t` as the nested read selects it, with
// every list in ssfgraph's order. $org is the caller's organization (""
// when anonymous): it sees PUBLIC analyses and its own.
const floorProjection = `
RETURN t {.id, .name, analyses: COLLECT {
  MATCH (t)<-[:` + model.RelAnalyzes + `]-(a:` + model.LabelAnalysis + `)
  WHERE a.visibility = 'PUBLIC' OR a.organizationId = $org
  WITH a ORDER BY a.id
  RETURN a {.id, .title,
    notApplicable: COLLECT {
      MATCH (a)-[r:` + model.RelNotApplicable + `]->(c:` + model.LabelClause + `)
      WITH r, c ORDER BY c.id
      RETURN {reason: r.reason, clause: {ref: c.ref}}
    },
    assessments: COLLECT {
      MATCH (a)-[:` + model.RelHasAssessment + `]->(s:` + model.LabelAssessment + `)
      WITH s ORDER BY s.id
      RETURN s {.id, .category,
        incident: COLLECT { MATCH (s)-[:` + model.RelOf + `]->(i:` + model.LabelIncident + `) RETURN i {.name} }[0],
        threats: COLLECT { MATCH (s)-[:` + model.RelCausedBy + `]->(th:` + model.LabelThreat + `) WITH th ORDER BY th.id RETURN th {.name} },
        treatments: COLLECT {
          MATCH (s)-[:` + model.RelTreatedBy + `]->(tr:` + model.LabelTreatment + `)-[:` + model.RelApplies + `]->(m:` + model.LabelMeasure + `)
          WITH tr, m ORDER BY m.id, tr.id
          RETURN {status: tr.status, measure: m {.name, clauses: COLLECT {
            MATCH (m)-[:` + model.RelSatisfies + `]->(c:` + model.LabelClause + `) WITH c ORDER BY c.id RETURN {clause: {ref: c.ref}}
          }}}
        }}
    }}
}} AS target`

// floorOneCypher reads one target by id.
const floorOneCypher = `
MATCH (t:` + model.LabelTarget + ` {id: $id})` + floorProjection

// floorAllCypher reads the targets that match $text in the full-text index,
// by id, at most $first of them (as ssfgraph's targets(text:, first:); ssf_text
// is graph/neo4j's full-text index).
const floorAllCypher = `
CALL db.index.fulltext.queryNodes('ssf_text', $text) YIELD node AS t
WITH t WHERE t:` + model.LabelTarget + `
WITH t ORDER BY t.id LIMIT $first` + floorProjection

// Floor returns the raw-Cypher floor: an http.Handler for POST /graphql
// that reads the nested-read request bodies the benchmark sends to
// ssfgraph. It does not parse GraphQL: a body whose variables hold "id"
// gets the one target, one whose variables hold "text" and "first" gets
// the targets. The caller is of organization org ("" for an anonymous
// caller): it sees PUBLIC analyses and its own. log may be nil. The
// handler is safe for concurrent use.
func (db *DB) Floor(org string, log *slog.Logger) http.Handler {
	return &floor{db: db, org: org, log: log}
}

type floor struct {
	db  *DB
	org string
	log *slog.Logger
}

// ServeHTTP implements http.Handler.
func (f *floor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Variables struct {
			ID    *string
			Text  *string
			First *int
		}
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		http.Error(w, "bad request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	v := req.Variables
	var (
		cypher string
		params = map[string]any{"org": f.org}
	)
	switch {
	case v.ID != nil:
		cypher, params["id"] = floorOneCypher, *v.ID
	case v.Text != nil && v.First != nil:
		cypher, params["text"], params["first"] = floorAllCypher, *v.Text, *v.First
	default:
		http.Error(w, `want variables {"id"} or {"text", "first"}`, http.StatusBadRequest)
		return
	}
	res, err := neo4j.ExecuteQuery(r.Context(), f.db.driver, cypher, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(f.db.database), neo4j.ExecuteQueryWithReadersRouting())
	if err != nil {
		if f.log != nil {
			f.log.ErrorContext(r.Context(), "floor", "err", err)
		}
		http.Error(w, "neo4j: "+err.Error(), http.StatusInternalServerError)
		return
	}
	var data any
	if v.ID != nil {
		var target any // null when there is none
		if len(res.Records) > 0 {
			target = res.Records[0].Values[0]
		}
		data = map[string]any{"target": target}
	} else {
		nodes := make([]any, len(res.Records))
		for i, rec := range res.Records {
			nodes[i] = rec.Values[0]
		}
		data = map[string]any{"targets": map[string]any{"nodes": nodes}}
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(map[string]any{"data": data}); err != nil && f.log != nil {
		f.log.WarnContext(r.Context(), "floor: writing the answer", "err", err)
	}
}
