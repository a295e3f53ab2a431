package neo4j

import (
	"context"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// analysisFeedbackCypher returns the feedback about an analysis or any of
// its assessments, oldest first.
const analysisFeedbackCypher = `
MATCH (a:` + model.LabelAnalysis + ` {id: $id})
CALL (a) {
  MATCH (f:` + model.LabelFeedback + `)-[:` + model.RelAbout + `]->(a) RETURN f
  UNION
  MATCH (f:` + model.LabelFeedback + `)-[:` + model.RelAbout + `]->(:` + model.LabelAssessment + `)<-[:` + model.RelHasAssessment + `]-(a) RETURN f
}
RETURN f ORDER BY f.createdAt, f.id`

// AnalysisFeedback returns the feedback about an analysis or any of its
// assessments, oldest first, in one round trip. Whoever may read the
// analysis may read it (model.Feedback.ReadableBy); the caller checks the
// analysis.
func (db *DB) AnalysisFeedback(ctx context.Context, analysisID string) ([]*model.Feedback, error) {
	recs, err := db.read(ctx, "neo4j.AnalysisFeedback", "analysis "+analysisID, analysisFeedbackCypher, map[string]any{"id": analysisID})
	if err != nil {
		return nil, err
	}
	out := make([]*model.Feedback, 0, len(recs))
	for _, r := range recs {
		if n, ok := r.Values[0].(neo4j.Node); ok {
			if f, ok := decode(n).(*model.Feedback); ok {
				out = append(out, f)
			}
		}
	}
	return out, nil
}
