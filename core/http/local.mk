# core/http: build fragment (included from the top Makefile.am).
# The HTTP client (libcurl) and the secret resolver behind the host's
# http/http_free/secret/secret_free services. See docs/http.md.
libparapet_la_SOURCES += \
	core/http/http.c core/http/http.h \
	core/http/secret.c core/http/secret.h

# Tests: a real scripted HTTP/HTTPS server on 127.0.0.1 (tests/support).
HTTP_TEST_SUPPORT = \
	tests/support/test_httpd.c tests/support/test_httpd.h \
	tests/support/test_check.h tests/support/test_capture.h
HTTP_TEST_CPPFLAGS = $(AM_CPPFLAGS) $(CURL_CFLAGS) $(OPENSSL_CFLAGS)
HTTP_TEST_LDADD = libparapet.la $(CURL_LIBS) $(OPENSSL_LIBS)

check_PROGRAMS += tests/unit/test_http tests/unit/test_http_tls tests/unit/test_secret
TESTS += tests/unit/test_http tests/unit/test_http_tls tests/unit/test_secret

tests_unit_test_http_SOURCES = tests/unit/test_http.c $(HTTP_TEST_SUPPORT)
tests_unit_test_http_CPPFLAGS = $(HTTP_TEST_CPPFLAGS)
tests_unit_test_http_LDADD = $(HTTP_TEST_LDADD)

tests_unit_test_http_tls_SOURCES = tests/unit/test_http_tls.c $(HTTP_TEST_SUPPORT)
tests_unit_test_http_tls_CPPFLAGS = $(HTTP_TEST_CPPFLAGS)
tests_unit_test_http_tls_LDADD = $(HTTP_TEST_LDADD)

tests_unit_test_secret_SOURCES = tests/unit/test_secret.c tests/support/test_check.h
tests_unit_test_secret_LDADD = libparapet.la

# libFuzzer target (built by hand with clang; see the file's header).
EXTRA_DIST += tests/fuzz/fuzz_http_parse.c tests/fuzz/fuzz_http_log_stub.c
