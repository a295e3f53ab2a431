package transport

import "testing"

func TestNegotiate(t *testing.T) {
	for _, tt := range []struct {
		header       []string
		json, stream string
	}{
		{nil, mediaJSON, ""},
		{[]string{"*/*"}, mediaJSON, ""},
		{[]string{"application/*"}, mediaJSON, ""},
		{[]string{"application/json"}, mediaJSON, ""},
		{[]string{"application/graphql-response+json"}, mediaGraphQLResponse, ""},
		{[]string{"application/graphql-response+json, application/json;q=0.9"}, mediaGraphQLResponse, ""},
		{[]string{"application/json, application/graphql-response+json"}, mediaJSON, ""},
		{[]string{"application/graphql-response+json;q=0.5, application/json"}, mediaJSON, ""},
		{[]string{"application/json;q=0, */*"}, mediaJSON, ""},
		{[]string{"text/event-stream"}, "", mediaEventStream},
		{[]string{`multipart/mixed;boundary="graphql";subscriptionSpec=1.0,application/json`}, mediaJSON, mediaMultipart},
		{[]string{`multipart/mixed;subscriptionSpec="1.0"`}, "", mediaMultipart},
		{[]string{`multipart/mixed;subscriptionSpec=2.0`}, "", ""},
		{[]string{"multipart/mixed, application/graphql-response+json, application/json"}, mediaGraphQLResponse, mediaMultipart},
		{[]string{"text/event-stream;q=0.5", "multipart/mixed"}, "", mediaMultipart},
		{[]string{"text/html"}, "", ""},
		{[]string{"text/html, application/xhtml+xml, */*;q=0.8"}, mediaJSON, ""},
		{[]string{"nonsense;;;"}, "", ""},
	} {
		got := negotiate(tt.header)
		got.incremental = false // checked below
		if got.json != tt.json || got.stream != tt.stream {
			t.Errorf("negotiate(%q) = %+v, want json %q stream %q", tt.header, got, tt.json, tt.stream)
		}
	}
}

func TestNegotiateIncremental(t *testing.T) {
	for header, want := range map[string]bool{
		"multipart/mixed;deferSpec=20220824, application/json":  true,
		"multipart/mixed, application/json":                     true,
		"multipart/mixed;subscriptionSpec=1.0,application/json": false,
		"application/json": false,
	} {
		if got := negotiate([]string{header}).incremental; got != want {
			t.Errorf("negotiate(%q).incremental = %v, want %v", header, got, want)
		}
	}
}
