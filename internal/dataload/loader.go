package dataload

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"
)

// ErrNotFound is what [Loader.Load] returns for a key that the fetch of
// its batch did not return.
var ErrNotFound = errors.New("dataload: not found")

// Fetch reads the values of keys with one call. It returns a value for
// each key that has one; a key it leaves out of the map gets ErrNotFound.
// A non-nil error fails every key of the batch and the map is ignored:
// there are no per-key errors besides ErrNotFound.
//
// A Fetch runs on a goroutine of its own, with a context that carries the
// values and the deadline of the Load that started the batch but not its
// cancellation. Batches of one loader may run at the same time. A panic in
// a Fetch becomes the error of every key of its batch.
type Fetch[K comparable, V any] func(ctx context.Context, keys []K) (map[K]V, error)

// Limits bound a batch. A zero field takes its default.
type Limits struct {
	// Idle closes a batch when no key has joined it for this long
	// (default 1 ms).
	Idle time.Duration
	// MaxWait closes a batch at the latest this long after its first key
	// (default 25 ms).
	MaxWait time.Duration
	// MaxKeys closes a batch as soon as it holds this many keys (default
	// 10,000); the next key starts another.
	MaxKeys int
}

// DefaultLimits are the limits that a zero Limits stands for.
var DefaultLimits = Limits{Idle: time.Millisecond, MaxWait: 25 * time.Millisecond, MaxKeys: 10000}

// withDefaults returns lim with its zero fields set from DefaultLimits.
func (lim Limits) withDefaults() Limits {
	if lim.Idle <= 0 {
		lim.Idle = DefaultLimits.Idle
	}
	if lim.MaxWait <= 0 {
		lim.MaxWait = DefaultLimits.MaxWait
	}
	if lim.MaxKeys <= 0 {
		lim.MaxKeys = DefaultLimits.MaxKeys
	}
	return lim
}

// A Loader batches the loads of concurrent callers into fetches and caches
// every answer (values, ErrNotFound and errors alike) until [Loader.Clear].
// It is meant to live for one operation. Its methods are safe for
// concurrent use.
type Loader[K comparable, V any] struct {
	fetch  Fetch[K, V]
	limits Limits

	mu      sync.Mutex
	entries map[K]*entry[K, V]
	pending *batch[K, V] // gathering keys; nil when none is
}

// entry is the answer for one key, once done is closed.
type entry[K comparable, V any] struct {
	done  chan struct{}
	value V
	err   error
	batch *batch[K, V] // the batch that fetches it; nil for Put
}

// batch is the keys that one fetch reads.
type batch[K comparable, V any] struct {
	ctx      context.Context // of the Load or Prime that started it
	keys     []K
	entries  []*entry[K, V]
	timer    *time.Timer
	deadline time.Time
}

// New returns a Loader that reads with fetch within the given limits.
func New[K comparable, V any](fetch Fetch[K, V], lim Limits) *Loader[K, V] {
	return &Loader[K, V]{fetch: fetch, limits: lim.withDefaults(), entries: map[K]*entry[K, V]{}}
}

// Load returns the value for key: from the cache, or else from the batch
// that the key joins (or starts). It returns ErrNotFound when the batch's
// fetch did not return the key, the fetch's error (wrapped) when it
// failed, and ctx.Err() when ctx is done first. A Load that gives up this
// way leaves the batch running for the other callers, and the answer is
// cached when it comes.
func (l *Loader[K, V]) Load(ctx context.Context, key K) (V, error) {
	var zero V
	l.mu.Lock()
	e, ok := l.entries[key]
	if !ok {
		if err := ctx.Err(); err != nil {
			l.mu.Unlock()
			return zero, err
		}
		e = l.enqueueLocked(ctx, key)
	}
	l.mu.Unlock()
	select {
	case <-e.done:
		return e.value, e.err
	default:
	}
	select {
	case <-e.done:
		return e.value, e.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// Prime queues the keys that are neither cached nor in flight, without
// waiting for them, so that later Loads of them find them in flight.
func (l *Loader[K, V]) Prime(ctx context.Context, keys ...K) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, key := range keys {
		if _, ok := l.entries[key]; !ok {
			l.enqueueLocked(ctx, key)
		}
	}
}

// Put caches value for key unless the key is cached or in flight already:
// a value that a Load may have returned is never replaced.
func (l *Loader[K, V]) Put(key K, value V) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.entries[key]; ok {
		return
	}
	e := &entry[K, V]{done: make(chan struct{}), value: value}
	close(e.done)
	l.entries[key] = e
}

// Clear forgets the answer for key, so that the next Load fetches it again
// (after a mutation changed it). Loads already waiting for a fetch in
// flight still get its answer. A key whose batch has not started its fetch
// yet stays: that fetch reads after the Clear anyway.
func (l *Loader[K, V]) Clear(key K) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.entries[key]; ok && (e.batch == nil || e.batch != l.pending) {
		delete(l.entries, key)
	}
}

// enqueueLocked caches a new entry for key and adds it to the pending
// batch, starting one if there is none, and pushes the batch's idle timer
// back; it closes the batch when it is full. l.mu is held.
func (l *Loader[K, V]) enqueueLocked(ctx context.Context, key K) *entry[K, V] {
	b := l.pending
	if b == nil {
		b = &batch[K, V]{ctx: ctx, deadline: time.Now().Add(l.limits.MaxWait)}
		b.timer = time.AfterFunc(l.limits.Idle, func() { l.dispatch(b) })
		l.pending = b
	} else {
		b.timer.Reset(min(l.limits.Idle, time.Until(b.deadline)))
	}
	e := &entry[K, V]{done: make(chan struct{}), batch: b}
	l.entries[key] = e
	b.keys = append(b.keys, key)
	b.entries = append(b.entries, e)
	if len(b.keys) >= l.limits.MaxKeys {
		b.timer.Stop()
		l.pending = nil
		go l.run(b)
	}
	return e
}

// dispatch runs b unless it was closed already.
func (l *Loader[K, V]) dispatch(b *batch[K, V]) {
	l.mu.Lock()
	if l.pending != b {
		l.mu.Unlock()
		return
	}
	l.pending = nil
	l.mu.Unlock()
	l.run(b)
}

// run fetches a closed batch and hands each of its entries its answer.
func (l *Loader[K, V]) run(b *batch[K, V]) {
	ctx, cancel := detach(b.ctx)
	defer cancel()
	values, err := l.safeFetch(ctx, b.keys)
	if err != nil {
		err = fmt.Errorf("dataload: fetching %d keys: %w", len(b.keys), err)
	}
	for i, e := range b.entries {
		switch v, ok := values[b.keys[i]]; {
		case err != nil:
			e.err = err
		case !ok:
			e.err = ErrNotFound
		default:
			e.value = v
		}
		close(e.done)
	}
}

// safeFetch calls l.fetch, turning a panic into an error.
func (l *Loader[K, V]) safeFetch(ctx context.Context, keys []K) (values map[K]V, err error) {
	defer func() {
		if p := recover(); p != nil {
			values, err = nil, fmt.Errorf("fetch panicked: %v\n%s", p, debug.Stack())
		}
	}()
	return l.fetch(ctx, keys)
}

// detach returns a context with the values and the deadline of ctx that
// ctx's cancellation does not reach, so that one caller giving up does not
// fail a batch that others wait for.
func detach(ctx context.Context) (context.Context, context.CancelFunc) {
	d := context.WithoutCancel(ctx)
	if deadline, ok := ctx.Deadline(); ok {
		return context.WithDeadline(d, deadline)
	}
	return d, func() {}
}
