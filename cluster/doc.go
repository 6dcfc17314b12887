// Package cluster runs CASPaxos acceptors on Redis: the Redis acceptor and
// its Lua scripts, nodes with a lifecycle (start, kill, pause, restart,
// wipe) on embedded, process and remote backends, local clusters and their
// description file, and the network between proposers and acceptors, with
// fault injection and step mode.
package cluster
