package report

import (
	"fmt"
	"strconv"
)

// markdownInsurance writes the insurance section, when the report has one.
func (r *Report) markdownInsurance(p func(string, ...any)) {
	if r.Insurance == nil {
		return
	}
	p("\n## Insurance (perspective P4)\n\n| incident | category | status | estimated loss | paid | residual | reason |\n|---|---|---|---|---|---|---|\n")
	for _, e := range r.Insurance.Entries {
		p("| %s (`%s`) | %s | %s | %s | %s | %s | %s |\n", md(e.IncidentName), e.Incident, intOr(e.Category, "—"), e.Status,
			yen(e.EstimatedLossJPY), yen(e.PaidJPY), yen(e.ResidualJPY), md(e.Reason))
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
		rows = append(rows, []string{"insurance", "", e.Incident, "", cell(e.IncidentName), e.Status, score, "", "", "", "",
			cell(fmt.Sprintf("loss=%s paid=%s residual=%s %s", yen(e.EstimatedLossJPY), yen(e.PaidJPY), yen(e.ResidualJPY), e.Reason))})
	}
	return rows
}
