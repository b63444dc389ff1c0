#!/usr/bin/env bash
# `npm test`: unit + integration (Vitest, real embedded PostgreSQL and Redis), a production build, e2e (Playwright).
# Ends with one line of totals over every suite.
set -u
cd "$(dirname "$0")/.."
mkdir -p .test-results
rm -f .test-results/*.json
status=0

redis_pid=""
if [ -z "${TEST_REDIS_URL:-}" ] && command -v redis-server >/dev/null 2>&1; then
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >/dev/null 2>&1 &
  redis_pid=$!
  export TEST_REDIS_URL="redis://127.0.0.1:$port"
fi
cleanup() { [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null; }
trap cleanup EXIT

echo "== unit and integration tests (vitest)"
npx vitest run --reporter=default --reporter=json --outputFile.json=.test-results/vitest.json || status=1

echo "== production build"
if ! npx next build > .test-results/build.log 2>&1; then
  tail -50 .test-results/build.log
  echo "next build failed" > .test-results/build-failed
  status=1
fi

echo "== end-to-end tests (playwright)"
npx playwright test || status=1

node scripts/test-totals.mjs || status=1
exit $status
