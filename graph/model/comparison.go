package model

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/ssfgraph/ssfgraph/compare"
)

// AnalysisSnapshot is one analysis with everything a comparison reads of
// it, loaded in one piece.
type AnalysisSnapshot struct {
	Analysis    *Analysis
	Assessments []AssessmentSnapshot
}

// AssessmentSnapshot is an assessment with the ids it refers to.
type AssessmentSnapshot struct {
	ID                string
	IncidentID        string
	Axis1, Axis2      int
	Category          int
	OwnerDepartmentID string
	Rationale         string
	ThreatIDs         []string
	AssetIDs          []string
	Treatments        []TreatmentRef
	// Submitted is what the assessment rated, for a submitted analysis
	// (Assessment.AsSubmitted), decoded when first asked for; nil for a
	// draft.
	Submitted *SubmittedJSON
}

// SubmittedJSON is an AsSubmitted as the store keeps it (JSON), decoded
// the first time Decode is called: a comparison that shows nothing as
// submitted (its statistics, the summary fields) never decodes it, and
// decoding 10,000 of them was most of the time of a cold comparison of
// ten submitted analyses of 1,000 incidents. Its methods are safe for
// concurrent use.
type SubmittedJSON struct {
	raw  string
	once sync.Once
	v    *AsSubmitted
}

// NewSubmittedJSON returns the SubmittedJSON of raw, the JSON of an
// AsSubmitted.
func NewSubmittedJSON(raw string) *SubmittedJSON { return &SubmittedJSON{raw: raw} }

// Decode returns what s holds, decoding it on the first call; nil for a
// nil s or JSON that does not decode.
func (s *SubmittedJSON) Decode() *AsSubmitted {
	if s == nil {
		return nil
	}
	s.once.Do(func() {
		var v AsSubmitted
		if json.Unmarshal([]byte(s.raw), &v) == nil {
			s.v = &v
		}
	})
	return s.v
}

// MarshalJSON encodes s as its stored JSON text (a JSON string), so that a
// digest of a snapshot (live.Snapshot.Digest) covers it without decoding
// it.
func (s *SubmittedJSON) MarshalJSON() ([]byte, error) { return json.Marshal(s.raw) }

// ComparedMeasure is a measure as a comparison entry shows it: the entry's
// reference to it and the assessment the entry shows, whose AsSubmitted
// holds the measure as it was at submission.
type ComparedMeasure struct {
	compare.MeasureRef
	AssessmentID string
	// AsSubmitted is the measure as its submitted assessment rated it; nil
	// for a draft's (which shows the measure as it is).
	AsSubmitted *Measure
}

// TreatmentRef is a measure applied to an assessment, by id.
type TreatmentRef struct {
	MeasureID   string
	Perspective string
	Status      TreatmentStatus
}

// ComparisonReader loads analyses for comparison, each call in one round
// trip to Neo4j. Its methods are safe for concurrent use.
type ComparisonReader interface {
	// TargetAnalyses returns every analysis of the target, drafts and
	// every visibility included (callers filter), ordered by id, and the
	// target's revision as stored: a count of the committed writes that
	// touched the target's comparisons, which only grows (0 before the
	// first). It returns ENOTFOUND when the target does not exist.
	TargetAnalyses(ctx context.Context, targetID string) (analyses []*AnalysisSnapshot, revision int, err error)
	// AnalysisSnapshots returns the analyses with the given ids that exist,
	// in the order of ids.
	AnalysisSnapshots(ctx context.Context, ids []string) ([]*AnalysisSnapshot, error)
}

// TargetComparison is the comparison of the analyses of one target at one
// revision, as the API serves it.
type TargetComparison struct {
	TargetID   string
	Revision   int
	ComputedAt time.Time
	Comparison compare.Comparison
	// Shared, when set, holds the nodes the comparison names, loaded once
	// for every receiver of one subscription event (live.Snapshot); the
	// field resolvers take them from it instead of loading them for each
	// receiver. Queries leave it nil and read their own.
	Shared NodeSource
}

// NodeLoad loads nodes by id in one round trip (ReadService.Nodes).
type NodeLoad func(ctx context.Context, ids []string) (map[string]Node, error)

// NodeSource holds nodes loaded for many readers at once.
type NodeSource interface {
	// Nodes returns the nodes, loading them with load when it has none
	// fresh; the map is shared and must not be changed.
	Nodes(ctx context.Context, load NodeLoad) (map[string]Node, error)
}
