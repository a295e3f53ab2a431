package resolvers

import (
	"context"

	"github.com/ssfgraph/ssfgraph/compare"
	"github.com/ssfgraph/ssfgraph/graph/model"
)

// Submitted records. An assessment of a submitted analysis keeps what it
// rated as it was at submission (model.AsSubmitted); the fields that show
// its incident, threats, assets and measures read that, in the analysis
// itself and in comparisons, so that a later edit of a shared node does
// not change what another organization submitted. A draft reads the shared
// nodes as they are. The assessment comes with its snapshot (one property),
// so these reads cost no round trip beyond the assessment's own; a
// treatment's loads its assessment through the batched node loader, and a
// comparison entry carries its assessment's (compare.Entry.Submitted,
// read with the comparison).

func assessmentIncident(ctx context.Context, s *model.Assessment) (*model.Incident, error) {
	if s.AsSubmitted != nil && s.AsSubmitted.Incident != nil {
		return s.AsSubmitted.Incident, nil
	}
	return loadNode[model.Incident](ctx, ref(ctx, s, func(a *model.Assessment) string { return a.IncidentID }))
}

func assessmentThreats(ctx context.Context, s *model.Assessment) ([]*model.Threat, error) {
	if s.AsSubmitted != nil {
		return s.AsSubmitted.Threats, nil
	}
	return loadRelatedOf[model.Threat](ctx, model.AssessmentThreats, s)
}

func assessmentAssets(ctx context.Context, s *model.Assessment) ([]*model.Asset, error) {
	if s.AsSubmitted != nil {
		return s.AsSubmitted.Assets, nil
	}
	return loadRelatedOf[model.Asset](ctx, model.AssessmentAssets, s)
}

// changedSinceSubmission reports whether the shared nodes s rated differ
// now from what it keeps (model.AsSubmitted.Differs); false for a draft.
func changedSinceSubmission(ctx context.Context, s *model.Assessment) (bool, error) {
	was := s.AsSubmitted
	if was == nil {
		return false, nil
	}
	ids := []string{s.IncidentID}
	for _, t := range was.Threats {
		ids = append(ids, t.ID)
	}
	for _, x := range was.Assets {
		ids = append(ids, x.ID)
	}
	for _, m := range was.Measures {
		ids = append(ids, m.ID)
	}
	loadersFrom(ctx).nodes.Prime(ctx, ids...)
	incident, err := loadNode[model.Incident](ctx, s.IncidentID)
	if err != nil {
		return false, err
	}
	threats, err := loadNodes[model.Threat](ctx, ids)
	if err != nil {
		return false, err
	}
	assets, err := loadNodes[model.Asset](ctx, ids)
	if err != nil {
		return false, err
	}
	measures, err := loadNodes[model.Measure](ctx, ids)
	if err != nil {
		return false, err
	}
	return was.Differs(incident, threats, assets, measures), nil
}

// entrySubmitted returns what the assessment a comparison entry shows
// rated at submission (the comparison read it with the assessment, and
// decodes it now, once: model.SubmittedJSON), or nil for a draft's entry.
func entrySubmitted(e *compare.Entry) *model.AsSubmitted {
	was, _ := e.Submitted.(*model.SubmittedJSON)
	return was.Decode()
}

func treatmentMeasure(ctx context.Context, tr *model.Treatment) (*model.Measure, error) {
	s, err := loadNode[model.Assessment](ctx, ref(ctx, tr, func(t *model.Treatment) string { return t.AssessmentID }))
	if err != nil {
		return nil, err
	}
	if s != nil && s.AsSubmitted != nil {
		if m := s.AsSubmitted.Measure(tr.MeasureID); m != nil {
			return m, nil
		}
	}
	return loadNode[model.Measure](ctx, tr.MeasureID)
}

func entryIncident(ctx context.Context, e *compare.Entry) (*model.Incident, error) {
	if was := entrySubmitted(e); was != nil {
		return was.Incident, nil
	}
	return loadNode[model.Incident](ctx, ref(ctx, e, func(e *compare.Entry) string { return e.Incident }))
}

func entryThreats(ctx context.Context, e *compare.Entry) ([]*model.Threat, error) {
	if was := entrySubmitted(e); was != nil {
		return was.Threats, nil
	}
	return loadNodes[model.Threat](ctx, e.Threats)
}

func entryAssets(ctx context.Context, e *compare.Entry) ([]*model.Asset, error) {
	if was := entrySubmitted(e); was != nil {
		return was.Assets, nil
	}
	return loadNodes[model.Asset](ctx, e.Assets)
}

// targetIncidents returns the incidents of target t that the caller may
// read: one created inline in a private analysis only for who may read it
// (model.InlineReadable).
func targetIncidents(ctx context.Context, t *model.Target) ([]*model.Incident, error) {
	is, err := loadRelatedOf[model.Incident](ctx, model.TargetIncidents, t)
	if err != nil {
		return nil, err
	}
	return readableInline(ctx, is)
}

// entryMeasures returns a comparison entry's measures, each as its
// submitted assessment rated it (nil for a draft's).
func entryMeasures(e *compare.Entry) []*model.ComparedMeasure {
	was := entrySubmitted(e)
	out := make([]*model.ComparedMeasure, len(e.Measures))
	for i, m := range e.Measures {
		out[i] = &model.ComparedMeasure{MeasureRef: m, AssessmentID: e.Assessment}
		if was != nil {
			out[i].AsSubmitted = was.Measure(m.ID)
		}
	}
	return out
}

// comparedMeasure returns the measure of a comparison entry as its
// assessment shows it: as submitted for a submitted analysis, as it is
// for a draft (queued with its siblings' on the node loader).
func comparedMeasure(ctx context.Context, m *model.ComparedMeasure) (*model.Measure, error) {
	if m.AsSubmitted != nil {
		return m.AsSubmitted, nil
	}
	return loadNode[model.Measure](ctx, ref(ctx, m, func(m *model.ComparedMeasure) string { return m.ID }))
}
