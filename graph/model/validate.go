package model

import (
	"regexp"
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

// Validate checks a threat: its id when chosen, a name, a kind, an
// optional description, external id and source. Empty optional fields
// become absent. field is the input's path (such as "input" or
// "input.newThreats.0"), which errors name. Every path that creates or
// changes a threat (createThreat, updateThreat, threats created inline by
// assessIncident) calls it.
func (in *ThreatInput) Validate(field string) error {
	if in.ID != nil && *in.ID != "" {
		if err := ValidID(field+".id", *in.ID); err != nil {
			return err
		}
	}
	var err error
	if _, err = Text(field+".name", &in.Name, 1, MaxName); err != nil {
		return err
	}
	if _, err = Text(field+".kind", &in.Kind, 1, MaxCode); err != nil {
		return err
	}
	if _, err = Text(field+".description", in.Description, 0, MaxText); err != nil {
		return err
	}
	if in.ExternalID, err = OptionalText(field+".externalId", in.ExternalID, MaxCode); err != nil {
		return err
	}
	if in.Source, err = OptionalText(field+".source", in.Source, MaxName); err != nil {
		return err
	}
	return nil
}

// Validate checks a measure: its id when chosen, a name, a perspective
// code and a kind, and an optional description. That the perspective
// exists is checked where it is stored. Every path that creates or changes
// a measure (createMeasure, updateMeasure, measures created inline by
// assessIncident) calls it.
func (in *MeasureInput) Validate(field string) error {
	if in.ID != nil && *in.ID != "" {
		if err := ValidID(field+".id", *in.ID); err != nil {
			return err
		}
	}
	if _, err := Text(field+".name", &in.Name, 1, MaxName); err != nil {
		return err
	}
	if _, err := Text(field+".description", in.Description, 0, MaxText); err != nil {
		return err
	}
	if _, err := Text(field+".perspective", &in.Perspective, 1, MaxCode); err != nil {
		return err
	}
	if _, err := Text(field+".kind", &in.Kind, 1, MaxCode); err != nil {
		return err
	}
	return nil
}
