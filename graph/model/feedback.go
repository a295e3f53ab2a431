package model

import (
	"cmp"
	"slices"
)

// FeedbackSummary is what feedbackSummary returns: counts of the feedback
// a caller may read, by kind, author sector and status, with totals. Its
// items are read page by page with the same filters.
type FeedbackSummary struct {
	Cells          []*FeedbackCount
	TotalCount     int
	UndecidedCount int
	ByStatus       []*FeedbackStatusCount
	ByKind         []*FeedbackKindCount
	BySector       []*FeedbackSectorCount
	// Filters are the list filters (ListQuery.Filters of ListFeedback) the
	// counts were taken with, for reading the items. They are not a
	// GraphQL field.
	Filters map[string]string
}

// SummarizeFeedback orders cells (by kind in the order of
// AllFeedbackKind, then sector, then status in the order of
// AllFeedbackStatus), merges repeated ones, and totals them. filters are
// kept for reading the items.
func SummarizeFeedback(cells []*FeedbackCount, filters map[string]string) *FeedbackSummary {
	s := &FeedbackSummary{Cells: []*FeedbackCount{}, BySector: []*FeedbackSectorCount{}, Filters: filters}
	byCell := map[FeedbackCount]int{}
	for _, c := range cells {
		byCell[FeedbackCount{Kind: c.Kind, Sector: c.Sector, Status: c.Status}] += c.Count
	}
	byStatus, byKind, bySector := map[FeedbackStatus]int{}, map[FeedbackKind]int{}, map[string]int{}
	for k, n := range byCell {
		if n == 0 {
			continue
		}
		s.Cells = append(s.Cells, &FeedbackCount{Kind: k.Kind, Sector: k.Sector, Status: k.Status, Count: n})
		s.TotalCount += n
		byStatus[k.Status] += n
		byKind[k.Kind] += n
		bySector[k.Sector] += n
	}
	slices.SortFunc(s.Cells, func(a, b *FeedbackCount) int {
		return cmp.Or(
			cmp.Compare(position(AllFeedbackKind, a.Kind), position(AllFeedbackKind, b.Kind)),
			cmp.Compare(a.Sector, b.Sector),
			cmp.Compare(position(AllFeedbackStatus, a.Status), position(AllFeedbackStatus, b.Status)),
			cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Status, b.Status)) // values no enum names: last, still in order
	})
	for _, st := range AllFeedbackStatus {
		s.ByStatus = append(s.ByStatus, &FeedbackStatusCount{Status: st, Count: byStatus[st]})
	}
	s.UndecidedCount = byStatus[FeedbackStatusOpen] + byStatus[FeedbackStatusAcknowledged]
	for _, k := range AllFeedbackKind {
		s.ByKind = append(s.ByKind, &FeedbackKindCount{Kind: k, Count: byKind[k]})
	}
	for sector, n := range bySector {
		s.BySector = append(s.BySector, &FeedbackSectorCount{Sector: sector, Count: n})
	}
	slices.SortFunc(s.BySector, func(a, b *FeedbackSectorCount) int { return cmp.Compare(a.Sector, b.Sector) })
	return s
}

// position returns the index of v in list, or len(list) when it is not there.
func position[T comparable](list []T, v T) int {
	if i := slices.Index(list, v); i >= 0 {
		return i
	}
	return len(list)
}
