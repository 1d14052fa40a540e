# plugins/iac: build fragment (included from the top Makefile.am)
#
# The `iac` provider: CloudFormation/SAM templates and Kubernetes manifests
# as the same resources the cloud providers collect, with file:line:column
# (docs/iac.md). Needs libyaml (configure: PKG_CHECK_MODULES([YAML], ...)).
IAC_SOURCES = \
	plugins/iac/iac.c \
	plugins/iac/iac.h \
	plugins/iac/emit.c \
	plugins/iac/params.c \
	plugins/iac/walk.c \
	plugins/iac/walk.h \
	plugins/iac/yaml_doc.c \
	plugins/iac/yaml_doc.h \
	plugins/iac/cfn.c \
	plugins/iac/cfn.h \
	plugins/iac/cfn_aws.c \
	plugins/iac/k8s.c \
	plugins/iac/terraform.c

plugins_LTLIBRARIES += plugins/iac/iac.la
plugins_iac_iac_la_SOURCES = $(IAC_SOURCES)
plugins_iac_iac_la_CFLAGS = $(PLUGIN_CFLAGS) $(CJSON_CFLAGS) $(YAML_CFLAGS)
plugins_iac_iac_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_iac_iac_la_LIBADD = $(CJSON_LIBS) $(YAML_LIBS)

# Unit tests: the parser and the adapters, through a fake host.
check_PROGRAMS += tests/unit/test_iac
TESTS += tests/unit/test_iac
tests_unit_test_iac_SOURCES = tests/unit/test_iac.c $(IAC_SOURCES)
tests_unit_test_iac_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(YAML_CFLAGS) -I$(top_srcdir)/plugins/iac
tests_unit_test_iac_LDADD = $(CJSON_LIBS) $(YAML_LIBS)

# Through the CLI: code and cloud give the same rule ids; hostile files.
TESTS += tests/integration/iac_location.sh tests/integration/iac_parameters.sh
EXTRA_DIST += tests/integration/iac_location.sh tests/integration/iac_parameters.sh
TESTS += tests/integration/iac_cfn.sh tests/integration/iac_k8s.sh tests/integration/iac_hostile.sh \
	tests/integration/iac_terraform.sh
EXTRA_DIST += tests/integration/iac_cfn.sh tests/integration/iac_k8s.sh tests/integration/iac_hostile.sh \
	tests/integration/iac_lib.sh tests/integration/iac_terraform.sh \
	tests/fixtures/iac docs/iac.md
