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
import io.treepo.schemas.LedgerEntry;
import io.treepo.schemas.codec.Codecs;
import io.treepo.tasks.Task;
import java.io.PrintWriter;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code treepo bench backlog}: the whole job drains a backlog of prompts that were all on the topic
 * before it started, and reports throughput and heap. The rollout holds at most
 * {@code --max-trees-in-flight} growing trees and a few times as many parked prompts; the rest
 * waits in Kafka (backpressure), so the heap must stay flat however long the backlog.
 */
@Command(
        name = "backlog",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Drains a backlog of prompts through the whole job and reports prompts/s and peak heap.",
            "",
            "Starts an embedded broker, puts --prompts prompts on the topic, then runs the streaming job on a",
            "local cluster until the trainer's ledger shows every prompt trained. Prints progress every 10 s and",
            "a summary: prompts/s, peak heap used, and peak heap left after garbage collection (the live set)."
        })
final class BenchBacklogCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--prompts", paramLabel = "N", defaultValue = "10000", description = "Backlog size. Default: ${DEFAULT-VALUE}.")
    int prompts;

    @Mixin
    WarmStartOptions start;

    @Option(names = "--checkpoint-interval", paramLabel = "SECONDS", defaultValue = "10",
            description = "Flink checkpoint interval (the ledger commits with checkpoints). Default: ${DEFAULT-VALUE}.")
    int checkpointSeconds;

    @Option(names = "--timeout-minutes", paramLabel = "M", defaultValue = "60",
            description = "Give up (exit code 1) when the backlog is not drained by then. Default: ${DEFAULT-VALUE}.")
    double timeoutMinutes;

    @Option(names = "--json", description = "Print one JSON object at the end instead of the summary lines.")
    boolean json;

    @Mixin
    LoopOptions loop;

    @Override
    public Integer call() throws Exception {
        if (prompts < 1) throw new ParameterException(spec.commandLine(), "--prompts must be >= 1, got " + prompts);
        if (checkpointSeconds < 1) throw new ParameterException(spec.commandLine(), "--checkpoint-interval must be >= 1, got " + checkpointSeconds);
        if (timeoutMinutes <= 0) throw new ParameterException(spec.commandLine(), "--timeout-minutes must be > 0, got " + timeoutMinutes);
        Task source = start.validate(spec);
        loop.validate(spec);
        ModelFiles.Model weights = start.load(spec, json ? spec.commandLine().getErr() : spec.commandLine().getOut());
        // A partial last batch stays in the trainer until more trees come: count whole batches only.
        int expected = prompts - prompts % loop.treesPerStep;
        if (expected == 0) {
            throw new ParameterException(spec.commandLine(), "--prompts must be at least --trees-per-step (" + loop.treesPerStep + ")");
        }
        PrintWriter out = spec.commandLine().getOut();
        Path checkpoints = Files.createTempDirectory("treepo-backlog-");
        HeapWatch heap = new HeapWatch();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(0)) {
            kafka.createTopics(Topics.defaults(), loop.rolloutParallelism);
            Properties props = kafka.clientProperties();
            try (PromptProducer producer = new PromptProducer(props, Topics.DEFAULT_PROMPTS, 0, p -> {})) {
                new TaskPrompts(source, Task.Split.TRAIN, loop.seed * 1_000_000L, prompts).forEachRemaining(producer::send);
                producer.finish();
            }
            if (!json) {
                out.printf("%,d prompts on the topic; model %s; heap limit %,d MB. Draining ...%n", prompts, WarmStart.describe(weights.config()),
                        Runtime.getRuntime().maxMemory() >> 20);
                out.flush();
            }
            JobConfig config = loop.toJobConfig(props, weights, checkpoints.resolve("weights").toUri().toString());
            StreamExecutionEnvironment env = LocalCluster.withWebUi("localhost", 0, checkpointSeconds, checkpoints, loop.rolloutParallelism);
            TreepoJob.build(env, config);
            long start = System.nanoTime();
            heap.start();
            JobClient job = env.executeAsync("treepo bench backlog");
            long trained;
            try {
                trained = follow(props, expected, start, heap, out);
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
                heap.stop();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            boolean drained = trained >= expected;
            if (json) {
                out.printf(Locale.ROOT, "{\"prompts\":%d,\"trained\":%d,\"drained\":%b,\"seconds\":%.1f,\"prompts_per_s\":%.2f,"
                                + "\"heap_max_mb\":%d,\"peak_heap_used_mb\":%d,\"peak_heap_after_gc_mb\":%d,\"max_trees_in_flight\":%d}%n",
                        prompts, trained, drained, seconds, trained / seconds, Runtime.getRuntime().maxMemory() >> 20,
                        heap.peakUsed() >> 20, heap.peakAfterGc() >> 20, loop.maxTreesInFlight);
            } else {
                out.printf("%s: %,d of %,d prompts trained in %.0f s: %.1f prompts/s; peak heap used %,d MB, "
                                + "peak after GC %,d MB (limit %,d MB)%n",
                        drained ? "Drained" : "NOT drained", trained, expected, seconds, trained / seconds,
                        heap.peakUsed() >> 20, heap.peakAfterGc() >> 20, Runtime.getRuntime().maxMemory() >> 20);
            }
            out.flush();
            return drained ? 0 : 1;
        }
    }

    /** Reads the ledger until {@code expected} prompts are trained or time is up; a progress line every 10 s. */
    private long follow(Properties kafkaProps, int expected, long start, HeapWatch heap, PrintWriter out) {
        Properties props = new Properties();
        props.putAll(kafkaProps);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "treepo-bench-backlog");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        long deadline = start + (long) (timeoutMinutes * 60e9);
        long trained = 0;
        long nextReport = start + 10_000_000_000L;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.DEFAULT_LEDGER));
            while (trained < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        LedgerEntry entry = Codecs.LEDGER.decode(record.value());
                        trained += entry.getPromptIds().size();
                    } catch (Exception e) {
                        // not a ledger entry
                    }
                }
                if (!json && System.nanoTime() >= nextReport) {
                    nextReport += 10_000_000_000L;
                    double seconds = (System.nanoTime() - start) / 1e9;
                    out.printf("  %5.0f s  trained %,6d / %,d  %.1f prompts/s  heap used %,d MB (peak %,d, after GC peak %,d)%n",
                            seconds, trained, expected, trained / seconds, heap.used() >> 20, heap.peakUsed() >> 20, heap.peakAfterGc() >> 20);
                    out.flush();
                }
            }
        }
        return trained;
    }

    /** Samples the heap every 200 ms: peak used, and peak of what the latest collection left (live data plus what it kept). */
    static final class HeapWatch {
        private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
        private volatile long peakUsed;
        private volatile long peakAfterGc;
        private volatile boolean running;
        private Thread thread;

        void start() {
            running = true;
            thread = new Thread(() -> {
                while (running) {
                    sample();
                    try {
                        Thread.sleep(200); // the sampling period: heap is read, not waited for
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-watch");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join();
            sample();
        }

        private void sample() {
            peakUsed = Math.max(peakUsed, used());
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof com.sun.management.GarbageCollectorMXBean sun && sun.getLastGcInfo() != null) {
                    long afterGc = 0;
                    for (Map.Entry<String, MemoryUsage> pool : sun.getLastGcInfo().getMemoryUsageAfterGc().entrySet()) {
                        afterGc += heapPools.contains(pool.getKey()) ? pool.getValue().getUsed() : 0;
                    }
                    peakAfterGc = Math.max(peakAfterGc, afterGc);
                }
            }
        }

        long used() {
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }

        long peakUsed() {
            return peakUsed;
        }

        long peakAfterGc() {
            return peakAfterGc;
        }
    }
}
