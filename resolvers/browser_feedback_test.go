package resolvers_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/internal/browsertest"
	"github.com/ssfgraph/ssfgraph/internal/tstest"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// feedbackPageEnv is an owner organization with a public analysis whose
// assessment a department owns, two author organizations in two other
// sectors, and a fourth organization with an analysis of its own, so that
// some feedback is routed elsewhere.
type feedbackPageEnv struct {
	*testEnv
	owner                         string
	sectorA, sectorB              string
	analysis, assessed, elsewhere string
	department                    string
	// tokens: ownerAnalyst, ownerViewer, authorA, authorB, elsewhere.
	tokens map[string]string
}

func newFeedbackPageEnv(t *testing.T) *feedbackPageEnv {
	t.Helper()
	env := newEnv(t, resolvers.Options{})
	p := env.p
	neo4jtest.CleanupFeedback(t, p)
	e := &feedbackPageEnv{testEnv: env, sectorA: p + "medical", sectorB: p + "vehicle"}
	e.owner = env.org(t, "owner", p+"home")
	authorA := env.org(t, "hospital", e.sectorA)
	authorB := env.org(t, "carmaker", e.sectorB)
	other := env.org(t, "builder", p+"building")
	e.tokens = map[string]string{
		"ownerAnalyst": env.token(t, e.owner, model.RoleAnalyst),
		"ownerViewer":  env.token(t, e.owner, model.RoleViewer),
		"authorA":      env.token(t, authorA, model.RoleAnalyst),
		"authorB":      env.token(t, authorB, model.RoleViewer),
		"elsewhere":    env.token(t, other, model.RoleAnalyst),
	}
	f := neo4jtest.NewFeedbackFixtures(t)
	target := f.Target(p+"shutter", p+"home")
	incident := f.Incident(p+"fire", target)
	e.department = f.Department(p+"quality", e.owner)
	e.analysis = f.Analysis(neo4jtest.FixtureAnalysis{ID: p + "analysis", Org: e.owner, Target: target, Version: 2,
		Status: "SUBMITTED", Visibility: "PUBLIC"})
	e.assessed = f.Assessment(p+"assessed", e.analysis, incident, e.department)
	e.elsewhere = f.Analysis(neo4jtest.FixtureAnalysis{ID: p + "elsewhere", Org: other, Target: target,
		Status: "SUBMITTED", Visibility: "PUBLIC"})
	return e
}

// submit gives feedback through the API and returns its id.
func (e *feedbackPageEnv) submit(t *testing.T, token, kind, text, about string) string {
	t.Helper()
	var got struct{ SubmitFeedback struct{ ID string } }
	e.must(t, token, `mutation($in: FeedbackInput!) { submitFeedback(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"kind": kind, "text": text, "aboutId": about}}, &got)
	return got.SubmitFeedback.ID
}

// apiFeedback is one feedback as the API gives it to the owner.
type apiFeedback struct {
	ID, Kind, Sector, Status string
	Answer                   *string
}

// routed returns the feedback the API routes to the owner, by id.
func (e *feedbackPageEnv) routed(t *testing.T) map[string]apiFeedback {
	t.Helper()
	var got struct{ Feedback struct{ Nodes []apiFeedback } }
	e.must(t, e.tokens["ownerAnalyst"], `query($o: ID!) { feedback(routedToId: $o, first: 500) { nodes { id kind sector status answer } } }`,
		map[string]any{"o": e.owner}, &got)
	out := map[string]apiFeedback{}
	for _, f := range got.Feedback.Nodes {
		out[f.ID] = f
	}
	return out
}

// pageCounts reads the page's summary table: "kind|sector" cells, "kind|*"
// and "*|sector" totals, and "*|*" the grand total.
const pageCounts = `(() => {
  const out = {};
  for (const td of document.querySelectorAll('#fb-summary td')) {
    const k = td.dataset.total === 'kind' ? td.dataset.kind + '|*' : td.dataset.total === 'sector' ? '*|' + td.dataset.sector
      : td.id === 'fb-total' ? '*|*' : td.dataset.kind + '|' + td.dataset.sector;
    out[k] = Number(td.textContent);
  }
  return out;
})()`

// TestFeedbackPage signs the owner's analyst in on /feedback: the feedback
// two other sectors gave about its analysis is counted by kind and sector
// as the API counts it, feedback routed to another organization is absent,
// acknowledging and declining on the page change what the API reports,
// declining without a reason changes nothing, a conflict shows the
// server's error in the reader's language, and feedback given while the
// page is open appears without a reload.
func TestFeedbackPage(t *testing.T) {
	e := newFeedbackPageEnv(t)
	ids := map[string]string{
		"ackA":     e.submit(t, e.tokens["authorA"], "NEW_RISK", "Infusion pumps share the same radio band", e.assessed),
		"declineA": e.submit(t, e.tokens["authorA"], "MERIT_DEMERIT", "The incident list is easy to reuse", e.analysis),
		"riskB":    e.submit(t, e.tokens["authorB"], "NEW_RISK", "Charging stations are not considered", e.analysis),
		"emptyB":   e.submit(t, e.tokens["authorB"], "REVISION_REQUEST", "Rate axis 2 higher for fleets", e.assessed),
		"raceB":    e.submit(t, e.tokens["authorB"], "PROBLEM_OR_HESITATION", "Conflicts with our sector guideline", e.analysis),
	}
	notMine := e.submit(t, e.tokens["authorA"], "NEW_RISK", "Routed to the builder, not to the owner", e.elsewhere)

	api := e.routed(t)
	if len(api) != len(ids) || slices.Contains(slices.Collect(maps.Keys(api)), notMine) {
		t.Fatalf("the API routes %d items to the owner, want %d without %s: %v", len(api), len(ids), notMine, api)
	}
	want := map[string]float64{"*|*": float64(len(api))}
	for _, f := range api {
		want[f.Kind+"|"+f.Sector]++
		want[f.Kind+"|*"]++
		want["*|"+f.Sector]++
	}
	for _, k := range []string{"MERIT_DEMERIT", "NEW_RISK", "PROBLEM_OR_HESITATION", "REVISION_REQUEST"} {
		want[k+"|*"] += 0 // every kind has a row, zeros included
	}

	ctx := browsertest.New(t)
	ctx, cancel := context.WithTimeout(ctx, 120*time.Second)
	defer cancel()
	browsertest.SignIn(t, ctx, e.srv.URL+"/feedback", e.tokens["ownerAnalyst"])
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(
		`(t => t && t.textContent === '%d')(document.getElementById('fb-total'))`, len(ids)),
		chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		st, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('status').textContent`))
		t.Fatalf("the page never counted %d items (status %q): %v", len(ids), st, err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](pageCounts))
	if err != nil {
		t.Fatal(err)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("the page counts %s = %v, the API %v", k, got[k], n)
		}
	}
	if want[fmt.Sprintf("NEW_RISK|%s", e.sectorA)] != 1 || want[fmt.Sprintf("NEW_RISK|%s", e.sectorB)] != 1 || want["*|"+e.sectorB] != 3 {
		t.Errorf("the API's counts are not those given: %v", want)
	}
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if strings.Contains(text, "Routed to the builder") {
		t.Error("the page shows feedback routed to another organization")
	}
	// Traceability: the feedback about the assessment names its owner department and the analysis's version.
	about, _ := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](fmt.Sprintf(
		`(a => ({owner: a.querySelector('.fb-owner').textContent, version: a.querySelector('.fb-version').textContent, link: a.querySelector('.fb-about a').getAttribute('href')}))(document.querySelector('article[data-id=%q]'))`, ids["ackA"])))
	if about["owner"] != e.department || about["version"] != "v2" || !strings.HasSuffix(about["link"], "/compare") {
		t.Errorf("the assessment's feedback shows %v, want owner %s, v2 and a comparison link", about, e.department)
	}

	// click presses one of an item's response buttons.
	click := func(id, action string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fmt.Sprintf(`article[data-id=%q] [data-action=%s]`, id, action)))); err != nil {
			t.Fatalf("pressing %s on %s: %v", action, id, err)
		}
	}
	// pageStatus waits until the page shows item id in status.
	pageStatus := func(id, status string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(
			`(a => a && a.dataset.status === %q)(document.querySelector('article[data-id=%q]'))`, status, id),
			chromedp.WithPollingTimeout(15*time.Second))); err != nil {
			t.Fatalf("the page never showed %s as %s: %v", id, status, err)
		}
	}
	// itemError waits for the error under item id.
	itemError := func(id string) string {
		t.Helper()
		msg, err := chromedp.Run(ctx, chromedp.Poll[string](fmt.Sprintf(
			`(p => p && p.textContent)(document.querySelector('article[data-id=%q] .fb-error'))`, id),
			chromedp.WithPollingTimeout(15*time.Second)))
		if err != nil {
			t.Fatalf("no error under %s: %v", id, err)
		}
		return msg
	}

	click(ids["ackA"], "ACKNOWLEDGED")
	pageStatus(ids["ackA"], "ACKNOWLEDGED")

	click(ids["emptyB"], "DECLINED")
	if msg := itemError(ids["emptyB"]); !strings.Contains(msg, "Say why") {
		t.Errorf("declining without a reason says %q", msg)
	}

	reason := "Fleets are outside this target's scope"
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(fmt.Sprintf(`article[data-id=%q] textarea`, ids["declineA"])), reason)); err != nil {
		t.Fatal(err)
	}
	click(ids["declineA"], "DECLINED")
	pageStatus(ids["declineA"], "DECLINED")

	// Someone else declines raceB meanwhile: accepting it on the page is a conflict, said in English.
	e.must(t, e.tokens["ownerAnalyst"], `mutation($in: FeedbackResponseInput!) { respondToFeedback(input: $in) { id } }`,
		map[string]any{"in": map[string]any{"id": ids["raceB"], "status": "DECLINED", "answer": "covered elsewhere"}}, nil)
	click(ids["raceB"], "ACCEPTED")
	if msg := itemError(ids["raceB"]); !strings.HasPrefix(msg, "Someone changed it meanwhile") {
		t.Errorf("a conflicting answer says %q, want the CONFLICT text", msg)
	}

	after := e.routed(t)
	for id, status := range map[string]string{ids["ackA"]: "ACKNOWLEDGED", ids["declineA"]: "DECLINED", ids["emptyB"]: "OPEN", ids["riskB"]: "OPEN", ids["raceB"]: "DECLINED"} {
		if after[id].Status != status {
			t.Errorf("the API reports %s as %s, want %s", id, after[id].Status, status)
		}
	}
	if a := after[ids["declineA"]].Answer; a == nil || *a != reason {
		t.Errorf("the declined feedback's answer is %v, want %q", a, reason)
	}
	if a := after[ids["emptyB"]].Answer; a != nil {
		t.Errorf("declining without a reason wrote the answer %q", *a)
	}

	// Live: feedback given now appears; feedback routed elsewhere does not.
	tstest.WaitFor(t, 15*time.Second, func() error {
		if n := e.fbBus.Subscribers(resolvers.FeedbackTopic); n < 1 {
			return fmt.Errorf("%d feedbackAdded subscribers, want the page's", n)
		}
		return nil
	})
	e.submit(t, e.tokens["authorA"], "REVISION_REQUEST", "Also routed elsewhere", e.elsewhere)
	start := time.Now()
	live := e.submit(t, e.tokens["authorB"], "REVISION_REQUEST", "Add the charging cable as an asset", e.analysis)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(
		`!!document.querySelector('article[data-id=%q] .fb-new') && document.getElementById('fb-total').textContent === '%d'`, live, len(ids)+1),
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the feedback given while the page was open did not appear: %v", err)
	}
	t.Logf("new feedback shown %s after it was submitted", time.Since(start).Round(time.Millisecond))
	if got, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](pageCounts+`['REVISION_REQUEST|`+e.sectorB+`']`)); got != 2 {
		t.Errorf("after the live item, REVISION_REQUEST from %s counts %v, want 2", e.sectorB, got)
	}
	if text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`)); strings.Contains(text, "Also routed elsewhere") {
		t.Error("live feedback routed to another organization appears")
	}
	// The draft typed in another item survives the redraw.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(fmt.Sprintf(`article[data-id=%q] textarea`, ids["riskB"])), "draft")); err != nil {
		t.Fatal(err)
	}
	e.submit(t, e.tokens["authorA"], "MERIT_DEMERIT", "One more", e.analysis)
	if draft, err := chromedp.Run(ctx, chromedp.Poll[string](fmt.Sprintf(
		`document.getElementById('fb-total').textContent === '%d' && document.querySelector('article[data-id=%q] textarea').value`, len(ids)+2, ids["riskB"]),
		chromedp.WithPollingTimeout(20*time.Second))); err != nil || draft != "draft" {
		t.Errorf("the typed answer after a live redraw is %q (%v), want %q", draft, err, "draft")
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.activeElement.blur(), window.scrollTo(0, 0)`)); err != nil {
		t.Fatal(err)
	}
	browsertest.Screenshot(t, ctx, "feedback")

	// A count filters the list to its kind and sector.
	cell := fmt.Sprintf(`#fb-summary td[data-kind="NEW_RISK"][data-sector=%q] button`, e.sectorA)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(cell))); err != nil {
		t.Fatalf("pressing the count of NEW_RISK from %s: %v", e.sectorA, err)
	}
	shown, err := chromedp.Run(ctx, chromedp.Poll[[]string](
		`(l => document.getElementById('filter-kind').value === 'NEW_RISK' && l.map(a => a.dataset.kind + '|' + a.dataset.sector))([...document.querySelectorAll('article.fb-item')])`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || !slices.Equal(shown, []string{"NEW_RISK|" + e.sectorA}) {
		t.Errorf("filtered to NEW_RISK from %s, the list shows %q (%v)", e.sectorA, shown, err)
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(k => (k.value = '', k.dispatchEvent(new Event('change'))))(document.getElementById('filter-kind'))`)); err != nil {
		t.Fatal(err)
	}

	// At tablet width nothing runs off the side.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(768, 1024)); err != nil {
		t.Fatal(err)
	}
	if w, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`)); w > 768 {
		t.Errorf("at 768 px the page is %v px wide", w)
	}
	browsertest.Screenshot(t, ctx, "feedback-tablet")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}

	// In Japanese: the table's first heading and the first kind.
	ja, err := chromedp.Run(ctx, chromedp.Poll[[]string](
		`(s => (s.value = 'ja', s.dispatchEvent(new Event('change')),
		  [document.querySelector('#fb-summary thead th').textContent, document.querySelector('#fb-summary tbody th').textContent]))(document.getElementById('lang'))`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || len(ja) != 2 || ja[0] != "種別" || ja[1] != "メリット・デメリット" {
		t.Errorf("in Japanese the table says %q (%v), want 種別 and メリット・デメリット", ja, err)
	}
	browsertest.Screenshot(t, ctx, "feedback-ja")
}

// TestFeedbackPageReadOnlyRole signs the owner's viewer in: it reads the
// feedback routed to its organization but gets no response buttons.
func TestFeedbackPageReadOnlyRole(t *testing.T) {
	e := newFeedbackPageEnv(t)
	id := e.submit(t, e.tokens["authorA"], "NEW_RISK", "Seen by a viewer", e.analysis)
	ctx := browsertest.New(t)
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	browsertest.SignIn(t, ctx, e.srv.URL+"/feedback", e.tokens["ownerViewer"])
	buttons, err := chromedp.Run(ctx, chromedp.Poll[float64](fmt.Sprintf(
		`(a => a && a.querySelectorAll('button').length + 1)(document.querySelector('article[data-id=%q]'))`, id),
		chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		t.Fatalf("the viewer does not see the feedback: %v", err)
	}
	if buttons != 1 {
		t.Errorf("the viewer sees %v response buttons, want none", buttons-1)
	}
	if note, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('fb-viewer').textContent`)); !strings.Contains(note, "may read this feedback but not answer") {
		t.Errorf("the viewer is not told why there are no buttons: %q", note)
	}
}
