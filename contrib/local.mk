# contrib: demo estate, plugin template, benchmarks, helper scripts.
EXTRA_PROGRAMS += contrib/bench/pipeline_bench
contrib_bench_pipeline_bench_SOURCES = contrib/bench/pipeline_bench.c
contrib_bench_pipeline_bench_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
contrib_bench_pipeline_bench_LDADD = $(CJSON_LIBS)
CLEANFILES += $(EXTRA_PROGRAMS)

EXTRA_DIST += contrib/quickstart.sh contrib/run-tests.sh contrib/install-deps.sh contrib/check-style.sh \
	contrib/bench/run.sh contrib/bench/iac_bench.sh contrib/plugin-template contrib/policy-gen
