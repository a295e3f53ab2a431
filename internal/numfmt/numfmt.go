// Package numfmt formats numbers for people: digits grouped by thousands.
package numfmt

import "strings"

// Group writes a decimal integer (as strconv.Itoa or strconv.FormatFloat
// with precision 0 write it, sign included) with commas between groups of
// three digits: "-1234567" → "-1,234,567".
func Group(digits string) string {
	sign := ""
	if rest, ok := strings.CutPrefix(digits, "-"); ok {
		sign, digits = "-", rest
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
