package transport

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// streamEvent is one result to stream: a response, and whether it is a
// request error or the reason the stream ends (fatal), which goes without
// data.
type streamEvent struct {
	resp  *graphql.Response
	fatal bool
}

// streamKind is what a stream carries, which decides how multipart frames
// its results.
type streamKind int

const (
	streamResult       streamKind = iota // a query's or mutation's result, or a request error
	streamSubscription                   // a subscription's events: {"payload": …}
	streamIncremental                    // @defer'd results: the first, then {"incremental": […]}
)

// stream writes the events next returns, until it returns a nil response,
// as media (text/event-stream or multipart/mixed), with keep-alives in
// between, and ends the stream.
func (h HTTP) stream(w http.ResponseWriter, r *http.Request, media string, kind streamKind, next func(context.Context) streamEvent) {
	ctx := r.Context()
	rc := http.NewResponseController(w)
	var enc streamEncoder = sseEncoder{}
	if media == mediaMultipart {
		enc = &multipartEncoder{kind: kind}
	}
	w.Header().Set("Content-Type", enc.contentType())
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)

	var mu sync.Mutex // the keep-alive goroutine writes too
	write := func(b []byte) bool {
		mu.Lock()
		defer mu.Unlock()
		if _, err := w.Write(b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	write(enc.open())

	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(h.keepAlive())
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				if !write(enc.keepAlive()) {
					return
				}
			}
		}
	}()
	defer func() { close(stop); <-done }()

	for {
		ev := next(ctx)
		if ev.resp == nil {
			break
		}
		var v any = ev.resp
		if ev.fatal {
			v = requestError(ev.resp)
		}
		b, err := json.Marshal(v)
		if err != nil {
			b, _ = json.Marshal(errorBody("INTERNAL", "the result could not be encoded"))
		}
		if !write(enc.event(b, ev)) {
			return // the client went away
		}
	}
	write(enc.close())
}

// streamEncoder frames a stream's events.
type streamEncoder interface {
	contentType() string
	open() []byte
	event(result []byte, ev streamEvent) []byte
	keepAlive() []byte
	close() []byte
}

// sseEncoder frames graphql-sse's distinct-connections mode: a "next"
// event per result, then "complete".
type sseEncoder struct{}

func (sseEncoder) contentType() string { return mediaEventStream + "; charset=utf-8" }
func (sseEncoder) open() []byte        { return []byte(":\n\n") }
func (sseEncoder) keepAlive() []byte   { return []byte(":\n\n") }
func (sseEncoder) close() []byte       { return []byte("event: complete\ndata:\n\n") }
func (sseEncoder) event(result []byte, _ streamEvent) []byte {
	b := make([]byte, 0, len(result)+24)
	b = append(b, "event: next\ndata: "...)
	b = append(b, result...)
	return append(b, "\n\n"...)
}

// multipartEncoder frames Apollo's multipart subscription protocol
// (subscriptionSpec=1.0): a part per event, {"payload": result}, {} as
// heartbeat, {"payload": null, "errors": …} for an error that ends the
// stream. A query's result is a part of its own; @defer'd results follow
// the incremental delivery RFC (deferSpec=20220824). Each part is written
// with the delimiter that ends it, as Apollo's router does, so that a
// client can read it at once; the close adds "--".
type multipartEncoder struct {
	kind  streamKind
	parts int
}

const (
	partHeader    = "\r\nContent-Type: application/json; charset=utf-8\r\n\r\n"
	partDelimiter = "\r\n--graphql"
)

func (m *multipartEncoder) contentType() string {
	if m.kind == streamIncremental {
		return mediaMultipart + `; boundary="graphql"; deferSpec=20220824`
	}
	return mediaMultipart + `; boundary="graphql"; subscriptionSpec="1.0"`
}

func (m *multipartEncoder) open() []byte {
	if m.kind == streamIncremental {
		return []byte(partDelimiter)
	}
	return []byte(partDelimiter + partHeader + "{}" + partDelimiter)
}

func (m *multipartEncoder) keepAlive() []byte {
	if m.kind == streamIncremental {
		return nil // a query's parts come without pause
	}
	return []byte(partHeader + "{}" + partDelimiter)
}

func (m *multipartEncoder) close() []byte { return []byte("--\r\n") }

func (m *multipartEncoder) event(result []byte, ev streamEvent) []byte {
	m.parts++
	b := make([]byte, 0, len(result)+len(partHeader)+len(partDelimiter)+32)
	b = append(b, partHeader...)
	switch {
	case ev.fatal: // {"errors":[…]} → {"payload":null,"errors":[…]}
		b = append(b, `{"payload":null,`...)
		b = append(b, result[1:]...)
	case m.kind == streamSubscription:
		b = append(b, `{"payload":`...)
		b = append(b, result...)
		b = append(b, '}')
	case m.kind == streamIncremental && m.parts > 1:
		b = append(b, `{"incremental":[`...)
		b = append(b, result...)
		b = append(b, `],"hasNext":`...)
		b = strconv.AppendBool(b, ev.resp.HasNext != nil && *ev.resp.HasNext)
		b = append(b, '}')
	default:
		b = append(b, result...)
	}
	return append(b, partDelimiter...)
}
