package transport

import (
	"context"
	"encoding/json"
	"net/http"
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

// stream writes the events next returns, until it returns a nil response,
// as media (text/event-stream or multipart/mixed), with keep-alives in
// between, and ends the stream. sub says whether the operation is a
// subscription (multipart wraps each of its results in "payload").
func (h HTTP) stream(w http.ResponseWriter, r *http.Request, media string, sub bool, next func(context.Context) streamEvent) {
	ctx := r.Context()
	rc := http.NewResponseController(w)
	var enc streamEncoder = sseEncoder{}
	if media == mediaMultipart {
		enc = multipartEncoder{sub: sub}
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
		if !write(enc.event(b, ev.fatal)) {
			return // the client went away
		}
	}
	write(enc.close())
}

// streamEncoder frames a stream's events.
type streamEncoder interface {
	contentType() string
	open() []byte
	event(result []byte, fatal bool) []byte
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
func (sseEncoder) event(result []byte, _ bool) []byte {
	b := make([]byte, 0, len(result)+24)
	b = append(b, "event: next\ndata: "...)
	b = append(b, result...)
	return append(b, "\n\n"...)
}

// multipartEncoder frames Apollo's multipart subscription protocol
// (subscriptionSpec=1.0): a part per result, {"payload": result} for a
// subscription's, {} as heartbeat, {"payload": null, "errors": …} for an
// error that ends the stream. A query's result is a part of its own. Each
// part is written with the delimiter that ends it, as Apollo's router
// does, so that a client can read it at once; the close adds "--".
type multipartEncoder struct{ sub bool }

const (
	partHeader    = "\r\nContent-Type: application/json; charset=utf-8\r\n\r\n"
	partDelimiter = "\r\n--graphql"
)

func (multipartEncoder) contentType() string {
	return mediaMultipart + `; boundary="graphql"; subscriptionSpec="1.0"`
}
func (multipartEncoder) open() []byte {
	return []byte(partDelimiter + partHeader + "{}" + partDelimiter)
}
func (multipartEncoder) keepAlive() []byte { return []byte(partHeader + "{}" + partDelimiter) }
func (multipartEncoder) close() []byte     { return []byte("--\r\n") }
func (m multipartEncoder) event(result []byte, fatal bool) []byte {
	b := make([]byte, 0, len(result)+len(partHeader)+len(partDelimiter)+32)
	b = append(b, partHeader...)
	switch {
	case fatal: // {"errors":[…]} → {"payload":null,"errors":[…]}
		b = append(b, `{"payload":null,`...)
		b = append(b, result[1:]...)
	case m.sub:
		b = append(b, `{"payload":`...)
		b = append(b, result...)
		b = append(b, '}')
	default:
		b = append(b, result...)
	}
	return append(b, partDelimiter...)
}
