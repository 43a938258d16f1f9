// Offline checks of docker/ that need no Docker engine (see ../validate.sh, which runs this):
//  1. every FlinkDeployment in kubernetes/ against the Flink Kubernetes Operator's CRD schema, strictly
//     (an unknown field is an error here; the API server would drop it silently);
//  2. the project's own invariants across the compose file, the manifests, the Dockerfiles and the
//     sources (topic names, the entry class, the job jar's path, the GPU resource, the reporter).
// Usage: node validate.mjs <flinkdeployments CRD yml>
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import Ajv from 'ajv';

const here = path.dirname(fileURLToPath(import.meta.url));
const docker = path.resolve(here, '..');
const root = path.resolve(docker, '..');
const read = (p) => fs.readFileSync(path.resolve(root, p), 'utf8');
let failures = 0;
const check = (ok, what, detail = '') => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${ok || !detail ? '' : ': ' + detail}`);
  if (!ok) failures++;
};

// --- 1. FlinkDeployment against the CRD ----------------------------------------------------------
const crd = YAML.parse(fs.readFileSync(process.argv[2], 'utf8'));
const served = crd.spec.versions.find((v) => v.name === 'v1beta1');
const schema = structuredClone(served.schema.openAPIV3Schema);
// The newest operator API on Maven Central (1.10.0) knows Flink versions up to v1_20; operator 1.11
// added v2_0 and 1.13 v2_1. Everything else is checked as that CRD says.
schema.properties.spec.properties.flinkVersion.enum.push('v2_0', 'v2_1');
// every Kubernetes object has these; a CRD's schema leaves them to the API server
Object.assign(schema.properties, {
  apiVersion: { type: 'string' },
  kind: { type: 'string' },
  metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
});
const strict = (s) => {
  if (s && typeof s === 'object') {
    if (s.type === 'object' && s.properties && s.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) {
      s.additionalProperties = false;
    }
    Object.values(s).forEach(strict);
  }
};
strict(schema);
const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
const manifests = fs.readdirSync(path.join(docker, 'kubernetes')).filter((f) => /\.ya?ml$/.test(f));
const deployments = [];
for (const file of manifests) {
  for (const doc of YAML.parseAllDocuments(read(`docker/kubernetes/${file}`))) {
    const m = doc.toJS();
    if (m?.kind !== 'FlinkDeployment') continue;
    deployments.push(m);
    const ok = m.apiVersion === 'flink.apache.org/v1beta1' && validate(m);
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ''}`);
    check(ok, `kubernetes/${file}: FlinkDeployment '${m.metadata?.name}' matches the operator's CRD schema (${crd.metadata.name})`, errors.join('; '));
  }
}
check(deployments.length > 0, 'kubernetes/ holds a FlinkDeployment');

// --- 2. The project's invariants -----------------------------------------------------------------
const topicsJava = read('flink-jobs/src/main/java/io/treepo/kafka/Topics.java');
const topicNames = [...topicsJava.matchAll(/DEFAULT_\w+ = "([^"]+)"/g)].map((m) => m[1]).sort();
const entryClass = 'io.treepo.cli.JobEntry';
check(fs.existsSync(path.join(root, 'flink-jobs/src/main/java/io/treepo/cli/JobEntry.java')), `${entryClass} exists`);
const pom = read('pom.xml');
const prop = (name) => pom.match(new RegExp(`<${name}>([^<]+)</${name}>`))[1];

const dockerfile = read('docker/Dockerfile');
const gpuDockerfile = read('docker/Dockerfile.gpu');
const jarPath = dockerfile.match(/COPY --chown=\S+ flink-jobs\/target\/treepo-job\.jar (\S+)/)?.[1];
check(/ARG FLINK_IMAGE=flink:2\.2-java17/.test(dockerfile) && /^FROM \$\{FLINK_IMAGE\}/m.test(dockerfile), 'Dockerfile builds on the official flink:2.2-java17');
check(jarPath === '/opt/flink/usrlib/treepo-job.jar', 'Dockerfile puts the job jar in /opt/flink/usrlib', jarPath);
check(dockerfile.includes('COPY cluster-lib/target/image-lib/ /opt/flink/lib/'), 'Dockerfile puts DJL and the natives in /opt/flink/lib');
check(gpuDockerfile.includes(`PYTORCH_VERSION=${prop('pytorch.native.version')}`) && gpuDockerfile.includes('PYTORCH_FLAVOR=cu128')
    && /PYTORCH_LIBRARY_PATH=\/opt\/libtorch\/lib/.test(gpuDockerfile), 'Dockerfile.gpu points DJL at libtorch cu128 of the pom\'s PyTorch version');
check(gpuDockerfile.includes(`libtorch-cxx11-abi-shared-with-deps-${prop('pytorch.native.version')}%2Bcu128.zip`), 'Dockerfile.gpu fetches that libtorch');
check(gpuDockerfile.includes('rm -f /opt/flink/lib/pytorch-native-cpu-*.jar'), 'Dockerfile.gpu drops the CPU natives');
const imageLib = path.join(root, 'cluster-lib/target/image-lib');
if (fs.existsSync(imageLib)) {
  const jars = fs.readdirSync(imageLib);
  const want = [`api-${prop('djl.version')}.jar`, `pytorch-engine-${prop('djl.version')}.jar`, `pytorch-jni-${prop('pytorch.jni.version')}.jar`,
    `pytorch-native-cpu-${prop('pytorch.native.version')}-linux-x86_64.jar`];
  check(want.every((j) => jars.includes(j)), 'cluster-lib/target/image-lib holds DJL and the natives at the pom\'s versions', want.filter((j) => !jars.includes(j)).join(', '));
} else {
  console.log('skip cluster-lib/target/image-lib not built (mvn -B -DskipTests package)');
}

const compose = YAML.parse(read('docker/docker-compose.yml'), { merge: true });
const services = compose.services;
const flinkServices = Object.entries(services).filter(([, s]) => String(s.image).startsWith('treepo-flink') && s.command?.[0] !== 'flink');
for (const [name, s] of flinkServices) {
  const props = s.environment?.FLINK_PROPERTIES ?? '';
  check(props.includes('metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory'), `compose ${name}: Prometheus reporter on`);
  check(props.includes('-Dai.djl.offline=true'), `compose ${name}: DJL offline`);
}
check(services.kafka?.image === `apache/kafka:${prop('kafka.version')}` && services.kafka.environment.KAFKA_PROCESS_ROLES === 'broker,controller',
    'compose kafka: the pom\'s Kafka version, KRaft (broker and controller in one)');
const created = [...services.topics.command[0].matchAll(/--topic (\S+)/g)].map((m) => m[1]).sort();
check(JSON.stringify(created) === JSON.stringify(topicNames), 'compose topics: creates exactly the job\'s topics (Topics.java)', `${created} vs ${topicNames}`);
check(/--config cleanup\.policy=compact/.test(services.topics.command[0].split('\n').find((l) => l.includes('treepo.weights')) ?? ''), 'compose topics: the weights topic is compacted');
const trainer = services['taskmanager-trainer'];
const trainerArgs = trainer.command.join(' ');
check(/external-resources=gpu/.test(trainerArgs) && /external-resource\.gpu\.amount=1/.test(trainerArgs)
    && /GPUDriverFactory/.test(trainerArgs) && /nvidia-gpu-discovery\.sh/.test(trainerArgs), 'compose taskmanager-trainer: Flink\'s GPU external resource');
check(trainer.deploy?.resources?.reservations?.devices?.some((d) => d.driver === 'nvidia' && d.capabilities.includes('gpu')), 'compose taskmanager-trainer: reserves an NVIDIA GPU');
check(trainer.build?.dockerfile === 'docker/Dockerfile.gpu', 'compose taskmanager-trainer: the GPU image');
check((services['taskmanager-rollout'].deploy?.replicas ?? 1) >= 2, 'compose: two or more rollout TaskManagers');
const submit = services.submit.command;
check(submit.includes(entryClass) && submit.includes(jarPath), `compose submit: runs ${entryClass} from ${jarPath}`);
const resource = submit[submit.indexOf('--trainer-resource') + 1];
check(resource === 'gpu' && /external-resources=gpu/.test(trainerArgs)
    && Object.entries(services).filter(([, s]) => (s.command ?? []).join(' ').includes(`external-resources=${resource}`)).length === 1,
    'compose: the job places the trainer by the resource only taskmanager-trainer declares');
const optionsJava = read('flink-jobs/src/main/java/io/treepo/cli/PlacementOptions.java');
check(optionsJava.includes('"--trainer-resource"'), 'compose submit: --trainer-resource is an option of `treepo job`');

for (const m of deployments) {
  const conf = m.spec.flinkConfiguration;
  check(m.spec.job.entryClass === entryClass && m.spec.job.jarURI === `local://${jarPath}`, `FlinkDeployment ${m.metadata.name}: runs ${entryClass} from the image's job jar`);
  check(conf['external-resources'] === 'gpu' && conf['external-resource.gpu.kubernetes.config-key'] === 'nvidia.com/gpu',
      `FlinkDeployment ${m.metadata.name}: GPU external resource, requested as nvidia.com/gpu`);
  check(conf['metrics.reporter.prom.factory.class']?.endsWith('PrometheusReporterFactory'), `FlinkDeployment ${m.metadata.name}: Prometheus reporter on`);
}

console.log(failures === 0 ? 'docker/: all offline checks passed' : `docker/: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
