# The Debian package and its install/upgrade/remove/purge test. Included by the main Makefile;
# uses appliance.mk's IMAGE_DIR and LNM_VERSION. Needs dpkg-dev (dpkg-deb, dpkg-shlibdeps).
# DEB_VERSION: the package version, the project's with a SNAPSHOT suffix as ~SNAPSHOT (so that
# 0.9.0~SNAPSHOT sorts before the release 0.9.0).
DEB_VERSION ?= $(subst -,~,$(LNM_VERSION))
DEB := build/lnm_$(DEB_VERSION)_amd64.deb
DEB_FILES := mk/deb-build.sh $(wildcard mk/deb/*) appliance/lnm.service appliance/sysusers.conf \
	appliance/logrotate.conf appliance/lnm.env appliance/audit-to-var-log.sed $(wildcard conf/*)

.PHONY: deb deb-test

deb: $(DEB)

$(DEB): $(IMAGE_DIR)/bin/lnm $(DEB_FILES)
	bash mk/deb-build.sh $(DEB_VERSION) $(IMAGE_DIR) $@

# As root on a Debian machine: installs the package, upgrades it to a higher version over an
# edited config, removes and purges it (about a minute; not in `make test`). Leaves the
# machine without lnm installed.
deb-test: $(DEB)
	bash mk/deb-test.sh $(DEB) $(IMAGE_DIR)
