package io.treepo.rollout.operator;

import io.treepo.policy.DecodeCounters;
import io.treepo.rollout.sampler.RolloutSampler;
import io.treepo.rollout.sampler.RoundResult;
import io.treepo.rollout.sampler.SamplerStats;
import io.treepo.schemas.FinishReason;
import io.treepo.schemas.MetricsRecord;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;

/** The rollout's figures in Flink's metric system (Web UI, reporters). */
final class RolloutMetrics {
    static final String SOURCE = "rollout";

    private SamplerStats sinceReport = SamplerStats.ZERO;
    private final List<double[]> swapLatencies = new ArrayList<>();
    private final Counter decodedTokens;
    private final Counter processedTokens;
    private final Counter recomputedTokens;
    private final Counter rounds;
    private final Counter resumed;
    private final Map<FinishReason, Counter> leaves = new EnumMap<>(FinishReason.class);

    RolloutMetrics(MetricGroup group, RolloutSampler sampler, PolicyHolder policy) {
        decodedTokens = group.counter("tokensDecoded");
        processedTokens = group.counter("tokensProcessed");
        recomputedTokens = group.counter("tokensRecomputed");
        rounds = group.counter("rounds");
        resumed = group.counter("treesResumed");
        group.meter("tokensPerSecond", new MeterView(decodedTokens));
        group.meter("processedTokensPerSecond", new MeterView(processedTokens));
        for (FinishReason reason : FinishReason.values()) {
            leaves.put(reason, group.counter("leaves_" + reason.name()));
        }
        group.gauge("activeTrees", (Gauge<Integer>) sampler::activeTrees);
        group.gauge("policyVersion", (Gauge<Long>) policy::version);
        group.gauge("weightSwapLatencyMs", (Gauge<Long>) policy::lastSwapLatencyMs);
        group.gauge("weightsRefused", (Gauge<Long>) policy::refused);
        group.gauge("cacheBytes", (Gauge<Long>) () -> policy.counters().cacheBytes());
        group.gauge("cacheHitRate", (Gauge<Double>) () -> {
            DecodeCounters c = policy.counters();
            long lookups = c.cacheHits() + c.cacheMisses();
            return lookups == 0 ? 0.0 : (double) c.cacheHits() / lookups;
        });
    }

    void round(RoundResult result) {
        SamplerStats s = result.stats();
        sinceReport = sinceReport.plus(s);
        rounds.inc();
        decodedTokens.inc(s.decodedTokens());
        processedTokens.inc(s.processedTokens());
        recomputedTokens.inc(s.recomputedTokens());
        s.leavesByReason().forEach((reason, n) -> leaves.get(reason).inc(n));
    }

    void treesResumed(int n) {
        resumed.inc(n);
    }

    void swapped(long latencyMs, long arrivalMs) {
        swapLatencies.add(new double[] {latencyMs, arrivalMs});
    }

    /**
     * The figures since the last call, as a record for the metrics topic: what the demo reports
     * as the job's own decode speed and weight-swap latency.
     */
    MetricsRecord drain(int subtask, long version, int activeTrees, long nowMs) {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("subtask", (double) subtask);
        values.put("rounds", (double) sinceReport.rounds());
        values.put("decoded_tokens", (double) sinceReport.decodedTokens());
        values.put("processed_tokens", (double) sinceReport.processedTokens());
        values.put("recomputed_tokens", (double) sinceReport.recomputedTokens());
        values.put("round_seconds", sinceReport.wallNanos() / 1e9);
        values.put("leaves", (double) sinceReport.leaves());
        values.put("active_trees", (double) activeTrees);
        for (int i = 0; i < swapLatencies.size(); i++) {
            values.put("swap_latency_ms_" + i, swapLatencies.get(i)[0]);
            values.put("swap_arrival_ms_" + i, swapLatencies.get(i)[1]);
        }
        sinceReport = SamplerStats.ZERO;
        swapLatencies.clear();
        return MetricsRecord.newBuilder().setSource(SOURCE).setStep(0).setPolicyVersion(version)
                .setTimestampMs(nowMs).setValues(values).build();
    }
}
