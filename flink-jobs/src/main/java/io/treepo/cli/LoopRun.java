package io.treepo.cli;

import io.treepo.jobs.HeldOutAccuracy;
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
import io.treepo.schemas.codec.AvroSerializer;
import io.treepo.schemas.codec.Codecs;
import io.treepo.tasks.Task;
import io.treepo.trainer.operator.TrainerMetrics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One run of the whole loop on this machine, as {@code demo} and {@code compare} do it: an embedded
 * broker, a local Flink cluster with the Web UI, the streaming job, a prompt feeder that keeps a
 * bounded backlog ahead of training, held-out evaluation beside the job, and the report folder.
 *
 * @param jobName the name the Web UI shows
 * @param minutes training time; 0 runs until {@code stop} is set
 * @param backlog prompts produced ahead of training
 * @param evalPrompts held-out problems per evaluation; 0 turns evaluation off
 */
record LoopRun(
        String jobName,
        LoopOptions loop,
        Task task,
        ModelFiles.Model warmStart,
        Path reportDir,
        double minutes,
        String webBind,
        int webPort,
        int checkpointSeconds,
        int backlog,
        int evalPrompts,
        Duration evalEvery) {

    /** Held-out problems are drawn from this seed on, the same in every run, so runs compare. */
    static final long EVAL_SEED = 7;

    /** What a finished run leaves: its report (rows, held-out points) and where it is. */
    record Result(RunReport report, boolean finalModelSaved) {}

    Result run(PrintWriter out, AtomicBoolean stop) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0); RunReport report = new RunReport(reportDir, System.currentTimeMillis());
                KafkaProducer<String, MetricsRecord> heldOutPoints = new KafkaProducer<>(kafka.clientProperties(), new StringSerializer(),
                        new AvroSerializer<>(Codecs.METRICS))) {
            kafka.createTopics(Topics.defaults(), loop.rolloutParallelism);
            out.println("Kafka (embedded): " + kafka.bootstrapServers() + "   report: " + reportDir.toAbsolutePath());
            Properties kafkaProps = kafka.clientProperties();
            JobConfig config = loop.toJobConfig(kafkaProps, warmStart, reportDir.toAbsolutePath().resolve("weights").toUri().toString());

            HeldOutEvaluator evaluator = null;
            if (evalPrompts > 0) {
                evaluator = new HeldOutEvaluator(kafkaProps, Topics.DEFAULT_WEIGHTS, task, evalPrompts, EVAL_SEED, evalEvery, warmStart,
                        new HeldOutEvaluator.Listener() {
                            @Override
                            public void accept(HeldOutEvaluator.Point p) {
                                report.addHeldOut(p.version(), p.accuracy(), p.workedShare(), p.atMs());
                                // to the metrics topic, where the job shows it as its heldOutAccuracy metric
                                heldOutPoints.send(new ProducerRecord<>(Topics.DEFAULT_METRICS,
                                        HeldOutAccuracy.record(p.version(), p.accuracy(), p.prompts(), p.atMs())));
                                out.printf(Locale.ROOT, "held-out accuracy of version %d: %.1f%% (%d greedy problems)%s%n",
                                        p.version(), 100 * p.accuracy(), p.prompts(), Double.isNaN(p.workedShare()) ? ""
                                                : String.format(Locale.ROOT, ", %.1f%% worked step by step", 100 * p.workedShare()));
                                out.flush();
                            }

                            @Override
                            public void failed(long version, RuntimeException error) {
                                out.printf("held-out evaluation of version %d failed: %s%n", version, error.getMessage());
                                out.flush();
                            }
                        });
                evaluator.start();
            }

            StreamExecutionEnvironment env = LocalCluster.withWebUi(webBind, webPort, checkpointSeconds, reportDir.resolve("checkpoints"), loop.rolloutParallelism);
            TreepoJob.build(env, config);
            JobClient job = env.executeAsync(jobName);
            out.println("Job " + job.getJobID() + " running; sampler " + loop.sampler + ", width " + loop.width
                    + ", " + loop.treesPerStep + " trees per update. Progress (one line per policy update):");
            out.flush();

            AtomicLong produced = new AtomicLong();
            AtomicLong trained = new AtomicLong();
            Semaphore room = new Semaphore(backlog); // a permit per prompt that may wait ahead of training
            AtomicBoolean done = new AtomicBoolean();
            Thread feeder = startFeeder(kafkaProps, room, produced, done);
            try {
                follow(kafkaProps, report, out, room, produced, trained, stop);
            } finally {
                done.set(true);
                feeder.join(5_000);
                out.println("Stopping the job ...");
                out.flush();
                job.cancel().get(60, TimeUnit.SECONDS);
                if (evaluator != null) {
                    evaluator.close(); // scores the last version
                }
            }
            EncodedWeights last = WeightsTopic.newest(kafkaProps, Topics.DEFAULT_WEIGHTS);
            if (last != null) {
                ModelFiles.save(reportDir.resolve("model"), new ModelFiles.Model(last, warmStart.tokenizerFiles()));
            }
            List<Path> plots = report.plot();
            report.writeSummary().forEach(out::println);
            out.printf("Report: %s (metrics.csv with %d steps, %d plots%s)%n", reportDir.toAbsolutePath(), report.steps(), plots.size(),
                    last != null ? ", final model in model/" : "");
            out.flush();
            return new Result(report, last != null);
        }
    }

    /** Keeps {@code backlog} prompts waiting ahead of training, from the task's training split. */
    private Thread startFeeder(Properties kafkaProps, Semaphore room, AtomicLong produced, AtomicBoolean done) {
        Thread feeder = new Thread(() -> {
            TaskPrompts source = new TaskPrompts(task, Task.Split.TRAIN, loop.seed * 1_000_000L, -1);
            try (PromptProducer producer = new PromptProducer(kafkaProps, Topics.DEFAULT_PROMPTS, 0, p -> {})) {
                while (!done.get()) {
                    if (room.tryAcquire(200, TimeUnit.MILLISECONDS)) { // the timeout only lets it notice the end
                        producer.send(source.next());
                        produced.incrementAndGet();
                    }
                }
                producer.finish();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "loop-prompts");
        feeder.setDaemon(true);
        feeder.start();
        return feeder;
    }

    /** Reads the trainer's metrics until the time is up or a stop: a progress line and a CSV row per update. */
    private void follow(Properties kafkaProps, RunReport report, PrintWriter out, Semaphore room, AtomicLong produced,
            AtomicLong trained, AtomicBoolean stop) {
        Properties props = new Properties();
        props.putAll(kafkaProps);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "treepo-progress");
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
                    if (m.getSource().equals(HeldOutAccuracy.SOURCE)) {
                        continue; // this run's own held-out points, already in the report
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
                    double worked = v.getOrDefault("worked_share", Double.NaN);
                    out.printf(Locale.ROOT, "batch %4d  step %4d  version %4d  reward %.3f  accuracy %.3f%s  loss %+.4f  sampled tok/s %6.0f  stale %d  backlog %d%n",
                            report.steps(), m.getStep(), m.getPolicyVersion(), v.getOrDefault("reward_mean", Double.NaN),
                            v.getOrDefault("accuracy", Double.NaN),
                            Double.isNaN(worked) ? "" : String.format(Locale.ROOT, "  worked %.3f", worked), // tasks that tell only
                            v.getOrDefault("loss", Double.NaN), tokensPerSecond, v.getOrDefault("staleness", 0.0).longValue(),
                            produced.get() - trained.get());
                    out.flush();
                }
            }
        }
    }
}
