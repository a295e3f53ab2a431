package resolvers_test

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ssfgraph/ssfgraph/internal/browsertest"
	"github.com/ssfgraph/ssfgraph/internal/tstest"
)

// pairAgreementJSON is one rating's pairwise agreement as the API gives it.
type pairAgreementJSON struct {
	Kappa, Percent struct{ Value *float64 }
}

// apiComparison is the part of compareAnalyses the comparison page's
// statistics are checked against.
type apiComparison struct {
	Revision int
	Analyses []struct{ Analysis struct{ ID string } }
	Pairs    []struct {
		A, B                   string
		Axis1, Axis2, Category pairAgreementJSON
	}
}

// ids returns the ids of the analyses compared, in the API's order.
func (c apiComparison) ids() []string {
	var ids []string
	for _, a := range c.Analyses {
		ids = append(ids, a.Analysis.ID)
	}
	return ids
}

// comparison asks the API to compare the target's analyses: exactly ids,
// or (ids nil) the default selection with or without drafts.
func (e *comparisonEnv) comparison(t *testing.T, token string, ids []string, drafts bool) apiComparison {
	t.Helper()
	const pair = `{ kappa { value } percent { value } }`
	var r struct{ CompareAnalyses apiComparison }
	e.must(t, token, `query($t: ID!, $ids: [ID!], $d: Boolean) { compareAnalyses(targetId: $t, analysisIds: $ids, includeDrafts: $d) {
		revision analyses { analysis { id } } pairs { a b axis1 `+pair+` axis2 `+pair+` category `+pair+` } } }`,
		map[string]any{"t": e.target, "ids": ids, "d": drafts}, &r)
	return r.CompareAnalyses
}

// draftAnalysis creates a PUBLIC draft analysis assessing the env's
// incidents at the given indexes with the given axis-1 and axis-2 ranks.
func (e *comparisonEnv) draftAnalysis(t *testing.T, token, id string, ranks map[int][2]int) string {
	t.Helper()
	e.mustDo(t, token, `mutation($id: ID!, $t: ID!) { createAnalysis(input: {id: $id, targetId: $t, title: "Analysis", visibility: PUBLIC}) { id } }`,
		map[string]any{"id": id, "t": e.target})
	for i, r := range ranks {
		e.assess(t, token, id, i, r[0], r[1])
	}
	return id
}

// assess rates incident i in a draft analysis.
func (e *comparisonEnv) assess(t *testing.T, token, analysis string, i, axis1, axis2 int) {
	t.Helper()
	e.mustDo(t, token, `mutation($a: ID!, $i: ID!, $x: Int!, $y: Int!) { assessIncident(input: {analysisId: $a, incidentId: $i, axis1: $x, axis2: $y, rationale: "r"}) { id } }`,
		map[string]any{"a": analysis, "i": e.incidents[i], "x": axis1, "y": axis2})
}

// pageHeat is what the comparison page shows of the comparison: its
// matrix's columns, its revision and every cell of its heat maps.
type pageHeat struct {
	Revision string
	Columns  []string
	Note     string
	Cells    []struct{ ID, A, B, K, P string }
}

const readHeat = `(() => {
  const cols = [...document.querySelectorAll('#matrix thead th[data-analysis]')].map((th) => th.dataset.analysis);
  const cells = [...document.querySelectorAll('#heatmaps td[data-a]')].map((c) =>
    ({id: c.id, a: c.dataset.a, b: c.dataset.b, k: c.querySelector('.k').textContent, p: c.querySelector('.p').textContent}));
  return {revision: (document.getElementById('revision') || {}).textContent || '', columns: cols, cells,
    note: document.getElementById('selection-note').textContent};
})()`

var twoDecimals = regexp.MustCompile(`^-?\d+\.\d\d$`)

// kappaShown reports whether the page's text shows kappa v the way the page
// formats statistics: two decimals, or — when undefined.
func kappaShown(text string, v *float64) bool {
	if v == nil {
		return text == "—"
	}
	f, err := strconv.ParseFloat(text, 64)
	return err == nil && twoDecimals.MatchString(text) && math.Abs(f-*v) <= 0.005+1e-9
}

// percentText is how the page shows a percent agreement.
func percentText(v *float64) string {
	if v == nil {
		return "—"
	}
	return fmt.Sprintf("%d%%", int(math.Round(*v*100)))
}

// matches says how the page differs from the API's comparison, or nil.
func (h pageHeat) matches(want apiComparison) error {
	ids := want.ids()
	if !slices.Equal(h.Columns, ids) {
		return fmt.Errorf("the matrix has columns %v, the API compares %v", h.Columns, ids)
	}
	if n := 3 * len(ids) * (len(ids) - 1); len(h.Cells) != n {
		return fmt.Errorf("%d heat map cells, want %d (3 ratings × %d ordered pairs)", len(h.Cells), n, len(ids)*(len(ids)-1))
	}
	for _, p := range want.Pairs {
		for axis, s := range map[string]pairAgreementJSON{"axis1": p.Axis1, "axis2": p.Axis2, "category": p.Category} {
			for _, ab := range [][2]string{{p.A, p.B}, {p.B, p.A}} {
				i, j := slices.Index(ids, ab[0]), slices.Index(ids, ab[1])
				id := fmt.Sprintf("kappa-%s-%d-%d", axis, i, j)
				k := slices.IndexFunc(h.Cells, func(c struct{ ID, A, B, K, P string }) bool { return c.ID == id })
				if k < 0 {
					return fmt.Errorf("no heat map cell %s", id)
				}
				c := h.Cells[k]
				if c.A != ab[0] || c.B != ab[1] || !kappaShown(c.K, s.Kappa.Value) || c.P != percentText(s.Percent.Value) {
					return fmt.Errorf("cell %s shows %+v; the API's pair %s/%s has kappa %v, percent %s", id, c, p.A, p.B, deref(s.Kappa.Value), percentText(s.Percent.Value))
				}
			}
		}
	}
	return nil
}

func deref(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// waitHeat waits until the page shows want (and a revision of at least
// minRevision), and returns what it shows.
func waitHeat(t *testing.T, ctx context.Context, want apiComparison, minRevision int) pageHeat {
	t.Helper()
	var h pageHeat
	tstest.WaitFor(t, 20*time.Second, func() error {
		var err error
		if h, err = chromedp.Run(ctx, chromedp.Evaluate[pageHeat](readHeat)); err != nil {
			return err
		}
		if r, _ := strconv.Atoi(h.Revision); r < minRevision {
			return fmt.Errorf("the page shows revision %q, want at least %d", h.Revision, minRevision)
		}
		return h.matches(want)
	})
	return h
}

// TestComparisonPageAgreement checks the heat maps of pairwise kappa and
// percent agreement against the API's compareAnalyses, then chooses what
// to compare: without drafts the columns are the API's default selection
// without drafts, and a selection of two analyses shows exactly them, with
// the statistics of compareAnalyses for those two, recomputed when one of
// them changes.
func TestComparisonPageAgreement(t *testing.T) {
	e := newComparisonEnv(t)
	a := e.analyse(t, e.analystA, e.prefix+"analysis-a", []int{1, 2, 3, 4}, []int{2, 2, 4, 1})
	e.analyse(t, e.analystA, e.prefix+"analysis-a2", []int{2, 2, 3, 3}, []int{1, 2, 4, 2})
	e.analyse(t, e.analystB, e.prefix+"analysis-b", []int{1, 3, 3, 2}, []int{2, 1, 4, 1})
	d := e.draftAnalysis(t, e.analystB, e.prefix+"draft-d", map[int][2]int{0: {1, 2}, 1: {3, 2}, 2: {2, 4}})

	withDrafts := e.comparison(t, e.analystA, nil, true)
	submitted := e.comparison(t, e.analystA, nil, false)
	if len(withDrafts.Analyses) != 4 || len(submitted.Analyses) != 3 {
		t.Fatalf("the API compares %v with drafts and %v without; want 4 and 3", withDrafts.ids(), submitted.ids())
	}

	ctx := browsertest.New(t)
	ctx, cancel := context.WithTimeout(ctx, 120*time.Second)
	defer cancel()
	browsertest.SignIn(t, ctx, e.srv.URL+"/targets/"+e.target+"/compare", e.analystA)

	// By default the page includes drafts, as its checkbox says.
	h := waitHeat(t, ctx, withDrafts, withDrafts.Revision)
	if !strings.Contains(h.Note, "drafts included") {
		t.Errorf("the selection note says %q, want the default with drafts included", h.Note)
	}
	if checked, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('include-drafts').checked`)); !checked {
		t.Error("drafts are shown but the include-drafts box is unchecked")
	}

	// Without drafts: the API's default selection.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#include-drafts`))); err != nil {
		t.Fatal(err)
	}
	h = waitHeat(t, ctx, submitted, submitted.Revision)
	if slices.Contains(h.Columns, d) || !strings.Contains(h.Note, "submitted versions only") {
		t.Errorf("without drafts the page shows %v, note %q", h.Columns, h.Note)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#include-drafts`))); err != nil {
		t.Fatal(err)
	}
	waitHeat(t, ctx, withDrafts, withDrafts.Revision)

	// A selection of two: uncheck the other two in the picker.
	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#picker summary`)),
		chromedp.Click(chromedp.CSS(`#picker-list input[value="`+e.prefix+`analysis-a2"]`)),
		chromedp.Click(chromedp.CSS(`#picker-list input[value="`+e.prefix+`analysis-b"]`)),
	)
	if err != nil {
		t.Fatalf("choosing analyses: %v", err)
	}
	chosen := e.comparison(t, e.analystA, []string{a, d}, true)
	h = waitHeat(t, ctx, chosen, chosen.Revision)
	if !strings.Contains(h.Note, "Your selection: 2 analyses") {
		t.Errorf("the selection note says %q", h.Note)
	}

	// Live: the draft changes and the page recomputes the selection.
	e.assess(t, e.analystB, d, 3, 4, 1)
	start := time.Now()
	changed := e.comparison(t, e.analystA, []string{a, d}, true)
	if changed.Revision <= chosen.Revision {
		t.Fatalf("revision %d after the change, was %d", changed.Revision, chosen.Revision)
	}
	waitHeat(t, ctx, changed, changed.Revision)
	t.Logf("the selection was recomputed %s after the mutation returned", time.Since(start).Round(time.Millisecond))
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('agreement').scrollIntoView()`)); err != nil {
		t.Fatal(err)
	}
	browsertest.Screenshot(t, ctx, "compare-kappa")

	// Back to the default selection.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#selection-default`))); err != nil {
		t.Fatal(err)
	}
	waitHeat(t, ctx, e.comparison(t, e.analystA, nil, true), changed.Revision)
}

// apiDiff is the part of diffAnalyses the page's diff is checked against.
type apiDiff struct {
	Added, Removed []struct{ ID string }
	Changed        []struct{ Incident struct{ ID string } }
	Pair           struct{ Axis1 pairAgreementJSON }
}

// TestComparisonPageDiffAndHelp shows the differences of two analyses and
// of two versions of one on the page, with the counts diffAnalyses gives,
// kept live; and reaches the explanation of alpha by keyboard, in English
// and in Japanese, and that of kappa by hovering.
func TestComparisonPageDiffAndHelp(t *testing.T) {
	e := newComparisonEnv(t)
	a := e.draftAnalysis(t, e.analystA, e.prefix+"analysis-a", map[int][2]int{0: {1, 2}, 1: {2, 2}, 2: {3, 4}})
	e.mustDo(t, e.analystA, `mutation($id: ID!) { submitAnalysis(id: $id) { status } }`, map[string]any{"id": a})
	b := e.draftAnalysis(t, e.analystB, e.prefix+"analysis-b", map[int][2]int{1: {3, 1}, 2: {3, 4}, 3: {2, 1}})
	e.mustDo(t, e.analystB, `mutation($id: ID!) { submitAnalysis(id: $id) { status } }`, map[string]any{"id": b})
	var revised struct{ ReviseAnalysis struct{ ID string } }
	e.must(t, e.analystA, `mutation($id: ID!) { reviseAnalysis(id: $id) { id } }`, map[string]any{"id": a}, &revised)
	a2 := revised.ReviseAnalysis.ID
	e.assess(t, e.analystA, a2, 0, 4, 4)

	diff := func(from, to string) apiDiff {
		var r struct{ DiffAnalyses apiDiff }
		e.must(t, e.analystA, `query($a: ID!, $b: ID!) { diffAnalyses(a: $a, b: $b) {
			added { id } removed { id } changed { incident { id } } pair { axis1 { kappa { value } percent { value } } } } }`,
			map[string]any{"a": from, "b": to}, &r)
		return r.DiffAnalyses
	}

	ctx := browsertest.New(t)
	ctx, cancel := context.WithTimeout(ctx, 120*time.Second)
	defer cancel()
	browsertest.SignIn(t, ctx, e.srv.URL+"/targets/"+e.target+"/compare", e.analystA)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('td.cell').length > 0 && document.querySelectorAll('#diff-a option').length === 3`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the page shows no matrix or no analyses to diff: %v", err)
	}

	showDiff := func(from, to string) {
		t.Helper()
		want := diff(from, to)
		err := chromedp.Do(ctx,
			chromedp.SetValue(chromedp.CSS(`#diff-a`), from),
			chromedp.SetValue(chromedp.CSS(`#diff-b`), to),
			chromedp.Click(chromedp.CSS(`#diff-form button`)),
		)
		if err != nil {
			t.Fatalf("asking for the diff: %v", err)
		}
		tstest.WaitFor(t, 20*time.Second, func() error {
			got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`(() => {
				const h = document.getElementById('diff-heading'), text = (id) => (document.getElementById(id) || {}).textContent || '';
				return {a: h ? h.dataset.a : '', b: h ? h.dataset.b : '', added: text('diff-added-count'), removed: text('diff-removed-count'),
					changed: text('diff-changed-count'), kappa: text('diff-kappa-axis1'), percent: text('diff-percent-axis1')};
			})()`))
			if err != nil {
				return err
			}
			if got["a"] != from || got["b"] != to || got["added"] != strconv.Itoa(len(want.Added)) || got["removed"] != strconv.Itoa(len(want.Removed)) ||
				got["changed"] != strconv.Itoa(len(want.Changed)) || !kappaShown(got["kappa"], want.Pair.Axis1.Kappa.Value) || got["percent"] != percentText(want.Pair.Axis1.Percent.Value) {
				return fmt.Errorf("the diff of %s → %s shows %v; the API: %d added, %d removed, %d changed, kappa %v, percent %s", from, to, got,
					len(want.Added), len(want.Removed), len(want.Changed), deref(want.Pair.Axis1.Kappa.Value), percentText(want.Pair.Axis1.Percent.Value))
			}
			return nil
		})
	}

	// Two organizations' analyses: b adds incident 3, drops incident 0 and
	// rates incident 1 differently.
	if d := diff(a, b); len(d.Added) != 1 || len(d.Removed) != 1 || len(d.Changed) != 1 {
		t.Fatalf("the API's diff of %s and %s: %+v", a, b, d)
	}
	showDiff(a, b)
	// Two versions of one analysis; the draft changes and the diff follows.
	showDiff(a, a2)
	e.assess(t, e.analystA, a2, 1, 1, 1)
	if d := diff(a, a2); len(d.Changed) != 2 {
		t.Fatalf("the API's diff of the versions after the change: %+v", d)
	}
	showDiff(a, a2)
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('diff-section').scrollIntoView()`)); err != nil {
		t.Fatal(err)
	}
	browsertest.Screenshot(t, ctx, "compare-diff")

	// The explanation of alpha, reached with the Tab key from the header's
	// language switch.
	alphaHelp := func(want string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(`#lang`))); err != nil {
			t.Fatal(err)
		}
		for range 30 {
			if err := chromedp.Do(ctx, chromedp.KeyEvent("\t")); err != nil {
				t.Fatal(err)
			}
			if id, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`)); id == "help-alpha-axis1" {
				break
			}
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](`(() => {
			const b = document.activeElement, tip = document.getElementById(b.getAttribute('aria-describedby') || 'none');
			return {focused: b.id, tip: tip ? tip.id : '', visible: !!tip && !tip.hidden && tip.getBoundingClientRect().height > 0, text: tip ? tip.textContent : ''};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if got["focused"] != "help-alpha-axis1" || got["tip"] != "tip-alpha" || got["visible"] != true || !strings.HasPrefix(got["text"].(string), want) {
			t.Errorf("after tabbing to alpha's help: %v; want its explanation starting %q shown", got, want)
		}
	}
	alphaHelp("Krippendorff's alpha")

	// The explanation of kappa, by hovering over its "?".
	hover, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](`(() => {
		document.activeElement.blur();
		const b = document.getElementById('help-kappa');
		b.scrollIntoView({block: 'center'});
		const r = b.getBoundingClientRect();
		return {x: r.left + r.width / 2, y: r.top + r.height / 2};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.MouseEvent("mouseMoved", hover["x"], hover["y"])); err != nil {
		t.Fatal(err)
	}
	if text, err := chromedp.Run(ctx, chromedp.Poll[string](`(t => !t.hidden && t.textContent)(document.getElementById('tip-kappa'))`,
		chromedp.WithPollingTimeout(5*time.Second))); err != nil || !strings.HasPrefix(text, "Cohen's kappa") {
		t.Errorf("hovering over kappa's help shows %q (%v)", text, err)
	}

	// In Japanese.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(s => (s.value = 'ja', s.dispatchEvent(new Event('change'))))(document.getElementById('lang'))`)); err != nil {
		t.Fatal(err)
	}
	alphaHelp("クリッペンドルフのα")
	if text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('diff').textContent`)); !strings.Contains(text, "評価が異なるインシデント") {
		t.Errorf("the diff in Japanese says %q", text)
	}
}
