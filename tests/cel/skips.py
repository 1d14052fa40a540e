"""Conformance cases outside parapet's CEL subset that convert.py cannot
recognise by their shape. Keys: (file, section) or (file, section, test)."""

COMPILE_TIME_NAMES = ('parapet resolves variables and functions when compiling: an undeclared '
                      'name is a compile error, not a runtime error that || can absorb')

MANUAL_SKIPS = {
    ('basic', 'variables', 'unbound_is_runtime_error'): COMPILE_TIME_NAMES,
    ('basic', 'functions', 'unbound_is_runtime_error'): COMPILE_TIME_NAMES,
    ('parse', 'receiver_function_names'): COMPILE_TIME_NAMES,
}

MANUAL_SKIPS[('string_ext', 'format')] = 'string.format() of the strings extension is not implemented'
MANUAL_SKIPS[('string_ext', 'format_errors')] = 'string.format() of the strings extension is not implemented'
