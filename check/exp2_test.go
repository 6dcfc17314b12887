package check

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"
	"math/rand/v2"
	"github.com/gryadka/gryadka/paxos"
)

func TestExp2(t *testing.T) {
	for _, one := range []bool{false, true} {
	for _, think := range []time.Duration{0, time.Millisecond} {
	mems := []paxos.Acceptor{paxos.NewMemAcceptor("a1"), paxos.NewMemAcceptor("a2"), paxos.NewMemAcceptor("a3")}
	var ps []*paxos.Proposer
	for i := range 3 {
		p, _ := paxos.NewProposer(paxos.Options{ID: fmt.Sprint("p", i), Config: paxos.Majority(mems...), OneRTT: one})
		ps = append(ps, p)
	}
	var mu sync.Mutex
	errs := map[string]int{}
	var wg sync.WaitGroup
	for c := range 3 {
		wg.Go(func() {
			for range 100 {
				_, err := ps[c].Change(context.Background(), fmt.Sprint("k", rand.IntN(3)), func(s []byte) ([]byte, error) {
					n, _ := strconv.Atoi(string(s)); return []byte(strconv.Itoa(n+1)), nil })
				mu.Lock()
				if err != nil { errs[err.Error()[30:60]]++ } else { errs["ok"]++ }
				mu.Unlock()
				if think > 0 { time.Sleep(time.Duration(rand.Int64N(int64(think)))) }
			}
		})
	}
	wg.Wait()
	t.Log(one, think, errs)
	}
	}
}
