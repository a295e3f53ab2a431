package main

import (
	"context"
	"fmt"
	"io"

	"github.com/ssfgraph/ssfgraph/graph/model"
	"github.com/ssfgraph/ssfgraph/graph/neo4j"
)

// runSeed is `ssfgraph seed --demo`: it loads a small, illustrative data
// set through the same store methods the API uses, and prints a bearer
// token per demo organization so that a newcomer can explore at once.
func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg Config
	fs, envs := cfg.flagSet("seed", stdout, false)
	demo := fs.Bool("demo", false, "load the illustrative smart-home window-shutter demo (ids start with demo-)")
	reset := fs.Bool("reset", false, "delete the demo data (every id starting with demo-) first")
	if err := cfg.parse(fs, envs, args); err != nil {
		return err
	}
	if !*demo {
		return usageError("nothing to seed: pass --demo")
	}
	db := cfg.db(cfg.logger(stderr))
	defer db.Close(context.WithoutCancel(ctx))
	if err := cfg.connect(ctx, db); err != nil {
		return err
	}
	if *reset {
		if err := db.DeleteDemo(ctx); err != nil {
			return err
		}
	}
	loaded, err := seedDemo(ctx, db)
	if err != nil {
		return fmt.Errorf("seeding the demo (run again with --reset to start afresh): %w", err)
	}
	if !loaded {
		fmt.Fprintln(stderr, "the demo data is loaded already; new tokens follow")
	} else {
		fmt.Fprintln(stderr, "loaded the illustrative window-shutter demo (target demo-shutter)")
	}
	for _, t := range []struct {
		org  string
		role model.Role
	}{{"demo-maker", model.RoleAnalyst}, {"demo-operator", model.RoleAnalyst}, {"demo-insurer", model.RoleAnalyst}, {"demo-committee", model.RoleAdmin}} {
		tok, err := db.CreateToken(ctx, t.org+"-"+string(t.role), t.org, t.role)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-15s %-8s Authorization: Bearer %s\n", t.org, t.role, tok)
	}
	return nil
}

// seedDemo writes the demo unless it exists, and reports whether it wrote.
// Every value is marked illustrative: it shows the model, it is not an
// assessment of any real product.
func seedDemo(ctx context.Context, db *neo4j.DB) (bool, error) {
	if n, err := db.Nodes(ctx, []string{"demo-shutter"}); err != nil {
		return false, err
	} else if len(n) > 0 {
		return false, nil
	}
	s := &seeder{}
	str := func(v string) *string { return &v }
	f := func(v float64) *float64 { return &v }

	for _, o := range [][3]string{
		{"demo-maker", "ShutterWorks (illustrative manufacturer)", "home"},
		{"demo-operator", "HomeLink Services (illustrative operator)", "home"},
		{"demo-insurer", "Example Mutual (illustrative insurer)", "insurance"},
		{"demo-committee", "Use-case committee (illustrative)", "cross-industry"},
	} {
		s.do(func() error {
			_, err := db.CreateOrganization(ctx, model.OrganizationInput{ID: str(o[0]), Name: o[1], Sector: o[2]})
			return err
		})
	}
	for _, d := range [][3]string{
		{"demo-maker-psirt", "demo-maker", "Product security"},
		{"demo-maker-qa", "demo-maker", "Quality assurance"},
		{"demo-operator-ops", "demo-operator", "Service operations"},
		{"demo-operator-support", "demo-operator", "Customer support"},
	} {
		s.do(func() error {
			_, err := db.CreateDepartment(ctx, model.DepartmentInput{ID: str(d[0]), OrganizationID: d[1], Name: d[2]})
			return err
		})
	}
	s.do(func() error {
		_, err := db.CreateTarget(ctx, model.TargetInput{ID: str("demo-shutter"), Name: "Smart-home window-shutter service (illustrative demo)", Sector: "home",
			Description: str("Motorised window shutters in homes, controlled from a mobile app through a cloud service and a home gateway. Illustrative data for exploring ssfgraph, not an assessment of any real product.")})
		return err
	})
	for _, a := range [][4]string{
		{"demo-asset-controller", "Shutter motor controller", "component", "Drives the shutter motor; reads the obstruction sensor."},
		{"demo-asset-gateway", "Home gateway", "component", "Relays commands between the cloud and the controllers in the home."},
		{"demo-asset-cloud", "Cloud control service", "system", "Schedules and relays open/close commands."},
		{"demo-asset-app", "Mobile app", "system", "Residents open, close and schedule the shutters."},
		{"demo-asset-resident", "Residents", "people", "People living in the home, including children and pets."},
		{"demo-asset-update", "Firmware update procedure", "procedure", "How controller and gateway firmware is built, signed and rolled out."},
	} {
		s.do(func() error {
			_, err := db.CreateAsset(ctx, model.AssetInput{ID: str(a[0]), TargetID: "demo-shutter", Name: a[1], Kind: a[2], Description: str(a[3])})
			return err
		})
	}
	for _, c := range [][2]string{{"demo-asset-app", "demo-asset-cloud"}, {"demo-asset-cloud", "demo-asset-gateway"}, {"demo-asset-gateway", "demo-asset-controller"}} {
		s.do(func() error { _, err := db.ConnectAssets(ctx, c[0], c[1]); return err })
	}
	incidents := [][4]string{
		{"demo-inc-crush", "Shutter closes on a person or pet", "life-body", "An unexpected close command moves the shutter while someone is in its path."},
		{"demo-inc-burglary", "Shutters open while residents are away", "property", "Shutters open on an attacker's command, inviting burglary."},
		{"demo-inc-fire", "Shutters stuck closed during a fire", "life-body", "Residents cannot escape or be rescued through the windows."},
		{"demo-inc-outage", "Service outage leaves shutters unusable", "service-stop", "All homes lose remote and scheduled control for hours."},
		{"demo-inc-privacy", "Residents' presence patterns leak", "privacy", "Open/close history reveals when homes are empty."},
	}
	for _, i := range incidents {
		s.do(func() error {
			_, err := db.CreateIncident(ctx, model.IncidentInput{ID: str(i[0]), TargetID: "demo-shutter", Name: i[1], Consequence: i[2], Description: str(i[3])})
			return err
		})
	}
	for _, t := range [][5]string{
		{"demo-threat-t0855", "Unauthorized Command Message", "cyber-attack", "T0855", "mitre-attack-ics"},
		{"demo-threat-t0839", "Module Firmware", "cyber-attack", "T0839", "mitre-attack-ics"},
		{"demo-threat-t0813", "Denial of Control", "cyber-attack", "T0813", "mitre-attack-ics"},
		{"demo-threat-misuse", "Resident misoperation", "human-error", "", ""},
		{"demo-threat-motor", "Motor controller failure", "failure", "", ""},
	} {
		in := model.ThreatInput{ID: str(t[0]), Name: t[1], Kind: t[2], Description: str("Illustrative threat for the demo.")}
		if t[3] != "" {
			in.ExternalID, in.Source = str(t[3]), str(t[4])
		}
		s.do(func() error { _, err := db.CreateThreat(ctx, in); return err })
	}
	for _, m := range [][4]string{
		{"demo-m-interlock", "Obstruction sensor with hardware interlock", "P1", "physical"},
		{"demo-m-signed-fw", "Signed firmware updates", "P1", "technical"},
		{"demo-m-cmd-auth", "Authenticated commands between cloud and gateway", "P1", "technical"},
		{"demo-m-monitoring", "24/7 monitoring of command anomalies", "P2", "organizational"},
		{"demo-m-staged-rollout", "Staged update rollout with rollback", "P2", "organizational"},
		{"demo-m-router-guidance", "Resident guidance: secure the home Wi-Fi router", "P3", "human"},
		{"demo-m-manual-override", "Manual override and fire-escape instructions", "P3", "human"},
		{"demo-m-insurance", "Cyber insurance with product-liability extension", "P4", "contractual"},
	} {
		s.do(func() error {
			_, err := db.CreateMeasure(ctx, model.MeasureInput{ID: str(m[0]), Name: m[1], Perspective: m[2], Kind: m[3], Description: str("Illustrative measure for the demo.")})
			return err
		})
	}
	for _, l := range [][2]string{{"demo-threat-t0855", "demo-m-cmd-auth"}, {"demo-threat-t0839", "demo-m-signed-fw"}, {"demo-threat-t0813", "demo-m-monitoring"}, {"demo-threat-misuse", "demo-m-manual-override"}} {
		s.do(func() error { _, err := db.LinkThreatToMeasure(ctx, l[0], l[1], str("illustrative")); return err })
	}
	s.do(func() error {
		_, err := db.CreateGuideline(ctx, model.GuidelineInput{ID: str("demo-etsi-303645"), Title: "ETSI EN 303 645 (excerpt, illustrative)", Publisher: "ETSI", Version: "V2.1.1"})
		return err
	})
	s.do(func() error {
		_, err := db.CreateGuideline(ctx, model.GuidelineInput{ID: str("demo-iec-62443-4-2"), Title: "IEC 62443-4-2 (excerpt, illustrative)", Publisher: "IEC", Version: "2019"})
		return err
	})
	for _, c := range [][4]string{
		{"demo-etsi-5.1", "demo-etsi-303645", "5.1", "No universal default passwords"},
		{"demo-etsi-5.3", "demo-etsi-303645", "5.3", "Keep software updated"},
		{"demo-etsi-5.5", "demo-etsi-303645", "5.5", "Communicate securely"},
		{"demo-iec-cr-1.1", "demo-iec-62443-4-2", "CR 1.1", "Human user identification and authentication"},
		{"demo-iec-cr-3.4", "demo-iec-62443-4-2", "CR 3.4", "Software and information integrity"},
		{"demo-iec-cr-3.1", "demo-iec-62443-4-2", "CR 3.1", "Communication integrity"},
	} {
		s.do(func() error {
			_, err := db.CreateClause(ctx, model.ClauseInput{ID: str(c[0]), GuidelineID: c[1], Ref: c[2], Title: c[3], Text: str("Illustrative excerpt: see the published standard.")})
			return err
		})
	}
	for _, m := range []model.ClauseMappingInput{
		{SourceID: "demo-etsi-5.3", TargetID: "demo-iec-cr-3.4", Relationship: model.MappingRelationshipIntersectsWith, Coverage: f(0.5), Origin: str("illustrative")},
		{SourceID: "demo-etsi-5.5", TargetID: "demo-iec-cr-3.1", Relationship: model.MappingRelationshipSupersetOf, Origin: str("illustrative")},
	} {
		s.do(func() error { _, err := db.MapClauses(ctx, m); return err })
	}
	eq := model.MappingRelationshipEquivalentTo
	for _, l := range []model.MeasureClauseInput{
		{MeasureID: "demo-m-signed-fw", ClauseID: "demo-etsi-5.3", Relationship: &eq},
		{MeasureID: "demo-m-staged-rollout", ClauseID: "demo-etsi-5.3", Relationship: &eq, Coverage: f(0.5)},
		{MeasureID: "demo-m-cmd-auth", ClauseID: "demo-etsi-5.5", Relationship: &eq},
	} {
		s.do(func() error { _, err := db.LinkMeasureToClause(ctx, l); return err })
	}
	s.do(func() error {
		_, err := db.CreateInsurancePolicy(ctx, model.InsurancePolicyInput{ID: str("demo-policy"), Insurer: "Example Mutual (illustrative)", HolderID: "demo-operator",
			Product: "IoT service cyber policy (illustrative)", PeriodStart: "2026-04-01", PeriodEnd: "2027-03-31", AggregateLimitJpy: 5e8,
			Lines: []*model.CoverageLineInput{
				{ID: str("demo-line-bi"), Type: "business-interruption", LimitJpy: 2e8, DeductibleJpy: f(5e6), CoversIncidentIds: []string{"demo-inc-outage"},
					RequiresMeasureIds: []string{"demo-m-monitoring"}, Exclusions: []string{"war", "known unpatched vulnerability older than 90 days"}},
				{ID: str("demo-line-liability"), Type: "third-party-liability", LimitJpy: 3e8, DeductibleJpy: f(1e6), CoversIncidentIds: []string{"demo-inc-crush", "demo-inc-burglary"}},
			}})
		return err
	})

	// Two organizations' divergent analyses of the same target.
	type rating struct {
		incident     string
		axis1, axis2 int
		owner        string
		threats      []string
		measures     [][2]string // measure id, status
		rationale    string
	}
	analyses := []struct {
		id, org, title string
		ratings        []rating
	}{
		{"demo-analysis-maker", "demo-maker", "Window shutter: manufacturer's analysis (illustrative)", []rating{
			{"demo-inc-crush", 4, 3, "demo-maker-qa", []string{"demo-threat-t0855", "demo-threat-motor"}, [][2]string{{"demo-m-interlock", "VERIFIED"}, {"demo-m-cmd-auth", "IMPLEMENTED"}}, "Injury can be permanent; recalls are costly."},
			{"demo-inc-burglary", 2, 2, "demo-maker-psirt", []string{"demo-threat-t0855"}, [][2]string{{"demo-m-cmd-auth", "IMPLEMENTED"}}, "Property loss is insured and recoverable."},
			{"demo-inc-fire", 4, 4, "demo-maker-qa", []string{"demo-threat-t0813", "demo-threat-motor"}, [][2]string{{"demo-m-manual-override", "PLANNED"}}, "Loss of life cannot be undone."},
			{"demo-inc-outage", 1, 2, "demo-maker-psirt", []string{"demo-threat-t0839"}, [][2]string{{"demo-m-signed-fw", "IMPLEMENTED"}}, "Shutters can still be moved by hand."},
		}},
		{"demo-analysis-operator", "demo-operator", "Window shutter: service operator's analysis (illustrative)", []rating{
			{"demo-inc-crush", 4, 4, "demo-operator-support", []string{"demo-threat-t0855", "demo-threat-misuse"}, [][2]string{{"demo-m-interlock", "IMPLEMENTED"}, {"demo-m-monitoring", "IMPLEMENTED"}, {"demo-m-insurance", "IMPLEMENTED"}}, "Claims and reputation damage exceed 10 billion yen in the worst case."},
			{"demo-inc-burglary", 3, 2, "demo-operator-ops", []string{"demo-threat-t0855"}, [][2]string{{"demo-m-monitoring", "IMPLEMENTED"}, {"demo-m-router-guidance", "PLANNED"}}, "Residents' trust takes years to rebuild."},
			{"demo-inc-outage", 2, 3, "demo-operator-ops", []string{"demo-threat-t0813", "demo-threat-t0839"}, [][2]string{{"demo-m-staged-rollout", "IMPLEMENTED"}, {"demo-m-insurance", "IMPLEMENTED"}}, "Every customer is affected at once."},
			{"demo-inc-privacy", 2, 2, "demo-operator-ops", []string{"demo-threat-t0855"}, [][2]string{{"demo-m-router-guidance", "PLANNED"}}, "Presence data is personal information."},
		}},
	}
	for _, a := range analyses {
		s.do(func() error {
			_, err := db.CreateAnalysis(ctx, a.org, model.AnalysisInput{ID: str(a.id), TargetID: "demo-shutter", Title: a.title, Visibility: ptr(model.VisibilityPublic)})
			return err
		})
		for _, r := range a.ratings {
			in := model.AssessIncidentInput{AnalysisID: a.id, IncidentID: str(r.incident), Axis1: r.axis1, Axis2: r.axis2, Rationale: str(r.rationale), OwnerDepartmentID: str(r.owner)}
			for _, th := range r.threats {
				in.Threats = append(in.Threats, &model.ThreatRefInput{ID: str(th)})
			}
			for _, m := range r.measures {
				in.Treatments = append(in.Treatments, &model.TreatmentInput{MeasureID: str(m[0]), Status: model.TreatmentStatus(m[1])})
			}
			s.do(func() error { _, err := db.AssessIncident(ctx, in); return err })
		}
		s.do(func() error { _, err := db.SubmitAnalysis(ctx, a.id); return err })
	}
	s.do(func() error {
		_, err := db.SetAnalysisPolicies(ctx, "demo-analysis-operator", []string{"demo-policy"})
		if model.ErrorCode(err) == model.ECONFLICT {
			return nil // submitted already: the policy link is optional in the demo
		}
		return err
	})
	insurer := &model.Principal{UserID: "demo-insurer-analyst", OrganizationID: "demo-insurer", Sector: "insurance", Role: model.RoleAnalyst}
	s.do(func() error {
		_, err := db.SubmitFeedback(ctx, insurer, model.FeedbackInput{Kind: model.FeedbackKindNewRisk, AboutID: "demo-analysis-maker",
			Text: "The privacy incident (presence patterns) is missing from the manufacturer's analysis. (illustrative)"})
		return err
	})
	operator := &model.Principal{UserID: "demo-operator-analyst", OrganizationID: "demo-operator", Sector: "home", Role: model.RoleAnalyst}
	s.do(func() error {
		_, err := db.SubmitFeedback(ctx, operator, model.FeedbackInput{Kind: model.FeedbackKindRevisionRequest, AboutID: "demo-analysis-maker",
			Text: "Axis 2 for the crush incident looks low given product-liability claims. (illustrative)"})
		return err
	})
	return true, s.err
}

func ptr[T any](v T) *T { return &v }

// seeder runs steps until the first error, which it keeps.
type seeder struct{ err error }

func (s *seeder) do(step func() error) {
	if s.err == nil {
		s.err = step()
	}
}
