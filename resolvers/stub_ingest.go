package resolvers

import (
	"context"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// Stub for importDocument: replace this file with resolvers/ingest.go.
func (r *mutationResolver) importDocument(ctx context.Context, format *model.ImportFormat, content string, name *string, dryRun *bool) (*ingest.Report, error) {
	return nil, model.Errorf(model.EINTERNAL, "importDocument is not implemented yet")
}
