package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Error codes of requests this package refuses before they reach the
// executor.
const (
	CodeBadRequest           = "BAD_REQUEST"
	CodeMethodNotAllowed     = "METHOD_NOT_ALLOWED"
	CodeUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
	CodeNotAcceptable        = "NOT_ACCEPTABLE"
)

// Defaults of HTTP's zero fields.
const (
	DefaultKeepAlive = 10 * time.Second
	DefaultMaxBatch  = 10
)

// HTTP serves GraphQL over HTTP on GET, HEAD and POST:
//
//   - POST takes application/json (a request object, or an array of them
//     for a batch); any other Content-Type answers 415, which also keeps
//     browsers from sending operations cross-site without a CORS preflight
//     (text/plain and the form encodings are what they may send freely).
//   - GET and HEAD take query, operationName, variables and extensions from
//     the URL; a mutation answers 405 with Allow: POST.
//   - The Accept header picks the answer: application/json (also for no
//     Accept and */*) answers request errors (parse, validation, variable
//     coercion, limits) with 200 and {"errors"}; with
//     application/graphql-response+json they answer 400 and carry no data.
//     text/event-stream streams the result as graphql-sse events, and
//     multipart/mixed as Apollo's multipart subscription parts. A
//     subscription needs one of the two; asked for as a single JSON result
//     it answers 406, never only its first event.
//
// Other methods answer 405. Every error body carries extensions.code.
type HTTP struct {
	// KeepAlive is the interval of SSE keep-alive comments and multipart
	// heartbeat parts (default DefaultKeepAlive).
	KeepAlive time.Duration
	// MaxBatch caps the operations of one batched request (default
	// DefaultMaxBatch); a larger batch answers 400.
	MaxBatch int
	// OpenStream, when set, is called before a streamed answer starts. It
	// returns the context the stream runs in, or an error (one the
	// executor's error presenter codes) that refuses the stream. When that
	// context ends while the client is still there, its cause is sent as a
	// final error: a revoked token, say.
	OpenStream func(ctx context.Context, r *http.Request) (context.Context, error)
	// AdmitBatch, when set, is asked before a batch of n operations runs;
	// when it returns false it has answered the request (a rate limit
	// counting each operation, say).
	AdmitBatch func(w http.ResponseWriter, r *http.Request, n int) bool
}

var _ graphql.Transport = HTTP{}

// MayStream reports whether r's Accept allows a streamed answer (SSE or
// multipart), by the same negotiation Do uses: such a request may hold
// its connection open, so connection limits count it.
func MayStream(r *http.Request) bool {
	return negotiate(r.Header.Values("Accept")).stream != ""
}

// Supports claims every request that is not a websocket upgrade (an
// Upgrade to anything else is answered as plain HTTP); the methods HTTP
// does not serve answer 405.
func (h HTTP) Supports(r *http.Request) bool {
	return !strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// Do answers one request.
func (h HTTP) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	acc := negotiate(r.Header.Values("Accept"))
	if acc.json == "" && acc.stream == "" {
		writeError(w, http.StatusNotAcceptable, mediaJSON, CodeNotAcceptable,
			"the Accept header %q allows none of %s, %s, %s or %s", r.Header.Get("Accept"),
			mediaGraphQLResponse, mediaJSON, mediaEventStream, mediaMultipart+";subscriptionSpec=1.0")
		return
	}
	errType := acc.json
	if errType == "" {
		errType = mediaJSON
	}
	start := graphql.Now()
	var batch []*graphql.RawParams
	array := false
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		p, err := paramsFromURL(r.URL)
		if err != nil {
			writeError(w, http.StatusBadRequest, errType, CodeBadRequest, "%v", err)
			return
		}
		if p.Query == "" && p.Extensions == nil && strings.Contains(r.Header.Get("Accept"), "text/html") {
			http.Redirect(w, r, "/", http.StatusFound) // a browser opened /graphql: GraphiQL is on /
			return
		}
		batch = []*graphql.RawParams{p}
	case http.MethodPost:
		if msg := unsupportedContentType(r.Header.Get("Content-Type")); msg != "" {
			writeError(w, http.StatusUnsupportedMediaType, errType, CodeUnsupportedMediaType, "%s", msg)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			writeError(w, http.StatusBadRequest, errType, CodeBadRequest, "could not read the request body: %v", err)
			return
		}
		batch, array, err = decodeBody(body, h.maxBatch())
		if err != nil {
			writeError(w, http.StatusBadRequest, errType, CodeBadRequest, "%v", err)
			return
		}
	default:
		w.Header().Set("Allow", "GET, HEAD, POST, OPTIONS")
		writeError(w, http.StatusMethodNotAllowed, errType, CodeMethodNotAllowed, "%s is not a GraphQL method here; send POST (or GET for queries)", r.Method)
		return
	}
	for _, p := range batch {
		p.Headers = r.Header
		p.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	}
	if array {
		if h.AdmitBatch != nil && !h.AdmitBatch(w, r, len(batch)) {
			return
		}
		h.doBatch(w, r, exec, batch)
		return
	}
	h.doOne(w, r, exec, acc, batch[0])
}

// doOne runs one operation and answers in the negotiated format.
func (h HTTP) doOne(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, acc accepted, p *graphql.RawParams) {
	ctx := r.Context()
	oc, errs := exec.CreateOperationContext(ctx, p)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs)
		switch {
		case acc.json == mediaGraphQLResponse:
			writeResponse(w, http.StatusBadRequest, mediaGraphQLResponse, requestError(resp))
		case acc.json != "":
			writeResponse(w, http.StatusOK, mediaJSON, requestError(resp))
		default: // streams only: the error is the stream's one event
			h.stream(w, r, acc.stream, streamResult, once(resp))
		}
		return
	}
	op := oc.Operation.Operation
	if op == ast.Mutation && r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeError(w, http.StatusMethodNotAllowed, errTypeOf(acc), CodeMethodNotAllowed, "a mutation must be sent by POST, not %s", r.Method)
		return
	}
	if op != ast.Subscription && acc.json != "" {
		responses, ctx := exec.DispatchOperation(ctx, oc)
		first := responses(ctx)
		if first == nil || first.HasNext == nil || !*first.HasNext {
			writeResponse(w, http.StatusOK, acc.json, first)
			return
		}
		// @defer: parts for a client that takes them, else one result.
		if acc.incremental {
			h.stream(w, r, mediaMultipart, streamIncremental, func(ctx context.Context) streamEvent {
				if resp := first; resp != nil {
					first = nil
					return streamEvent{resp: resp}
				}
				return streamEvent{resp: responses(ctx)}
			})
			return
		}
		merged, err := mergeIncremental(first, func() *graphql.Response { return responses(ctx) })
		if err != nil {
			writeError(w, http.StatusInternalServerError, acc.json, "INTERNAL", "merging the deferred results: %v", err)
			return
		}
		writeResponse(w, http.StatusOK, acc.json, merged)
		return
	}
	if acc.stream == "" {
		writeError(w, http.StatusNotAcceptable, acc.json, CodeNotAcceptable,
			"a subscription over HTTP streams its events: send Accept: %s (graphql-sse) or %s;subscriptionSpec=1.0, or subscribe over the websocket", mediaEventStream, mediaMultipart)
		return
	}
	kind := streamResult
	if op == ast.Subscription {
		kind = streamSubscription
	}
	if h.OpenStream != nil {
		sctx, err := h.OpenStream(ctx, r)
		if err != nil {
			h.stream(w, r, acc.stream, kind, once(exec.DispatchError(graphql.WithOperationContext(ctx, oc), gqlerror.List{gqlerror.WrapIfUnwrapped(err)})))
			return
		}
		ctx = sctx
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	ended := false
	h.stream(w, r.WithContext(ctx), acc.stream, kind, func(ctx context.Context) streamEvent {
		if ended {
			return streamEvent{}
		}
		if resp := responses(ctx); resp != nil {
			return streamEvent{resp: resp}
		}
		ended = true
		// The stream's context ended while the client is still there: say
		// why (a revoked token, say).
		if ctx.Err() != nil && r.Context().Err() == nil {
			if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
				return streamEvent{resp: exec.DispatchError(graphql.WithOperationContext(r.Context(), oc), gqlerror.List{gqlerror.WrapIfUnwrapped(cause)}), fatal: true}
			}
		}
		return streamEvent{}
	})
}

// once returns a stream source that yields resp, as a request error, and
// ends.
func once(resp *graphql.Response) func(context.Context) streamEvent {
	return func(context.Context) streamEvent {
		ev := streamEvent{resp: resp, fatal: true}
		resp = nil
		return ev
	}
}

// doBatch runs the operations of a batch one after another and answers
// their results as a JSON array in the same order. A request error of one
// operation is its result; subscriptions and mutations over GET cannot be
// batched.
func (h HTTP) doBatch(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, batch []*graphql.RawParams) {
	ctx := r.Context()
	results := make([]any, len(batch))
	for i, p := range batch {
		oc, errs := exec.CreateOperationContext(ctx, p)
		if errs != nil {
			results[i] = requestError(exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs))
			continue
		}
		if op := oc.Operation.Operation; op == ast.Subscription {
			results[i] = errorBody(CodeBadRequest, "operation %d of the batch is a subscription; send it alone with Accept: %s or %s", i, mediaEventStream, mediaMultipart)
			continue
		}
		responses, rctx := exec.DispatchOperation(ctx, oc)
		results[i] = responses(rctx)
	}
	writeResponse(w, http.StatusOK, mediaJSON, results)
}

func (h HTTP) maxBatch() int {
	if h.MaxBatch <= 0 {
		return DefaultMaxBatch
	}
	return h.MaxBatch
}

func (h HTTP) keepAlive() time.Duration {
	if h.KeepAlive <= 0 {
		return DefaultKeepAlive
	}
	return h.KeepAlive
}

// errTypeOf is the media type of an error answer: the negotiated JSON
// type, or application/json when only streams were asked for.
func errTypeOf(acc accepted) string {
	if acc.json == "" {
		return mediaJSON
	}
	return acc.json
}

// unsupportedContentType says why a POST's Content-Type is refused, or ""
// for application/json (with no charset or UTF-8).
func unsupportedContentType(ct string) string {
	if ct == "" {
		return "a POST needs Content-Type: application/json"
	}
	media, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Sprintf("the Content-Type %q is malformed; send application/json", ct)
	}
	switch media {
	case mediaJSON:
		if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
			return fmt.Sprintf("the charset %q is not supported; send UTF-8", cs)
		}
		return ""
	case "text/plain", "application/x-www-form-urlencoded", "multipart/form-data":
		return fmt.Sprintf("the Content-Type %s is refused: browsers send it cross-site without asking (CSRF); send application/json", media)
	}
	return fmt.Sprintf("the Content-Type %s is not supported; send application/json", media)
}

// decodeBody decodes a POST body: one request object, or an array of at
// most max of them (array is then true, also for an array of one). Its
// errors never quote the body.
func decodeBody(body []byte, max int) (batch []*graphql.RawParams, array bool, err error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, false, fmt.Errorf("the request body is empty; send {\"query\": …}")
	}
	if trimmed[0] == '[' {
		var raw []json.RawMessage
		if err := json.Unmarshal(trimmed, &raw); err != nil {
			return nil, false, fmt.Errorf("the request body is not a JSON array of requests: %s", jsonProblem(err))
		}
		if len(raw) == 0 {
			return nil, false, fmt.Errorf("the batch is empty")
		}
		if len(raw) > max {
			return nil, false, fmt.Errorf("the batch has %d operations; the limit is %d", len(raw), max)
		}
		batch = make([]*graphql.RawParams, len(raw))
		for i, m := range raw {
			p, err := decodeRequest(m)
			if err != nil {
				return nil, false, fmt.Errorf("operation %d of the batch: %w", i, err)
			}
			batch[i] = p
		}
		return batch, true, nil
	}
	p, err := decodeRequest(trimmed)
	if err != nil {
		return nil, false, err
	}
	return []*graphql.RawParams{p}, false, nil
}

// paramsFromURL reads a GET request's parameters.
func paramsFromURL(u *url.URL) (*graphql.RawParams, error) {
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("the URL's query string is malformed: %v", err)
	}
	p := &graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName")}
	for name, into := range map[string]*map[string]any{"variables": &p.Variables, "extensions": &p.Extensions} {
		v := q.Get(name)
		if v == "" {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(v))
		dec.UseNumber()
		if err := dec.Decode(into); err != nil {
			return nil, fmt.Errorf("the URL parameter %q is not a JSON object: %s", name, jsonProblem(err))
		}
	}
	return p, nil
}

// requestError is the answer to a request that failed before execution:
// its errors and extensions, and no data.
func requestError(resp *graphql.Response) any {
	if resp == nil {
		return nil
	}
	return struct {
		Errors     gqlerror.List  `json:"errors"`
		Extensions map[string]any `json:"extensions,omitempty"`
	}{resp.Errors, resp.Extensions}
}

// errorBody is a coded error answer of this package.
func errorBody(code, format string, args ...any) any {
	return struct {
		Errors gqlerror.List `json:"errors"`
	}{gqlerror.List{{Message: fmt.Sprintf(format, args...), Extensions: map[string]any{"code": code}}}}
}

// writeError writes a coded error answer.
func writeError(w http.ResponseWriter, status int, media, code, format string, args ...any) {
	writeResponse(w, status, media, errorBody(code, format, args...))
}

// writeResponse writes v as JSON of the given media type and status.
func writeResponse(w http.ResponseWriter, status int, media string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(errorBody("INTERNAL", "the answer could not be encoded"))
	}
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
