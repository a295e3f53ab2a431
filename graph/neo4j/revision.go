package neo4j

import (
	"context"
	"fmt"
	"slices"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// bumpRevisionsCypher counts up the revision of each target, creating its
// counter at 1. The uniqueness constraint on targetId makes concurrent
// MERGEs of one target take turns.
const bumpRevisionsCypher = `
UNWIND $targets AS id
MERGE (r:` + model.LabelTargetRevision + ` {targetId: id})
SET r.revision = coalesce(r.revision, 0) + 1`

// bumpRevisions counts up, in t's transaction and in one statement, the
// revision of every target t recorded as touched (touchTargets): the
// revision that comparisons of the target show (TargetAnalyses), which
// therefore grows with each committed change whatever process wrote it
// and survives restarts. inTx calls it before the audit event.
func (t *txn) bumpRevisions(ctx context.Context) error {
	if len(t.change.Targets) == 0 {
		return nil
	}
	targets := slices.Compact(slices.Sorted(slices.Values(t.change.Targets)))
	if _, err := t.run(ctx, bumpRevisionsCypher, map[string]any{"targets": targets}); err != nil {
		return fmt.Errorf("revisions of %d targets: %w", len(targets), err)
	}
	return nil
}
