// Package gc removes deleted keys from the acceptors, following the
// deletion section of the CASPaxos paper.
//
// A delete only writes a tombstone (kv.Store.Delete): the key's state stays
// on every acceptor. Removing that state is not a local matter, because two
// things can bring a removed key back to a wrong state:
//
//   - a delete undone by a delayed message: an accept of the old value,
//     held back in the network, reaches an acceptor after the key was
//     removed there and is accepted, since nothing stored refuses it; a
//     later read may then return the deleted value;
//   - an update lost behind a tombstone: a proposer with a low counter or a
//     stale one-round-trip cache writes under a ballot below the
//     tombstone's to acceptors that removed the key, while another still
//     holds the tombstone; a read that meets the tombstone first misses the
//     acknowledged update.
//
// So the Collector runs the paper's four steps for each key, each of them
// idempotent, starting again from step 1 after any failure:
//
//  1. replicate: a change that keeps the tombstone, whose accept every
//     acceptor (not a quorum) must acknowledge; its ballot B is the
//     tombstone's ballot from then on;
//  2. invalidate: every proposer drops its cached state of the key and
//     moves its counter past B (paxos.Proposer.Invalidate);
//  3. fence: every proposer's age is raised, then every acceptor is told
//     the new minimum age, and refuses the older messages still in flight
//     (paxos.AgeError);
//  4. remove: every acceptor deletes the key, in one atomic check-and-delete,
//     only if it still holds the value accepted under B and no higher
//     promise; the same script raises the node's ballot floor to B (it
//     never lowers), and from then on the node refuses every prepare and
//     accept below the floor, on every key, as an ordinary conflict whose
//     ballot seen is the floor.
//
// Steps 2 and 3 reach only the proposers the collector knows (Proposers),
// and ages are kept per proposer incarnation. A proposer started after
// step 3 (a restarted one, or one added from the dashboard) is neither
// invalidated nor fenced: its counter starts low. While step 4 has removed
// the key from some nodes and not the others, it could write under a
// ballot below B to the emptied nodes and have the write acknowledged,
// and a later read meeting the tombstone at B on a node not yet emptied
// would lose it. The floor closes that hole: the emptied nodes refuse
// ballots below B from anyone, the proposer moves its counter past the
// floor and retries, and its write then beats the tombstone.
//
// Why both guards. The floor needs no list of proposers and covers every
// ballot below B, whoever sends it. The fence covers what a known
// proposer sent before the collection, whatever its ballot, including one
// above B, which the floor lets through; and invalidation spares a known
// proposer the conflict the floor would cost it, and empties its
// one-round-trip cache at once. Every message that could undo a delete or
// lose an update in the paper's two scenarios carries a ballot below B
// (step 1 prepared B on every node, above every promise made before it),
// so the tests show each scenario stopped by the floor alone as well as
// by steps 2 and 3 alone; the fence is kept as the paper's guard against
// old messages, and it still holds on a node whose floor was lost (one
// restored from an older copy or re-filled by hand).
//
// A node that is down stops the collection of the key before anything is
// removed; Run retries it later. Step 4 can still stop part way (a node
// dies during it); the steps before make that safe: no proposer can write
// under a ballot below B, and a later attempt replicates the tombstone
// again before removing.
//
// The floor is node-wide, not per key: after a collection, a proposer
// whose counter is below B meets one conflict on its next change of any
// key and fast-forwards. A node added to the cluster starts without a
// floor: the grow's rescan rewrites every key some node still holds, a
// tombstone included, under a ballot above B, and a key removed from every
// node has no tombstone left for a write to be lost behind. (A collection
// running during a membership change is not covered: its acceptors are
// fixed when it starts.)
//
// The Proposers interface covers steps 2 and 3. Local implements it for
// proposers in this process; serve.Proposers implements it for proposers of
// other processes (gryadka serve) through their /admin/gc routes.
package gc
