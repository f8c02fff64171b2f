#!/usr/bin/env bash
# Submits Transflow's MEM and TEM jobs to the Flink session cluster of docker-compose.yml (service submit-jobs).
#
# Each job is submitted with 'flink run --detached' from transflow.jar, whose main class is the CLI: the job starts
# as 'transflow pretrain mem ...' and 'transflow run ...' would, on the cluster instead of an embedded one. A job
# whose name (transflow-mem, transflow-tem) is already running or restarting is left alone, so running this again
# (docker compose up) does not start it twice.
#
# Environment (defaults for docker-compose.yml):
#   FLINK_JOBMANAGER        jobmanager:8081                REST address of the cluster
#   KAFKA_BOOTSTRAP         kafka:19092                    the broker's internal listener
#   TRANSFLOW_JAR           /opt/transflow/transflow.jar
#   TRANSFLOW_SNAPSHOT_DIR  /flink-data/snapshots          transflow.snapshot.dir, the same for both jobs
#   TRANSFLOW_SETTINGS      (empty)                        more arguments for both jobs, e.g.
#                                                          "--set transflow.trainer.batch-size=512"
set -euo pipefail

FLINK=${FLINK_HOME:-/opt/flink}/bin/flink
JOBMANAGER=${FLINK_JOBMANAGER:-jobmanager:8081}
BOOTSTRAP=${KAFKA_BOOTSTRAP:-kafka:19092}
JAR=${TRANSFLOW_JAR:-/opt/transflow/transflow.jar}
SNAPSHOTS=${TRANSFLOW_SNAPSHOT_DIR:-/flink-data/snapshots}
read -r -a EXTRA <<< "${TRANSFLOW_SETTINGS:-}"

if [ ! -s "$JAR" ]; then
  echo "submit-jobs: $JAR is missing; build it with 'mvn -B -DskipTests package' and run 'docker compose up -d' again" >&2
  exit 1
fi

# The REST API answers before the TaskManagers have registered; 'flink run' waits for slots by itself.
for attempt in $(seq 1 60); do
  if jobs=$("$FLINK" list --running -m "$JOBMANAGER" 2>/dev/null); then
    break
  fi
  if [ "$attempt" -eq 60 ]; then
    echo "submit-jobs: no answer from the JobManager at $JOBMANAGER" >&2
    exit 1
  fi
  sleep 2
done

submit() {
  local name=$1; shift
  # 'flink list --running' prints "<time> : <job id> : <name> (RUNNING|RESTARTING|...)".
  if grep -q " : $name (" <<< "$jobs"; then
    echo "submit-jobs: $name is already running; not submitted again"
    return
  fi
  echo "submit-jobs: submitting $name"
  "$FLINK" run --detached -m "$JOBMANAGER" --parallelism 1 --class dev.transflow.cli.TransflowCli "$JAR" \
    "$@" --bootstrap "$BOOTSTRAP" --set "transflow.snapshot.dir=$SNAPSHOTS" "${EXTRA[@]}"
}

# MEM first: the TEM job starts without knowledge and swaps in each MEM version announced on model.versions.
submit transflow-mem pretrain mem
submit transflow-tem run
"$FLINK" list --running -m "$JOBMANAGER"
