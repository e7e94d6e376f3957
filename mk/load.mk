# make load-test: the tests tagged "load" (JUnit @Tag("load")), which `make test` leaves out.
# They judge timings: latency ratios under attack, how soon a timeout or a refusal comes, how
# long a setup takes. Those numbers mean something on a quiet machine only, so they never
# decide `make test`; run this target alone, with nothing else busy on the box. The memory
# attack (MemoryAttackLoadTest) runs the jlink image by its own launcher, so the image is built
# first; it writes what it saw to target/memory-attack.txt. The side-port attack
# (lnm.fleet.SidePortsAttackLoadTest) runs the image as a top fleet box: 10,000 forged reports
# from five addresses, 1,000 held connections on each of fleet.listen and admin.listen for a
# minute, unenrolled pulls, and a replayed answer to the image as a box; b1's pulls and /healthz
# from a sixth address must stay answered under a second; it writes target/side-attack.txt.
.PHONY: load-test

load-test: test-deps image
	$(RAISE_NOFILE); $(MVN) test -Dgroups=load -Dlnm.test.excludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false
