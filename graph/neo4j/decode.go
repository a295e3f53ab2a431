package neo4j

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// firstNode decodes the first column of the first record as a *T. It
// returns nil when there is no record, and an error when the column is not
// a node of T's kind.
func firstNode[T any](recs []*neo4j.Record) (*T, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	n, ok := recs[0].Values[0].(neo4j.Node)
	if !ok {
		return nil, fmt.Errorf("expected a node, got %T", recs[0].Values[0])
	}
	t, ok := any(decode(n)).(*T)
	if !ok {
		return nil, fmt.Errorf("node %v does not decode to %T", n.Labels, t)
	}
	return t, nil
}

// requireNode is firstNode for a statement that must return a row.
func requireNode[T any](recs []*neo4j.Record) (*T, error) {
	if len(recs) == 0 {
		return nil, errors.New("no record returned")
	}
	return firstNode[T](recs)
}

// txNode runs one statement in tx whose first column is a node and
// decodes it (firstNode); the node is recorded as changed.
func txNode[T any](ctx context.Context, tx *txn, cypher string, params map[string]any) (*T, error) {
	recs, err := tx.run(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	t, err := firstNode[T](recs)
	if n, ok := any(t).(model.Node); ok && t != nil {
		tx.touchNodes(n.GetID())
	}
	return t, err
}

// txOneNode is txNode for a statement that must return a row: none is an
// error, which rolls the transaction back.
func txOneNode[T any](ctx context.Context, tx *txn, cypher string, params map[string]any) (*T, error) {
	t, err := txNode[T](ctx, tx, cypher, params)
	if err == nil && t == nil {
		err = errors.New("no record returned")
	}
	return t, err
}

// decode turns a stored node into its model type, by label. It returns nil
// for a node of no API kind. Property names are the model fields' names in
// lowerCamelCase; references to other nodes are kept as id properties beside
// the relationships, so one node decodes alone.
func decode(n neo4j.Node) model.Node {
	for _, l := range n.Labels {
		if d := decodeAs(l, n.Props); d != nil {
			return d
		}
	}
	return nil
}

// decodeAs turns the properties of a node labelled l (all of them, or the
// ones a projection read) into its model type; nil for a label of no API
// kind.
func decodeAs(l string, np map[string]any) model.Node {
	p := props(np)
	switch l {
	case model.LabelOrganization:
		return &model.Organization{ID: p.str("id"), Name: p.str("name"), Sector: p.str("sector")}
	case model.LabelDepartment:
		return &model.Department{ID: p.str("id"), Name: p.str("name"), OrganizationID: p.str("organizationId")}
	case model.LabelTarget:
		return &model.Target{ID: p.str("id"), Name: p.str("name"), Sector: p.str("sector"), Description: p.str("description"), OwnerID: p.strPtr("ownerId")}
	case model.LabelAsset:
		return &model.Asset{ID: p.str("id"), TargetID: p.str("targetId"), Name: p.str("name"), Kind: p.str("kind"), Description: p.str("description")}
	case model.LabelIncident:
		return &model.Incident{ID: p.str("id"), TargetID: p.str("targetId"), Name: p.str("name"), Consequence: p.str("consequence"), Description: p.str("description"), PrivateTo: p.strs("privateTo")}
	case model.LabelThreat:
		return &model.Threat{ID: p.str("id"), Name: p.str("name"), Kind: p.str("kind"), Description: p.str("description"), ExternalID: p.strPtr("externalId"), Source: p.strPtr("source"),
			Revoked: p.bool("revoked"), Deprecated: p.bool("deprecated"), PrivateTo: p.strs("privateTo"), OwnerID: p.strPtr("ownerId")}
	case model.LabelMeasure:
		return &model.Measure{ID: p.str("id"), Name: p.str("name"), Description: p.str("description"), PerspectiveCode: p.str("perspective"), Kind: p.str("kind"),
			Revoked: p.bool("revoked"), Deprecated: p.bool("deprecated"), PrivateTo: p.strs("privateTo"), OwnerID: p.strPtr("ownerId")}
	case model.LabelGuideline:
		return &model.Guideline{ID: p.str("id"), Title: p.str("title"), Publisher: p.str("publisher"), Version: p.str("version"), OwnerID: p.strPtr("ownerId")}
	case model.LabelClause:
		return &model.Clause{ID: p.str("id"), GuidelineID: p.str("guidelineId"), ParentID: p.strPtr("parentId"), Ref: p.str("ref"), Title: p.str("title"), Text: p.str("text"),
			Withdrawn: p.bool("withdrawn")}
	case model.LabelAxisScale:
		return &model.AxisScale{ID: p.str("id"), Axis: p.int("axis"), Version: p.str("version"), Name: p.str("name"), Confirmed: p.bool("confirmed"), Source: p.str("source")}
	case model.LabelAxisLevel:
		return &model.AxisLevel{ID: p.str("id"), ScaleID: p.str("scaleId"), Axis: p.int("axis"), Rank: p.int("rank"), LabelEn: p.str("labelEn"), LabelJa: p.str("labelJa"),
			Description: p.str("description"), MinJpy: p.floatPtr("minJPY"), MaxJpy: p.floatPtr("maxJPY")}
	case model.LabelAnalysis:
		return &model.Analysis{ID: p.str("id"), Title: p.str("title"), Status: model.AnalysisStatus(p.str("status")), Version: p.int("version"),
			Visibility: model.Visibility(p.str("visibility")), SharedWithOrganizationIDs: p.strs("sharedWithOrganizationIds"), SharedWithSectors: p.strs("sharedWithSectors"),
			OrganizationID: p.str("organizationId"), TargetID: p.str("targetId"), SupersedesID: p.strPtr("supersedesId"),
			CreatedAt: p.time("createdAt"), UpdatedAt: p.time("updatedAt"), SubmittedAt: p.timePtr("submittedAt")}
	case model.LabelAssessment:
		return &model.Assessment{ID: p.str("id"), AnalysisID: p.str("analysisId"), IncidentID: p.str("incidentId"), Axis1Rank: p.int("axis1"), Axis2Rank: p.int("axis2"),
			Category: p.int("category"), EstimatedLossJpy: p.floatPtr("estimatedLossJPY"), Rationale: p.str("rationale"), OwnerDepartmentID: p.strPtr("ownerDepartmentId"),
			AsSubmitted: p.asSubmitted("snapshot")}
	case model.LabelTreatment:
		return &model.Treatment{ID: p.str("id"), AssessmentID: p.str("assessmentId"), MeasureID: p.str("measureId"), Status: model.TreatmentStatus(p.str("status")), PerspectiveCode: p.str("perspective")}
	case model.LabelInsurancePolicy:
		return &model.InsurancePolicy{ID: p.str("id"), Insurer: p.str("insurer"), HolderID: p.str("holderId"), Product: p.str("product"),
			PeriodStart: p.str("periodStart"), PeriodEnd: p.str("periodEnd"), AggregateLimitJpy: p.float("aggregateLimitJPY"),
			Visibility:                model.Visibility(cmp.Or(p.str("visibility"), string(model.VisibilityPrivate))),
			SharedWithOrganizationIDs: p.strs("sharedWithOrganizationIds"), SharedWithSectors: p.strs("sharedWithSectors")}
	case model.LabelCoverageLine:
		return &model.CoverageLine{ID: p.str("id"), PolicyID: p.str("policyId"), Type: p.str("type"), LimitJpy: p.float("limitJPY"), DeductibleJpy: p.float("deductibleJPY"), Exclusions: p.strs("exclusions")}
	case model.LabelFeedback:
		return &model.Feedback{ID: p.str("id"), Kind: model.FeedbackKind(p.str("kind")), Text: p.str("text"), Status: model.FeedbackStatus(p.str("status")), Answer: p.strPtr("answer"),
			AboutID: p.str("aboutId"), AboutVersion: p.intPtr("aboutVersion"), OrganizationID: p.str("organizationId"), Sector: p.str("sector"),
			RoutedToID: p.strPtr("routedToId"), RoutedToDepartmentID: p.strPtr("routedToDepartmentId"), CreatedAt: p.time("createdAt"), RespondedAt: p.timePtr("respondedAt"),
			AnsweredByID: p.strPtr("answeredById")}
	case model.LabelOpinion:
		return &model.Opinion{ID: p.str("id"), Stance: model.Stance(p.str("stance")), Rationale: p.str("rationale"), AboutID: p.str("aboutId"), OrganizationID: p.str("organizationId"), CreatedAt: p.time("createdAt")}
	}
	return nil
}

// firstColumn returns the first column of recs as strings.
func firstColumn(recs []*neo4j.Record) []string {
	out := make([]string, 0, len(recs))
	for _, r := range recs {
		s, _ := r.Values[0].(string)
		out = append(out, s)
	}
	return out
}

// props reads typed values from a node's properties; a missing or
// mistyped property reads as the zero value (or nil for pointers).
type props map[string]any

func (p props) str(k string) string { s, _ := p[k].(string); return s }

// asSubmitted decodes the JSON that snapshotAssessments stored under k; nil
// when there is none (or it does not decode).
func (p props) asSubmitted(k string) *model.AsSubmitted {
	s, ok := p[k].(string)
	if !ok {
		return nil
	}
	var out model.AsSubmitted
	if json.Unmarshal([]byte(s), &out) != nil {
		return nil
	}
	return &out
}

func (p props) strPtr(k string) *string {
	if s, ok := p[k].(string); ok {
		return &s
	}
	return nil
}

func (p props) int(k string) int { n, _ := p[k].(int64); return int(n) }

func (p props) intPtr(k string) *int {
	if n, ok := p[k].(int64); ok {
		v := int(n)
		return &v
	}
	return nil
}

func (p props) bool(k string) bool { b, _ := p[k].(bool); return b }

func (p props) float(k string) float64 {
	if f := p.floatPtr(k); f != nil {
		return *f
	}
	return 0
}

func (p props) floatPtr(k string) *float64 {
	switch v := p[k].(type) {
	case float64:
		return &v
	case int64:
		f := float64(v)
		return &f
	}
	return nil
}

func (p props) strs(k string) []string {
	raw, _ := p[k].([]any)
	out := make([]string, 0, len(raw))
	for _, v := range raw {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func (p props) time(k string) time.Time {
	if t := p.timePtr(k); t != nil {
		return *t
	}
	return time.Time{}
}

func (p props) timePtr(k string) *time.Time {
	if t, ok := p[k].(time.Time); ok {
		t = t.UTC()
		return &t
	}
	return nil
}
