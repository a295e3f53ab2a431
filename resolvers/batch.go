package resolvers

import (
	"context"
	"errors"
	"sync"
	"time"
)

// errNotFound is what a batch loader returns for a key its fetch did not
// return.
var errNotFound = errors.New("not found")

// Batching windows. gqlgen resolves the fields of a list's elements in
// goroutines that start one after another; a fixed window (as in most
// dataloaders) splits a level into several round trips whenever starting
// them takes longer than the window, which happens under load and with
// the race detector. This loader instead waits until no new key has come
// for batchIdle, up to batchMaxWait after the first, so that one level of
// a query costs one round trip whatever its size.
const (
	batchIdle     = time.Millisecond
	batchMaxWait  = 25 * time.Millisecond
	batchMaxItems = 10000
)

// batchLoader gathers the keys that concurrent resolvers ask for and fetches
// them with one call, caching each answer for the life of the loader (one
// operation). It is safe for concurrent use.
type batchLoader[V any] struct {
	fetch func(ctx context.Context, keys []string) (map[string]V, error)

	mu      sync.Mutex
	cache   map[string]*batchEntry[V]
	pending *pendingBatch[V]
}

type batchEntry[V any] struct {
	done  chan struct{}
	value V
	err   error
}

type pendingBatch[V any] struct {
	ctx      context.Context
	keys     []string
	entries  []*batchEntry[V]
	timer    *time.Timer
	deadline time.Time
}

func newBatchLoader[V any](fetch func(ctx context.Context, keys []string) (map[string]V, error)) *batchLoader[V] {
	return &batchLoader[V]{fetch: fetch, cache: map[string]*batchEntry[V]{}}
}

// Load returns the value for key, or errNotFound when the fetch did not
// return it. The batch runs with the context of its first Load.
func (l *batchLoader[V]) Load(ctx context.Context, key string) (V, error) {
	l.mu.Lock()
	e, ok := l.cache[key]
	if !ok {
		e = &batchEntry[V]{done: make(chan struct{})}
		l.cache[key] = e
		l.enqueueLocked(ctx, key, e)
	}
	l.mu.Unlock()
	select {
	case <-e.done:
		return e.value, e.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// enqueueLocked adds key to the pending batch, starting one if needed, and
// pushes its idle timer back. l.mu is held.
func (l *batchLoader[V]) enqueueLocked(ctx context.Context, key string, e *batchEntry[V]) {
	b := l.pending
	now := time.Now()
	if b == nil {
		b = &pendingBatch[V]{ctx: ctx, deadline: now.Add(batchMaxWait)}
		b.timer = time.AfterFunc(batchIdle, func() { l.dispatch(b) })
		l.pending = b
	} else {
		b.timer.Reset(min(batchIdle, time.Until(b.deadline)))
	}
	b.keys = append(b.keys, key)
	b.entries = append(b.entries, e)
	if len(b.keys) >= batchMaxItems {
		b.timer.Stop()
		l.pending = nil
		go l.run(b)
	}
}

// dispatch runs b unless it ran already.
func (l *batchLoader[V]) dispatch(b *pendingBatch[V]) {
	l.mu.Lock()
	if l.pending != b {
		l.mu.Unlock()
		return
	}
	l.pending = nil
	l.mu.Unlock()
	l.run(b)
}

// run fetches a batch and hands each waiter its answer.
func (l *batchLoader[V]) run(b *pendingBatch[V]) {
	values, err := l.fetch(b.ctx, b.keys)
	for i, key := range b.keys {
		e := b.entries[i]
		switch v, ok := values[key]; {
		case err != nil:
			e.err = err
		case !ok:
			e.err = errNotFound
		default:
			e.value = v
		}
		close(e.done)
	}
}

// Prime queues the keys that are not cached yet without waiting for them,
// so that they join the pending batch.
func (l *batchLoader[V]) Prime(ctx context.Context, keys []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, key := range keys {
		if _, ok := l.cache[key]; ok {
			continue
		}
		e := &batchEntry[V]{done: make(chan struct{})}
		l.cache[key] = e
		l.enqueueLocked(ctx, key, e)
	}
}

// Put caches value for key, unless the key is cached or in flight already.
func (l *batchLoader[V]) Put(key string, value V) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.cache[key]; ok {
		return
	}
	e := &batchEntry[V]{done: make(chan struct{}), value: value}
	close(e.done)
	l.cache[key] = e
}

// Clear forgets key, so that the next Load fetches it again (after a
// mutation changed it).
func (l *batchLoader[V]) Clear(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.cache[key]; ok {
		select {
		case <-e.done:
			delete(l.cache, key)
		default: // in flight: keep it, its waiters need it
		}
	}
}
