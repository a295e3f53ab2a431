package resolvers_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/internal/browsertest"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// pageBrowser is a headless browser for one page test, with a deadline.
func pageBrowser(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(browsertest.New(t), 120*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// pollJS waits until the expression is truthy and returns its value,
// across a navigation (which ends a poll early); on timeout it fails the
// test with the page's status line.
func pollJS[T any](t *testing.T, ctx context.Context, what, expr string) T {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		v, err := chromedp.Run(ctx, chromedp.Poll[T](expr, chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return v
		}
		if navigated(err) && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond) // the page navigated: poll the new one
			continue
		}
		status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById('status') || {}).textContent`))
		t.Fatalf("%s: never came (status %q): %v", what, status, err)
	}
}

// navigated reports whether err is Chromium's answer to an evaluation
// that a navigation overtook: the old page's context is gone (or going) and
// the new page's is the one to ask.
func navigated(err error) bool {
	for _, s := range []string{"Cannot find context", "Inspected target navigated or closed", "Execution context was destroyed"} {
		if strings.Contains(err.Error(), s) {
			return true
		}
	}
	return false
}

// evalJS evaluates an expression once.
func evalJS[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// toJapanese switches the page's language to Japanese and returns the
// text of the element sel then.
func toJapanese(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return pollJS[string](t, ctx, "the Japanese labels", fmt.Sprintf(
		`(s => (s.value = 'ja', s.dispatchEvent(new Event('change')), (e => e && document.documentElement.lang === 'ja' && e.textContent)(document.querySelector(%q))))(document.getElementById('lang'))`, sel))
}

// focusExplains focuses the term labelling the figure with id dd (by
// keyboard focus, no pointer) and returns the explanation it shows.
func focusExplains(t *testing.T, ctx context.Context, dd string) string {
	t.Helper()
	return evalJS[string](t, ctx, fmt.Sprintf(
		`(term => { term.focus(); const tip = term.querySelector('[role=tooltip]'); return document.activeElement === term && getComputedStyle(tip).display !== 'none' && term.getAttribute('aria-describedby') === tip.id ? tip.textContent : ''; })(document.getElementById(%q).previousElementSibling.querySelector('.term'))`, dd))
}

// fitsTablet shows the page at a tablet's 768 px and fails the test when
// the page, with the explanation of the focused figure open, is wider than
// that (the insurance table scrolls in its own box); then it goes back to
// the 1280×800 window.
func fitsTablet(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(768, 1024)); err != nil {
		t.Fatal(err)
	}
	w := pollJS[int](t, ctx, "the tablet width", `innerWidth === 768 && (a => (a.blur(), a.focus(), document.documentElement.scrollWidth))(document.activeElement)`)
	if w > 768 {
		wide := evalJS[[]string](t, ctx, `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 768 && !e.closest('.scroll')).slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))`)
		t.Errorf("at 768 px the page is %d px wide: %q", w, wide)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateReset()); err != nil {
		t.Fatal(err)
	}
}

// yenText is an amount as the pages print it in English.
func yenText(v *float64) string {
	if v == nil {
		return "—"
	}
	s := strconv.FormatInt(int64(*v), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return "¥" + s
}

// TestTargetsPage lists the targets of a sector of the test's own as the
// API does, each with the analyses the token may see; the search box
// narrows the list to what targets(text:) finds, puts the term (and never
// the token) in the address, and the links lead to the coverage and
// insurance pages.
func TestTargetsPage(t *testing.T) {
	w := newPPEnv(t)
	p := w.prefix
	sector := p + "home"                     // the sector of the test's own targets
	word := "kettle" + strings.Trim(p, "t-") // one full-text token no other test has
	for _, x := range [][2]string{{"target2", "Kettle " + word}, {"target3", "Stove"}} {
		w.ok(w.tok[model.RoleAdmin], ppCreateTarget, map[string]any{"in": map[string]any{"id": p + x[0], "name": x[1], "sector": sector, "description": "In the kitchen"}}, nil)
	}
	// Twenty more, so that the sector's list has a second page.
	for batch := range 2 { // a document may have 15 aliases
		var fill strings.Builder
		fill.WriteString("mutation {")
		for i := batch * 10; i < batch*10+10; i++ {
			fmt.Fprintf(&fill, ` x%02d: createTarget(input: {id: "%sx%02d", name: "Shelf %d", sector: %q}) { id }`, i, p, i, i, sector)
		}
		fill.WriteString(" }")
		w.ok(w.tok[model.RoleAdmin], fill.String(), nil, nil)
	}
	analysis := p + "mine"
	for _, a := range []struct{ token, id, visibility string }{
		{w.tok[model.RoleAnalyst], analysis, "PRIVATE"}, {w.otok[model.RoleAnalyst], p + "theirs", "PUBLIC"}, {w.otok[model.RoleAnalyst], p + "secret", "PRIVATE"},
	} {
		w.ok(a.token, `mutation($in: AnalysisInput!) { createAnalysis(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"id": a.id, "targetId": p + "target2", "title": a.id, "visibility": a.visibility}}, nil)
	}

	type apiTargets struct {
		Targets struct {
			TotalCount int
			Nodes      []struct {
				ID       string
				Analyses []idJSON
			}
		}
	}
	const q = `query($n: Int, $s: String, $text: String) { targets(first: $n, sector: $s, text: $text) { totalCount nodes { id analyses { id } } } }`
	var page1, all, found, other apiTargets
	w.ok(w.tok[model.RoleViewer], q, map[string]any{"n": 20, "s": sector}, &page1)
	w.ok(w.tok[model.RoleViewer], q, map[string]any{"n": 50, "s": sector}, &all)
	w.ok(w.tok[model.RoleViewer], q, map[string]any{"n": 20, "s": sector, "text": word}, &found)
	w.ok(w.otok[model.RoleViewer], q, map[string]any{"n": 20, "s": sector}, &other)
	if all.Targets.TotalCount != 22 || len(page1.Targets.Nodes) != 20 || found.Targets.TotalCount != 1 || found.Targets.Nodes[0].ID != p+"target2" || len(found.Targets.Nodes[0].Analyses) != 2 {
		t.Fatalf("the API finds %+v in the sector and %+v for %q", all.Targets, found.Targets, word)
	}
	listed := func(a apiTargets) string {
		var out []string
		for _, n := range a.Targets.Nodes {
			var as []string
			for _, x := range n.Analyses {
				as = append(as, x.ID)
			}
			out = append(out, n.ID+":"+strings.Join(as, ","))
		}
		return strings.Join(out, ";")
	}
	const shown = `[...document.querySelectorAll('#targets li.target')].map(li => li.dataset.id + ':' + [...li.querySelectorAll('li.analysis')].map(a => a.dataset.id).join(',')).join(';')`

	ctx := pageBrowser(t)
	browsertest.SignIn(t, ctx, w.srv.URL+"/targets?sector="+sector, w.tok[model.RoleViewer])
	got := pollJS[string](t, ctx, "the sector's targets", fmt.Sprintf(`(s => s.split(';').length === 20 && s)(%s)`, shown))
	if want := listed(page1); got != want || !strings.Contains(got, analysis) || strings.Contains(got, p+"secret") {
		t.Errorf("the page lists %q, the API %q", got, want)
	}
	const requests = `performance.getEntriesByType('resource').filter(e => new URL(e.name).pathname === '/graphql').length`
	if n := evalJS[int](t, ctx, requests); n != 2 { // the sectors, then the page of targets with their analyses
		t.Errorf("the first page took %d requests, want 2: the sectors and one for the targets with their analyses", n)
	}
	if count := evalJS[string](t, ctx, `document.getElementById('count').textContent`); count != "22 targets match, 20 shown" {
		t.Errorf("the count says %q", count)
	}
	// "More" follows endCursor and adds the next page.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#more`))); err != nil {
		t.Fatal(err)
	}
	got = pollJS[string](t, ctx, "the second page", fmt.Sprintf(`(s => s.split(';').length === 22 && s)(%s)`, shown))
	if want := listed(all); got != want {
		t.Errorf("after 'more' the page lists %q, the API %q", got, want)
	}
	if more := evalJS[bool](t, ctx, `document.getElementById('more').hidden`); !more {
		t.Error("the 'more' button stays after the last page")
	}
	if n := evalJS[int](t, ctx, requests); n != 3 {
		t.Errorf("after 'more' the page made %d requests in all, want 3", n)
	}
	// An explanation of the search is tied to the box.
	if help := evalJS[string](t, ctx, `document.getElementById(document.getElementById('q').getAttribute('aria-describedby')).textContent`); !strings.Contains(help, "Full-text") {
		t.Errorf("the search box is described by %q", help)
	}
	evalJS[bool](t, ctx, `(window.scrollTo(0, 0), true)`)
	browsertest.Screenshot(t, ctx, "targets")
	fitsTablet(t, ctx)

	// Typing narrows the list (after the debounce) to what the API finds.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#q`), word)); err != nil {
		t.Fatal(err)
	}
	got = pollJS[string](t, ctx, "the search's targets", fmt.Sprintf(`(s => s.split(';').length === 1 && s)(%s)`, shown))
	if want := listed(found); got != want {
		t.Errorf("after searching %q the page lists %q, the API %q", word, got, want)
	}
	// Typed at once, the search is debounced into one request (two if the typing straddled a pause).
	if n := evalJS[int](t, ctx, requests) - 3; n < 1 || n > 2 {
		t.Errorf("typing %d characters made %d requests", len(word), n)
	} else {
		t.Logf("typing %d characters made %d request(s)", len(word), n)
	}
	url := evalJS[string](t, ctx, `location.href`)
	if !strings.Contains(url, "q="+word) || strings.Contains(url, w.tok[model.RoleViewer]) {
		t.Errorf("the address is %s: want the search term in it and never the token", url)
	}

	// In Japanese.
	if ja := toJapanese(t, ctx, `#count`); !strings.HasSuffix(ja, "件を表示") {
		t.Errorf("in Japanese the count says %q", ja)
	}
	if ja := evalJS[string](t, ctx, `document.querySelector('#targets .compare-link').textContent`); ja != "分析を比較" {
		t.Errorf("in Japanese the comparison link says %q", ja)
	}

	// Another organization sees the targets but not this organization's PRIVATE analyses.
	browsertest.SignIn(t, ctx, w.srv.URL+"/targets?sector="+sector, w.otok[model.RoleViewer])
	got = pollJS[string](t, ctx, "the other organization's targets", fmt.Sprintf(`(s => s.split(';').length === 20 && s)(%s)`, shown))
	if want := listed(other); got != want || strings.Contains(got, analysis) || !strings.Contains(got, p+"secret") {
		t.Errorf("the other organization's page lists %q, the API %q", got, want)
	}

	// The links lead to the pages.
	browsertest.SignIn(t, ctx, w.srv.URL+"/targets?sector="+sector, w.tok[model.RoleViewer])
	href := pollJS[string](t, ctx, "the coverage link", fmt.Sprintf(`(a => a && a.getAttribute('href'))(document.querySelector('li.analysis[data-id=%q] a.coverage-link'))`, analysis))
	if href != "/analyses/"+analysis+"/coverage" {
		t.Errorf("the coverage link goes to %s", href)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`li.analysis[data-id=%q] a.insurance-link`, analysis)))); err != nil {
		t.Fatal(err)
	}
	pollJS[bool](t, ctx, "the insurance page", `location.pathname.endsWith('/insurance') && !document.getElementById('report').hidden`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#to-coverage`))); err != nil {
		t.Fatal(err)
	}
	pollJS[bool](t, ctx, "the coverage page", `location.pathname.endsWith('/coverage') && !document.getElementById('chooser').hidden`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#to-compare`))); err != nil {
		t.Fatal(err)
	}
	pollJS[bool](t, ctx, "the comparison page", fmt.Sprintf(`location.pathname === %q && document.querySelectorAll('#matrix th').length > 0`, "/targets/"+p+"target2/compare"))
}

// coverageWorld is igWorld's guideline with a family of two sub-clauses
// that nothing reaches, beside the clauses its measures meet directly and
// through crosswalks.
func coverageWorld(t *testing.T) *igWorld {
	t.Helper()
	w := newIGWorld(t, resolvers.Options{})
	p := w.prefix
	for _, c := range [][3]string{{"fam", "", "F"}, {"fam-a", "fam", "F.1"}, {"fam-b", "fam", "F.2"}} {
		in := map[string]any{"id": p + c[0], "guidelineId": p + "gl", "ref": c[2], "title": c[0]}
		if c[1] != "" {
			in["parentId"] = p + c[1]
		}
		w.ok(w.tok[model.RoleAdmin], `mutation($in: ClauseInput!) { createClause(input: $in) { id } }`, map[string]any{"in": in}, nil)
	}
	// A guideline with a title as long as real catalogs' (the chooser must
	// not widen the page at tablet width for it).
	w.ok(w.tok[model.RoleAdmin], `mutation($in: GuidelineInput!) { createGuideline(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"id": p + "gl-long", "publisher": "NIST", "version": "5",
		"title": "Security and Privacy Controls for Information Systems and Organizations, with the Supplemental Guidance " + strings.Repeat("and its Overlays ", 6)}}, nil)
	return w
}

// TestCoveragePage shows what guidelineCoverage says: the summary, the
// counts of each family's bar, every gap, and the path of a clause covered
// through a crosswalk (measure → clause → mapping → clause); the figures
// explain themselves on keyboard focus; another organization's PRIVATE
// analysis gives a not-found message and no data.
func TestCoveragePage(t *testing.T) {
	w := coverageWorld(t)
	p := w.prefix
	var api struct {
		GuidelineCoverage struct {
			Summary  struct{ Gaps int }
			Families []struct {
				Family  idJSON
				Summary struct{ Clauses, Covered, Partial, Planned, Gaps, NotApplicable int }
			}
			Clauses []struct {
				Clause idJSON
				Status string
			}
		}
	}
	w.ok(w.tok[model.RoleViewer], `query($a: ID!, $g: ID!) { guidelineCoverage(analysisId: $a, guidelineId: $g) { summary { gaps }
  families { family { id } summary { clauses covered partial planned gaps notApplicable } } clauses { clause { id } status } } }`,
		map[string]any{"a": w.analysis, "g": p + "gl"}, &api)
	gc := api.GuidelineCoverage
	if gc.Summary.Gaps != 3 {
		t.Fatalf("the API finds %d gaps, want fam, fam-a and fam-b", gc.Summary.Gaps)
	}

	ctx := pageBrowser(t)
	browsertest.SignIn(t, ctx, w.srv.URL+"/analyses/"+w.analysis+"/coverage?guideline="+p+"gl", w.tok[model.RoleViewer])
	families := pollJS[map[string]string](t, ctx, "the family bars", fmt.Sprintf(`(l => l.length === %d && Object.fromEntries(l.map(li => [li.dataset.family,
  ['COVERED', 'PARTIAL', 'PLANNED', 'GAP', 'NOT_APPLICABLE'].map(s => li.querySelector('.n-' + s + ' b').textContent).join(' ')])))([...document.querySelectorAll('#families li.family')])`, len(gc.Families)))
	for _, f := range gc.Families {
		s := f.Summary
		if want := fmt.Sprintf("%d %d %d %d %d", s.Covered, s.Partial, s.Planned, s.Gaps, s.NotApplicable); families[f.Family.ID] != want {
			t.Errorf("family %s: the bar says %q, the API %q", f.Family.ID, families[f.Family.ID], want)
		}
	}
	if segs := evalJS[int](t, ctx, fmt.Sprintf(`document.querySelectorAll('li.family[data-family=%q] .bar .seg.st-GAP').length`, p+"fam")); segs != 1 {
		t.Errorf("the family of gaps has %d gap segments, want 1", segs)
	}
	if gaps := evalJS[string](t, ctx, `document.getElementById('sum-GAP').textContent`); !strings.HasPrefix(gaps, strconv.Itoa(gc.Summary.Gaps)+" (") {
		t.Errorf("the summary's gaps say %q, the API %d", gaps, gc.Summary.Gaps)
	}
	listed := evalJS[[]string](t, ctx, `[...document.querySelectorAll('#clauses li[data-status=GAP]')].map(li => li.dataset.clause + ' ' + li.querySelector('.why').textContent)`)
	if len(listed) != gc.Summary.Gaps {
		t.Errorf("the page lists %d gaps, the API %d: %q", len(listed), gc.Summary.Gaps, listed)
	}
	for _, l := range listed {
		if !strings.Contains(l, "Nothing reaches this clause") {
			t.Errorf("a gap does not say nothing reaches it: %q", l)
		}
	}
	// c-mapped is covered through the crosswalk from c-met, which m-impl meets.
	chain := evalJS[[]string](t, ctx, fmt.Sprintf(`[...document.querySelectorAll('li[data-clause=%q] .chain li')].map(li => li.className + '|' + li.textContent)`, p+"c-mapped"))
	if len(chain) != 5 || !strings.Contains(chain[0], "measure|Measure: m-impl") || !strings.Contains(chain[1], "kind-SATISFIES") ||
		!strings.Contains(chain[2], "c-met") || !strings.Contains(chain[3], "kind-MAPS_TO|→ maps to, superset of") || !strings.Contains(chain[4], "c-mapped") {
		t.Errorf("the path of c-mapped reads %q, want m-impl → satisfies → c-met → maps to → c-mapped", chain)
	}
	if tip := focusExplains(t, ctx, "sum-score"); !strings.Contains(tip, "mean coverage") {
		t.Errorf("the score's term, focused, explains %q", tip)
	}
	if links := evalJS[string](t, ctx, `document.getElementById('to-targets').getAttribute('href') + ' ' + document.getElementById('to-compare').getAttribute('href')`); links != "/targets /targets/"+p+"target/compare" {
		t.Errorf("the links back are %q", links)
	}
	browsertest.Screenshot(t, ctx, "coverage")
	evalJS[bool](t, ctx, `(document.getElementById('clauses').scrollIntoView(), true)`)
	browsertest.Screenshot(t, ctx, "coverage-paths")
	evalJS[bool](t, ctx, `(window.scrollTo(0, 0), true)`)
	fitsTablet(t, ctx)

	if ja := toJapanese(t, ctx, `#sum-score`); ja == "" {
		t.Fatal("no score in Japanese")
	}
	if label := evalJS[string](t, ctx, `document.getElementById('sum-score').previousElementSibling.querySelector('.term').firstChild.textContent`); label != "スコア" {
		t.Errorf("in Japanese the score is labelled %q", label)
	}
	if gap := evalJS[string](t, ctx, `document.querySelector('#clauses li[data-status=GAP] .badge').textContent`); gap != "ギャップ" {
		t.Errorf("in Japanese a gap is marked %q", gap)
	}

	// Without a guideline in the address the page asks for one; the chooser
	// finds one by its title, and the choice goes into the address.
	word := "checklist" + strings.Trim(p, "t-")
	w.ok(w.tok[model.RoleAdmin], `mutation($in: GuidelineInput!) { createGuideline(input: $in) { id } }`, map[string]any{"in": map[string]any{"id": p + "gl2", "title": "Checklist " + word, "publisher": "METI", "version": "2"}}, nil)
	w.ok(w.tok[model.RoleAdmin], `mutation($in: ClauseInput!) { createClause(input: $in) { id } }`, map[string]any{"in": map[string]any{"id": p + "gl2-1", "guidelineId": p + "gl2", "ref": "1", "title": "Keep a log"}}, nil)
	browsertest.SignIn(t, ctx, w.srv.URL+"/analyses/"+w.analysis+"/coverage", w.tok[model.RoleViewer])
	pollJS[bool](t, ctx, "the request for a guideline", `document.getElementById('status').textContent.startsWith('Choose a guideline') && document.getElementById('report').hidden`)
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#gtext`), word)); err != nil {
		t.Fatal(err)
	}
	pollJS[bool](t, ctx, "the guideline found", fmt.Sprintf(`document.querySelectorAll('#guideline option').length === 2 && document.querySelector('#guideline option:last-child').value === %q`, p+"gl2"))
	evalJS[bool](t, ctx, `(s => (s.value = s.options[1].value, s.dispatchEvent(new Event('change')), true))(document.getElementById('guideline'))`)
	chosen := pollJS[string](t, ctx, "the chosen guideline's coverage", `!document.getElementById('report').hidden && document.getElementById('title').textContent.includes('Checklist') && document.getElementById('sum-GAP').textContent`)
	if chosen != "1 (100.0%)" {
		t.Errorf("the one clause of the chosen guideline: gaps %q, want 1 (100.0%%)", chosen)
	}
	if url := evalJS[string](t, ctx, `location.search`); url != "?guideline="+p+"gl2" {
		t.Errorf("after choosing, the address says %q", url)
	}

	// Another organization may not read the PRIVATE analysis: a message, no data.
	browsertest.SignIn(t, ctx, w.srv.URL+"/analyses/"+w.analysis+"/coverage?guideline="+p+"gl", w.otok[model.RoleAnalyst])
	msg := pollJS[string](t, ctx, "the not-found message", `(s => s.classList.contains('error') && s.textContent)(document.getElementById('status'))`)
	if !strings.Contains(msg, "no analysis with this id that you may read") && !strings.Contains(msg, "閲覧する権限がありません") {
		t.Errorf("another organization's token sees %q", msg)
	}
	if n := evalJS[int](t, ctx, `document.querySelectorAll('#clauses li, #families li').length + (document.getElementById('report').hidden ? 0 : 1)`); n != 0 {
		t.Errorf("another organization's token sees %d pieces of the report", n)
	}
}

// TestInsurancePage shows what insuranceGaps says: the totals, each
// incident's status, payments and residual, and a text marker on every
// incident no line responds to or whose lines' conditions are unmet;
// another organization's PRIVATE analysis gives a not-found message.
func TestInsurancePage(t *testing.T) {
	w := newIGWorld(t, resolvers.Options{})
	r := w.report(w.tok[model.RoleViewer], w.analysis)

	ctx := pageBrowser(t)
	browsertest.SignIn(t, ctx, w.srv.URL+"/analyses/"+w.analysis+"/insurance", w.tok[model.RoleViewer])
	rows := pollJS[map[string]string](t, ctx, "the entries", fmt.Sprintf(`(l => l.length === %d && Object.fromEntries(l.map(tr => [tr.dataset.incident,
  [tr.dataset.status, tr.querySelector('.paid').textContent, tr.querySelector('.residual').firstChild.textContent,
   tr.querySelector('.flag.no-line') ? 'no-line' : '-', tr.querySelector('.flag.cond-unmet') ? 'unmet' : '-', tr.classList.contains('attention')].join('|')])))([...document.querySelectorAll('#entries tbody tr.entry')])`, len(r.Entries)))
	order := evalJS[[]string](t, ctx, `[...document.querySelectorAll('#entries tbody tr.entry')].map(tr => tr.dataset.incident)`)
	flagged := 0
	for i, e := range r.Entries {
		noLine, unmet := "-", "-"
		if len(e.Lines) == 0 {
			noLine = "no-line"
		}
		if len(e.UnmetConditions) > 0 {
			unmet = "unmet"
		}
		attention := noLine != "-" || unmet != "-"
		if attention {
			flagged++
		}
		want := strings.Join([]string{e.Status, yenText(e.PaidJPY), yenText(e.ResidualJPY), noLine, unmet, strconv.FormatBool(attention)}, "|")
		if rows[e.Incident.ID] != want {
			t.Errorf("%s: the row says %q, the API %q", e.Incident.ID, rows[e.Incident.ID], want)
		}
		if i < len(order) && order[i] != e.Incident.ID {
			t.Errorf("row %d is %s, the API's entry %s", i, order[i], e.Incident.ID)
		}
	}
	if flagged == 0 || flagged == len(r.Entries) {
		t.Errorf("%d of %d entries flagged: the scene should have both kinds", flagged, len(r.Entries))
	}
	s := r.Summary
	sums := evalJS[[]string](t, ctx, `['sum-assessments', 'sum-loss', 'sum-paid', 'sum-residual'].map(id => document.getElementById(id).textContent)`)
	if want := []string{strconv.Itoa(s.Assessments), yenText(&s.TotalLossJPY), yenText(&s.TotalPaidJPY), yenText(&s.TotalResidualJPY)}; !slices.Equal(sums, want) {
		t.Errorf("the summary says %q, the API %q", sums, want)
	}
	for _, c := range r.Summary.Counts {
		if got := evalJS[string](t, ctx, fmt.Sprintf(`document.getElementById('count-%s').textContent`, c.Status)); got != strconv.Itoa(c.Count) {
			t.Errorf("%s: the page counts %s, the API %d", c.Status, got, c.Count)
		}
	}
	if tip := focusExplains(t, ctx, "sum-residual"); !strings.Contains(tip, "stays with the organization") {
		t.Errorf("the residual risk's term, focused, explains %q", tip)
	}
	browsertest.Screenshot(t, ctx, "insurance")
	fitsTablet(t, ctx)

	if ja := toJapanese(t, ctx, `#entries tbody .flag.no-line`); ja != "⚠ 支払う補償なし" {
		t.Errorf("in Japanese an incident without a responding line is marked %q", ja)
	}
	if label := evalJS[string](t, ctx, `document.getElementById('sum-residual').previousElementSibling.querySelector('.term').firstChild.textContent`); label != "残留リスク" {
		t.Errorf("in Japanese the residual risk is labelled %q", label)
	}

	browsertest.SignIn(t, ctx, w.srv.URL+"/analyses/"+w.analysis+"/insurance", w.otok[model.RoleAnalyst])
	msg := pollJS[string](t, ctx, "the not-found message", `(s => s.classList.contains('error') && s.textContent)(document.getElementById('status'))`)
	if !strings.Contains(msg, "閲覧する権限がありません") && !strings.Contains(msg, "no analysis with this id that you may read") {
		t.Errorf("another organization's token sees %q", msg)
	}
	if n := evalJS[int](t, ctx, `document.querySelectorAll('#entries tr').length + (document.getElementById('report').hidden ? 0 : 1)`); n != 0 {
		t.Errorf("another organization's token sees %d pieces of the report", n)
	}
}

// TestPageLabelsInBothLanguages reads the pages' own labels (addLabels):
// every key has an English and a Japanese text, and every fixed key a page
// asks t() for is defined, by the page or by i18n.js.
func TestPageLabelsInBothLanguages(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "web", "static", "app", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	keyRE := regexp.MustCompile(`'([A-Za-z0-9_.]+)':|\b([A-Za-z0-9_]+): '`)
	keys := func(block string) map[string]bool {
		out := map[string]bool{}
		for _, m := range keyRE.FindAllStringSubmatch(block, -1) {
			out[m[1]+m[2]] = true
		}
		return out
	}
	// block returns the text of the object after "name: {" up to its closing "},".
	block := func(src, name string) string {
		i := strings.Index(src, "\n  "+name+": {")
		if i < 0 {
			t.Fatalf("no %s labels", name)
		}
		j := strings.Index(src[i:], "\n  },")
		return src[i : i+j]
	}
	common := read("i18n.js")
	shared := keys(block(common, "en"))
	used := regexp.MustCompile(`\bt\('([^']+)'\)`)
	for _, page := range []string{"targets.js", "coverage.js", "insurance.js"} {
		src := read(page)
		en, ja := keys(block(src, "en")), keys(block(src, "ja"))
		if len(en) < 10 {
			t.Fatalf("%s: only %d English labels read: %v", page, len(en), en)
		}
		for k := range en {
			if !ja[k] {
				t.Errorf("%s: %q has no Japanese text", page, k)
			}
		}
		for k := range ja {
			if !en[k] {
				t.Errorf("%s: %q has no English text", page, k)
			}
		}
		for _, m := range used.FindAllStringSubmatch(src, -1) {
			if !en[m[1]] && !shared[m[1]] {
				t.Errorf("%s asks for %q, which no labels define", page, m[1])
			}
		}
	}
}
