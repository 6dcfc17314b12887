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
//     promise.
//
// A node that is down stops the collection of the key before anything is
// removed; Run retries it later. Step 4 can still stop part way (a node
// dies during it); the steps before make that safe: no proposer can write
// under a ballot below B, and a later attempt replicates the tombstone
// again before removing.
//
// The Proposers interface covers steps 2 and 3. Local implements it for
// proposers in this process; proposers of other processes (gryadka serve)
// need an admin endpoint doing the same.
package gc
