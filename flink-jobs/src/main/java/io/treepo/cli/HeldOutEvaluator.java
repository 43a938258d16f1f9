package io.treepo.cli;

import io.treepo.policy.DecoderConfig;
import io.treepo.policy.DjlSegmentDecoder;
import io.treepo.policy.ModelFiles;
import io.treepo.policy.SamplingConfig;
import io.treepo.policy.Tokenizer;
import io.treepo.schemas.weights.WeightsAssembler;
import io.treepo.tasks.Task;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Held-out accuracy over a run: reads the policy versions the trainer publishes, the way a rollout
 * reads them, and now and then scores the newest one greedily on the same held-out problems
 * ({@code eval}'s measure), beside the job. The warm start is scored first, the last version when
 * the run ends, so a run's first and last points are always there.
 */
final class HeldOutEvaluator implements AutoCloseable {

    /** One measurement; {@code workedShare} is NaN for a task that does not tell worked responses ({@link Task#worked}). */
    record Point(long version, double accuracy, double workedShare, int prompts, long atMs) {}

    interface Listener {
        void accept(Point point);

        /** A version that could not be scored (a weights record that does not fit the model, say); the run goes on. */
        void failed(long version, RuntimeException error);
    }

    private final Properties kafka;
    private final String weightsTopic;
    private final Task task;
    private final int prompts;
    private final long seed;
    private final Duration every;
    private final Listener listener;
    private final Tokenizer tokenizer;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final DjlSegmentDecoder decoder;
    private Thread thread;
    private WeightsAssembler.Assembled newest;
    private long lastScored;

    HeldOutEvaluator(Properties kafka, String weightsTopic, Task task, int prompts, long seed, Duration every,
            ModelFiles.Model warmStart, Listener listener) {
        this.kafka = kafka;
        this.weightsTopic = weightsTopic;
        this.task = task;
        this.prompts = prompts;
        this.seed = seed;
        this.every = every;
        this.listener = listener;
        this.tokenizer = warmStart.tokenizer();
        this.decoder = DjlSegmentDecoder.create(DecoderConfig.defaults(), tokenizer, warmStart.weights(), 0);
    }

    /** Scores the warm start (version 0) now, then follows the weights topic on a thread of its own. */
    void start() {
        score(0);
        thread = new Thread(this::follow, "held-out-eval");
        thread.setDaemon(true);
        thread.start();
    }

    private void follow() {
        long next = System.currentTimeMillis() + every.toMillis();
        try (WeightsTopic weights = new WeightsTopic(kafka, weightsTopic)) {
            while (!stop.get()) {
                WeightsAssembler.Assembled polled = weights.poll(Duration.ofMillis(200));
                if (polled != null) {
                    synchronized (this) {
                        newest = polled;
                    }
                }
                if (System.currentTimeMillis() >= next) {
                    scoreNewest();
                    next = System.currentTimeMillis() + every.toMillis();
                }
            }
        }
    }

    private synchronized void scoreNewest() {
        if (newest != null && newest.version() > lastScored) {
            try {
                decoder.installWeights(WeightsTopic.weights(newest), newest.version());
                score(newest.version());
            } catch (RuntimeException e) {
                lastScored = newest.version();
                listener.failed(newest.version(), e);
            }
        }
    }

    private void score(long version) {
        TaskEvaluation.Result r = TaskEvaluation.run(decoder, tokenizer, task, prompts, seed, SamplingConfig.greedy(), 200);
        lastScored = version;
        listener.accept(new Point(version, r.accuracy(), r.workedShare(), prompts, System.currentTimeMillis()));
    }

    /** Stops following, then scores the newest version seen if it was not scored yet. */
    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        if (thread != null) {
            thread.join(30_000);
        }
        scoreNewest();
        decoder.close();
        tokenizer.close();
    }
}
