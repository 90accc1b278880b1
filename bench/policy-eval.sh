#!/usr/bin/env bash
# Policy evaluation benchmark (JMH): the spec's example policy against a realistic input, and
# RE2 on a catastrophic-backtracking pattern. Prints JMH's table. Not part of the tests.
#   bench/policy-eval.sh                 # full run (about 1 minute)
#   bench/policy-eval.sh -wi 1 -i 2      # quicker, extra JMH options are passed through
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
exec java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" org.openjdk.jmh.Main PolicyEvaluationBenchmark "$@"
