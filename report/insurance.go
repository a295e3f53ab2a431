package report

import (
	"fmt"
	"strconv"
	"strings"
)

// markdownInsurance writes the insurance section, when the report has one.
func (r *Report) markdownInsurance(p func(string, ...any)) {
	if r.Insurance == nil {
		return
	}
	p("\n## Insurance (perspective P4)\n\nPolicies (%s): %s.\n\n", strings.ToLower(strings.ReplaceAll(r.Insurance.PolicySource, "_", " ")), md(strings.Join(r.Insurance.Policies, ", ")))
	p("| incident | category | status | loss | paid | residual | unmet conditions | reason |\n|---|---|---|---|---|---|---|---|\n")
	for _, e := range r.Insurance.Entries {
		irr := ""
		if e.Irreversible {
			irr = " (irreversible)"
		}
		p("| %s (`%s`) | %d | %s%s | %s | %s | %s | %s | %s |\n", md(e.IncidentName), e.Incident, e.Category, e.Status, irr,
			yen(e.LossJPY), yen(e.PaidJPY), yen(e.ResidualJPY), md(strings.Join(e.Unmet, ", ")), md(e.Reason))
	}
}

// csvInsurance returns the insurance rows of the CSV rendering.
func (r *Report) csvInsurance() [][]string {
	if r.Insurance == nil {
		return nil
	}
	var rows [][]string
	for _, e := range r.Insurance.Entries {
		score := ""
		if e.ResidualJPY != nil {
			score = strconv.FormatFloat(*e.ResidualJPY, 'f', 0, 64)
		}
		rows = append(rows, []string{"insurance", "", e.Incident, "", cell(e.IncidentName), e.Status, score, strings.Join(e.Unmet, ";"), "", "", "",
			cell(fmt.Sprintf("category=%d loss=%s paid=%s residual=%s irreversible=%t %s", e.Category, yen(e.LossJPY), yen(e.PaidJPY), yen(e.ResidualJPY), e.Irreversible, e.Reason))})
	}
	return rows
}
