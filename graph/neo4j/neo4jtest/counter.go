package neo4jtest

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Counter counts the statements and transactions a neo4j.DB reports to its
// Observer, by operation, for tests of how many round trips a path makes.
// It is a neo4j.QueryObserver and a neo4j.TransactionObserver; the zero
// value is ready, and it is safe for concurrent use.
type Counter struct {
	mu      sync.Mutex
	queries map[string]int
	txs     map[string]int
}

// ObserveQuery counts one statement of op.
func (c *Counter) ObserveQuery(op string, _ time.Duration, _ error) { c.add(&c.queries, op) }

// ObserveTransaction counts one transaction of op.
func (c *Counter) ObserveTransaction(op string, _ time.Duration, _ error) { c.add(&c.txs, op) }

func (c *Counter) add(m *map[string]int, op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if *m == nil {
		*m = map[string]int{}
	}
	(*m)[op]++
}

// Queries returns how many statements of op were counted.
func (c *Counter) Queries(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.queries[op]
}

// Transactions returns how many transactions of op were counted.
func (c *Counter) Transactions(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.txs[op]
}

// Take returns the statements counted since the last Take, in all and by
// operation ("op×n" sorted, comma-separated), and counts afresh.
func (c *Counter) Take() (int, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	var by []string
	for op, k := range c.queries {
		n += k
		by = append(by, fmt.Sprintf("%s×%d", op, k))
	}
	sort.Strings(by)
	c.queries = nil
	return n, strings.Join(by, ", ")
}
