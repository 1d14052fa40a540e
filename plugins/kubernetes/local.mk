# plugins/kubernetes: build fragment (included from the top Makefile.am)
#
# The `kubernetes` provider: a live cluster through its API server, from a
# kubeconfig (client certificate, token, token file, exec credential
# plugin) or in-cluster (the pod's service account). Emits the k8s.* shapes
# the iac plugin makes of manifests (docs/kubernetes.md). The kubeconfig is
# read with plugins/iac/yaml_doc.c (libyaml with caps), compiled in here.
KUBE_PLUGIN_SOURCES = \
	plugins/kubernetes/kubernetes.c \
	plugins/kubernetes/kube.h \
	plugins/kubernetes/kubeconfig.c \
	plugins/kubernetes/kube_creds.c \
	plugins/kubernetes/kube_exec.c \
	plugins/kubernetes/kube_api.c \
	plugins/kubernetes/kube_collect.c \
	plugins/kubernetes/kube_normalise.c \
	plugins/kubernetes/kube_util.c \
	plugins/iac/yaml_doc.c \
	plugins/iac/yaml_doc.h
KUBE_PLUGIN_CFLAGS = $(CJSON_CFLAGS) $(YAML_CFLAGS) -I$(top_srcdir)/plugins/iac -pthread
KUBE_PLUGIN_LIBS = $(CJSON_LIBS) $(YAML_LIBS) -lpthread

plugins_LTLIBRARIES += plugins/kubernetes/kubernetes.la
plugins_kubernetes_kubernetes_la_SOURCES = $(KUBE_PLUGIN_SOURCES)
plugins_kubernetes_kubernetes_la_CFLAGS = $(PLUGIN_CFLAGS) $(KUBE_PLUGIN_CFLAGS)
plugins_kubernetes_kubernetes_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_kubernetes_kubernetes_la_LIBADD = $(KUBE_PLUGIN_LIBS)

# Unit tests: kubeconfig parsing and merging (hostile files too), base64,
# RFC 3339 times, ExecCredential parsing, the exec runner's caps,
# normalisation of every kind.
check_PROGRAMS += tests/unit/test_k8s
TESTS += tests/unit/test_k8s
tests_unit_test_k8s_SOURCES = tests/unit/test_k8s.c $(KUBE_PLUGIN_SOURCES) tests/support/test_check.h
tests_unit_test_k8s_CFLAGS = $(AM_CFLAGS) $(KUBE_PLUGIN_CFLAGS) -I$(top_srcdir)/plugins/kubernetes
tests_unit_test_k8s_LDADD = $(KUBE_PLUGIN_LIBS)

# The whole plugin through the CLI against a local HTTPS API server
# (tests/support/k8s_mock.py: test CA, client certificates required, or
# bearer tokens), and the same objects as manifests through the iac plugin.
TESTS += tests/integration/k8s_live.sh
EXTRA_DIST += tests/integration/k8s_live.sh tests/support/k8s_mock.py tests/fixtures/k8s docs/kubernetes.md
