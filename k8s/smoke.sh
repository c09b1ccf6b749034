#!/usr/bin/env bash
# A smoke test of a deployed platform through Kong: k8s/smoke.sh [base URL, default http://localhost:8080]
# Public route, sign-up and sign-in, a protected call with and without a token, the loan story (bonding
# file, loan raised, approved, disbursed into the wallet, repaid), and the sign-in rate limit last.
#
# The story needs the first admin's password and the e-mail verification codes identity sends. By default
# both come from the cluster (release "bonding" in namespace "bonding"): the password from its Secret, the
# codes from identity's outbox through `kubectl exec` on identity's MySQL (no mail server runs on kind).
# Elsewhere set SMOKE_ADMIN_EMAIL / SMOKE_ADMIN_PASSWORD, and SMOKE_SQL: a command that runs the SQL on
# its stdin against identity's database and prints the rows tab-separated without headers.
set -euo pipefail
BASE=${1:-http://localhost:8080}
API="$BASE/api/v1"
NAMESPACE=${SMOKE_NAMESPACE:-bonding}
RELEASE=${SMOKE_RELEASE:-bonding}
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
# json <path>: a value of the last body, by a dotted path (items.0.id).
json() {
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{let v=JSON.parse(s);for(const k of process.argv[1].split("."))v=v?.[k];console.log(v)})' "$1" <"$work/body"
}
# post/put <expected status> <path> <token or -> <JSON body> [extra curl args...]
send() {
  local method=$1 expected=$2 path=$3 token=$4 body=$5
  shift 5
  local auth=()
  [[ "$token" == - ]] || auth=(-H "Authorization: Bearer $token")
  # ${auth[@]+...}: an empty array is "unbound" under set -u before bash 4.4.
  status "$expected" -X "$method" "$API$path" ${auth[@]+"${auth[@]}"} -H 'Content-Type: application/json' -d "$body" "$@"
}
identity_sql() {
  if [[ -n "${SMOKE_SQL:-}" ]]; then
    bash -c "$SMOKE_SQL"
  else
    kubectl -n "$NAMESPACE" exec -i "statefulset/$RELEASE-identity-mysql" -c mysql -- \
      sh -c 'exec mysql -N -B -r -uroot -p"$MYSQL_ROOT_PASSWORD" "$MYSQL_DATABASE" 2>/dev/null'
  fi
}
admin_password() {
  if [[ -n "${SMOKE_ADMIN_PASSWORD:-}" ]]; then
    echo "$SMOKE_ADMIN_PASSWORD"
  else
    kubectl -n "$NAMESPACE" get secret "$RELEASE-first-admin" -o jsonpath='{.data.password}' | base64 -d
  fi
}
# verify <user id>: proves the address with the code identity sent (read from its outbox), as a user would.
verify() {
  local code="" payload
  for _ in $(seq 1 30); do
    payload=$(identity_sql <<<"SELECT payload FROM outbox WHERE type = 'user.emailVerificationRequested' AND aggregate_key = '$1' ORDER BY id DESC LIMIT 1;")
    code=$(node -e 'const s=process.argv[1];if(s)console.log(JSON.parse(s).verificationCode)' "$payload")
    [[ -n "$code" ]] && break
    sleep 1
  done
  [[ -n "$code" ]] || fail "no verification code for user $1 in identity's outbox"
  send POST 204 /auth/verify-email - "{\"code\":\"$code\"}"
}
login() {
  send POST 200 /auth/login - "{\"email\":\"$1\",\"password\":\"$2\"}"
  json accessToken
}
# register <role> <e-mail> <password> [extra JSON fields]: prints the new user's id.
register() {
  send POST 201 /auth/register - "{\"email\":\"$2\",\"password\":\"$3\",\"firstName\":\"Smoke\",\"lastName\":\"Test\",\"role\":\"$1\"${4:-}}" >&2
  local id
  id=$(json user.id)
  [[ "$id" != undefined ]] || id=$(json id)
  echo "$id"
}

status 200 "$BASE/.well-known/jwks.json"

run=$(date +%s)-$RANDOM
email="smoke-$run@example.mw"
password="smoke test passphrase $RANDOM"
student_id=$(register student "$email" "$password" ",\"regNumber\":\"SMOKE/$run\"")
token=$(login "$email" "$password" | tail -n1)
[[ -n "$token" && "$token" != undefined ]] || fail "no accessToken in the login answer"

status 200 "$API/auth/me" -H "Authorization: Bearer $token"
status 401 "$API/auth/me"
grep -q '"message"' "$work/body" || fail "Kong's 401 body expected, got $(cat "$work/body")"

# The loan story. The student proves the e-mail and files the bonding details (the students service
# learns of the student from identity's event: retry until it has).
verify "$student_id"
token=$(login "$email" "$password" | tail -n1)
personal="{\"firstName\":\"Smoke\",\"surname\":\"Test\",\"dateOfBirth\":\"2004-03-17\",\"gender\":\"female\",\"nationalId\":\"$(openssl rand -hex 4 | tr a-f A-F)\",\"phone\":\"+265991234567\",\"homeVillage\":\"Chingale\",\"traditionalAuthority\":\"Kuntaja\",\"district\":\"Zomba\",\"postalAddress\":\"P.O. Box 280, Zomba\",\"institution\":\"University of Malawi\",\"programme\":\"BSc Computer Science\",\"yearOfStudy\":2}"
for i in $(seq 1 30); do
  code=$(curl --silent --output "$work/body" --write-out '%{http_code}' -X PUT "$API/students/me/personal" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$personal")
  [[ "$code" == 200 ]] && break
  [[ $i == 30 ]] && fail "PUT /students/me/personal -> $code: $(head -c 300 "$work/body")"
  sleep 1
done
echo "ok 200 PUT /students/me/personal"
send POST 201 /students/me/guardians "$token" '{"firstName":"Grace","surname":"Test","relation":"mother","phone":"+265888765432","occupation":"Teacher","homeVillage":"Chingale"}'
send POST 201 /students/me/bank-accounts "$token" "{\"bankName\":\"National Bank of Malawi\",\"branch\":\"Zomba\",\"accountName\":\"Smoke Test\",\"accountNumber\":\"10$RANDOM$RANDOM\"}"

admin_token=$(login "${SMOKE_ADMIN_EMAIL:-admin@bonding.local}" "$(admin_password)" | tail -n1)
agent_email="smoke-agent-$run@example.mw"
agent_id=$(register agent "$agent_email" "$password")
verify "$agent_id"
send POST 200 "/users/$agent_id/approve" "$admin_token" '{}'
agent_token=$(login "$agent_email" "$password" | tail -n1)
send POST 201 /products "$admin_token" "{\"code\":\"SMOKE-$RANDOM\",\"name\":\"Smoke tuition\",\"category\":\"tuition\",\"minPrincipal\":10000,\"maxPrincipal\":100000000,\"annualRateBps\":0,\"minTermMonths\":1,\"maxTermMonths\":24}"
product_id=$(json id)
send POST 201 /loans "$agent_token" "{\"productId\":\"$product_id\",\"principal\":1500000,\"termMonths\":6,\"purpose\":\"Tuition\",\"academicYear\":\"2026/2027\",\"studentId\":\"$student_id\"}" \
  -H "Idempotency-Key: smoke-loan-$run"
loan_id=$(json id)
send POST 200 "/loans/$loan_id/approve" "$admin_token" '{}'
# Disbursement is asynchronous: loans -> loan.approved -> ledger -> transfer.completed -> loans.
loan_status=""
for _ in $(seq 1 60); do
  status 200 "$API/loans/$loan_id" -H "Authorization: Bearer $token" >/dev/null
  loan_status=$(json status)
  [[ "$loan_status" == DISBURSED ]] && break
  sleep 1
done
[[ "$loan_status" == DISBURSED ]] || fail "loan $loan_id is $loan_status, not DISBURSED, a minute after approval"
echo "ok loan $loan_id DISBURSED"
status 200 "$API/accounts" -H "Authorization: Bearer $token"
[[ "$(json items.0.balance)" == 1500000 ]] || fail "wallet balance $(json items.0.balance), expected 1500000"
send POST 201 "/loans/$loan_id/repayments" "$token" '{"amount":1500000}' -H "Idempotency-Key: smoke-repay-$run"
status 200 "$API/loans/$loan_id" -H "Authorization: Bearer $token"
[[ "$(json status)" == REPAID ]] || fail "loan $loan_id is $(json status) after the full repayment, not REPAID"
echo "ok loan $loan_id REPAID"

# The sign-in routes allow 60 requests a minute per client address: within 130 more (enough even when
# a new minute starts on the way), Kong itself must answer 429 (its own body; a different e-mail each
# time, so identity's per-account lockout never kicks in).
limited=false
for i in $(seq 1 130); do
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
