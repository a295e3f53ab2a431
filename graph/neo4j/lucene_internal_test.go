package neo4j

import "testing"

func TestLuceneQuery(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ text, want string }{
		{"", ""},
		{"  \u3000 ", ""},
		{"pump", `"pump"`},
		{"infusion pump", `"infusion" "pump"`},
		{"輸液ポンプ", `"輸液ポンプ"`},
		{"輸液\u3000ポンプ", `"輸液" "ポンプ"`},
		{"窓", `(窓* OR *窓)`},
		{"窓、", `(窓* OR *窓)`},
		{"a", `"a"`},
		{"AND OR NOT", `"AND" "OR" "NOT"`},
		{`say "hi" \o/`, `"say" "\"hi\"" "\\o/"`},
		{`title:x* (y~2)`, `"title:x*" "(y~2)"`},
	} {
		if got := luceneQuery(tt.text); got != tt.want {
			t.Errorf("luceneQuery(%q) = %s, want %s", tt.text, got, tt.want)
		}
	}
}
