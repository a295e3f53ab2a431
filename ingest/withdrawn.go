package ingest

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// The kinds of an INCORPORATED_INTO relationship: where the content of a
// withdrawn clause went.
const (
	withdrawnIncorporated = "incorporated-into"
	withdrawnMoved        = "moved-to"
)

// withdrawnNote matches the note NIST writes in place of a withdrawn
// control's statement ("[Withdrawn: Incorporated into AC-2 and AU-6.]",
// "[Withdrawn: Moved to SR-11.]", and in the CISO Assistant library once
// "[Withdrawn: Moved to AT-2(4)]."), which the CSF 2.0 catalog and the CISO
// Assistant libraries carry instead of OSCAL links.
var withdrawnNote = regexp.MustCompile(`(?i)^\[?\s*withdrawn\s*:\s*(incorporated\s+into|moved\s+(?:to|into))\s+([^\]]*?)\s*\.?\s*(?:\]\s*\.?)?$`)

// withdrawnListSep splits the list of a withdrawal note: "A, B, and C".
var withdrawnListSep = regexp.MustCompile(`\s*,\s*(?:and\s+)?|\s+and\s+`)

// withdrawnRefs reads the withdrawal note that starts text: the kind
// (withdrawnIncorporated or withdrawnMoved) and the references it lists, as
// written ("AC-2", "GV.PO", "AC-2k", "SR Family"). It returns "" and no
// references when text has no such note (a note such as "[Withdrawn:
// Addressed through tailoring.]" names no clause).
func withdrawnRefs(text string) (string, []string) {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	m := withdrawnNote.FindStringSubmatch(strings.TrimSpace(line))
	if m == nil {
		return "", nil
	}
	kind := withdrawnIncorporated
	if strings.HasPrefix(strings.ToLower(m[1]), "moved") {
		kind = withdrawnMoved
	}
	var refs []string
	for _, r := range withdrawnListSep.Split(m[2], -1) {
		if r = strings.TrimSpace(r); r != "" {
			refs = append(refs, r)
		}
	}
	return kind, refs
}

// withdrawnItem matches a reference to an item of a control's statement
// ("AC-2k"): the control, then the item's letter.
var withdrawnItem = regexp.MustCompile(`^(.*[0-9)])[a-z]+$`)

// withdrawnResolve finds the clause a reference of a withdrawal note names,
// by ref (case aside) in refs: the reference itself, the control of a
// statement item ("AC-2k" → AC-2), or the family of "SR Family" (SR).
func withdrawnResolve(ref string, refs map[string]string) (string, bool) {
	try := []string{ref}
	if m := withdrawnItem.FindStringSubmatch(ref); m != nil {
		try = append(try, m[1])
	}
	if f, ok := strings.CutSuffix(strings.TrimSpace(ref), " Family"); ok {
		try = append(try, f)
	}
	for _, r := range try {
		if id, ok := refs[strings.ToUpper(strings.TrimSpace(r))]; ok {
			return id, true
		}
	}
	return "", false
}

// withdrawnLinks turns what withdrawn clauses say about where their content
// went into INCORPORATED_INTO relationships, one per pair of clauses (the
// first kind wins when a clause names another twice), skipping links to
// themselves. It counts what it cannot resolve in w.
type withdrawnLinks struct {
	b    *Batch
	w    *jpTally
	seen map[[2]string]bool
}

func newWithdrawnLinks(b *Batch, w *jpTally) *withdrawnLinks {
	return &withdrawnLinks{b: b, w: w, seen: map[[2]string]bool{}}
}

// add appends from -[:INCORPORATED_INTO {kind}]-> to, found at where.
func (l *withdrawnLinks) add(from, to, kind, where string) {
	switch {
	case from == to:
		l.w.count("withdrawn link to itself", "", where)
	case l.seen[[2]string{from, to}]:
		l.w.count("repeated withdrawn link", "", where)
	default:
		l.seen[[2]string{from, to}] = true
		l.b.Rels = append(l.b.Rels, Rel{Type: model.RelIncorporatedInto, FromLabel: model.LabelClause, From: from, ToLabel: model.LabelClause, To: to,
			Props: map[string]any{"kind": kind}, Where: where})
	}
}

// groupSplits marks the links of a withdrawn clause whose content went
// into several clauses as one set, like an OSCAL map with several targets:
// "W incorporated into X and Y" says W ⊆ X ∪ Y, not W ⊆ X, so each of its
// links gets group "incorporated:<W>", groupSources 1 and groupTargets the
// number of links. Call it once every link is added.
func (l *withdrawnLinks) groupSplits() {
	n := map[string]int{}
	for _, r := range l.b.Rels {
		if r.Type == model.RelIncorporatedInto {
			n[r.From]++
		}
	}
	for i := range l.b.Rels {
		r := &l.b.Rels[i]
		if r.Type == model.RelIncorporatedInto && n[r.From] > 1 {
			r.Props["group"] = "incorporated:" + r.From
			r.Props["groupSources"] = int64(1)
			r.Props["groupTargets"] = int64(n[r.From])
		}
	}
}

// fromNote adds the links a withdrawal note at the start of text names,
// resolving references by ref in refs.
func (l *withdrawnLinks) fromNote(from, text string, refs map[string]string, where string) {
	kind, names := withdrawnRefs(text)
	for _, n := range names {
		if to, ok := withdrawnResolve(n, refs); ok {
			l.add(from, to, kind, where)
		} else {
			l.w.count("withdrawn reference unknown", "", where)
		}
	}
}

// withdrawnWords words the counted warnings about withdrawn clauses' links.
func withdrawnWords(what, typ string, n int) string {
	switch what {
	case "withdrawn reference unknown":
		return fmt.Sprintf("%d reference(s) of withdrawn clauses to where their content went name no clause of the catalog; no INCORPORATED_INTO for them", n)
	case "withdrawn link unknown":
		return fmt.Sprintf("%d %s link(s) point at no control, group or part of the catalog; no INCORPORATED_INTO for them", n, typ)
	case "withdrawn link to itself":
		return fmt.Sprintf("%d withdrawn clause(s) name themselves as where their content went; skipped", n)
	case "repeated withdrawn link":
		return fmt.Sprintf("%d link(s) of withdrawn clauses repeat an earlier link of the same clause to the same clause; kept once", n)
	}
	return fmt.Sprintf("%d × %s %s", n, what, typ)
}
