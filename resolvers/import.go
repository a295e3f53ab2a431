package resolvers

import (
	"slices"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/ingest"
)

// importCounts lists a report's counts ordered by kind.
func importCounts(m map[string]ingest.Counts) []*model.ImportCount {
	kinds := make([]string, 0, len(m))
	for k := range m {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	out := make([]*model.ImportCount, len(kinds))
	for i, k := range kinds {
		c := m[k]
		out[i] = &model.ImportCount{Kind: k, Created: c.Created, Updated: c.Updated, Unchanged: c.Unchanged}
	}
	return out
}
