package resolvers

import (
	"context"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// feedbackAbout checks that the caller may give feedback on, or an opinion
// of, the node with the given id: an analysis they may read, an assessment
// of one, or a shared catalog, scale or target node. It returns ENOTFOUND
// naming input.aboutId otherwise. The store checks the same again in its
// transaction.
func feedbackAbout(ctx context.Context, id string) error {
	n, err := visibleNode(ctx, id)
	if err != nil {
		return err
	}
	switch n.(type) {
	case *model.Analysis, *model.Assessment,
		*model.Target, *model.Asset, *model.Incident,
		*model.Threat, *model.Measure, *model.Guideline, *model.Clause,
		*model.AxisScale, *model.AxisLevel:
		return nil
	}
	return model.FieldErrorf(model.ENOTFOUND, "input.aboutId", "no analysis, assessment, catalog, scale or target node %q that you may see", id)
}

// submitFeedback lets any signed-in caller give feedback on what they may
// see; it is routed to the owner and announced once committed.
func (r *mutationResolver) submitFeedback(ctx context.Context, input model.FeedbackInput) (*model.Feedback, error) {
	p, err := model.Require(ctx)
	if err != nil {
		return nil, err
	}
	if err := feedbackAbout(ctx, input.AboutID); err != nil {
		return nil, err
	}
	fb, err := r.Store.SubmitFeedback(ctx, p, input)
	if err != nil {
		return nil, err
	}
	return fb, nil
}

// respondToFeedback lets the owner answer feedback: writers of the
// organization it is routed to, or curators (and admins) for feedback on
// shared nodes. An answeredById must name an analysis the caller may read
// (NOT_FOUND otherwise).
func (r *mutationResolver) respondToFeedback(ctx context.Context, input model.FeedbackResponseInput) (*model.Feedback, error) {
	if _, err := model.Require(ctx); err != nil {
		return nil, err
	}
	fb, err := readableNode[model.Feedback](ctx, "input.id", "feedback", input.ID)
	if err != nil {
		return nil, err
	}
	if fb.RoutedToID != nil && *fb.RoutedToID != "" {
		if _, err := model.RequireWriter(ctx, *fb.RoutedToID); err != nil {
			return nil, err
		}
	} else if _, err := model.Require(ctx, model.RoleCurator, model.RoleAdmin); err != nil {
		return nil, err
	}
	if input.AnsweredByID != nil {
		// The store checks that it is a later version of the analysis the
		// feedback concerns; here, that the caller may read it.
		if _, err := readableAnalysis(ctx, "input.answeredById", *input.AnsweredByID); err != nil {
			return nil, err
		}
	}
	return r.Store.RespondToFeedback(ctx, input)
}

// expressOpinion lets the writers of the caller's organization (and
// admins) record its opinion of what they may see: an opinion speaks for
// the organization, so the rule is withdrawOpinion's (a viewer, who only
// reads, could otherwise replace the opinion its analysts gave).
func (r *mutationResolver) expressOpinion(ctx context.Context, input model.OpinionInput) (*model.Opinion, error) {
	p, err := model.Require(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := model.RequireWriter(ctx, p.OrganizationID); err != nil {
		return nil, err
	}
	if err := feedbackAbout(ctx, input.AboutID); err != nil {
		return nil, err
	}
	return r.Store.ExpressOpinion(ctx, p, input)
}

// withdrawOpinion lets the writers of the opinion's organization (and
// admins) delete it. An opinion the caller may not read is NOT_FOUND, as a
// missing one.
func (r *mutationResolver) withdrawOpinion(ctx context.Context, id string) (string, error) {
	if _, err := model.Require(ctx); err != nil {
		return "", err
	}
	op, err := readableNode[model.Opinion](ctx, "id", "opinion", id)
	if err != nil {
		return "", err
	}
	if _, err := model.RequireWriter(ctx, op.OrganizationID); err != nil {
		return "", err
	}
	if err := r.Store.WithdrawOpinion(ctx, id); err != nil {
		return "", err
	}
	return id, nil
}

// feedbackSummary counts the feedback the caller may read that the
// filters select (the store applies the feedback visibility rule in the
// same statement). An unknown target is NOT_FOUND.
func (r *queryResolver) feedbackSummary(ctx context.Context, targetID, sector *string, kind *model.FeedbackKind, since *time.Time) (*model.FeedbackSummary, error) {
	f := map[string]string{}
	if targetID != nil {
		t, err := loadNode[model.Target](ctx, *targetID)
		if err != nil {
			return nil, err
		}
		if t == nil {
			return nil, model.FieldErrorf(model.ENOTFOUND, "targetId", "no target %q", *targetID)
		}
		f["targetId"] = t.ID
	}
	if sector != nil {
		f["sector"] = *sector
	}
	if kind != nil {
		f["kind"] = string(*kind)
	}
	if since != nil {
		f["since"] = since.UTC().Format(time.RFC3339Nano)
	}
	cells, err := r.Store.FeedbackCounts(ctx, f, model.PrincipalFrom(ctx))
	if err != nil {
		return nil, err
	}
	return model.SummarizeFeedback(cells, f), nil
}

// feedbackSummaryItems reads one page of the feedback a summary counted,
// with the same filters and visibility.
func (r *feedbackSummaryResolver) feedbackSummaryItems(ctx context.Context, s *model.FeedbackSummary, pg paging) (*model.FeedbackConnection, error) {
	f := make(filters, len(s.Filters))
	for name, v := range s.Filters {
		f[name] = &v
	}
	c, err := list(ctx, r.Store, model.ListFeedback, pg, f, nil, feedbackEdge)
	return &model.FeedbackConnection{Nodes: c.nodes, Edges: c.edges, PageInfo: c.info, TotalCount: c.total}, err
}
