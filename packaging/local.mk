# packaging: what distro packages (and `make install`) need beyond the
# program itself: systemd units, the scan settings file, man pages and shell
# completions. The Debian and RPM recipes live in packaging/debian/ and
# packaging/rpm/ (docs/packaging.md).

# systemd units. The services name the installed CLI and config directory,
# so they are made from .in templates. The default unit directory follows
# --prefix (/usr/lib/systemd/system for --prefix=/usr); Debian 12 installs
# with `make install systemdunitdir=/lib/systemd/system`.
systemdunitdir = $(prefix)/lib/systemd/system
PACKAGING_SERVICES = packaging/systemd/parapet-scan.service \
	packaging/systemd/parapet-feed-update.service
systemdunit_DATA = $(PACKAGING_SERVICES) \
	packaging/systemd/parapet-scan.timer \
	packaging/systemd/parapet-feed-update.timer
CLEANFILES += $(PACKAGING_SERVICES)

packaging_edit_unit = sed -e 's|@bindir[@]|$(bindir)|g' -e 's|@pkgsysconfdir[@]|$(pkgsysconfdir)|g'
packaging/systemd/parapet-scan.service: $(srcdir)/packaging/systemd/parapet-scan.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) packaging/systemd && \
	$(packaging_edit_unit) $(srcdir)/packaging/systemd/parapet-scan.service.in > $@.tmp && mv $@.tmp $@
packaging/systemd/parapet-feed-update.service: $(srcdir)/packaging/systemd/parapet-feed-update.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) packaging/systemd && \
	$(packaging_edit_unit) $(srcdir)/packaging/systemd/parapet-feed-update.service.in > $@.tmp && mv $@.tmp $@

# What parapet-scan.service scans (kept on upgrade by the distro packages).
packagingconfdir = $(pkgsysconfdir)
dist_packagingconf_DATA = packaging/scan.env

# Man pages (roff, written for this project).
dist_man1_MANS = packaging/man/parapet.1
dist_man5_MANS = packaging/man/parapet.conf.5 packaging/man/parapet-rules.5
dist_man7_MANS = packaging/man/parapet-plugin.7

# Shell completions. Debian installs zsh's with
# `make install zshcompdir=/usr/share/zsh/vendor-completions`.
bashcompdir = $(datadir)/bash-completion/completions
dist_bashcomp_DATA = contrib/completions/parapet
zshcompdir = $(datadir)/zsh/site-functions
dist_zshcomp_DATA = contrib/completions/_parapet

# Tests. The Debian package build is slower and needs root and the network for
# its chroot check: CI runs packaging/test-deb.sh after the suite.
PACKAGING_TESTS = tests/integration/packaging_units.sh \
	tests/integration/packaging_man.sh \
	tests/integration/packaging_completions.sh
TESTS += $(PACKAGING_TESTS)
EXTRA_DIST += $(PACKAGING_TESTS)
