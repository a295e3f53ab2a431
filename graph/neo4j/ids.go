package neo4j

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"unicode/utf8"

	"github.com/ssfgraph/ssfgraph/graph/model"
)

// idPattern is what a client-chosen id may look like.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:\-]{0,199}$`)

// validID returns EINVALID naming field when id is not a usable id.
func validID(field, id string) error {
	if !idPattern.MatchString(id) {
		return model.FieldErrorf(model.EINVALID, field, "id %q must be 1 to 200 letters, digits, '.', '_', ':' or '-', starting with a letter or digit", truncate(id, 60))
	}
	return nil
}

// newID returns id when the client chose one (after checking it), else a
// new random id with the given prefix, such as "target-1f3a…".
func newID(field string, id *string, prefix string) (string, error) {
	if id != nil && *id != "" {
		return *id, validID(field, *id)
	}
	buf := make([]byte, 10)
	_, _ = rand.Read(buf)
	return prefix + "-" + hex.EncodeToString(buf), nil
}

// text checks a required or optional text field: its length in characters
// must be from min to max. It returns the trimmed value.
func text(field string, s *string, minLen, maxLen int) (string, error) {
	v := ""
	if s != nil {
		v = *s
	}
	n := utf8.RuneCountInString(v)
	if !utf8.ValidString(v) {
		return "", model.FieldErrorf(model.EINVALID, field, "%s is not valid UTF-8", field)
	}
	if n < minLen {
		if minLen == 1 {
			return "", model.FieldErrorf(model.EINVALID, field, "%s must not be empty", field)
		}
		return "", model.FieldErrorf(model.EINVALID, field, "%s must have at least %d characters", field, minLen)
	}
	if n > maxLen {
		return "", model.FieldErrorf(model.EINVALID, field, "%s has %d characters; the limit is %d", field, n, maxLen)
	}
	return v, nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
