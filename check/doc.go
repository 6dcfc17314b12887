// Package check tests that gryadka is linearizable: it records concurrent
// histories, checks them key by key with porcupine, audits the acceptors,
// and runs Jepsen-style tests on a local cluster broken by a seeded
// nemesis (gryadka check).
package check
