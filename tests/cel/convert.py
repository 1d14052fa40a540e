#!/usr/bin/env python3
"""Convert the cel-spec conformance suite (protobuf text format) into the
simple JSON test data that tests/unit/test_cel_conformance.c runs.

Usage: python3 tests/cel/convert.py SRC_DIR [OUT_DIR]
  SRC_DIR  a folder of cel-spec tests/simple/testdata/*.textproto
  OUT_DIR  defaults to the folder of this script

Each output file <name>.json is
  {"name": ..., "source": ..., "tests": [
     {"section": S, "name": N, "expr": E,
      "declare": [names], "bindings": {name: TAGGED},
      "expect": {"value": TAGGED} | {"error": "message"},
      "skip": "reason"   (present when the case is outside parapet's subset)}]}
TAGGED values: {"int": "1"}, {"uint": "1"}, {"double": 1.5 | "NaN" | "Infinity" | "-Infinity"},
{"string": s}, {"bytes": base64}, {"bool": b}, {"null": null}, {"list": [...]},
{"map": [[k, v], ...]}, {"type": name}, {"duration": "NANOS"}, {"timestamp": ["SEC", NANOS]}.

The test data is derived from google/cel-spec (Apache-2.0); see SOURCE.
"""
import base64
import json
import math
import os
import re
import sys

# ----------------------------------------------------------------- textproto


class Tok:
    def __init__(self, kind, val):
        self.kind, self.val = kind, val


def tokenize(text):
    i, n, out = 0, len(text), []
    while i < n:
        c = text[i]
        if c in ' \t\r\n':
            i += 1
        elif c == '#':
            while i < n and text[i] != '\n':
                i += 1
        elif c in '{}[]:;,<>':
            out.append(Tok(c, c))
            i += 1
        elif c in '"\'':
            q, i = c, i + 1
            buf = bytearray()
            while text[i] != q:
                if text[i] == '\\':
                    e = text[i + 1]
                    simple = {'n': 10, 't': 9, 'r': 13, 'a': 7, 'b': 8, 'f': 12, 'v': 11,
                              '\\': 92, "'": 39, '"': 34, '?': 63}
                    if e in simple:
                        buf.append(simple[e])
                        i += 2
                    elif e in '01234567':
                        j = i + 1
                        while j < i + 4 and text[j] in '01234567':
                            j += 1
                        buf.append(int(text[i + 1:j], 8) & 0xFF)
                        i = j
                    elif e in 'xX':
                        j = i + 2
                        while j < i + 4 and text[j] in '0123456789abcdefABCDEF':
                            j += 1
                        buf.append(int(text[i + 2:j], 16))
                        i = j
                    elif e == 'u':
                        buf += chr(int(text[i + 2:i + 6], 16)).encode('utf-8', 'surrogatepass')
                        i += 6
                    elif e == 'U':
                        buf += chr(int(text[i + 2:i + 10], 16)).encode('utf-8', 'surrogatepass')
                        i += 10
                    else:
                        raise ValueError('bad escape \\' + e)
                else:
                    buf += text[i].encode('utf-8')
                    i += 1
            i += 1
            # adjacent string literals concatenate
            if out and out[-1].kind == 'str':
                out[-1].val += bytes(buf)
            else:
                out.append(Tok('str', bytes(buf)))
        else:
            m = re.match(r'[A-Za-z0-9_.+\-/]+', text[i:])
            if not m:
                raise ValueError('bad char %r at %d' % (c, i))
            out.append(Tok('word', m.group(0)))
            i += len(m.group(0))
    return out


def parse_message(toks, pos, end):
    """Parse fields until token `end`; returns (dict of name -> [values], pos)."""
    msg = {}
    while pos < len(toks) and not (toks[pos].kind == end):
        t = toks[pos]
        if t.kind == '[':
            j = pos + 1
            name = ''
            while toks[j].kind != ']':
                name += toks[j].val if isinstance(toks[j].val, str) else ''
                j += 1
            name = '[' + name + ']'
            pos = j + 1
        else:
            name = t.val
            pos += 1
        if toks[pos].kind == ':':
            pos += 1
        t = toks[pos]
        if t.kind in '{<':
            close = '}' if t.kind == '{' else '>'
            val, pos = parse_message(toks, pos + 1, close)
            pos += 1
        elif t.kind == '[':
            # list of scalars
            val = []
            pos += 1
            while toks[pos].kind != ']':
                if toks[pos].kind != ',':
                    val.append(toks[pos].val)
                pos += 1
            pos += 1
        else:
            val = t.val
            pos += 1
        if pos < len(toks) and toks[pos].kind in ';,':
            pos += 1
        msg.setdefault(name, []).append(val)
    return msg, pos


def parse_textproto(text):
    toks = tokenize(text)
    msg, _ = parse_message(toks, 0, None)
    return msg


def one(msg, key, default=None):
    v = msg.get(key)
    return v[0] if v else default

# ----------------------------------------------------------------- values


class Skip(Exception):
    pass


def num(s):
    s = s if isinstance(s, str) else s.decode()
    return s


def conv_value(v):
    """cel.expr.Value (as parsed) -> TAGGED json."""
    if 'null_value' in v:
        return {'null': None}
    if 'bool_value' in v:
        return {'bool': one(v, 'bool_value') == 'true'}
    if 'int64_value' in v:
        return {'int': str(int(num(one(v, 'int64_value')), 0))}
    if 'uint64_value' in v:
        return {'uint': str(int(num(one(v, 'uint64_value')), 0))}
    if 'double_value' in v:
        s = num(one(v, 'double_value')).lower()
        if s in ('nan', '-nan'):
            return {'double': 'NaN'}
        if s in ('inf', 'infinity'):
            return {'double': 'Infinity'}
        if s in ('-inf', '-infinity'):
            return {'double': '-Infinity'}
        d = float(s)
        if math.isinf(d):
            return {'double': 'Infinity' if d > 0 else '-Infinity'}
        return {'double': d}
    if 'string_value' in v:
        b = one(v, 'string_value')
        try:
            s = b.decode('utf-8')
        except UnicodeDecodeError:
            raise Skip('string value is not valid UTF-8')
        if '\x00' in s:
            return {'string_b64': base64.b64encode(b).decode()}
        return {'string': s}
    if 'bytes_value' in v:
        return {'bytes': base64.b64encode(one(v, 'bytes_value')).decode()}
    if 'list_value' in v:
        lv = one(v, 'list_value')
        return {'list': [conv_value(x) for x in lv.get('values', [])]}
    if 'map_value' in v:
        mv = one(v, 'map_value')
        return {'map': [[conv_value(one(e, 'key')), conv_value(one(e, 'value'))] for e in mv.get('entries', [])]}
    if 'type_value' in v:
        return {'type': num(one(v, 'type_value'))}
    if 'enum_value' in v:
        raise Skip('needs protobuf enums')
    if 'object_value' in v:
        ov = one(v, 'object_value')
        key = list(ov.keys())[0]
        body = ov[key][0]
        if key == '[type.googleapis.com/google.protobuf.Duration]':
            sec = int(num(one(body, 'seconds', '0')))
            nanos = int(num(one(body, 'nanos', '0')))
            return {'duration': str(sec * 1000000000 + nanos)}
        if key == '[type.googleapis.com/google.protobuf.Timestamp]':
            return {'timestamp': [str(int(num(one(body, 'seconds', '0')))), int(num(one(body, 'nanos', '0')))]}
        raise Skip('needs protobuf message %s' % key.strip('[]').split('/')[-1])
    if not v:
        raise Skip('empty value')
    raise Skip('unsupported value kind %s' % list(v.keys()))


def convert_test(t):
    name = num(one(t, 'name'))
    expr = one(t, 'expr', b'').decode('utf-8')
    out = {'name': name, 'expr': expr}
    try:
        if one(t, 'check_only') == 'true':
            raise Skip('type-check only case')
        if one(t, 'disable_macros') == 'true':
            raise Skip('needs macros disabled')
        cont = one(t, 'container')
        if cont:
            raise Skip('needs containers (namespaces)')
        if '\x00' in expr:
            raise Skip('expression text holds a NUL byte (the C API takes NUL-terminated text)')
        bare = re.sub(r'//[^\n]*', '', expr)
        bare = re.sub(r"'(\\.|[^'\\])*'|\"(\\.|[^\"\\])*\"", "''", bare)
        if re.search(r'(?<![\w])(?!in\b)[A-Za-z_]\w*\s*\{', bare):
            raise Skip('needs protobuf message construction')
        if re.search(r"\.get\w+\(\s*'[A-Za-z]+/", expr) or re.search(r'\.get\w+\(\s*"[A-Za-z]+/', expr):
            raise Skip('IANA time zone names are not supported (UTC and fixed offsets only)')
        declare = []
        for d in t.get('type_env', []):
            nm = num(one(d, 'name'))
            if 'function' in d:
                raise Skip('needs a custom function declaration')
            ident = one(d, 'ident', {})
            ty = one(ident, 'type', {})
            if 'message_type' in ty or 'enum_type' in ty:
                raise Skip('needs protobuf message or enum types')
            declare.append(nm)
        bindings = {}
        for b in t.get('bindings', []):
            key = num(one(b, 'key'))
            ev = one(b, 'value')
            if 'value' not in ev:
                raise Skip('binding is not a plain value')
            bindings[key] = conv_value(one(ev, 'value'))
            if key not in declare:
                declare.append(key)
        out['declare'] = declare
        out['bindings'] = bindings
        if 'value' in t:
            out['expect'] = {'value': conv_value(one(t, 'value'))}
        elif 'typed_result' in t:
            tr = one(t, 'typed_result')
            if 'result' not in tr:
                raise Skip('type deduction only')
            out['expect'] = {'value': conv_value(one(tr, 'result'))}
        elif 'eval_error' in t or 'any_eval_errors' in t:
            ee = one(t, 'eval_error') or {}
            msgs = [num(one(e, 'message', b'')) if isinstance(one(e, 'message', ''), bytes) else one(e, 'message', '')
                    for e in ee.get('errors', [])]
            msgs = [m.decode() if isinstance(m, bytes) else m for m in msgs]
            out['expect'] = {'error': msgs[0] if msgs else ''}
        elif 'unknown' in t or 'any_unknowns' in t:
            raise Skip('needs unknown values')
        else:
            out['expect'] = {'value': {'bool': True}}
    except Skip as s:
        out['skip'] = str(s)
    return out


# Cases outside parapet's subset that the automatic rules above do not catch.
# (file, section) or (file, section, test) -> reason.
MANUAL_SKIPS = {}
try:
    from skips import MANUAL_SKIPS  # noqa: F401  (tests/cel/skips.py)
except ImportError:
    pass


def convert_file(path):
    msg = parse_textproto(open(path, encoding='utf-8').read())
    fname = num(one(msg, 'name'))
    tests = []
    for sec in msg.get('section', []):
        sname = num(one(sec, 'name'))
        for t in sec.get('test', []):
            c = convert_test(t)
            c = {'section': sname, **c}
            reason = MANUAL_SKIPS.get((fname, sname, c['name'])) or MANUAL_SKIPS.get((fname, sname))
            if reason and 'skip' not in c:
                c['skip'] = reason
            tests.append(c)
    return fname, tests


def main():
    src = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    global MANUAL_SKIPS
    try:
        import skips
        MANUAL_SKIPS = skips.MANUAL_SKIPS
    except ImportError:
        pass
    out_dir = sys.argv[2] if len(sys.argv) > 2 else here
    for f in sorted(os.listdir(src)):
        if not f.endswith('.textproto'):
            continue
        fname, tests = convert_file(os.path.join(src, f))
        doc = {'name': fname,
               'source': 'google/cel-spec tests/simple/testdata/%s (Apache-2.0); converted by tests/cel/convert.py' % f,
               'tests': tests}
        with open(os.path.join(out_dir, fname + '.json'), 'w', encoding='utf-8') as fp:
            json.dump(doc, fp, indent=1, ensure_ascii=False)
            fp.write('\n')
        skipped = sum(1 for t in tests if 'skip' in t)
        print('%-20s %4d cases, %4d skipped' % (fname, len(tests), skipped))


if __name__ == '__main__':
    main()
