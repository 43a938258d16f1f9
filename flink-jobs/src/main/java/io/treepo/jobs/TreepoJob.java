package io.treepo.jobs;

import io.treepo.policy.ModelConfig;
import io.treepo.rollout.operator.TreeRolloutOperator;
import io.treepo.rollout.operator.WeightsAssemblyFunction;
import io.treepo.rollout.reward.RewardFunction;
import io.treepo.rollout.window.TreeWindowFunction;
import io.treepo.schemas.DeadLetter;
import io.treepo.schemas.LedgerEntry;
import io.treepo.schemas.Leaf;
import io.treepo.schemas.MetricsRecord;
import io.treepo.schemas.PolicyWeights;
import io.treepo.schemas.Prompt;
import io.treepo.schemas.ScoredTree;
import io.treepo.schemas.codec.AvroCodec;
import io.treepo.schemas.codec.Codecs;
import io.treepo.schemas.weights.PolicyVersions;
import io.treepo.schemas.weights.WeightsAssembler.Assembled;
import io.treepo.tasks.Tasks;
import io.treepo.trainer.operator.TrainerFunction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

/** The streaming loop as one job graph (DESIGN.md): built by {@link #build}, the one place it is wired. */
public final class TreepoJob {
    /**
     * Slot-sharing groups, so a cluster can put rollout and trainer on their own (GPU) TaskManagers:
     * {@link JobConfig#placement()} may tie either to TaskManagers that declare an external resource.
     */
    public static final String ROLLOUT_SLOTS = "rollout";
    public static final String TRAINER_SLOTS = "trainer";

    private static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    private TreepoJob() {}

    public static void build(StreamExecutionEnvironment env, JobConfig config) {
        var topics = config.topics();

        // Prompts: bad records become dead letters, never failures.
        KafkaSource<Either<DeadLetter, Prompt>> promptSource = KafkaSource.<Either<DeadLetter, Prompt>>builder()
                .setProperties(config.kafka())
                .setTopics(topics.prompts())
                .setGroupId(config.groupId())
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new PromptDeserializer(new PromptValidator(new HashSet<>(Tasks.names()), config.maxPromptChars())))
                .build();
        SingleOutputStreamOperator<Prompt> prompts = env
                .fromSource(promptSource, WatermarkStrategy.noWatermarks(), "prompts")
                .process(new SplitDeadLetters())
                .name("validate prompts");
        prompts.getSideOutput(DEAD_LETTERS)
                .sinkTo(kafkaSink(config, topics.deadLetters(), Codecs.DEAD_LETTER))
                .name("dead letters");

        // Weights: whole verified versions, to every rollout subtask. The loop closes only through Kafka.
        KafkaSource<PolicyWeights> weightsSource = KafkaSource.<PolicyWeights>builder()
                .setProperties(config.kafka())
                .setTopics(topics.weights())
                .setGroupId(config.groupId() + "-weights")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(KafkaRecordDeserializationSchema.valueOnly(new SkippingDeserializer<>(Codecs.POLICY_WEIGHTS)))
                .build();
        DataStream<Assembled> versions = env
                .fromSource(weightsSource, WatermarkStrategy.noWatermarks(), "weights")
                .setParallelism(1)
                .process(new WeightsAssemblyFunction(ModelConfig.fromJson(PolicyVersions.fromBytes(config.rollout().initialWeights()).modelConfig())))
                .setParallelism(1)
                .name("assemble weights");

        // A tree stays on one subtask: its prefix state lives there.
        SingleOutputStreamOperator<Leaf> leaves = prompts
                .keyBy(Prompt::getId)
                .connect(versions.broadcast())
                .transform("tree rollout", new AvroTypeInfo<>(Leaf.class), rolloutOperator(config))
                .setParallelism(config.rolloutParallelism())
                .slotSharingGroup(config.placement().rollout());

        leaves.getSideOutput(TreeRolloutOperator.METRICS)
                .sinkTo(kafkaSink(config, topics.metrics(), Codecs.METRICS))
                .setParallelism(config.rolloutParallelism()).slotSharingGroup(config.placement().rollout()).name("rollout metrics");

        DataStream<Leaf> scored = AsyncDataStream
                .unorderedWait(leaves, new RewardFunction(config.rewardThreads(), config.reward(), config.rollout().tokenizer()), config.rewardTimeout().toMillis(),
                        TimeUnit.MILLISECONDS, 4 * config.rewardThreads() * 16)
                .name("reward");

        // The leaves tap: every scored leaf, for replay and analysis (and the tests' view of versions).
        scored.sinkTo(kafkaSink(config, topics.leaves(), Codecs.LEAF)).name("leaves tap");

        // All leaves of a tree meet in one window.
        SingleOutputStreamOperator<ScoredTree> trees = scored
                .keyBy(Leaf::getTreeId)
                .process(new TreeWindowFunction(config.treeTimeout(), Duration.ofHours(1)))
                .name("tree window");

        SingleOutputStreamOperator<PolicyWeights> published = trees
                .process(trainerFunction(config))
                .setParallelism(1)
                .slotSharingGroup(config.placement().trainer())
                .name("trainer");
        published.sinkTo(weightsSink(config))
                .setParallelism(1).slotSharingGroup(config.placement().trainer()).name("publish weights");
        published.getSideOutput(TrainerFunction.METRICS)
                .sinkTo(kafkaSink(config, topics.metrics(), Codecs.METRICS))
                .setParallelism(1).slotSharingGroup(config.placement().trainer()).name("metrics");
        // The ledger is the lineage of the trainer's state, so it commits with the checkpoints (Kafka
        // transactions): a batch trained after the last checkpoint and lost in a failure never shows.
        published.getSideOutput(TrainerFunction.LEDGER)
                .sinkTo(ledgerSink(config))
                .setParallelism(1).slotSharingGroup(config.placement().trainer()).name("ledger");

        // Held-out accuracy is measured beside the job and published on the metrics topic; read back here, it
        // becomes one of the job's metrics (Web UI, reporters) next to the trainer's reward and the rollout's speed.
        KafkaSource<MetricsRecord> figures = KafkaSource.<MetricsRecord>builder()
                .setProperties(config.kafka())
                .setTopics(topics.metrics())
                .setGroupId(config.groupId() + "-heldout")
                // the demo scores the warm start before the job's readers start: read the topic from its start once
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(KafkaRecordDeserializationSchema.valueOnly(new SkippingDeserializer<>(Codecs.METRICS)))
                .build();
        env.fromSource(figures, WatermarkStrategy.noWatermarks(), "metrics topic")
                .setParallelism(1)
                .slotSharingGroup(config.placement().trainer())
                .sinkTo(new HeldOutAccuracy())
                .setParallelism(1).slotSharingGroup(config.placement().trainer()).name("held-out accuracy");
    }

    private static TreeRolloutOperator rolloutOperator(JobConfig config) {
        long after = config.faults().rolloutAfterRounds();
        return after < 0 ? new TreeRolloutOperator(config.rollout()) : TreeRolloutOperator.failingOnceAfter(config.rollout(), after);
    }

    private static TrainerFunction trainerFunction(JobConfig config) {
        long after = config.faults().trainerAfterUpdates();
        return after < 0 ? new TrainerFunction(config.trainer()) : TrainerFunction.failingOnceAfter(config.trainer(), after);
    }

    /**
     * Exactly once, unlike the other sinks: the records become visible when the checkpoint that
     * holds the trainer's state completes. The transaction timeout must stay under the broker's
     * {@code transaction.max.timeout.ms} (15 minutes by default; Flink's default of one hour is refused).
     */
    private static KafkaSink<LedgerEntry> ledgerSink(JobConfig config) {
        Properties props = new Properties();
        props.putAll(config.kafka());
        props.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Integer.toString(10 * 60 * 1000));
        return KafkaSink.<LedgerEntry>builder()
                .setKafkaProducerConfig(props)
                .setRecordSerializer(KafkaRecordSerializationSchema.<LedgerEntry>builder()
                        .setTopic(config.topics().ledger())
                        .setValueSerializationSchema(new AvroRecordSerializer<>(LedgerEntry.class))
                        .build())
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(config.groupId() + "-ledger")
                .build();
    }

    private static <T extends SpecificRecord> KafkaSink<T> kafkaSink(JobConfig config, String topic, AvroCodec<T> codec) {
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(config.kafka())
                .setRecordSerializer(KafkaRecordSerializationSchema.<T>builder()
                        .setTopic(topic)
                        .setValueSerializationSchema(new AvroRecordSerializer<>(codec.type()))
                        .build())
                // At least once: consumers of every topic ignore what they have seen (versions, ids).
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    /**
     * The weights topic is compacted and keyed by chunk index: compaction keeps the newest version's
     * chunks, so a rollout that starts late reads one version, not the history.
     */
    private static KafkaSink<PolicyWeights> weightsSink(JobConfig config) {
        return KafkaSink.<PolicyWeights>builder()
                .setKafkaProducerConfig(config.kafka())
                .setRecordSerializer(KafkaRecordSerializationSchema.<PolicyWeights>builder()
                        .setTopic(config.topics().weights())
                        .setKeySerializationSchema(chunk -> ("chunk-" + chunk.getChunkIndex()).getBytes(StandardCharsets.UTF_8))
                        .setValueSerializationSchema(new AvroRecordSerializer<>(PolicyWeights.class))
                        .build())
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    /** Routes dead letters to a side output and passes prompts on; counts the dead letters ({@code deadLetters}). */
    private static final class SplitDeadLetters extends ProcessFunction<Either<DeadLetter, Prompt>, Prompt> {
        private transient Counter deadLetters;

        @Override
        public void open(OpenContext context) {
            deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
        }

        @Override
        public void processElement(Either<DeadLetter, Prompt> value, Context ctx, Collector<Prompt> out) {
            if (value.isLeft()) {
                deadLetters.inc();
                ctx.output(DEAD_LETTERS, value.left());
            } else {
                out.collect(value.right());
            }
        }
    }
}
