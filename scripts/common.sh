# Shared by scripts/demo.sh, scripts/test.sh and benchmarks/lib.sh: paths, output helpers, and the idempotent
# installation of what the project needs on a Debian machine. Source it; it defines functions only.

LV_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The Debian packages the project needs: the fabric's tools (ip, nft), the benchmark's load generator (wrk),
# zip/unzip for function code, zlib's headers (the server inflates deployment packages itself), SQLite (tools and
# headers), curl for the examples, the engines of RDS and ElastiCache (PostgreSQL; MariaDB for mysql and mariadb;
# memcached; redis-server for redis and valkey), dnsutils for `dig` (the DNS e2e test asks the VPC resolver with a
# client that is not ours).
LV_APT_PACKAGES=(iproute2 nftables wrk zip unzip zlib1g-dev sqlite3 libsqlite3-dev curl postgresql dnsutils mariadb-server memcached redis-server)
# The Python packages: the real clients (boto3, AWS CLI v1), the test runner (pytest-xdist runs it in two workers),
# the Python runtime interface client that runs functions, moto's server (the forwarded services' backend and the
# benchmarks' peer), AWS's SAM translator (the server's SAM transform) and cfn-lint (the CloudFormation tests lint
# their templates).
LV_PIP_PACKAGES=(boto3 awscli pytest pytest-xdist awslambdaric "moto[server]" aws-sam-translator cfn-lint)

lv_say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
lv_die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, through sudo otherwise.
lv_as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else lv_die "need root (or sudo) to run: $*"; fi
}

# The Swift toolchain does not come from apt; find it where this kind of machine keeps it.
lv_ensure_swift() {
    if ! command -v swift >/dev/null && [ -x /opt/swift/usr/bin/swift ]; then
        export PATH="/opt/swift/usr/bin:$PATH"
    fi
    command -v swift >/dev/null || lv_die "Swift 6 is not installed (https://www.swift.org/install/linux/); put 'swift' on PATH"
}

lv_ensure_apt_packages() {
    local missing=() p
    for p in "${LV_APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    lv_say "installing Debian packages: ${missing[*]}"
    lv_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    lv_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Installs the Python packages only when one of them is missing (a check is a second, a pip run is much more).
lv_ensure_pip_packages() {
    if python3 -c "import boto3, awscli, pytest, xdist, awslambdaric, moto.server, flask, flask_cors, samtranslator, cfnlint" 2>/dev/null \
        && command -v aws >/dev/null && command -v moto_server >/dev/null; then
        return 0
    fi
    if ! python3 -m pip --version >/dev/null 2>&1; then
        lv_say "installing python3-pip"
        lv_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip python3-venv >/dev/null
    fi
    lv_say "installing Python packages: ${LV_PIP_PACKAGES[*]}"
    local pip=(python3 -m pip install --quiet --disable-pip-version-check)
    # Debian's own python3 refuses pip installs into the system (PEP 668) unless told otherwise.
    if ! "${pip[@]}" "${LV_PIP_PACKAGES[@]}" 2>/tmp/lv-pip.err; then
        if grep -q externally-managed /tmp/lv-pip.err; then
            "${pip[@]}" --break-system-packages "${LV_PIP_PACKAGES[@]}"
        else
            cat /tmp/lv-pip.err >&2; lv_die "pip install failed"
        fi
    fi
    hash -r
    # pip puts console scripts in ~/.local/bin when it installs for one user.
    case ":$PATH:" in *":$HOME/.local/bin:"*) ;; *) export PATH="$PATH:$HOME/.local/bin" ;; esac
    command -v aws >/dev/null || lv_die "the AWS CLI is still not on PATH after pip install"
}

# Each function runs on its own Python version: every python3.M (3.9-3.14) the server would pick needs awslambdaric.
# The server looks at python3.M on PATH (version managers' shims skipped), then pyenv's newest 3.M.x; so does this.
lv_ensure_python_runtimes() {
    local root="${PYENV_ROOT:-$HOME/.pyenv}/versions" m py cand
    for m in 9 10 11 12 13 14; do
        py=""
        for cand in $(type -ap "python3.$m" 2>/dev/null | grep -v /shims/) \
                    $(ls -d "$root"/3."$m".* 2>/dev/null | sort -V -r | sed "s|\$|/bin/python3.$m|"); do
            if [ -x "$cand" ]; then py="$cand"; break; fi
        done
        [ -n "$py" ] || continue
        # Lambda's Python runtimes come with the AWS SDK (boto3), as functions expect.
        "$py" -c "import awslambdaric, boto3" 2>/dev/null && continue
        lv_say "installing awslambdaric and boto3 for $py (python3.$m functions)"
        "$py" -m pip install --quiet --disable-pip-version-check awslambdaric boto3 2>/dev/null \
            || "$py" -m pip install --quiet --disable-pip-version-check --break-system-packages awslambdaric boto3 \
            || lv_say "could not install awslambdaric and boto3 for $py: python3.$m functions will fail with Runtime.Unavailable"
    done
}

# The deployment tools the CloudFormation tests drive, each in a virtualenv of its own under /opt/lv-tools (their
# pinned dependencies, botocore's among them, would otherwise fight the clients above): the SAM CLI, and the CDK's
# Python library (it synthesizes through node, which the machine has).
LV_TOOLS="${LV_TOOLS:-/opt/lv-tools}"
lv_ensure_cloudformation_tools() {
    lv_ensure_venv sam "test -x $LV_TOOLS/sam/bin/sam" aws-sam-cli || return 1
    lv_ensure_venv cdk "$LV_TOOLS/cdk/bin/python -c 'import aws_cdk'" aws-cdk-lib constructs
}

# lv_ensure_venv NAME CHECK PACKAGE...: a virtualenv at $LV_TOOLS/NAME with the packages, unless CHECK passes.
lv_ensure_venv() {
    local name="$1" check="$2"; shift 2
    bash -c "$check" >/dev/null 2>&1 && return 0
    lv_say "installing $* into $LV_TOOLS/$name"
    lv_as_root mkdir -p "$LV_TOOLS"
    lv_as_root python3 -m venv "$LV_TOOLS/$name" || return 1
    lv_as_root "$LV_TOOLS/$name/bin/pip" install --quiet --disable-pip-version-check "$@"
}

lv_ensure_dependencies() {
    lv_ensure_apt_packages
    lv_ensure_pip_packages
    lv_ensure_python_runtimes
    lv_ensure_swift
}

# Waits until the server at $1 (base URL) answers its health check, or its process $2 dies.
lv_wait_healthy() {
    local url="$1" pid="$2" i
    for i in $(seq 1 300); do
        if ! kill -0 "$pid" 2>/dev/null; then return 1; fi
        if curl -fsS -o /dev/null --max-time 1 "$url/_lambda-vpc/health" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    return 1
}

# Stops a process we started, by pid: SIGTERM, then SIGKILL if it has not gone within $2 seconds (default 10).
lv_stop_pid() {
    local pid="$1" grace="${2:-10}" i
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 $((grace * 10))); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
