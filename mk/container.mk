# The container image and its tests. Included by the main Makefile; uses appliance.mk's
# IMAGE_DIR and LNM_VERSION. Needs root and Podman (mk/container-setup.sh installs and
# configures it).
CONTAINER_DIR := build/container
CONTAINER_TAG := localhost/lnm:$(LNM_VERSION)
CONTAINER_TAR := build/lnm-$(LNM_VERSION)-oci.tar

.PHONY: container container-setup container-test

container-setup:
	@bash mk/container-setup.sh

# OCI image from the jlink image: FROM scratch, the runtime and the C libraries it links, user
# 65532, fine with a read-only root filesystem. Tagged in the local store and saved as a tar.
container: $(CONTAINER_TAR)

$(CONTAINER_TAR): $(IMAGE_DIR)/bin/lnm mk/container-rootfs.sh appliance/tools/launcher.sh $(wildcard conf/*)
	@bash mk/container-setup.sh
	bash mk/container-rootfs.sh $(IMAGE_DIR) appliance/tools/launcher.sh conf $(CONTAINER_DIR)
	podman build --quiet --pull=never -t $(CONTAINER_TAG) -f $(CONTAINER_DIR)/Containerfile $(CONTAINER_DIR)
	rm -f $@
	podman save --quiet --format oci-archive -o $@ $(CONTAINER_TAG)
	@echo "container: $(CONTAINER_TAG), $$(podman image inspect --format '{{.Size}}' $(CONTAINER_TAG) | numfmt --to=iec) in the store, $@ $$(du -h $@ | cut -f1)"

# The image under podman run --read-only relaying a TLS hello, the manifests under podman kube
# play answering, and a ConfigMap update reaching the running pod.
container-test: container
	bash mk/container-test.sh $(CONTAINER_TAG)
