package metrics_test

import (
	"io"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ssfgraph/ssfgraph/metrics"
)

// scrape returns what m serves on /metrics.
func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, err := io.ReadAll(rec.Result().Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// value returns the value of series (a name with its labels, as served) in
// text, failing when it is absent.
func value(t *testing.T, text, series string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no series %s in:\n%s", series, text)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestBusMetrics(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	m.BusConnection(true) // before BusEnabled, as natsbus.Dial does
	if text := scrape(t, m); strings.Contains(text, "ssfgraph_bus_") {
		t.Fatalf("bus metrics served without a bus:\n%s", text)
	}
	m.BusEnabled()
	m.BusEnabled() // a second handler on the same metrics
	m.BusPublished("ok")
	m.BusPublished("ok")
	m.BusPublished("dropped")
	m.BusApplied(time.Now().Add(-2 * time.Second))
	m.BusApplied(time.Time{}) // a writer that does not say when: counted, no lag
	text := scrape(t, m)
	for series, want := range map[string]float64{
		`ssfgraph_bus_events_published_total{outcome="ok"}`:            2,
		`ssfgraph_bus_events_published_total{outcome="dropped"}`:       1,
		`ssfgraph_bus_events_applied_total`:                            2,
		`ssfgraph_bus_event_lag_seconds_count`:                         1,
		`ssfgraph_bus_event_lag_seconds_bucket{le="1.9073486328125"}`:  0, // 2 s is past it
		`ssfgraph_bus_event_lag_seconds_bucket{le="4.76837158203125"}`: 1,
		`ssfgraph_bus_connected`:                                       1,
	} {
		if got := value(t, text, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	if sum := value(t, text, "ssfgraph_bus_event_lag_seconds_sum"); sum < 2 || sum > 60 {
		t.Errorf("lag sum = %v s, want about 2", sum)
	}
	m.BusConnection(false)
	if got := value(t, scrape(t, m), "ssfgraph_bus_connected"); got != 0 {
		t.Errorf("ssfgraph_bus_connected = %v after a loss, want 0", got)
	}

	var none *metrics.Metrics // records nothing, and does not panic
	none.BusEnabled()
	none.BusPublished("ok")
	none.BusApplied(time.Now())
	none.BusConnection(true)
}
