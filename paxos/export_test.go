package paxos

// Queued returns how many changes of key wait behind the round that is
// running, so tests can build a batch without sleeping.
func (p *Proposer) Queued(key string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.queues[key]
	if q == nil {
		return 0
	}
	return len(q.pending)
}
