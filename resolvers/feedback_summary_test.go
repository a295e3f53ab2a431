package resolvers_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

const fsQuery = `query($targetId: ID, $sector: String, $kind: FeedbackKind, $since: Time, $first: Int, $after: String) {
  feedbackSummary(targetId: $targetId, sector: $sector, kind: $kind, since: $since) {
    cells { kind sector status count } totalCount undecidedCount
    byStatus { status count } byKind { kind count } bySector { sector count }
    items(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id answeredBy { id } } }
  } }`

// fsSummary is what fsQuery returns.
type fsSummary struct {
	Cells []struct {
		Kind, Sector, Status string
		Count                int
	}
	TotalCount, UndecidedCount int
	ByStatus                   []struct {
		Status string
		Count  int
	}
	ByKind []struct {
		Kind  string
		Count int
	}
	BySector []struct {
		Sector string
		Count  int
	}
	Items struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   *string
		}
		Nodes []struct {
			ID         string
			AnsweredBy *idJSON
		}
	}
}

// summary reads feedbackSummary as token with the given arguments.
func (w *fbWorld) summary(t *testing.T, token string, args map[string]any) fsSummary {
	t.Helper()
	if _, ok := args["first"]; !ok {
		args["first"] = 500
	}
	_, r := postAs(t, w.srv, token, fsQuery, args)
	var got struct{ FeedbackSummary fsSummary }
	r.decode(t, &got)
	return got.FeedbackSummary
}

// cells renders a summary's cells as "KIND sector STATUS n" lines, with
// the test's prefix cut from the sectors.
func (w *fbWorld) cells(s fsSummary) []string {
	out := make([]string, 0, len(s.Cells))
	for _, c := range s.Cells {
		out = append(out, fmt.Sprintf("%s %s %s %d", c.Kind, strings.TrimPrefix(c.Sector, w.prefix), c.Status, c.Count))
	}
	return out
}

func fsItemIDs(s fsSummary) []string {
	ids := make([]string, 0, len(s.Items.Nodes))
	for _, n := range s.Items.Nodes {
		ids = append(ids, n.ID)
	}
	slices.Sort(ids)
	return ids
}

func TestFeedbackSummary(t *testing.T) {
	t.Parallel()
	w := newFBWorld(t)
	author, outsider, owner := w.tokens["authorAnalyst"], w.tokens["outsiderAnalyst"], w.tokens["ownerAnalyst"]
	before := time.Now().Add(-time.Minute)

	// The author (sector medical) on the shared analysis and its
	// assessment, the target and an incident; the outsider (factory) on
	// the target, the second incident and a catalog threat; the owner
	// (home) on its private analysis.
	revise := w.submit(t, author, "REVISION_REQUEST", "Add the fire escape.", w.analysis)
	accepted := w.submit(t, author, "REVISION_REQUEST", "Rate it higher.", w.assessed)
	declined := w.submit(t, author, "MERIT_DEMERIT", "Clear rationale.", w.analysis)
	acked := w.submit(t, author, "NEW_RISK", "Smoke.", w.target)
	onIncident := w.submit(t, author, "MERIT_DEMERIT", "Good narrative.", w.incident)
	outTarget := w.submit(t, outsider, "NEW_RISK", "Flooding.", w.target)
	outIncident := w.submit(t, outsider, "PROBLEM_OR_HESITATION", "Unclear scope.", w.incident2)
	outThreat := w.submit(t, outsider, "NEW_RISK", "A new technique.", w.threat)
	private := w.submit(t, owner, "MERIT_DEMERIT", "Note to self.", w.private)
	fbWantNoErrors(t, w.respond(t, owner, accepted.ID, "ACCEPTED", nil))
	fbWantNoErrors(t, w.respond(t, owner, declined.ID, "DECLINED", fbPtr("Out of scope.")))
	fbWantNoErrors(t, w.respond(t, w.tokens["curator"], acked.ID, "ACKNOWLEDGED", nil))

	underTarget := []string{revise.ID, accepted.ID, declined.ID, acked.ID, onIncident.ID, outTarget.ID, outIncident.ID, private.ID}
	slices.Sort(underTarget)

	t.Run("ByTargetAsAdmin", func(t *testing.T) {
		s := w.summary(t, w.tokens["admin"], map[string]any{"targetId": w.target})
		want := []string{
			"MERIT_DEMERIT home OPEN 1",
			"MERIT_DEMERIT medical OPEN 1",
			"MERIT_DEMERIT medical DECLINED 1",
			"NEW_RISK factory OPEN 1",
			"NEW_RISK medical ACKNOWLEDGED 1",
			"PROBLEM_OR_HESITATION factory OPEN 1",
			"REVISION_REQUEST medical OPEN 1",
			"REVISION_REQUEST medical ACCEPTED 1",
		}
		if got := w.cells(s); !slices.Equal(got, want) {
			t.Errorf("cells\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if s.TotalCount != 8 || s.UndecidedCount != 6 {
			t.Errorf("totalCount %d undecidedCount %d, want 8 6", s.TotalCount, s.UndecidedCount)
		}
		byStatus := fmt.Sprint(s.ByStatus)
		if byStatus != "[{OPEN 5} {ACKNOWLEDGED 1} {ACCEPTED 1} {DECLINED 1}]" {
			t.Errorf("byStatus %s", byStatus)
		}
		if got := fmt.Sprint(s.ByKind); got != "[{MERIT_DEMERIT 3} {NEW_RISK 2} {PROBLEM_OR_HESITATION 1} {REVISION_REQUEST 2}]" {
			t.Errorf("byKind %s", got)
		}
		if got := fmt.Sprint(s.BySector); got != fmt.Sprintf("[{%sfactory 2} {%shome 1} {%smedical 5}]", w.prefix, w.prefix, w.prefix) {
			t.Errorf("bySector %s", got)
		}
		if got := fsItemIDs(s); !slices.Equal(got, underTarget) || s.Items.TotalCount != 8 {
			t.Errorf("items %v (total %d), want %v", got, s.Items.TotalCount, underTarget)
		}
	})

	t.Run("InvisibleFeedbackIsNotCounted", func(t *testing.T) {
		// The outsider reads neither the analysis shared with the author
		// (nor the feedback about it and its assessment) nor the owner's
		// private analysis: only its own feedback and the author's on the
		// target and the incident.
		s := w.summary(t, outsider, map[string]any{"targetId": w.target})
		want := []string{
			"MERIT_DEMERIT medical OPEN 1",
			"NEW_RISK factory OPEN 1",
			"NEW_RISK medical ACKNOWLEDGED 1",
			"PROBLEM_OR_HESITATION factory OPEN 1",
		}
		if got := w.cells(s); !slices.Equal(got, want) {
			t.Errorf("cells %v, want %v", got, want)
		}
		wantIDs := []string{acked.ID, onIncident.ID, outTarget.ID, outIncident.ID}
		slices.Sort(wantIDs)
		if got := fsItemIDs(s); s.TotalCount != 4 || !slices.Equal(got, wantIDs) {
			t.Errorf("totalCount %d, items %v, want 4 %v", s.TotalCount, got, wantIDs)
		}
		// The author reads the shared analysis, not the private one.
		if s := w.summary(t, author, map[string]any{"targetId": w.target}); s.TotalCount != 7 || slices.Contains(fsItemIDs(s), private.ID) {
			t.Errorf("author: totalCount %d, items %v; want 7 without %s", s.TotalCount, fsItemIDs(s), private.ID)
		}
	})

	t.Run("Filters", func(t *testing.T) {
		admin := w.tokens["admin"]
		for _, tt := range []struct {
			name string
			args map[string]any
			want []string
		}{
			{"Kind", map[string]any{"targetId": w.target, "kind": "REVISION_REQUEST"},
				[]string{"REVISION_REQUEST medical OPEN 1", "REVISION_REQUEST medical ACCEPTED 1"}},
			// The sector alone reaches beyond the target: the threat is a catalog node.
			{"Sector", map[string]any{"sector": w.prefix + "factory"},
				[]string{"NEW_RISK factory OPEN 2", "PROBLEM_OR_HESITATION factory OPEN 1"}},
			{"SectorAndKind", map[string]any{"sector": w.prefix + "factory", "kind": "NEW_RISK"}, []string{"NEW_RISK factory OPEN 2"}},
			{"SincePast", map[string]any{"targetId": w.target, "kind": "NEW_RISK", "since": before.Format(time.RFC3339)},
				[]string{"NEW_RISK factory OPEN 1", "NEW_RISK medical ACKNOWLEDGED 1"}},
			{"SinceFuture", map[string]any{"targetId": w.target, "since": time.Now().Add(time.Hour).Format(time.RFC3339)}, []string{}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				s := w.summary(t, admin, tt.args)
				if got := w.cells(s); !slices.Equal(got, tt.want) {
					t.Errorf("cells %v, want %v", got, tt.want)
				}
				n := 0
				for _, c := range s.Cells {
					n += c.Count
				}
				if s.TotalCount != n || s.Items.TotalCount != n || len(s.Items.Nodes) != n {
					t.Errorf("totalCount %d, items %d of %d; want %d", s.TotalCount, len(s.Items.Nodes), s.Items.TotalCount, n)
				}
			})
		}
		if s := w.summary(t, admin, map[string]any{"sector": w.prefix + "factory"}); !slices.Contains(fsItemIDs(s), outThreat.ID) {
			t.Errorf("sector items %v lack the feedback on the threat", fsItemIDs(s))
		}
	})

	t.Run("ItemsPage", func(t *testing.T) {
		s := w.summary(t, w.tokens["admin"], map[string]any{"targetId": w.target, "first": 3})
		if s.TotalCount != 8 || s.Items.TotalCount != 8 || len(s.Items.Nodes) != 3 || !s.Items.PageInfo.HasNextPage {
			t.Fatalf("first page: %+v", s.Items)
		}
		next := w.summary(t, w.tokens["admin"], map[string]any{"targetId": w.target, "first": 500, "after": *s.Items.PageInfo.EndCursor})
		ids := append(fsItemIDs(s), fsItemIDs(next)...)
		slices.Sort(ids)
		if !slices.Equal(ids, underTarget) || next.Items.PageInfo.HasNextPage {
			t.Errorf("two pages %v, want %v", ids, underTarget)
		}
	})

	t.Run("UnknownTarget", func(t *testing.T) {
		_, r := postAs(t, w.srv, w.tokens["admin"], fsQuery, map[string]any{"targetId": w.prefix + "nope"})
		fbWantError(t, r, "NOT_FOUND", "targetId")
	})
}

// fbWantNoErrors fails on a response with errors.
func fbWantNoErrors(t *testing.T, r gqlResponse) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
}
