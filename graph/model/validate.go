package model

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Text limits of every input, in characters: the one set that the GraphQL
// mutations, inline creation inside other mutations and native documents
// (ingest/native_schema.json, checked against these by its tests) apply.
const (
	MaxName = 500   // names, titles, publishers, sources
	MaxText = 20000 // descriptions, rationales, narratives, answers
	MaxCode = 100   // kinds, sectors, perspectives, consequences, external ids
)

// MaxSearchWords is the most words a full-text filter (`text` of the list
// queries, `search`) may have: each word is a Lucene clause, and Lucene
// refuses a query of more than 1024 (TooManyClauses), which would surface
// as an internal error after a round trip.
const MaxSearchWords = 100

// SearchText returns EINVALID naming field when text has more than
// MaxSearchWords words or more than MaxName characters.
func SearchText(field, text string) error {
	if n := utf8.RuneCountInString(text); n > MaxName {
		return FieldErrorf(EINVALID, field, "%s has %d characters; the limit is %d", field, n, MaxName)
	}
	if n := len(strings.Fields(text)); n > MaxSearchWords {
		return FieldErrorf(EINVALID, field, "%s has %d words; the limit is %d", field, n, MaxSearchWords)
	}
	return nil
}

// CheckSharing enforces the sharing rules of analyses and insurance
// policies: the visibility is PRIVATE, SHARED or PUBLIC; SHARED names at
// least one organization or sector; PRIVATE and PUBLIC name none. at
// prefixes the fields it names ("input.", "analysis.", "policies[0]."), what
// is what is shared ("analysis", "policy"), for the message.
func CheckSharing(at, what string, vis Visibility, orgs, sectors []string) error {
	switch {
	case !vis.IsValid():
		return FieldErrorf(EINVALID, at+"visibility", "unknown visibility %q (want PRIVATE, SHARED or PUBLIC)", vis)
	case vis == VisibilityShared && len(orgs) == 0 && len(sectors) == 0:
		return FieldErrorf(EINVALID, at+"visibility", "a SHARED %s must be shared with at least one organization or sector (sharedWithOrganizationIds, sharedWithSectors)", what)
	case vis != VisibilityShared && len(orgs) > 0:
		return FieldErrorf(EINVALID, at+"sharedWithOrganizationIds", "a %s %s is shared with no organization; use visibility SHARED", vis, what)
	case vis != VisibilityShared && len(sectors) > 0:
		return FieldErrorf(EINVALID, at+"sharedWithSectors", "a %s %s is shared with no sector; use visibility SHARED", vis, what)
	}
	return nil
}

// MaxInputList is the most items of any list in a GraphQL argument whose
// field inputListCaps does not name.
const MaxInputList = 500

// inputListCaps are the caps of the input lists that hold fewer (or more)
// items than MaxInputList, by field name.
var inputListCaps = map[string]int{
	"sharedWithOrganizationIds": 200,
	"sharedWithSectors":         100,
	"threats":                   200, // inline threats of assessIncident
	"treatments":                200,
	"assetIds":                  200,
	"exclusions":                100,
	"marks":                     MaxMarksPerCall,
	"clauseIds":                 MaxMarksPerCall,
}

// InputListCap returns the most items an input list field called name may
// hold.
func InputListCap(name string) int {
	if n, ok := inputListCaps[name]; ok {
		return n
	}
	return MaxInputList
}

// VariableListCeiling is the most items a list in a request's variables
// may hold before they are coerced (CheckVariableLists): twice the largest
// cap of any input list, so that a list a little over its field's cap is
// refused by CheckInputLists, which names the field, and only an abusive
// one here.
var VariableListCeiling = func() int {
	n := MaxInputList
	for _, c := range inputListCaps {
		n = max(n, c)
	}
	return 2 * n
}()

// CheckVariableLists returns EINVALID naming the place ("$in.threats") of
// the first list in a request's variables, as the client sent them, that
// holds more items than VariableListCeiling. It runs
// before the variables are coerced to their types, which costs time in
// proportion to their size; CheckInputLists then applies each field's own
// cap.
func CheckVariableLists(vars map[string]any) error {
	for _, name := range slices.Sorted(maps.Keys(vars)) {
		err := walkLists("$"+name, vars[name], func(at string, n int) error {
			if n > VariableListCeiling {
				return FieldErrorf(EINVALID, at, "%s has %d items; no input list takes more than %d", at, n, VariableListCeiling/2)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// walkLists calls check with the place (at, then ".key" or ".index") and
// length of every list in v, a value as JSON or GraphQL decodes it, in
// order (map keys sorted), and returns the first error.
func walkLists(at string, v any, check func(at string, n int) error) error {
	switch v := v.(type) {
	case []any:
		if err := check(at, len(v)); err != nil {
			return err
		}
		for i, e := range v {
			if err := walkLists(at+"."+strconv.Itoa(i), e, check); err != nil {
				return err
			}
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if err := walkLists(at+"."+k, v[k], check); err != nil {
				return err
			}
		}
	}
	return nil
}

// CheckInputLists returns EINVALID naming the field (a path from the
// argument: "marks", "input.sharedWithSectors", "input.lines.0.exclusions")
// of the first list in v, an argument value as GraphQL decodes it, that
// holds more items than its cap. GraphQL requests are checked by it before
// any resolver runs.
func CheckInputLists(field string, v any) error {
	return walkLists(field, v, func(at string, n int) error {
		name := at[strings.LastIndexByte(at, '.')+1:]
		if limit := InputListCap(name); n > limit {
			return FieldErrorf(EINVALID, at, "%s has %d items; the limit is %d", at, n, limit)
		}
		return nil
	})
}

// MaxMarksPerCall is the most clauses that one markClausesNotApplicable or
// clearClausesNotApplicable call may name.
const MaxMarksPerCall = 2000

// IDPattern is what a client-chosen id may look like (a regular
// expression, also in ingest/native_schema.json).
const IDPattern = `^[A-Za-z0-9][A-Za-z0-9._:\-]{0,199}$`

var idPattern = regexp.MustCompile(IDPattern)

// ValidID returns EINVALID naming field when id is not a usable id: 1 to
// 200 letters, digits, '.', '_', ':' or '-', starting with a letter or
// digit.
func ValidID(field, id string) error {
	if !idPattern.MatchString(id) {
		return FieldErrorf(EINVALID, field, "id %q must be 1 to 200 letters, digits, '.', '_', ':' or '-', starting with a letter or digit", Truncate(id, 60))
	}
	return nil
}

// Text checks a required (minLen 1) or optional (minLen 0) text field,
// absent when s is nil: valid UTF-8 of minLen to maxLen characters. It
// returns the value, or EINVALID naming field.
func Text(field string, s *string, minLen, maxLen int) (string, error) {
	v := ""
	if s != nil {
		v = *s
	}
	if !utf8.ValidString(v) {
		return "", FieldErrorf(EINVALID, field, "%s is not valid UTF-8", field)
	}
	n := utf8.RuneCountInString(v)
	if n < minLen {
		if minLen == 1 {
			return "", FieldErrorf(EINVALID, field, "%s must not be empty", field)
		}
		return "", FieldErrorf(EINVALID, field, "%s must have at least %d characters", field, minLen)
	}
	if n > maxLen {
		return "", FieldErrorf(EINVALID, field, "%s has %d characters; the limit is %d", field, n, maxLen)
	}
	return v, nil
}

// OptionalText checks an optional text of at most maxLen characters and
// returns nil when it is absent or empty.
func OptionalText(field string, s *string, maxLen int) (*string, error) {
	if s == nil || *s == "" {
		return nil, nil
	}
	v, err := Text(field, s, 1, maxLen)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Truncate shortens s to n characters, marking a cut with "…", for
// quoting input in messages.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// checks runs field checks in order and keeps the first failure.
type checks struct{ err error }

// text checks a text field (see Text); minLen 0 makes it optional.
func (c *checks) text(field string, s *string, minLen, maxLen int) {
	if c.err == nil {
		_, c.err = Text(field, s, minLen, maxLen)
	}
}

// optional checks an optional text field and clears it when empty (see
// OptionalText).
func (c *checks) optional(field string, s **string, maxLen int) {
	if c.err == nil {
		*s, c.err = OptionalText(field, *s, maxLen)
	}
}

// id checks a required id.
func (c *checks) id(field, id string) {
	if c.err == nil {
		c.err = ValidID(field, id)
	}
}

// chosenID checks an id the client may choose (nil or "" for a new one).
func (c *checks) chosenID(field string, id *string) {
	if id != nil && *id != "" {
		c.id(field, *id)
	}
}

// The Validate methods check an input whose path is field (such as
// "input" or "input.threats.0.new", which errors name): ids, and texts
// against the limits above. They return the first problem as EINVALID
// naming its field. References to other nodes are checked where they are
// stored. Every path that writes such an input calls its Validate.

// Validate checks a threat. Empty optional fields become absent.
func (in *ThreatInput) Validate(field string) error {
	var c checks
	c.chosenID(field+".id", in.ID)
	c.text(field+".name", &in.Name, 1, MaxName)
	c.text(field+".kind", &in.Kind, 1, MaxCode)
	c.text(field+".description", in.Description, 0, MaxText)
	c.optional(field+".externalId", &in.ExternalID, MaxCode)
	c.optional(field+".source", &in.Source, MaxName)
	return c.err
}

// Validate checks a measure; that its perspective exists is checked where
// it is stored.
func (in *MeasureInput) Validate(field string) error {
	var c checks
	c.chosenID(field+".id", in.ID)
	c.text(field+".name", &in.Name, 1, MaxName)
	c.text(field+".description", in.Description, 0, MaxText)
	c.text(field+".perspective", &in.Perspective, 1, MaxCode)
	c.text(field+".kind", &in.Kind, 1, MaxCode)
	return c.err
}

// Validate checks an organization.
func (in *OrganizationInput) Validate(field string) error {
	var c checks
	c.text(field+".name", &in.Name, 1, MaxName)
	c.text(field+".sector", &in.Sector, 1, MaxCode)
	return c.err
}

// Validate checks a target.
func (in *TargetInput) Validate(field string) error {
	var c checks
	c.text(field+".name", &in.Name, 1, MaxName)
	c.text(field+".sector", &in.Sector, 1, MaxCode)
	c.text(field+".description", in.Description, 0, MaxText)
	return c.err
}

// Validate checks an asset.
func (in *AssetInput) Validate(field string) error {
	var c checks
	c.id(field+".targetId", in.TargetID)
	c.text(field+".name", &in.Name, 1, MaxName)
	c.text(field+".kind", &in.Kind, 1, MaxCode)
	c.text(field+".description", in.Description, 0, MaxText)
	return c.err
}

// Validate checks an incident.
func (in *IncidentInput) Validate(field string) error {
	var c checks
	c.id(field+".targetId", in.TargetID)
	c.text(field+".name", &in.Name, 1, MaxName)
	c.text(field+".consequence", &in.Consequence, 1, MaxCode)
	c.text(field+".description", in.Description, 0, MaxText)
	return c.err
}

// Validate checks a guideline.
func (in *GuidelineInput) Validate(field string) error {
	var c checks
	c.chosenID(field+".id", in.ID)
	c.text(field+".title", &in.Title, 1, MaxName)
	c.text(field+".publisher", &in.Publisher, 1, MaxName)
	c.text(field+".version", &in.Version, 1, MaxCode)
	return c.err
}

// Validate checks a mark of a clause as not applicable: the clause's id
// (that it exists is checked where it is stored) and a reason of 1 to
// MaxText characters.
func (in *NotApplicableInput) Validate(field string) error {
	var c checks
	c.id(field+".clauseId", in.ClauseID)
	c.text(field+".reason", &in.Reason, 1, MaxText)
	return c.err
}

// Validate checks a clause: the ids of its guideline and (optional, an
// empty one becomes absent) parent, and its own fields. That they exist
// is checked where it is stored.
func (in *ClauseInput) Validate(field string) error {
	var c checks
	c.id(field+".guidelineId", in.GuidelineID)
	if in.ParentID != nil && *in.ParentID == "" {
		in.ParentID = nil
	}
	if in.ParentID != nil {
		c.id(field+".parentId", *in.ParentID)
	}
	c.text(field+".ref", &in.Ref, 1, MaxCode)
	c.text(field+".title", &in.Title, 1, MaxName)
	c.text(field+".text", in.Text, 0, MaxText)
	return c.err
}
