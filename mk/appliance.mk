# Packaging: the jlink runtime image, the appliance tarball, the VM disk image and its boot
# test. Included by the main Makefile; uses its JAR and MVN.
# The image links from JDK17 (with openjdk-17-jmods, installed when missing), else from a JDK 25
# under /usr/lib/jvm (appliance/tools/find-jdk.sh); LNM_JDK=25 or LNM_JDK=/path chooses.
JDK17 ?= /usr/lib/jvm/java-17-openjdk-amd64
LNM_JDK ?=
IMAGE_DIR := build/image
LNM_VERSION := $(shell sed -n 's:^  <version>\(.*\)</version>.*:\1:p' pom.xml | head -1)
TARBALL := build/lnm-$(LNM_VERSION)-linux-x64.tar.gz
VM_DIR := build/vm
APPLIANCE_FILES := $(shell find appliance -type f -not -path 'appliance/tools/*')
IMAGE_TOOLS := appliance/tools/build-image.sh appliance/tools/launcher.sh appliance/tools/train-run.sh \
	appliance/tools/lnm.jvmflags appliance/tools/find-jdk.sh

.PHONY: image appliance vm-image vm-test startup-time

# The runtime image: build/image/bin/lnm.
image: $(IMAGE_DIR)/bin/lnm

$(IMAGE_DIR)/bin/lnm: $(JAR) $(IMAGE_TOOLS) $(wildcard conf/*)
	@JDK17=$(JDK17) LNM_JDK=$(LNM_JDK) bash appliance/tools/ensure-jmods.sh
	JDK17=$(JDK17) LNM_JDK=$(LNM_JDK) bash appliance/tools/build-image.sh $(JAR) $(IMAGE_DIR) conf

# The appliance tarball: image/, conf/ and appliance/ (without the build tools).
appliance: $(TARBALL)

$(TARBALL): $(IMAGE_DIR)/bin/lnm $(APPLIANCE_FILES) $(wildcard conf/*) appliance/tools/dist.sh
	bash appliance/tools/dist.sh $(LNM_VERSION) $(IMAGE_DIR) $@

# Bootable Debian disk image with the appliance installed: raw, qcow2 and fixed VHD (Azure).
# Needs root (debootstrap, loop devices) and Debian package mirrors.
vm-image: $(TARBALL)
	bash image/build-disk.sh $(TARBALL) $(VM_DIR)

# Boots the disk image under qemu (software emulation is fine, only slow) and checks that lnm
# answers a ClientHello through a forwarded port and that systemd reports it active.
vm-test: vm-image
	bash image/vm-test.sh $(VM_DIR)

# Median time from exec of build/image/bin/lnm to its listener accepting a connection.
startup-time: image
	bash appliance/tools/startup-time.sh $(IMAGE_DIR)/bin/lnm 21
