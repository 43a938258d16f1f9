#!/usr/bin/env bash
# Offline validation of docker/ (no Docker engine needed): the compose file against the Compose
# Specification schema and lint rules (dclint, from npm), every FlinkDeployment against the Flink
# Kubernetes Operator's CRD (from its API jar on Maven Central), and the project's invariants across
# compose, manifests, Dockerfiles and sources (validate/validate.mjs). `docker compose config` runs
# too when a compose plugin is installed. What this cannot show: that the images build and run.
# dclint's no-build-and-image rule is off (validate/package.json): the compose file names the image it
# builds so the submit service can reuse it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/validate"
# Some machines have Node.js and npm's package but no npm/npx on the PATH (an npm upgrade that failed
# half way): run them from where the package lies.
if ! command -v npm >/dev/null && command -v node >/dev/null; then
  npm_bin="$(dirname "$(readlink -f "$(command -v node)")")/../lib/node_modules/npm/bin"
  if [ -f "$npm_bin/npm-cli.js" ]; then
    npm() { node "$npm_bin/npm-cli.js" "$@"; }
    npx() { node "$npm_bin/npx-cli.js" "$@"; }
  fi
fi
if [ ! -d node_modules/dclint ] || [ ! -d node_modules/ajv ] || [ ! -d node_modules/yaml ]; then
  npm install --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null
fi
echo "== compose: schema and lint (dclint)"
npx --no-install dclint ../docker-compose.yml
echo "ok   docker-compose.yml matches the Compose Specification schema"

operator_api=1.10.0
crd="target/META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml"
if [ ! -f "$crd" ]; then
  mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      -Dartifact=org.apache.flink:flink-kubernetes-operator-api:$operator_api -DoutputDirectory=target >/dev/null
  (cd target && jar xf "flink-kubernetes-operator-api-$operator_api.jar" "META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml")
fi
echo "== manifests and invariants"
node validate.mjs "$crd"

if docker compose version >/dev/null 2>&1; then
  docker compose -f ../docker-compose.yml config -q
  echo "ok   docker compose config"
else
  echo "skip docker compose config: no compose plugin on this machine"
fi
