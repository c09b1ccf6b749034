#!/usr/bin/env bash
# A smoke test of a deployed platform through Kong: k8s/smoke.sh [base URL, default http://localhost:8080]
# Public route, sign-up and sign-in, a protected call with and without a token, the sign-in rate limit.
set -euo pipefail
BASE=${1:-http://localhost:8080}
API="$BASE/api/v1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
# status <expected> <curl args...>: runs curl, body to $work/body, fails unless the status matches.
status() {
  local expected=$1 got
  shift
  got=$(curl --silent --show-error --output "$work/body" --write-out '%{http_code}' "$@")
  [[ "$got" == "$expected" ]] || fail "$* -> $got (expected $expected): $(head -c 300 "$work/body")"
  echo "ok $got $*" | cut -c1-160
}
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[process.argv[1]]))' "$1" <"$work/body"; }

status 200 "$BASE/.well-known/jwks.json"

email="smoke-$(date +%s)-$RANDOM@example.mw"
password="smoke test passphrase $RANDOM"
status 201 -X POST "$API/auth/register" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\",\"firstName\":\"Smoke\",\"lastName\":\"Test\",\"role\":\"student\",\"regNumber\":\"SMOKE/$RANDOM\"}"
status 200 -X POST "$API/auth/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\"}"
token=$(json accessToken)
[[ -n "$token" && "$token" != undefined ]] || fail "no accessToken in the login answer"

status 200 "$API/auth/me" -H "Authorization: Bearer $token"
status 401 "$API/auth/me"
grep -q '"message"' "$work/body" || fail "Kong's 401 body expected, got $(cat "$work/body")"

# The sign-in routes allow 20 requests a minute per client IP: within 25 more, Kong itself must answer
# 429 (its own body; a different e-mail each time, so identity's per-account lockout never kicks in).
limited=false
for i in $(seq 1 25); do
  code=$(curl --silent --output "$work/body" --write-out '%{http_code}' -X POST "$API/auth/login" \
    -H 'Content-Type: application/json' -d "{\"email\":\"nobody-$i@example.mw\",\"password\":\"wrong password\"}")
  if [[ "$code" == 429 ]]; then
    grep -q 'API rate limit exceeded' "$work/body" || fail "429 without Kong's body: $(cat "$work/body")"
    limited=true
    break
  fi
done
$limited || fail "no 429 from the sign-in rate limit"
echo "ok 429 past the sign-in limit"
echo "smoke test passed against $BASE"
