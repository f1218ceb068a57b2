#!/usr/bin/env bash
# kiln submit throughput: a generated CSV catalogue published to a real (in-process KRaft) broker,
# end to end (read -> validate -> encode -> acked), beside the producer alone sending the same
# records pre-encoded. Median of --repeat runs per compression setting; the first is the shipped default.
#   bench/ingest/run.sh [--rows 100000] [--repeat 3] [--compression lz4,none]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KILN_MAIN=dev.kiln.deploy.bench.IngestBench exec "$root/deploy/bin/kiln" "$@"
