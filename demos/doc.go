/*
Package demos plays guided demos of CASPaxos: small scripts that narrate a
scenario step by step, act on a cluster through the dashboard's own command
language, and check that the learner now sees what the narration says.

The built-in demos are the files in scripts/, embedded in the binary; a
teacher writes and shares more in the same form. `gryadka demo` lists the
built-in ones, `gryadka demo NAME` plays one in the dashboard, paced by the
learner, and `gryadka demo NAME --headless` plays it without a terminal and
exits non-zero naming the checkpoint (file:line) that failed. The demos run
on a local cluster of three acceptors, a1 to a3, and two proposers, p1 and
p2.

# Script language

A script is a text file, one statement a line. Blank lines and lines
starting with # are ignored; leading spaces are allowed. It starts with

	demo NAME "Title"
	summary One line that says what the demo shows.

(the summary is optional) and goes on with steps. A step starts with

	step "Title"

and holds any of these statements, run in order:

	say TEXT            narration; one line each, an empty say is an empty line
	do COMMAND          a dashboard command line (set k 1, kill a2, partition p1 a3,
	                    inspect k, member add, gc k…); waits until it is done
	do p2: COMMAND      the same, with key-value commands run by proposer p2 from
	                    now on (p1 at first)
	start COMMAND       a key-value command (get, set, cas, incr, del, change) run in
	                    the background; goes on once it finished or one of its
	                    messages is held by a hold rule. start p2: COMMAND as for do.
	wait                waits for every change begun with start
	hold MESSAGES       keeps the matching messages in the step queue; the others
	                    go on by themselves (the dashboard's step mode, driven for you)
	release MESSAGES    ends that hold rule and lets its messages go
	deliver MESSAGES    lets the matching held messages go, keeping the rule
	drop MESSAGES       loses the matching held messages: a lost request never
	                    arrives, a lost reply leaves the acceptor changed
	expect CHECKPOINT   checks what the learner should now see; a failed one stops
	                    a headless run
	ask "QUESTION" yes|no
	                    lets the learner predict before the rest of the step runs;
	                    headless, the question is printed with its answer
	quorum P A [unsafe] sets every proposer's prepare and accept quorum sizes over
	                    the acceptors it uses; unsafe allows quorums that need not
	                    intersect (for teaching what goes wrong)

MESSAGES selects held messages by phase, direction, acceptor and proposer:

	prepare|accept|all [replies] [to NODE | from NODE] [by PROPOSER]

requests go "to" an acceptor, replies come "from" one: hold accept to a1,
hold prepare replies from a2 by p1, release all by p2.

CHECKPOINT is one of:

	value KEY = VALUE           the value the next prepare would find: the one
	                            accepted with the highest ballot on the nodes that
	                            answer; VALUE as set writes it (1, hello, "a b"),
	                            or absent, or deleted
	node NODE up|down|paused|wiped
	last change ok|failed|unknown
	                            the outcome the caller of the last change learned;
	                            unknown: it may or may not have been applied
	round trips 1|2             of the last attempt of the last change
	trace contains "TEXT"       a line of this step's trace, as trace.Format writes
	                            it (case does not matter)
	output contains "TEXT"      the answer to the last do, start or wait
	checker linearizable|violation
	                            the verdict of the linearizability checker (package
	                            check) on every get, set, cas, incr and del run so far

A mistake in a script is reported with its file and line, saying what was
expected and giving an example.

# Example

	demo crash "An acceptor crashes"
	summary Two of three acceptors are still a quorum.

	step "Kill a2"
	do set k 1
	do kill a2
	expect node a2 down
	ask "Can p1 still change k?" yes
	do set k 2
	expect last change ok
	expect value k = 2
	say a1 and a3 are two of three: a quorum in both phases.
*/
package demos
