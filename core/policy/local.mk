# core/policy: the rule engine, frameworks and suppressions (docs/rules.md).
libparapet_la_SOURCES += \
	core/policy/engine.c core/policy/engine.h
