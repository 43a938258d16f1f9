package io.treepo.rollout.reward;

import io.treepo.policy.TokenizerFiles;
import io.treepo.policy.Tokenizer;
import io.treepo.schemas.Leaf;
import io.treepo.schemas.Segment;
import io.treepo.tasks.Task;
import io.treepo.tasks.Tasks;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Scores each leaf with its task's verifier, off the task thread, for {@code AsyncDataStream}
 * (which bounds the requests in flight and applies the timeout). A verifier that times out or
 * throws gives reward 0 with the reason in {@code rewardNote}, counted; the stream never fails on it.
 */
public final class RewardFunction extends RichAsyncFunction<Leaf, Leaf> {
    private static final long serialVersionUID = 1L;

    private final int threads;
    private final RewardRule rule;

    private transient ExecutorService executor;
    private final TokenizerFiles tokenizerFiles; // null: the byte tokenizer
    private transient Tokenizer tokenizer;
    private transient Counter scored;
    private transient Counter correct;
    private transient Counter timeouts;
    private transient Counter failures;
    private transient Counter wrongWork;

    /**
     * @param threads verifier threads per subtask
     * @param rule what earns the reward
     * @param tokenizerFiles the policy's tokenizer (null: the byte tokenizer), to turn leaves back into text
     */
    public RewardFunction(int threads, RewardRule rule, TokenizerFiles tokenizerFiles) {
        if (threads < 1) {
            throw new IllegalArgumentException("reward threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.rule = Objects.requireNonNull(rule, "rule");
        this.tokenizerFiles = tokenizerFiles;
    }

    @Override
    public void open(OpenContext openContext) {
        executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "reward-verifier");
            t.setDaemon(true);
            return t;
        });
        tokenizer = Tokenizer.forFiles(tokenizerFiles);
        var metrics = getRuntimeContext().getMetricGroup();
        scored = metrics.counter("leavesScored");
        correct = metrics.counter("leavesCorrect");
        timeouts = metrics.counter("rewardTimeouts");
        failures = metrics.counter("rewardFailures");
        wrongWork = metrics.counter("rightAnswerWrongWork");
    }

    @Override
    public void asyncInvoke(Leaf leaf, ResultFuture<Leaf> result) {
        CompletableFuture.supplyAsync(() -> score(leaf), executor).whenComplete((scoredLeaf, error) -> {
            if (error == null) {
                result.complete(List.of(scoredLeaf));
            } else {
                failures.inc();
                result.complete(List.of(withReward(leaf, 0f, null, "verifier failed: " + error.getMessage(), null)));
            }
        });
    }

    @Override
    public void timeout(Leaf leaf, ResultFuture<Leaf> result) {
        timeouts.inc();
        result.complete(List.of(withReward(leaf, 0f, null, "verifier timed out", null)));
    }

    private Leaf score(Leaf leaf) {
        Task task = Tasks.byName(leaf.getTask());
        RewardRule.Reward reward = rule.score(task, responseText(leaf, tokenizer), leaf.getReference());
        scored.inc();
        if (reward.reward() > 0) {
            correct.inc();
        }
        if (reward.rightAnswerWrongWork()) {
            wrongWork.inc();
        }
        return withReward(leaf, (float) reward.reward(), reward.extractedAnswer(),
                rule.checkWork() && reward.rightAnswerWrongWork() ? "right answer, wrong work" : null, reward.worked());
    }

    /** The text of a leaf's response: every segment's tokens in order, special tokens dropped. */
    public static String responseText(Leaf leaf, Tokenizer tokenizer) {
        int length = 0;
        for (Segment segment : leaf.getSegments()) {
            length += segment.getTokens().size();
        }
        int[] ids = new int[length];
        int i = 0;
        for (Segment segment : leaf.getSegments()) {
            for (int token : segment.getTokens()) {
                ids[i++] = token;
            }
        }
        return tokenizer.decode(ids);
    }

    private static Leaf withReward(Leaf leaf, float reward, String answer, String note, Boolean worked) {
        return Leaf.newBuilder(leaf).setReward(reward).setExtractedAnswer(answer).setRewardNote(note).setWorked(worked).build();
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}
