package io.treepo.cli;

import io.treepo.jobs.JobConfig;
import io.treepo.jobs.LocalCluster;
import io.treepo.jobs.TreepoJob;
import io.treepo.kafka.EmbeddedKafka;
import io.treepo.kafka.PromptProducer;
import io.treepo.kafka.TaskPrompts;
import io.treepo.kafka.Topics;
import io.treepo.policy.EncodedWeights;
import io.treepo.policy.ModelFiles;
import io.treepo.report.RunReport;
import io.treepo.schemas.MetricsRecord;
import io.treepo.schemas.codec.Codecs;
import io.treepo.tasks.Task;
import io.treepo.trainer.operator.TrainerMetrics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayDeque;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs the whole RL loop on this machine, with the Flink Web UI, and leaves a report.",
            "",
            "Starts an embedded Kafka broker and a local Flink cluster (Web UI at --web-port), warm-starts a",
            "policy (pretrained from scratch and cached on first use), streams generated prompts into Kafka and",
            "runs the streaming job. Prints one line per training batch; ends after --minutes or on Ctrl-C and",
            "leaves a report folder: metrics.csv, PNG plots, summary.txt, the final model and the run's checkpoints."
        })
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--minutes", paramLabel = "M", defaultValue = "0",
            description = "Stop after this many minutes of training; 0 runs until Ctrl-C. Default: ${DEFAULT-VALUE}.")
    double minutes;

    @Option(names = "--web-port", paramLabel = "PORT", defaultValue = "8081", description = "Flink Web UI port. Default: ${DEFAULT-VALUE}.")
    int webPort;

    @Option(names = {"--web-address", "--web-bind"}, paramLabel = "ADDRESS", defaultValue = "localhost",
            description = "Address the Web UI listens on: localhost keeps it on this machine; 0.0.0.0 opens it to other hosts "
                    + "(the UI has no authentication). Default: ${DEFAULT-VALUE}.")
    String webBind;

    @Option(names = "--report-dir", paramLabel = "DIR", description = "Where the report goes. Default: runs/<timestamp>.")
    Path reportDir;

    @Option(names = "--model", paramLabel = "DIR", defaultValue = ".treepo/models/default",
            description = "Warm-start policy; pretrained from scratch into DIR when missing. Default: ${DEFAULT-VALUE}.")
    Path model;

    @Option(names = "--pretrain-steps", paramLabel = "N", defaultValue = "1500",
            description = "Supervised steps when the model is missing: a step budget, not a time budget, so the warm start "
                    + "is as good on a busy machine as on an idle one (about 25-40%% held-out accuracy, leaving RL room). "
                    + "Default: ${DEFAULT-VALUE}.")
    long pretrainSteps;

    @Option(names = "--task", paramLabel = "NAME", defaultValue = "arithmetic",
            description = "Task of the generated prompts (arithmetic or echo). Default: ${DEFAULT-VALUE}.")
    String task;

    @Option(names = "--backlog", paramLabel = "N", defaultValue = "0",
            description = "Prompts produced ahead of training; 0 picks enough to keep the rollout busy "
                    + "(2 x trees per step + 2 x trees in flight). Default: ${DEFAULT-VALUE}.")
    int backlog;

    @Option(names = "--checkpoint-interval", paramLabel = "SECONDS", defaultValue = "30",
            description = "Flink checkpoint interval. Default: ${DEFAULT-VALUE}.")
    int checkpointSeconds;

    @Mixin
    LoopOptions loop;

    @Override
    public Integer call() throws Exception {
        if (minutes < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--minutes must be >= 0, got " + minutes);
        if (pretrainSteps < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--pretrain-steps must be >= 1, got " + pretrainSteps);
        if (backlog < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--backlog must be >= 0, got " + backlog);
        if (backlog == 0) {
            backlog = 2 * loop.treesPerStep + 2 * loop.maxTreesInFlight * loop.rolloutParallelism;
        }
        Task prompts = CliTasks.byName(spec, task);
        PrintWriter out = spec.commandLine().getOut();
        String webUrl = "http://" + ("0.0.0.0".equals(webBind) ? "localhost" : webBind) + ":" + webPort;
        out.println("Flink Web UI: " + webUrl);
        out.flush();

        EncodedWeights warmStart = WarmStart.load(spec, model, task, pretrainSteps, out);
        Path dir = reportDir != null ? reportDir : Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));

        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.set(true);
            try {
                finished.await(60, TimeUnit.SECONDS); // let the run write its report
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-shutdown"));

        try (EmbeddedKafka kafka = EmbeddedKafka.start(0); RunReport report = new RunReport(dir, System.currentTimeMillis())) {
            kafka.createTopics(Topics.defaults(), loop.rolloutParallelism);
            out.println("Kafka (embedded): " + kafka.bootstrapServers() + "   report: " + dir.toAbsolutePath());
            Properties kafkaProps = kafka.clientProperties();
            JobConfig config = loop.toJobConfig(kafkaProps, WarmStart.asVersionZero(warmStart));

            StreamExecutionEnvironment env = LocalCluster.withWebUi(webBind, webPort, checkpointSeconds, dir.resolve("checkpoints"), loop.rolloutParallelism);
            TreepoJob.build(env, config);
            JobClient job = env.executeAsync("treepo demo");
            out.println("Job " + job.getJobID() + " running; sampler " + loop.sampler + ", width " + loop.width
                    + ", " + loop.treesPerStep + " trees per update. Progress (one line per policy update):");
            out.flush();

            AtomicLong produced = new AtomicLong();
            AtomicLong trained = new AtomicLong();
            Semaphore room = new Semaphore(backlog); // a permit per prompt that may wait ahead of training
            Thread feeder = startFeeder(kafkaProps, prompts, room, produced, stop);
            try {
                follow(kafkaProps, report, out, room, produced, trained, stop);
            } finally {
                stop.set(true);
                feeder.join(5_000);
                out.println("Stopping the job ...");
                out.flush();
                job.cancel().get(60, TimeUnit.SECONDS);
            }
            EncodedWeights last = FinalModel.read(kafkaProps, Topics.DEFAULT_WEIGHTS);
            if (last != null) {
                ModelFiles.save(dir.resolve("model"), last);
            }
            List<Path> plots = report.plot();
            report.writeSummary().forEach(out::println);
            out.printf("Report: %s (metrics.csv with %d steps, %d plots%s)%n", dir.toAbsolutePath(), report.steps(), plots.size(),
                    last != null ? ", final model in model/" : "");
        } finally {
            finished.countDown();
        }
        return 0;
    }

    /** Keeps {@code backlog} prompts waiting ahead of training, from the task's training split. */
    private Thread startFeeder(Properties kafkaProps, Task task, Semaphore room, AtomicLong produced, AtomicBoolean stop) {
        Thread feeder = new Thread(() -> {
            TaskPrompts source = new TaskPrompts(task, Task.Split.TRAIN, loop.seed * 1_000_000L, -1);
            try (PromptProducer producer = new PromptProducer(kafkaProps, Topics.DEFAULT_PROMPTS, 0, p -> {})) {
                while (!stop.get()) {
                    if (room.tryAcquire(200, TimeUnit.MILLISECONDS)) { // the timeout only lets it notice a stop
                        producer.send(source.next());
                        produced.incrementAndGet();
                    }
                }
                producer.finish();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-prompts");
        feeder.setDaemon(true);
        feeder.start();
        return feeder;
    }

    /** Reads the trainer's metrics until the time is up or Ctrl-C: a progress line and a CSV row per update. */
    private void follow(Properties kafkaProps, RunReport report, PrintWriter out, Semaphore room, AtomicLong produced,
            AtomicLong trained, AtomicBoolean stop) {
        Properties props = new Properties();
        props.putAll(kafkaProps);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "treepo-demo-progress");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        long deadline = minutes > 0 ? System.nanoTime() + (long) (minutes * 60e9) : Long.MAX_VALUE;
        // sampled tokens per second over the last few batches: single batches arrive in bursts
        ArrayDeque<double[]> recent = new ArrayDeque<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.DEFAULT_METRICS));
            while (!stop.get() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    MetricsRecord m;
                    try {
                        m = Codecs.METRICS.decode(record.value());
                    } catch (Exception e) {
                        continue; // not ours: the metrics topic is open to other writers
                    }
                    if (!m.getSource().equals(TrainerMetrics.SOURCE)) {
                        report.addRollout(m);
                        continue;
                    }
                    report.add(m);
                    var v = m.getValues();
                    long trees = v.getOrDefault("trees", 0.0).longValue();
                    trained.addAndGet(trees);
                    room.release((int) trees);
                    recent.addLast(new double[] {m.getTimestampMs(), v.getOrDefault("sampled_tokens", 0.0)});
                    if (recent.size() > 10) {
                        recent.removeFirst();
                    }
                    double seconds = (recent.getLast()[0] - recent.getFirst()[0]) / 1000.0;
                    double tokens = recent.stream().skip(1).mapToDouble(r -> r[1]).sum();
                    double tokensPerSecond = recent.size() < 2 || seconds <= 0 ? Double.NaN : tokens / seconds;
                    out.printf("batch %4d  step %4d  version %4d  reward %.3f  accuracy %.3f  loss %+.4f  sampled tok/s %6.0f  stale %d  backlog %d%n",
                            report.steps(), m.getStep(), m.getPolicyVersion(), v.getOrDefault("reward_mean", Double.NaN),
                            v.getOrDefault("accuracy", Double.NaN), v.getOrDefault("loss", Double.NaN),
                            tokensPerSecond, v.getOrDefault("staleness", 0.0).longValue(),
                            produced.get() - trained.get());
                    out.flush();
                }
            }
        }
    }
}
