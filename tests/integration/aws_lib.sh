# aws_lib.sh - shared setup of the aws_*.sh tests (sourced after plugins_lib.sh):
# an isolated AWS environment, a test CA, and tests/support/aws_mock.py on
# 127.0.0.1. Not a test itself.
#
# Never reaches AWS: every endpoint is overridden to 127.0.0.1, the
# instance metadata service is disabled, no shared file of the machine is
# read (HOME, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE point into the
# test directory), and PARAPET_TEST=1 makes the plugin refuse to start
# without an endpoint override.

need python3 "apt-get install python3"
need openssl "apt-get install openssl"

AWS_SO="$top_builddir/plugins/aws/.libs/aws.so"
[ -f "$AWS_SO" ] || { echo "FAIL: $AWS_SO is not built" >&2; exit 1; }
PD=$(plugin_dir plugins)
ln -sf "$AWS_SO" "$PD/aws.so"

# -- an isolated AWS environment --
for v in $(env | sed -n 's/^\(AWS_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
HOME="$TMP/home"; mkdir -p "$HOME"; export HOME
AWS_CONFIG_FILE="$TMP/none"; AWS_SHARED_CREDENTIALS_FILE="$TMP/none"
AWS_EC2_METADATA_DISABLED=true
PARAPET_TEST=1
AWS_ACCESS_KEY_ID=AKIATESTEXAMPLE00001
AWS_SECRET_ACCESS_KEY="itestSECRET$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
AWS_SESSION_TOKEN="itestTOKEN/with+special=chars"
AWS_MOCK_SECRET=$AWS_SECRET_ACCESS_KEY
export AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE AWS_EC2_METADATA_DISABLED PARAPET_TEST \
    AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_MOCK_SECRET

# -- a test CA and a server certificate for 127.0.0.1 --
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/ca.key" -out "$TMP/ca.pem" -days 2 \
    -subj "/CN=parapet aws test CA" >/dev/null 2>&1 || { echo "FAIL: openssl CA" >&2; exit 1; }
openssl req -newkey rsa:2048 -nodes -keyout "$TMP/srv.key" -out "$TMP/srv.csr" -subj "/CN=127.0.0.1" \
    >/dev/null 2>&1 || { echo "FAIL: openssl CSR" >&2; exit 1; }
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$TMP/san.ext"
openssl x509 -req -in "$TMP/srv.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" -CAcreateserial \
    -out "$TMP/srv.pem" -days 2 -extfile "$TMP/san.ext" >/dev/null 2>&1 || { echo "FAIL: openssl sign" >&2; exit 1; }

# aws_mock NAME [MOCK ARGS...] - start a mock; sets EP (its URL) and MOCKLOG (its request log).
aws_mock() {
    _name=$1; shift
    rm -f "$TMP/$_name.port"
    python3 "$top_srcdir/tests/support/aws_mock.py" --cert "$TMP/srv.pem" --key "$TMP/srv.key" \
        --port-file "$TMP/$_name.port" --log "$TMP/$_name.log" --akid "$AWS_ACCESS_KEY_ID" --secret - \
        --token "$AWS_SESSION_TOKEN" "$@" 2>"$TMP/$_name.err" &
    CLEANUP_PIDS="$CLEANUP_PIDS $!"
    _i=0
    while [ ! -s "$TMP/$_name.port" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
    [ -s "$TMP/$_name.port" ] || { echo "FAIL: the mock did not start: $(cat "$TMP/$_name.err")" >&2; exit 1; }
    EP="https://127.0.0.1:$(cat "$TMP/$_name.port")"
    MOCKLOG="$TMP/$_name.log"
    : >>"$MOCKLOG"
}

# aws_scan NAME [parapet scan options...] - scan the current mock (EP) into $TMP/NAME.jsonl
aws_scan() {
    _name=$1; shift
    run_parapet "$TMP/$_name" --plugin-dir "$PD" scan aws --db "$TMP/$_name.db" \
        -o aws.endpoint_url="$EP" -o aws.http.ca_file="$TMP/ca.pem" \
        --output "jsonl:$TMP/$_name.jsonl" -o jsonl.resources=true "$@"
}
