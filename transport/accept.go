package transport

import (
	"mime"
	"strconv"
	"strings"
)

// Media types this package answers with.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaEventStream     = "text/event-stream"
	mediaMultipart       = "multipart/mixed"
)

// accepted is what a request's Accept header allows: the best JSON type
// for a single result and the best streaming type, each "" when the
// header allows none.
type accepted struct {
	json, stream string
	// incremental: a multipart/mixed without subscriptionSpec (or with
	// deferSpec) was named, so @defer'd results may come as parts.
	incremental bool
}

// negotiate reads the Accept header values. No header, or one that allows
// anything (*/* or application/*), gets application/json, as the GraphQL
// over HTTP spec asks for compatibility with older clients; a streaming
// type is chosen only when named. Among types of equal quality the
// header's order decides.
func negotiate(header []string) accepted {
	if len(header) == 0 {
		return accepted{json: mediaJSON}
	}
	type choice struct {
		media string
		q     float64
		at    int
	}
	var json, stream choice
	incremental := false
	at := 0
	for _, h := range header {
		for part := range strings.SplitSeq(h, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			at++
			media, params, err := mime.ParseMediaType(part)
			if err != nil {
				continue
			}
			q := 1.0
			if v, ok := params["q"]; ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f <= 1 {
					q = f
				}
			}
			if q == 0 {
				continue
			}
			c := choice{media: media, q: q, at: at}
			better := func(cur choice) bool { return cur.media == "" || c.q > cur.q }
			switch media {
			case mediaGraphQLResponse, mediaJSON:
				if better(json) {
					json = c
				}
			case "*/*", "application/*":
				if json.media == "" || c.q > json.q {
					json = choice{media: mediaJSON, q: q, at: at}
				}
			case mediaEventStream:
				if better(stream) {
					stream = c
				}
			case mediaMultipart:
				// Apollo asks with subscriptionSpec=1.0; other clients
				// (urql) with the bare type.
				spec, isSub := params["subscriptionspec"]
				if _, isDefer := params["deferspec"]; isDefer || !isSub {
					incremental = true
				}
				if (!isSub || spec == "1.0") && better(stream) {
					stream = c
				}
			}
		}
	}
	return accepted{json: json.media, stream: stream.media, incremental: incremental && stream.media == mediaMultipart}
}
