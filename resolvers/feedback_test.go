package resolvers_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j/neo4jtest"
	"github.com/ssfgraph/ssfgraph/resolvers"
)

// fbWorld is the graph the feedback tests share: an owner organization
// whose analysis (version 3, shared with the author organization) has one
// assessment owned by a department and one without, a private analysis
// of the owner, and shared target and catalog nodes.
type fbWorld struct {
	*testEnv
	prefix string // testEnv.p

	owner, author, outsider string // organization ids
	authorSector            string

	target, incident, incident2, threat, department string
	analysis, assessed, unowned                     string // shared analysis and its two assessments
	private, privateAssessment                      string // the owner's private analysis and its assessment

	// tokens by name: ownerAnalyst, ownerViewer, ownerAdmin, authorViewer,
	// authorAnalyst, outsiderAnalyst, curator, admin.
	tokens map[string]string
}

func newFBWorld(t *testing.T) *fbWorld {
	t.Helper()
	env := newEnv(t, resolvers.Options{})
	p := env.p
	neo4jtest.CleanupFeedback(t, p)
	w := &fbWorld{testEnv: env, prefix: p, authorSector: p + "medical"}
	w.owner = env.org(t, "owner", p+"home")
	w.author = env.org(t, "author", w.authorSector)
	w.outsider = env.org(t, "outsider", p+"factory")
	staff := env.org(t, "committee", p+"committee")
	w.tokens = map[string]string{
		"ownerAnalyst":    env.token(t, w.owner, model.RoleAnalyst),
		"ownerViewer":     env.token(t, w.owner, model.RoleViewer),
		"ownerAdmin":      env.token(t, w.owner, model.RoleOrgAdmin),
		"authorViewer":    env.token(t, w.author, model.RoleViewer),
		"authorAnalyst":   env.token(t, w.author, model.RoleAnalyst),
		"outsiderAnalyst": env.token(t, w.outsider, model.RoleAnalyst),
		"curator":         env.token(t, staff, model.RoleCurator),
		"admin":           env.token(t, staff, model.RoleAdmin),
	}
	f := neo4jtest.NewFeedbackFixtures(t)
	w.target = f.Target(p+"target", p+"home")
	w.incident = f.Incident(p+"incident", w.target)
	w.incident2 = f.Incident(p+"incident2", w.target)
	w.threat = f.Threat(p + "threat")
	w.department = f.Department(p+"dept", w.owner)
	w.analysis = f.Analysis(neo4jtest.FixtureAnalysis{ID: p + "analysis", Org: w.owner, Target: w.target, Version: 3,
		Status: "SUBMITTED", Visibility: "SHARED", SharedWithOrgs: []string{w.author}})
	w.assessed = f.Assessment(p+"assessed", w.analysis, w.incident, w.department)
	w.unowned = f.Assessment(p+"unowned", w.analysis, w.incident2, "")
	w.private = f.Analysis(neo4jtest.FixtureAnalysis{ID: p + "private", Org: w.owner, Target: w.target, Version: 1})
	w.privateAssessment = f.Assessment(p+"private-assessed", w.private, w.incident, w.department)
	return w
}

// fbFeedback is Feedback as the tests read it.
type fbFeedback struct {
	ID, Kind, Text, Status, Sector string
	Answer                         *string
	AboutVersion                   *int
	CreatedAt                      time.Time
	RespondedAt                    *time.Time
	About                          *struct{ ID string }
	Organization                   struct{ ID string }
	RoutedTo                       *struct{ ID string }
	RoutedToDepartment             *struct{ ID string }
}

const fbFields = `id kind text status sector answer aboutVersion createdAt respondedAt
  about { id } organization { id } routedTo { id } routedToDepartment { id }`

const fbSubmitMutation = `mutation($in: FeedbackInput!) { submitFeedback(input: $in) { ` + fbFields + ` } }`

const fbRespondMutation = `mutation($in: FeedbackResponseInput!) { respondToFeedback(input: $in) { ` + fbFields + ` } }`

// submit gives feedback as token and returns it, failing on errors.
func (w *fbWorld) submit(t *testing.T, token, kind, text, about string) fbFeedback {
	t.Helper()
	_, r := postAs(t, w.srv, token, fbSubmitMutation, map[string]any{"in": map[string]any{"kind": kind, "text": text, "aboutId": about}})
	var got struct{ SubmitFeedback fbFeedback }
	r.decode(t, &got)
	return got.SubmitFeedback
}

// respond answers feedback as token and returns the response.
func (w *fbWorld) respond(t *testing.T, token, id, status string, answer *string) gqlResponse {
	t.Helper()
	in := map[string]any{"id": id, "status": status}
	if answer != nil {
		in["answer"] = *answer
	}
	_, r := postAs(t, w.srv, token, fbRespondMutation, map[string]any{"in": in})
	return r
}

// node reads feedback through node(id) as token; nil when it is not there.
func (w *fbWorld) node(t *testing.T, token, id string) *fbFeedback {
	t.Helper()
	_, r := postAs(t, w.srv, token, `query($id: ID!) { node(id: $id) { ... on Feedback { `+fbFields+` } } }`, map[string]any{"id": id})
	var got struct{ Node *fbFeedback }
	r.decode(t, &got)
	return got.Node
}

// list returns the ids that feedback(...) gives token with the given
// filter arguments.
func (w *fbWorld) list(t *testing.T, token string, args map[string]any) []string {
	t.Helper()
	_, r := postAs(t, w.srv, token, `query($status: FeedbackStatus, $routedToId: ID, $sector: String) {
  feedback(first: 500, status: $status, routedToId: $routedToId, sector: $sector) { totalCount nodes { id } } }`, args)
	var got struct {
		Feedback struct {
			TotalCount int
			Nodes      []struct{ ID string }
		}
	}
	r.decode(t, &got)
	ids := make([]string, 0, len(got.Feedback.Nodes))
	for _, n := range got.Feedback.Nodes {
		ids = append(ids, n.ID)
	}
	if got.Feedback.TotalCount != len(ids) {
		t.Errorf("feedback%v: totalCount %d, %d nodes", args, got.Feedback.TotalCount, len(ids))
	}
	slices.Sort(ids)
	return ids
}

// fbWantError checks that r failed with code naming field ("" for none).
func fbWantError(t *testing.T, r gqlResponse, code, field string) {
	t.Helper()
	if len(r.Errors) == 0 {
		t.Fatalf("no error, want %s; data %s", code, r.Data)
	}
	if r.code() != code {
		t.Errorf("code %q (%s), want %s", r.code(), r.Errors[0].Message, code)
	}
	if field != "" && r.Errors[0].Extensions["field"] != field {
		t.Errorf("field %v, want %s (%s)", r.Errors[0].Extensions["field"], field, r.Errors[0].Message)
	}
}

func fbPtr[T any](v T) *T { return &v }

func fbID(s *struct{ ID string }) string {
	if s == nil {
		return ""
	}
	return s.ID
}

func TestSubmitFeedbackRoutesToTheOwner(t *testing.T) {
	t.Parallel()
	w := newFBWorld(t)
	hostile := "'; MATCH (n) DETACH DELETE n // 「回復困難」\n<script>"
	for _, tt := range []struct {
		name, about          string
		routedTo, department string
		version              *int
		kind                 string
	}{
		{"Analysis", w.analysis, w.owner, "", fbPtr(3), "REVISION_REQUEST"},
		{"AssessmentWithOwnerDepartment", w.assessed, w.owner, w.department, fbPtr(3), "MERIT_DEMERIT"},
		{"AssessmentWithoutOwnerDepartment", w.unowned, w.owner, "", fbPtr(3), "NEW_RISK"},
		{"CatalogThreat", w.threat, "", "", nil, "PROBLEM_OR_HESITATION"},
		{"Target", w.target, "", "", nil, "NEW_RISK"},
		{"AxisLevel", "axis1-v1-2", "", "", nil, "MERIT_DEMERIT"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			text := tt.name + " " + hostile
			before := time.Now().Add(-time.Minute)
			got := w.submit(t, w.tokens["authorViewer"], tt.kind, text, tt.about)
			check := func(where string, fb fbFeedback) {
				t.Helper()
				if fb.Kind != tt.kind || fb.Text != text || fb.Status != "OPEN" || fb.Answer != nil || fb.RespondedAt != nil {
					t.Errorf("%s: kind %s text %q status %s answer %v respondedAt %v", where, fb.Kind, fb.Text, fb.Status, fb.Answer, fb.RespondedAt)
				}
				if fb.Organization.ID != w.author || fb.Sector != w.authorSector {
					t.Errorf("%s: organization %s sector %s, want %s %s", where, fb.Organization.ID, fb.Sector, w.author, w.authorSector)
				}
				if fbID(fb.About) != tt.about || fbID(fb.RoutedTo) != tt.routedTo || fbID(fb.RoutedToDepartment) != tt.department {
					t.Errorf("%s: about %q routedTo %q department %q, want %q %q %q", where, fbID(fb.About), fbID(fb.RoutedTo), fbID(fb.RoutedToDepartment), tt.about, tt.routedTo, tt.department)
				}
				if (fb.AboutVersion == nil) != (tt.version == nil) || fb.AboutVersion != nil && *fb.AboutVersion != *tt.version {
					t.Errorf("%s: aboutVersion %v, want %v", where, fb.AboutVersion, tt.version)
				}
				if fb.CreatedAt.Before(before) || fb.CreatedAt.After(time.Now().Add(time.Minute)) {
					t.Errorf("%s: createdAt %v", where, fb.CreatedAt)
				}
			}
			check("submitFeedback", got)
			if !strings.HasPrefix(got.ID, "feedback-") {
				t.Errorf("id %q", got.ID)
			}
			reader := "ownerAnalyst"
			if tt.routedTo == "" {
				reader = "curator"
			}
			for _, tok := range []string{"authorViewer", reader} {
				fb := w.node(t, w.tokens[tok], got.ID)
				if fb == nil {
					t.Fatalf("node(%s) as %s: null", got.ID, tok)
				}
				check("node as "+tok, *fb)
			}
		})
	}
	// The scale level, the target and the threat went to the curators;
	// the three about the analysis to its owner.
	routed := w.list(t, w.tokens["ownerAnalyst"], map[string]any{"routedToId": w.owner})
	if len(routed) != 3 {
		t.Errorf("feedback(routedToId: owner) = %v, want 3", routed)
	}
	// A curator of another organization reads the three routed to
	// curators, not the three about the private analysis.
	bySector := w.list(t, w.tokens["curator"], map[string]any{"sector": w.authorSector})
	if len(bySector) != 3 {
		t.Errorf("feedback(sector: author's) as curator = %v, want 3", bySector)
	}
	if got := w.list(t, w.tokens["authorViewer"], map[string]any{"sector": w.authorSector, "status": "OPEN"}); len(got) != 6 || !isSubset(bySector, got) {
		t.Errorf("feedback(sector, OPEN) as author = %v, want 6 including %v", got, bySector)
	}
	if got := w.list(t, w.tokens["authorViewer"], map[string]any{"sector": w.authorSector, "status": "ACCEPTED"}); len(got) != 0 {
		t.Errorf("feedback(sector, ACCEPTED) = %v, want none", got)
	}
	// The outsider sees none of it: the analysis is not public.
	if got := w.list(t, w.tokens["outsiderAnalyst"], map[string]any{"routedToId": w.owner}); len(got) != 0 {
		t.Errorf("feedback(routedToId: owner) as outsider = %v, want none", got)
	}
}

func TestFeedbackLifecycle(t *testing.T) {
	t.Parallel()
	w := newFBWorld(t)
	owner := w.tokens["ownerAnalyst"]

	t.Run("AcknowledgeThenAccept", func(t *testing.T) {
		fb := w.submit(t, w.tokens["authorAnalyst"], "REVISION_REQUEST", "raise axis 1", w.assessed)
		var ack struct{ RespondToFeedback fbFeedback }
		w.respond(t, owner, fb.ID, "ACKNOWLEDGED", fbPtr("we will look at it")).decode(t, &ack)
		if ack.RespondToFeedback.Status != "ACKNOWLEDGED" || ack.RespondToFeedback.Answer == nil || *ack.RespondToFeedback.Answer != "we will look at it" || ack.RespondToFeedback.RespondedAt == nil {
			t.Errorf("acknowledged: %+v", ack.RespondToFeedback)
		}
		var acc struct{ RespondToFeedback fbFeedback }
		w.respond(t, w.tokens["ownerAdmin"], fb.ID, "ACCEPTED", nil).decode(t, &acc)
		if acc.RespondToFeedback.Status != "ACCEPTED" || acc.RespondToFeedback.Answer == nil || *acc.RespondToFeedback.Answer != "we will look at it" {
			t.Errorf("accepted without a new answer: %+v", acc.RespondToFeedback)
		}
		got := w.node(t, w.tokens["authorAnalyst"], fb.ID)
		if got == nil || got.Status != "ACCEPTED" || got.RespondedAt == nil || got.RespondedAt.Before(got.CreatedAt) {
			t.Fatalf("node after accepting: %+v", got)
		}
		if ids := w.list(t, owner, map[string]any{"routedToId": w.owner, "status": "ACCEPTED"}); !slices.Contains(ids, fb.ID) {
			t.Errorf("feedback(ACCEPTED) = %v, want %s", ids, fb.ID)
		}
		if ids := w.list(t, owner, map[string]any{"routedToId": w.owner, "status": "OPEN"}); slices.Contains(ids, fb.ID) {
			t.Errorf("feedback(OPEN) = %v still has %s", ids, fb.ID)
		}
		for _, to := range []string{"OPEN", "ACKNOWLEDGED", "ACCEPTED", "DECLINED"} {
			fbWantError(t, w.respond(t, owner, fb.ID, to, fbPtr("again")), "CONFLICT", "input.status")
		}
		if after := w.node(t, owner, fb.ID); after.Status != "ACCEPTED" || *after.Answer != "we will look at it" || !after.RespondedAt.Equal(*got.RespondedAt) {
			t.Errorf("refused answers changed the feedback: %+v", after)
		}
	})

	t.Run("DeclineFromOpen", func(t *testing.T) {
		fb := w.submit(t, w.tokens["authorAnalyst"], "NEW_RISK", "you missed the fire risk", w.analysis)
		fbWantError(t, w.respond(t, owner, fb.ID, "DECLINED", nil), "BAD_USER_INPUT", "input.answer")
		fbWantError(t, w.respond(t, owner, fb.ID, "DECLINED", fbPtr("  \n ")), "BAD_USER_INPUT", "input.answer")
		fbWantError(t, w.respond(t, owner, fb.ID, "OPEN", nil), "CONFLICT", "input.status")
		var dec struct{ RespondToFeedback fbFeedback }
		w.respond(t, owner, fb.ID, "DECLINED", fbPtr("out of scope")).decode(t, &dec)
		if dec.RespondToFeedback.Status != "DECLINED" || *dec.RespondToFeedback.Answer != "out of scope" {
			t.Errorf("declined: %+v", dec.RespondToFeedback)
		}
		fbWantError(t, w.respond(t, owner, fb.ID, "ACCEPTED", fbPtr("changed our mind")), "CONFLICT", "input.status")
		fbWantError(t, w.respond(t, owner, fb.ID, "ACKNOWLEDGED", nil), "CONFLICT", "input.status")
		if ids := w.list(t, owner, map[string]any{"routedToId": w.owner, "status": "DECLINED"}); !slices.Equal(ids, []string{fb.ID}) {
			t.Errorf("feedback(DECLINED) = %v, want [%s]", ids, fb.ID)
		}
	})

	t.Run("AcknowledgeTwiceConflicts", func(t *testing.T) {
		fb := w.submit(t, w.tokens["authorAnalyst"], "MERIT_DEMERIT", "clear rationale", w.unowned)
		if r := w.respond(t, owner, fb.ID, "ACKNOWLEDGED", nil); len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		fbWantError(t, w.respond(t, owner, fb.ID, "ACKNOWLEDGED", nil), "CONFLICT", "input.status")
		fbWantError(t, w.respond(t, owner, fb.ID, "OPEN", nil), "CONFLICT", "input.status")
		var dec struct{ RespondToFeedback fbFeedback }
		w.respond(t, owner, fb.ID, "DECLINED", fbPtr("no")).decode(t, &dec)
		if dec.RespondToFeedback.Status != "DECLINED" {
			t.Errorf("ACKNOWLEDGED → DECLINED: %+v", dec.RespondToFeedback)
		}
	})

	t.Run("CuratorsAnswerFeedbackOnSharedNodes", func(t *testing.T) {
		fb := w.submit(t, w.tokens["ownerViewer"], "PROBLEM_OR_HESITATION", "name is ambiguous", w.threat)
		for _, tok := range []string{"ownerAnalyst", "ownerAdmin", "authorAnalyst"} {
			fbWantError(t, w.respond(t, w.tokens[tok], fb.ID, "ACKNOWLEDGED", nil), "FORBIDDEN", "")
		}
		var ack struct{ RespondToFeedback fbFeedback }
		w.respond(t, w.tokens["curator"], fb.ID, "ACKNOWLEDGED", nil).decode(t, &ack)
		if ack.RespondToFeedback.Status != "ACKNOWLEDGED" || ack.RespondToFeedback.Answer != nil {
			t.Errorf("curator acknowledged: %+v", ack.RespondToFeedback)
		}
		var acc struct{ RespondToFeedback fbFeedback }
		w.respond(t, w.tokens["admin"], fb.ID, "ACCEPTED", fbPtr("renamed")).decode(t, &acc)
		if acc.RespondToFeedback.Status != "ACCEPTED" || *acc.RespondToFeedback.Answer != "renamed" {
			t.Errorf("admin accepted: %+v", acc.RespondToFeedback)
		}
	})
}

func TestRespondToFeedbackAuthorization(t *testing.T) {
	t.Parallel()
	w := newFBWorld(t)
	fb := w.submit(t, w.tokens["authorAnalyst"], "REVISION_REQUEST", "please revise", w.assessed)
	for _, tt := range []struct{ name, token, code string }{
		{"Anonymous", "", "UNAUTHENTICATED"},
		{"OwnerViewer", w.tokens["ownerViewer"], "FORBIDDEN"},
		{"Author", w.tokens["authorAnalyst"], "FORBIDDEN"},
		// Those who may not read it get what a missing id gets.
		{"Outsider", w.tokens["outsiderAnalyst"], "NOT_FOUND"},
		{"Curator", w.tokens["curator"], "NOT_FOUND"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fbWantError(t, w.respond(t, tt.token, fb.ID, "ACKNOWLEDGED", nil), tt.code, "")
		})
	}
	if got := w.node(t, w.tokens["ownerAnalyst"], fb.ID); got.Status != "OPEN" || got.RespondedAt != nil {
		t.Errorf("refused answers changed the feedback: %+v", got)
	}
	var ok struct{ RespondToFeedback fbFeedback }
	w.respond(t, w.tokens["admin"], fb.ID, "ACKNOWLEDGED", nil).decode(t, &ok)
	if ok.RespondToFeedback.Status != "ACKNOWLEDGED" {
		t.Errorf("admin: %+v", ok.RespondToFeedback)
	}
	t.Run("UnknownFeedback", func(t *testing.T) {
		fbWantError(t, w.respond(t, w.tokens["ownerAnalyst"], w.prefix+"nope", "ACKNOWLEDGED", nil), "NOT_FOUND", "input.id")
		fbWantError(t, w.respond(t, w.tokens["ownerAnalyst"], w.analysis, "ACKNOWLEDGED", nil), "NOT_FOUND", "input.id")
	})
	t.Run("BadStatus", func(t *testing.T) {
		r := w.respond(t, w.tokens["ownerAnalyst"], fb.ID, "DONE", nil)
		if len(r.Errors) == 0 || r.code() != "GRAPHQL_VALIDATION_FAILED" || !strings.Contains(r.Errors[0].Message, "DONE") {
			t.Errorf("status DONE: %+v", r.Errors)
		}
	})
}

func TestSubmitFeedbackValidation(t *testing.T) {
	t.Parallel()
	w := newFBWorld(t)
	tok := w.tokens["authorAnalyst"]
	for _, tt := range []struct {
		name, token, kind, text, about, code, field string
	}{
		{"Anonymous", "", "NEW_RISK", "x", w.analysis, "UNAUTHENTICATED", ""},
		{"EmptyText", tok, "NEW_RISK", "", w.analysis, "BAD_USER_INPUT", "input.text"},
		{"TooLongText", tok, "NEW_RISK", strings.Repeat("あ", 10001), w.analysis, "BAD_USER_INPUT", "input.text"},
		{"UnknownNode", tok, "NEW_RISK", "x", w.prefix + "nothing", "NOT_FOUND", "input.aboutId"},
		{"HostileID", tok, "NEW_RISK", "x", "x'}) DETACH DELETE n //", "NOT_FOUND", "input.aboutId"},
		{"PrivateAnalysis", tok, "NEW_RISK", "x", w.private, "NOT_FOUND", "input.aboutId"},
		{"AssessmentOfPrivateAnalysis", tok, "NEW_RISK", "x", w.privateAssessment, "NOT_FOUND", "input.aboutId"},
		{"SharedAnalysisOutsider", w.tokens["outsiderAnalyst"], "NEW_RISK", "x", w.analysis, "NOT_FOUND", "input.aboutId"},
		{"Organization", tok, "NEW_RISK", "x", w.owner, "NOT_FOUND", "input.aboutId"},
		{"Department", tok, "NEW_RISK", "x", w.department, "NOT_FOUND", "input.aboutId"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, r := postAs(t, w.srv, tt.token, fbSubmitMutation, map[string]any{"in": map[string]any{"kind": tt.kind, "text": tt.text, "aboutId": tt.about}})
			fbWantError(t, r, tt.code, tt.field)
		})
	}
	t.Run("BadKind", func(t *testing.T) {
		_, r := postAs(t, w.srv, tok, fbSubmitMutation, map[string]any{"in": map[string]any{"kind": "PRAISE", "text": "x", "aboutId": w.analysis}})
		if len(r.Errors) == 0 || r.code() != "GRAPHQL_VALIDATION_FAILED" || !strings.Contains(r.Errors[0].Message, "PRAISE") {
			t.Errorf("kind PRAISE: %+v", r.Errors)
		}
	})
	t.Run("LongestText", func(t *testing.T) {
		text := strings.Repeat("あ", 10000)
		if fb := w.submit(t, tok, "NEW_RISK", text, w.analysis); fb.Text != text {
			t.Errorf("a 10000-character text came back with %d characters", len([]rune(fb.Text)))
		}
	})
	// The owner's own private analysis takes feedback from its organization.
	t.Run("OwnPrivateAnalysis", func(t *testing.T) {
		fb := w.submit(t, w.tokens["ownerViewer"], "MERIT_DEMERIT", "self-review", w.privateAssessment)
		if fbID(fb.RoutedTo) != w.owner || fbID(fb.RoutedToDepartment) != w.department || fb.AboutVersion == nil || *fb.AboutVersion != 1 {
			t.Errorf("feedback on own private assessment: %+v", fb)
		}
	})
}

// fbOpinion is Opinion as the tests read it.
type fbOpinion struct {
	ID, Stance, Rationale string
	CreatedAt             time.Time
	About                 *struct{ ID string }
	Organization          struct{ ID string }
}

const fbOpinionFields = `id stance rationale createdAt about { id } organization { id }`

const fbExpressMutation = `mutation($in: OpinionInput!) { expressOpinion(input: $in) { ` + fbOpinionFields + ` } }`

func (w *fbWorld) express(t *testing.T, token, about, stance, rationale string) gqlResponse {
	t.Helper()
	_, r := postAs(t, w.srv, token, fbExpressMutation, map[string]any{"in": map[string]any{"aboutId": about, "stance": stance, "rationale": rationale}})
	return r
}

func (w *fbWorld) opinion(t *testing.T, token, id string) *fbOpinion {
	t.Helper()
	_, r := postAs(t, w.srv, token, `query($id: ID!) { node(id: $id) { ... on Opinion { `+fbOpinionFields+` } } }`, map[string]any{"id": id})
	var got struct{ Node *fbOpinion }
	r.decode(t, &got)
	return got.Node
}

func (w *fbWorld) withdraw(t *testing.T, token, id string) gqlResponse {
	t.Helper()
	_, r := postAs(t, w.srv, token, `mutation($id: ID!) { withdrawOpinion(id: $id) }`, map[string]any{"id": id})
	return r
}

func TestOpinionRoundTrip(t *testing.T) {
	t.Parallel()
	w := newFBWorld(t)
	rationale := "'; MATCH (n) DETACH DELETE n // 妥当"
	var first struct{ ExpressOpinion fbOpinion }
	w.express(t, w.tokens["authorAnalyst"], w.assessed, "AGREE", rationale).decode(t, &first)
	op := first.ExpressOpinion
	if op.ID == "" || op.Stance != "AGREE" || op.Rationale != rationale || fbID(op.About) != w.assessed || op.Organization.ID != w.author || op.CreatedAt.IsZero() {
		t.Fatalf("expressOpinion: %+v", op)
	}
	if got := w.opinion(t, w.tokens["ownerAnalyst"], op.ID); got == nil || got.ID != op.ID || got.Stance != op.Stance || got.Rationale != op.Rationale ||
		fbID(got.About) != w.assessed || got.Organization != op.Organization || !got.CreatedAt.Equal(op.CreatedAt) {
		t.Fatalf("node(%s) = %+v, want %+v", op.ID, got, op)
	}

	// A second opinion of the same organization replaces the first.
	var second struct{ ExpressOpinion fbOpinion }
	w.express(t, w.tokens["authorAnalyst"], w.assessed, "DISAGREE", "axis 2 is too low").decode(t, &second)
	if second.ExpressOpinion.ID != op.ID || second.ExpressOpinion.Stance != "DISAGREE" || second.ExpressOpinion.Rationale != "axis 2 is too low" {
		t.Errorf("second opinion: %+v, want id %s replaced", second.ExpressOpinion, op.ID)
	}
	if got := w.opinion(t, w.tokens["authorViewer"], op.ID); got == nil || got.Stance != "DISAGREE" || got.Rationale != "axis 2 is too low" {
		t.Errorf("node after replacing: %+v", got)
	}

	// Another organization's opinion of the same node is its own.
	var other struct{ ExpressOpinion fbOpinion }
	w.express(t, w.tokens["ownerAnalyst"], w.assessed, "AGREE", "we stand by it").decode(t, &other)
	if other.ExpressOpinion.ID == op.ID || other.ExpressOpinion.Organization.ID != w.owner {
		t.Errorf("owner's opinion: %+v", other.ExpressOpinion)
	}
	// Opinions on shared nodes.
	var onThreat struct{ ExpressOpinion fbOpinion }
	w.express(t, w.tokens["outsiderAnalyst"], w.threat, "DISAGREE", "not a real threat").decode(t, &onThreat)
	if fbID(onThreat.ExpressOpinion.About) != w.threat || onThreat.ExpressOpinion.ID == op.ID {
		t.Errorf("opinion on a threat: %+v", onThreat.ExpressOpinion)
	}

	t.Run("Withdraw", func(t *testing.T) {
		for _, tt := range []struct{ name, token, code string }{
			{"Anonymous", "", "UNAUTHENTICATED"},
			{"AuthorViewer", w.tokens["authorViewer"], "FORBIDDEN"},
			{"OtherOrganization", w.tokens["ownerAnalyst"], "FORBIDDEN"},
			{"Curator", w.tokens["curator"], "NOT_FOUND"}, // may not read it: answered as a missing id
		} {
			fbWantError(t, w.withdraw(t, tt.token, op.ID), tt.code, "")
		}
		if got := w.opinion(t, w.tokens["authorViewer"], op.ID); got == nil {
			t.Fatal("a refused withdrawal removed the opinion")
		}
		var ok struct{ WithdrawOpinion string }
		w.withdraw(t, w.tokens["authorAnalyst"], op.ID).decode(t, &ok)
		if ok.WithdrawOpinion != op.ID {
			t.Errorf("withdrawOpinion = %q, want %s", ok.WithdrawOpinion, op.ID)
		}
		if got := w.opinion(t, w.tokens["authorViewer"], op.ID); got != nil {
			t.Errorf("node after withdrawing: %+v", got)
		}
		fbWantError(t, w.withdraw(t, w.tokens["authorAnalyst"], op.ID), "NOT_FOUND", "id")
		fbWantError(t, w.withdraw(t, w.tokens["admin"], w.assessed), "NOT_FOUND", "id")
		// Admins may withdraw anyone's; the owner's opinion is untouched.
		w.withdraw(t, w.tokens["admin"], onThreat.ExpressOpinion.ID).decode(t, &ok)
		if got := w.opinion(t, w.tokens["admin"], onThreat.ExpressOpinion.ID); got != nil {
			t.Errorf("admin's withdrawal left %+v", got)
		}
		if got := w.opinion(t, w.tokens["ownerViewer"], other.ExpressOpinion.ID); got == nil || got.Stance != "AGREE" {
			t.Errorf("owner's opinion after the others were withdrawn: %+v", got)
		}
	})
}

func TestExpressOpinionValidation(t *testing.T) {
	t.Parallel()
	w := newFBWorld(t)
	tok := w.tokens["authorAnalyst"]
	for _, tt := range []struct {
		name, token, about, stance, rationale, code, field string
	}{
		{"Anonymous", "", w.assessed, "AGREE", "x", "UNAUTHENTICATED", ""},
		// An opinion speaks for the organization: viewers (who only read)
		// and curators do not write for theirs.
		{"Viewer", w.tokens["authorViewer"], w.assessed, "AGREE", "x", "FORBIDDEN", ""},
		{"Curator", w.tokens["curator"], w.assessed, "AGREE", "x", "FORBIDDEN", ""},
		{"EmptyRationale", tok, w.assessed, "AGREE", "", "BAD_USER_INPUT", "input.rationale"},
		{"TooLongRationale", tok, w.assessed, "AGREE", strings.Repeat("x", 10001), "BAD_USER_INPUT", "input.rationale"},
		{"UnknownNode", tok, w.prefix + "nothing", "AGREE", "x", "NOT_FOUND", "input.aboutId"},
		{"PrivateAssessment", tok, w.privateAssessment, "AGREE", "x", "NOT_FOUND", "input.aboutId"},
		{"Organization", tok, w.owner, "AGREE", "x", "NOT_FOUND", "input.aboutId"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fbWantError(t, w.express(t, tt.token, tt.about, tt.stance, tt.rationale), tt.code, tt.field)
		})
	}
	t.Run("BadStance", func(t *testing.T) {
		r := w.express(t, tok, w.assessed, "MAYBE", "x")
		if len(r.Errors) == 0 || r.code() != "GRAPHQL_VALIDATION_FAILED" || !strings.Contains(r.Errors[0].Message, "MAYBE") {
			t.Errorf("stance MAYBE: %+v", r.Errors)
		}
	})
}

func TestFailedFeedbackMutationsChangeNothing(t *testing.T) {
	t.Parallel()
	w := newFBWorld(t)
	accepted := w.submit(t, w.tokens["authorAnalyst"], "REVISION_REQUEST", "revise", w.assessed)
	if r := w.respond(t, w.tokens["ownerAnalyst"], accepted.ID, "ACCEPTED", fbPtr("done")); len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	open := w.submit(t, w.tokens["authorAnalyst"], "NEW_RISK", "missed one", w.analysis)
	var op struct{ ExpressOpinion fbOpinion }
	w.express(t, w.tokens["authorAnalyst"], w.assessed, "AGREE", "fine").decode(t, &op)

	before, beforeFB := neo4jtest.Snapshot(t, w.prefix), neo4jtest.FeedbackSnapshot(t, w.prefix)
	if !strings.Contains(beforeFB, accepted.ID) || !strings.Contains(beforeFB, op.ExpressOpinion.ID) {
		t.Fatalf("FeedbackSnapshot does not see the feedback and opinion: %s", beforeFB)
	}
	if strings.Contains(before+beforeFB, "_lock") {
		t.Errorf("a lock property was left behind: %s %s", before, beforeFB)
	}
	for _, tt := range []struct {
		name, code string
		r          func() gqlResponse
	}{
		{"SubmitAboutPrivate", "NOT_FOUND", func() gqlResponse {
			_, r := postAs(t, w.srv, w.tokens["authorAnalyst"], fbSubmitMutation, map[string]any{"in": map[string]any{"kind": "NEW_RISK", "text": "x", "aboutId": w.private}})
			return r
		}},
		{"SubmitEmpty", "BAD_USER_INPUT", func() gqlResponse {
			_, r := postAs(t, w.srv, w.tokens["authorAnalyst"], fbSubmitMutation, map[string]any{"in": map[string]any{"kind": "NEW_RISK", "text": "", "aboutId": w.analysis}})
			return r
		}},
		{"ReopenAccepted", "CONFLICT", func() gqlResponse {
			return w.respond(t, w.tokens["ownerAnalyst"], accepted.ID, "DECLINED", fbPtr("no"))
		}},
		{"DeclineWithoutAnswer", "BAD_USER_INPUT", func() gqlResponse { return w.respond(t, w.tokens["ownerAnalyst"], open.ID, "DECLINED", nil) }},
		{"RespondForbidden", "FORBIDDEN", func() gqlResponse { return w.respond(t, w.tokens["authorAnalyst"], open.ID, "ACCEPTED", nil) }},
		{"OpinionTooLong", "BAD_USER_INPUT", func() gqlResponse {
			return w.express(t, w.tokens["authorAnalyst"], w.assessed, "DISAGREE", strings.Repeat("x", 10001))
		}},
		{"OpinionAboutPrivate", "NOT_FOUND", func() gqlResponse { return w.express(t, w.tokens["authorAnalyst"], w.private, "DISAGREE", "x") }},
		{"WithdrawForbidden", "FORBIDDEN", func() gqlResponse { return w.withdraw(t, w.tokens["ownerAnalyst"], op.ExpressOpinion.ID) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fbWantError(t, tt.r(), tt.code, "")
			if after := neo4jtest.Snapshot(t, w.prefix); after != before {
				t.Errorf("the graph changed:\nbefore %s\nafter  %s", before, after)
			}
			if after := neo4jtest.FeedbackSnapshot(t, w.prefix); after != beforeFB {
				t.Errorf("feedback changed:\nbefore %s\nafter  %s", beforeFB, after)
			}
		})
	}
}

// TestConcurrentFeedbackWrites checks that one organization's concurrent
// opinions on one node leave one opinion, and that of two concurrent
// answers to open feedback exactly one wins.
func TestConcurrentFeedbackWrites(t *testing.T) {
	t.Parallel()
	w := newFBWorld(t)
	const n = 8
	var wg sync.WaitGroup
	ids := make([]string, n)
	codes := make([]string, n)
	for i := range n {
		wg.Go(func() {
			_, r := postAs(t, w.srv, w.tokens["authorAnalyst"], fbExpressMutation, map[string]any{"in": map[string]any{
				"aboutId": w.assessed, "stance": []string{"AGREE", "DISAGREE"}[i%2], "rationale": fmt.Sprint("take ", i)}})
			var got struct{ ExpressOpinion fbOpinion }
			if len(r.Errors) == 0 && json.Unmarshal(r.Data, &got) == nil {
				ids[i] = got.ExpressOpinion.ID
			}
			codes[i] = r.code()
		})
	}
	wg.Wait()
	for i := range n {
		if codes[i] != "" || ids[i] == "" || ids[i] != ids[0] {
			t.Errorf("opinion %d: id %q code %q, want %q", i, ids[i], codes[i], ids[0])
		}
	}
	if got := strings.Count(neo4jtest.FeedbackSnapshot(t, w.prefix), "Opinion"); got != 1 {
		t.Errorf("%d opinions stored, want 1", got)
	}

	fb := w.submit(t, w.tokens["authorAnalyst"], "REVISION_REQUEST", "revise", w.analysis)
	results := make([]gqlResponse, 2)
	for i, status := range []string{"ACCEPTED", "DECLINED"} {
		wg.Go(func() { results[i] = w.respond(t, w.tokens["ownerAnalyst"], fb.ID, status, fbPtr("answer "+status)) })
	}
	wg.Wait()
	won, conflicts := "", 0
	for i, r := range results {
		switch r.code() {
		case "":
			won = []string{"ACCEPTED", "DECLINED"}[i]
		case "CONFLICT":
			conflicts++
		default:
			t.Errorf("answer %d: %+v", i, r.Errors)
		}
	}
	if won == "" || conflicts != 1 {
		t.Fatalf("won %q with %d conflicts, want one winner and one conflict", won, conflicts)
	}
	if got := w.node(t, w.tokens["ownerAnalyst"], fb.ID); got.Status != won || *got.Answer != "answer "+won {
		t.Errorf("stored %s %q, want the winner %s", got.Status, *got.Answer, won)
	}
}

// isSubset reports whether every element of sub is in of.
func isSubset(sub, of []string) bool {
	for _, x := range sub {
		if !slices.Contains(of, x) {
			return false
		}
	}
	return true
}
