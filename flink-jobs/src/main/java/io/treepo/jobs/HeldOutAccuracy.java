package io.treepo.jobs;

import io.treepo.schemas.MetricsRecord;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Gauge;

/**
 * Held-out accuracy as one of the job's own metrics. Greedy held-out scoring runs beside the job
 * (the demo's evaluator, {@code eval}'s measure), not in it: it publishes each point to the metrics
 * topic as a record of source {@value #SOURCE}, and this sink, fed from that topic, shows the newest
 * one as gauges of the "held-out accuracy" operator: {@code heldOutAccuracy} (a share, NaN before
 * the first point), {@code heldOutVersion} (the policy version scored, -1 before) and
 * {@code heldOutProblems}.
 */
public final class HeldOutAccuracy implements Sink<MetricsRecord> {
    private static final long serialVersionUID = 1L;

    /** The metrics records' source of held-out points. */
    public static final String SOURCE = "heldout";

    /** A held-out point as a metrics record. */
    public static MetricsRecord record(long version, double accuracy, int problems, long atMs) {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("accuracy", accuracy);
        values.put("problems", (double) problems);
        return MetricsRecord.newBuilder().setSource(SOURCE).setStep(0).setPolicyVersion(version)
                .setTimestampMs(atMs).setValues(values).build();
    }

    @Override
    public SinkWriter<MetricsRecord> createWriter(WriterInitContext context) {
        return new Writer(context);
    }

    /** Keeps the newest point (by version: records of an older version that arrive late change nothing). */
    private static final class Writer implements SinkWriter<MetricsRecord> {
        private volatile double accuracy = Double.NaN;
        private volatile long version = -1;
        private volatile long problems;

        Writer(WriterInitContext context) {
            context.metricGroup().gauge("heldOutAccuracy", (Gauge<Double>) () -> accuracy);
            context.metricGroup().gauge("heldOutVersion", (Gauge<Long>) () -> version);
            context.metricGroup().gauge("heldOutProblems", (Gauge<Long>) () -> problems);
        }

        @Override
        public void write(MetricsRecord record, Context context) {
            if (!SOURCE.equals(record.getSource().toString()) || record.getPolicyVersion() < version) {
                return; // the topic's other figures (rollout, trainer) are shown by their own operators
            }
            Double value = record.getValues().get("accuracy");
            if (value == null) {
                return;
            }
            version = record.getPolicyVersion();
            accuracy = value;
            problems = record.getValues().getOrDefault("problems", 0.0).longValue();
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
    }
}
