package bench

import (
	"encoding/json"
	"fmt"
)

// selection is the nested read's selection of a target, the same for
// ssfgraph and the floor.
const selection = `id name analyses { id title notApplicable { reason clause { ref } } assessments {
    id category incident { name } threats { name }
    treatments { status measure { name clauses { clause { ref } } } }
  } }`

// OneTargetQuery is the nested read of one target (variables: id).
const OneTargetQuery = `query($id: ID!) { target(id: $id) { ` + selection + ` } }`

// AllTargetsQuery is the nested read of the targets that match a word
// (variables: text, first).
const AllTargetsQuery = `query($text: String!, $first: Int!) { targets(text: $text, first: $first) { nodes { ` + selection + ` } } }`

// peerSelection is selection in the peer's schema (bench/peer/server.mjs):
// every relationship is a list there, and the not-applicable reason is a
// relationship property, read through the connection. Lists are sorted by
// id as ssfgraph sorts them; analyses are filtered by the caller's
// visibility as the floor filters them.
const peerSelection = `id name analyses(where: {OR: [{visibility: {eq: "PUBLIC"}}, {organizationId: {eq: $org}}]}, sort: [{id: ASC}]) {
    id title notApplicable: notApplicableConnection(sort: [{node: {id: ASC}}]) { edges { properties { reason } node { ref } } }
    assessments(sort: [{id: ASC}]) { id category incident { name } threats(sort: [{id: ASC}]) { name }
      treatments(sort: [{id: ASC}]) { status measure { name clauses(sort: [{id: ASC}]) { ref } } }
  } }`

// PeerOneTargetQuery is OneTargetQuery for the peer (variables: id, org).
const PeerOneTargetQuery = `query($id: ID!, $org: String!) { targets(where: {id: {eq: $id}}) { ` + peerSelection + ` } }`

// PeerAllTargetsQuery is AllTargetsQuery for the peer (variables: prefix,
// org): the data set's targets by id prefix, sorted by id.
const PeerAllTargetsQuery = `query($prefix: ID!, $org: String!) { targets(where: {id: {startsWith: $prefix}}, sort: [{id: ASC}]) { ` + peerSelection + ` } }`

// Body returns a GraphQL request body.
func Body(query string, variables map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"query": query, "variables": variables})
	if err != nil {
		panic(err) // only strings and numbers
	}
	return b
}

// CountAnswer counts what a nested-read answer (of ssfgraph, the floor or
// the peer) holds: targets are the objects with an "analyses" field, and
// analyses, assessments, treatments and clauses the elements of the fields
// of those names (an object counts as one). It fails on GraphQL errors and
// on answers without data.
func CountAnswer(raw []byte) (Counts, error) {
	var resp struct {
		Data   any
		Errors []struct{ Message string }
	}
	if err := json.Unmarshal(raw, &resp); err != nil {
		return Counts{}, fmt.Errorf("bench: answer is not JSON: %w: %.200s", err, raw)
	}
	if len(resp.Errors) > 0 {
		return Counts{}, fmt.Errorf("bench: answer has errors: %s", resp.Errors[0].Message)
	}
	if resp.Data == nil {
		return Counts{}, fmt.Errorf("bench: answer has no data: %.200s", raw)
	}
	var c Counts
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			if _, ok := v["analyses"]; ok {
				c.Targets++
			}
			for k, e := range v {
				n := 1
				if l, ok := e.([]any); ok {
					n = len(l)
				} else if e == nil {
					n = 0
				}
				switch k {
				case "analyses":
					c.Analyses += n
				case "assessments":
					c.Assessments += n
				case "treatments":
					c.Treatments += n
				case "clauses":
					c.Clauses += n
				}
				walk(e)
			}
		}
	}
	walk(resp.Data)
	return c, nil
}

// AssessQuery is ssfgraph's assessIncident, re-rating an incident that an
// analysis already assesses (variables: in, an AssessIncidentInput). The
// input replaces the assessment's threats, assets and treatments, so
// AssessBodies sends the ones it has.
const AssessQuery = `mutation($in: AssessIncidentInput!) { assessIncident(input: $in) { id category } }`

// PeerAssessQuery is the peer's generated mutation that does the same to
// the assessment node (variables: id, x, y, c).
const PeerAssessQuery = `mutation($id: ID!, $x: Int!, $y: Int!, $c: Int!) {
  updateAssessments(where: {id: {eq: $id}}, update: {axis1: {set: $x}, axis2: {set: $y}, category: {set: $c}, rationale: {set: "bench"}}) {
    assessments { id category } } }`

// AssessBodies returns the re-rating writes: client c writes to the data
// set's analysis number c (modulo their number), so that concurrent
// clients do not wait for each other's locks, the seq-th time to its
// incident seq (modulo their number) with levels that change from one
// write to the next.
func (d *Dataset) AssessBodies(peer bool) Bodies {
	s := d.Size
	return func(client, seq int) []byte {
		n := client % (s.Targets * s.AnalysesPerTarget)
		aid := analysisID(d.Targets[n/s.AnalysesPerTarget], n%s.AnalysesPerTarget)
		k := seq % s.AssessmentsPerAnalysis
		x, y := 1+seq%4, 1+(seq/4)%4
		if peer {
			return Body(PeerAssessQuery, map[string]any{"id": fmt.Sprintf("%s:as-%03d", aid, k), "x": x, "y": y, "c": max(x, y)})
		}
		p, tid := d.Prefix, d.Targets[n/s.AnalysesPerTarget]
		return Body(AssessQuery, map[string]any{"in": map[string]any{
			"analysisId": aid, "incidentId": fmt.Sprintf("%s-inc-%03d", tid, k), "axis1": x, "axis2": y, "rationale": "bench",
			"threats":  []map[string]any{{"id": p + "bth-" + fmt.Sprint(k%3)}, {"id": p + "bth-" + fmt.Sprint((k+1)%3)}},
			"assetIds": []string{tid + "-asset"},
			"treatments": []map[string]any{
				{"measureId": p + "bm-" + fmt.Sprint(k%3), "status": "IMPLEMENTED"},
				{"measureId": p + "bm-" + fmt.Sprint((k+2)%3), "status": "IMPLEMENTED"},
			},
		}})
	}
}
