#!/usr/bin/env bash
# Evaluation under the step budget: how long policies that spend the whole budget on one kind of
# work (quantifier iterations, pattern matches, list searches, string comparisons) run before the
# budget stops them, and how many steps the spec's example and the cookbook's policies take.
# Prints a table; not part of the tests.
#   bench/policy-budget.sh             # the default budget (tollgate.policy.max-steps)
#   bench/policy-budget.sh 100000000   # another budget
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
exec java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" dev.tollgate.bench.PolicyBudgetBenchmark "$@"
