package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gryadka/gryadka/gc"
	"github.com/gryadka/gryadka/paxos"
)

// GCInvalidate asks the server's proposer to drop its cached state of key
// and move its ballot counter past tombstone (step 2 of a collection). It
// returns the proposer's age after that. Repeating it is harmless.
func (c *Client) GCInvalidate(ctx context.Context, key string, tombstone paxos.Ballot) (gc.Age, error) {
	body, err := json.Marshal(InvalidateRequest{Key: key, Tombstone: tombstone.String()})
	if err != nil {
		return gc.Age{}, fmt.Errorf("serve: %w", err)
	}
	var age gc.Age
	err = c.do(ctx, http.MethodPost, "/admin/gc/invalidate", body, &age)
	return age, err
}

// GCRaiseAge raises the server's proposer age by one, or, when atLeast is
// not 0, only if the age is below atLeast (see AgeRequest), and returns
// the age.
func (c *Client) GCRaiseAge(ctx context.Context, atLeast uint64) (gc.Age, error) {
	body, err := json.Marshal(AgeRequest{AtLeast: atLeast})
	if err != nil {
		return gc.Age{}, fmt.Errorf("serve: %w", err)
	}
	var age gc.Age
	err = c.do(ctx, http.MethodPost, "/admin/gc/age", body, &age)
	return age, err
}

// Proposers is gc.Proposers over `gryadka serve` proposers: a collector in
// another process invalidates and fences them through their admin API.
// Every proposer must answer, or the step fails naming the one that did
// not. It is safe for concurrent use.
type Proposers struct {
	// Timeout bounds each request (default DefaultGCRequestTimeout): a
	// proposer that hangs fails the step instead of stalling it.
	Timeout time.Duration

	clients []*Client

	mu   sync.Mutex
	seen map[string]gc.Age // by URL: the last age each proposer answered
}

var _ gc.Proposers = (*Proposers)(nil)

// NewProposers returns the proposers reached by clients.
func NewProposers(clients ...*Client) *Proposers {
	return &Proposers{clients: clients, seen: map[string]gc.Age{}}
}

// errRestarted is why a fence fails when a proposer restarted between the
// invalidation and the fence: it is not sent again.
var errRestarted = errors.New("it restarted during the collection")

// DefaultGCRequestTimeout is the default of Proposers.Timeout.
const DefaultGCRequestTimeout = 3 * time.Second

// attempts bounds the requests a Proposers sends for one call to one
// proposer: requests that did not reach it, or whose answer was lost, are
// sent again, with the same body.
const attempts = 3

// Invalidate implements gc.Proposers: every proposer at once.
func (p *Proposers) Invalidate(ctx context.Context, key string, tombstone paxos.Ballot) error {
	return p.each(ctx, func(ctx context.Context, _ int, c *Client) error {
		age, err := c.GCInvalidate(ctx, key, tombstone)
		if err == nil {
			p.note(c, age)
		}
		return err
	})
}

// RaiseAge implements gc.Proposers: every proposer at once. A request
// names one more than the age the proposer last answered, so that a
// request sent again after a lost answer raises nothing twice (see
// AgeRequest); gc.Collector invalidates before it raises, so that age was
// read after the invalidation. A proposer that restarted since it
// answered (a new ballot ID) fails the step: the collection starts over.
func (p *Proposers) RaiseAge(ctx context.Context) ([]gc.Age, error) {
	ages := make([]gc.Age, len(p.clients))
	err := p.each(ctx, func(ctx context.Context, i int, c *Client) error {
		p.mu.Lock()
		before, ok := p.seen[c.URL()]
		p.mu.Unlock()
		var atLeast uint64
		if ok {
			atLeast = before.Age + 1
		}
		age, err := c.GCRaiseAge(ctx, atLeast)
		if err != nil {
			return err
		}
		p.note(c, age)
		if ok && age.Proposer != before.Proposer {
			return fmt.Errorf("%w (its proposer was %s, it is now %s); the collection is retried",
				errRestarted, before.Proposer, age.Proposer)
		}
		ages[i] = age
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ages, nil
}

func (p *Proposers) note(c *Client, age gc.Age) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if have, ok := p.seen[c.URL()]; !ok || have.Proposer != age.Proposer || have.Age < age.Age {
		p.seen[c.URL()] = age
	}
}

// each calls fn for every proposer at once, sending a request again when
// it did not get an answer, and joins the failures, each naming its
// proposer.
func (p *Proposers) each(ctx context.Context, fn func(context.Context, int, *Client) error) error {
	if len(p.clients) == 0 {
		return errors.New("serve: no proposers to reach")
	}
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = DefaultGCRequestTimeout
	}
	errs := make([]error, len(p.clients))
	var wg sync.WaitGroup
	for i, c := range p.clients {
		wg.Go(func() {
			var err error
			for attempt := 1; attempt <= attempts; attempt++ {
				rctx, cancel := context.WithTimeout(ctx, timeout)
				err = fn(rctx, i, c)
				cancel()
				var pe *ProblemError
				if err == nil || errors.As(err, &pe) || errors.Is(err, errRestarted) || ctx.Err() != nil || attempt == attempts {
					break
				}
				t := time.NewTimer(time.Duration(attempt) * 50 * time.Millisecond)
				select {
				case <-t.C:
				case <-ctx.Done():
				}
				t.Stop()
			}
			switch {
			case err == nil:
			case strings.Contains(err.Error(), c.URL()):
				errs[i] = err // a failure to reach it names it already
			default:
				errs[i] = fmt.Errorf("proposer %s: %w", c.URL(), err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
