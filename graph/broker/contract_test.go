package broker_test

import (
	"testing"

	"github.com/ssfgraph/ssfgraph/graph/broker"
	"github.com/ssfgraph/ssfgraph/graph/model/bustest"
)

func TestContract(t *testing.T) {
	bustest.Run(t, func(t *testing.T) bustest.Bus {
		b := broker.New[bustest.Event]()
		t.Cleanup(b.Close)
		return b
	})
}
