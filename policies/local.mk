# policies/: rule packs and framework mappings are data (installed by the
# top-level Makefile.am). This fragment only adds their test: lint, examples,
# and a scan of the demo estate (tests/integration/policy_packs.sh).
TESTS += tests/integration/policy_packs.sh
EXTRA_DIST += tests/integration/policy_packs.sh
