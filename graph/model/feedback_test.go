package model_test

import (
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

func TestSummarizeFeedback(t *testing.T) {
	cells := []*model.FeedbackCount{
		{Kind: model.FeedbackKindRevisionRequest, Sector: "home", Status: model.FeedbackStatusOpen, Count: 2},
		{Kind: model.FeedbackKindMeritDemerit, Sector: "medical", Status: model.FeedbackStatusDeclined, Count: 1},
		{Kind: model.FeedbackKindMeritDemerit, Sector: "home", Status: model.FeedbackStatusAccepted, Count: 1},
		{Kind: model.FeedbackKindMeritDemerit, Sector: "home", Status: model.FeedbackStatusOpen, Count: 3},
		{Kind: model.FeedbackKindRevisionRequest, Sector: "home", Status: model.FeedbackStatusOpen, Count: 1}, // merges with the first
	}
	s := model.SummarizeFeedback(cells, nil)
	var got []model.FeedbackCount
	for _, c := range s.Cells {
		got = append(got, *c)
	}
	want := []model.FeedbackCount{
		{Kind: model.FeedbackKindMeritDemerit, Sector: "home", Status: model.FeedbackStatusOpen, Count: 3},
		{Kind: model.FeedbackKindMeritDemerit, Sector: "home", Status: model.FeedbackStatusAccepted, Count: 1},
		{Kind: model.FeedbackKindMeritDemerit, Sector: "medical", Status: model.FeedbackStatusDeclined, Count: 1},
		{Kind: model.FeedbackKindRevisionRequest, Sector: "home", Status: model.FeedbackStatusOpen, Count: 3},
	}
	if len(got) != len(want) {
		t.Fatalf("cells %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("cell %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if s.TotalCount != 8 || s.UndecidedCount != 6 || len(s.ByStatus) != 4 || s.ByStatus[1].Count != 0 || len(s.ByKind) != 4 || s.ByKind[3].Count != 3 ||
		len(s.BySector) != 2 || s.BySector[0].Sector != "home" || s.BySector[0].Count != 7 {
		t.Errorf("totals %+v", s)
	}
}
