/*
Package paxos implements CASPaxos (Denis Rystsov, "CASPaxos: Replicated
State Machines without logs", 2018): a linearizable register per key,
replicated over 2F+1 acceptors, that tolerates F failed acceptors and any
number of competing proposers.

# CASPaxos in a paragraph

A client hands a proposer a change function. The proposer picks a ballot
higher than any it used before and asks the acceptors to promise it
(prepare). Each acceptor that has seen no higher ballot promises, and
answers with the value it last accepted and that value's ballot. With a
quorum of promises, the proposer takes the value with the highest ballot
(or the empty state if none), applies the change function, and asks the
acceptors to accept the result under the same ballot (accept). Once a
quorum accepted, the new value is chosen and returned. There is no log and
no leader: each key is an independent register, and a change is the only
operation (a read is the identity change).

# Ballots

A Ballot is a counter and a proposer ID, ordered by the counter, then by the
ID. The proposer part holds the ID and an incarnation ("p1.1f3a9c02"), so
a restarted proposer whose counter starts again from zero never issues a
ballot it may have used before: two values under one ballot break safety.
Ballot.Wire is the fixed-width text form acceptors store; the byte order of
wire forms is ballot order over the whole counter range, so scripts can
compare them as strings.

# The rules

Prepare. An acceptor promises a ballot only if it is above both its promise
and its accepted ballot; otherwise it refuses with a *ConflictError and
changes nothing.

Accept. An acceptor accepts a value under a ballot unless it promised or
accepted a higher one. Accepting the same ballot twice is allowed, so a
duplicated message is harmless.

Highest ballot wins. Among the promises of a prepare quorum, the value with
the highest accepted ballot is the current state. A value accepted by a
single acceptor may be carried on this way: that is how an interrupted
change can still be chosen later.

Conflicts. A proposer that sees a higher ballot moves its counter past it
(fast-forward, traced as BallotFastForwarded), drops what it cached for the
key, and fails the change with an error for which IsConflict is true. The
proposer does not retry; the layer above it retries with backoff.

Waiting for a quorum. Each phase sends one message per acceptor and goes on
as soon as the vote is decided: a quorum agreed, or too many refused,
failed or did not answer within Options.RoundTimeout. The slowest acceptors
are never waited for; their late answers still land, in the background.

One round trip. With Options.OneRTT, each accept also asks the acceptors to
promise the proposer's next ballot. When the acceptors that took the accept
include a prepare quorum, the proposer caches the key's (next ballot,
value), and the next change of that key skips the prepare phase. The cache
is an LRU of Options.CacheSize keys, dropped for a key on any failure, and
dropped entirely by SetConfig and by switching OneRTT off. A rival
proposer's prepare takes the promise away: the next 1RTT change conflicts,
and the one after prepares again.

Flexible quorums. A Config names a prepare set with its quorum and an
accept set with its quorum. It is safe when every prepare quorum shares an
acceptor with every accept quorum, which holds exactly when the two quorum
sizes add up to more than the number of distinct acceptors in the two sets.
Config.Validate refuses other configurations with ErrUnsafeConfig, unless
Config.Unsafe says the caller wants one (tests and teaching). SetConfig
swaps the configuration atomically; rounds already running keep the old one.

Definite and indefinite failures. A *ChangeError tells whether the outcome
of a failed change is known. A change that failed before any accept was
sent (prepare refused, no prepare quorum, or the caller gave up while
waiting behind another change of the key) is definite: nothing changed.
Once an accept may have reached an acceptor that did not refuse it, the
outcome is indefinite (IsIndefinite): the value may still be chosen by a
later round, and only a later read can tell. An accept refused by every
acceptor of the accept set is definite again. Since a phase does not wait
for the acceptors that have not answered when the vote is lost, an accept
lost to a majority of refusals is reported indefinite.

Refused updates. An UpdateFunc may refuse the state, for example a
compare-and-set on a stale version. The change then fails with a
*RefusedError that carries the update's error and the current state, while
the round still commits, writing the state back unchanged under the new
ballot, so that the one-round-trip cache stays valid. A panicking update is
refused the same way.

Group commit. Changes of one key in one proposer queue instead of racing
each other: one round at a time runs for the changes at the front of the
queue, up to Options.MaxBatch of them, applies them in order to one state,
writes once, and gives each caller the state right after its own update.
Changes of different keys run in parallel.

# Usage

	acceptors := []paxos.Acceptor{
		paxos.NewMemAcceptor("a1"), paxos.NewMemAcceptor("a2"), paxos.NewMemAcceptor("a3"),
	}
	p, err := paxos.NewProposer(paxos.Options{
		ID:     "p1",
		Config: paxos.Majority(acceptors...),
		OneRTT: true,
	})
	if err != nil {
		return err
	}
	incr := func(state []byte) ([]byte, error) {
		n, _ := strconv.Atoi(string(state)) // nil state counts as 0
		return []byte(strconv.Itoa(n + 1)), nil
	}
	v, err := p.Change(ctx, "counter", incr)
	switch {
	case paxos.IsConflict(err):
		// another proposer got in first: retry
	case paxos.IsIndefinite(err):
		// the increment may or may not have happened: read before retrying
	case err != nil:
		// definite failure: nothing changed
	}

Real deployments use Redis acceptors from package cluster; MemAcceptor has
the same rules and serves tests and demos.

# Tracing

Options.Tracer receives plain-data events at the proposer's I/O boundary:
ChangeStarted, MessageSent and ReplyReceived (paired by MsgID),
QuorumDecided per phase, BallotFastForwarded and ChangeFinished. Every
event carries a Meta with the time from Options.Now, the proposer, the
ChangeID and the key. The proposer checks Tracer.Enabled before building an
event, so an idle tracer costs one call per step. While tracing, the context
of each acceptor call carries its Message (MessageFrom), so fault-injecting
layers can report what they did to it.

# Map of the steps

Code comments cite the steps of the README's protocol walkthrough:

	Propose step 1    round.go   take a fresh ballot, or the cached one (1RTT)
	Propose step 2    round.go   send prepare to the prepare set, wait for its quorum
	Propose step 3    round.go   highest: the value of the highest accepted ballot
	Propose step 4    round.go   apply: run the batch's updates in order
	Propose step 5    round.go   send accept (with the next promise) to the accept set
	Prepare step 2    memacceptor.go   refuse a ballot not above what was seen
	Accept step 2     memacceptor.go   refuse a ballot below what was seen
*/
package paxos
