package io.treepo.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treepo.schemas.DeadLetter;
import io.treepo.schemas.FinishReason;
import io.treepo.schemas.Leaf;
import io.treepo.schemas.MetricsRecord;
import io.treepo.schemas.PolicyWeights;
import io.treepo.schemas.Prompt;
import io.treepo.schemas.ScoredTree;
import io.treepo.schemas.Segment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AvroCodecTest {

    static Prompt prompt() {
        return Prompt.newBuilder()
                .setId("p-1")
                .setTask("arithmetic")
                .setText("Q: 3+4*2=?\n计算")
                .setReference("11")
                .setCreatedAtMs(1_700_000_000_000L)
                .setMetadata(Map.of("split", "train"))
                .build();
    }

    static Leaf leaf() {
        Segment segment = Segment.newBuilder()
                .setNodeId(3)
                .setTokens(List.of(65, 66, 257))
                .setLogProbs(List.of(-0.1f, -2.5f, -0.01f))
                .setEntropies(List.of(0.4f, 1.9f, 0.05f))
                .setPolicyVersion(7)
                .build();
        return Leaf.newBuilder()
                .setTreeId("t-1")
                .setPromptId("p-1")
                .setTask("arithmetic")
                .setReference("11")
                .setPromptTokens(List.of(256, 81, 58))
                .setLeafIndex(0)
                .setLeavesInTree(4)
                .setNodePath(List.of(1, 3))
                .setSegments(List.of(segment))
                .setFinishReason(FinishReason.FINISHED)
                .setReward(1.0f)
                .setExtractedAnswer("11")
                .build();
    }

    static Stream<Arguments> everyRecord() {
        return Stream.of(
                Arguments.of(Codecs.PROMPT, prompt()),
                Arguments.of(Codecs.LEAF, leaf()),
                Arguments.of(Codecs.SCORED_TREE, ScoredTree.newBuilder()
                        .setTreeId("t-1").setPromptId("p-1").setTask("arithmetic")
                        .setPromptTokens(List.of(256, 81)).setLeaves(List.of(leaf(), leaf()))
                        .setComplete(true).setClosedAtMs(5).build()),
                Arguments.of(Codecs.POLICY_WEIGHTS, PolicyWeights.newBuilder()
                        .setVersion(3).setStep(12).setModelConfig("{\"layers\":2}")
                        .setSha256("ab".repeat(32)).setTotalBytes(4).setChunkIndex(0).setChunkCount(1)
                        .setPayload(ByteBuffer.wrap(new byte[] {1, 2, 3, 4})).setUri(null).build()),
                Arguments.of(Codecs.DEAD_LETTER, DeadLetter.newBuilder()
                        .setSourceTopic("treepo.prompts").setPartition(0).setOffset(42)
                        .setOriginal(ByteBuffer.wrap("garbage".getBytes(StandardCharsets.UTF_8)))
                        .setReason("not an Avro record").setErrorType("BAD_HEADER").setTimestampMs(9).build()),
                Arguments.of(Codecs.METRICS, MetricsRecord.newBuilder()
                        .setSource("trainer").setStep(1).setPolicyVersion(2).setTimestampMs(3)
                        .setValues(Map.of("loss", 0.5, "reward_mean", 0.25)).build()));
    }

    @ParameterizedTest
    @MethodSource("everyRecord")
    <T extends SpecificRecord> void roundTripsEveryRecord(AvroCodec<T> codec, T record) throws Exception {
        byte[] bytes = codec.encode(record);
        assertEquals((byte) 0xC3, bytes[0]);
        assertEquals((byte) 0x01, bytes[1]);
        assertEquals(record, codec.decode(bytes));
    }

    @Test
    void garbageBytesAreABadHeader() {
        RecordDecodeException e = assertThrows(RecordDecodeException.class,
                () -> Codecs.PROMPT.decode("{\"id\": \"p-1\"}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(RecordDecodeException.Kind.BAD_HEADER, e.kind());
        assertThat(e.getMessage()).contains("not an Avro single-object encoded Prompt").contains("7B 22 69 64");
    }

    @Test
    void emptyBytesAreEmpty() {
        RecordDecodeException e = assertThrows(RecordDecodeException.class, () -> Codecs.PROMPT.decode(new byte[0]));
        assertEquals(RecordDecodeException.Kind.EMPTY, e.kind());
        assertEquals(RecordDecodeException.Kind.EMPTY,
                assertThrows(RecordDecodeException.class, () -> Codecs.PROMPT.decode(null)).kind());
    }

    @Test
    void truncatedBodyIsCorrupt() {
        byte[] bytes = Codecs.LEAF.encode(leaf());
        for (int cut : new int[] {11, bytes.length / 2, bytes.length - 1}) {
            RecordDecodeException e = assertThrows(RecordDecodeException.class,
                    () -> Codecs.LEAF.decode(Arrays.copyOf(bytes, cut)), "cut at " + cut);
            assertEquals(RecordDecodeException.Kind.CORRUPT_BODY, e.kind(), "cut at " + cut);
            assertThat(e.getMessage()).startsWith("truncated Leaf");
        }
    }

    @Test
    void truncatedHeaderIsABadHeader() {
        byte[] bytes = Codecs.PROMPT.encode(prompt());
        assertEquals(RecordDecodeException.Kind.BAD_HEADER,
                assertThrows(RecordDecodeException.class, () -> Codecs.PROMPT.decode(Arrays.copyOf(bytes, 5))).kind());
    }

    @Test
    void recordOfAnotherSchemaIsUnknownSchema() {
        byte[] leafBytes = Codecs.LEAF.encode(leaf());
        RecordDecodeException e = assertThrows(RecordDecodeException.class, () -> Codecs.PROMPT.decode(leafBytes));
        assertEquals(RecordDecodeException.Kind.UNKNOWN_SCHEMA, e.kind());
        assertThat(e.getMessage()).contains("a record of another schema").contains("where a Prompt");
    }

    @Test
    void corruptBodyIsReportedNotThrownRaw() {
        byte[] bytes = Codecs.PROMPT.encode(prompt());
        // A huge negative string length in the body: Avro must not get to allocate or crash.
        bytes[10] = (byte) 0xFF;
        bytes[11] = (byte) 0xFF;
        bytes[12] = (byte) 0xFF;
        bytes[13] = (byte) 0xFF;
        bytes[14] = (byte) 0x0F;
        RecordDecodeException e = assertThrows(RecordDecodeException.class, () -> Codecs.PROMPT.decode(bytes));
        assertEquals(RecordDecodeException.Kind.CORRUPT_BODY, e.kind());
    }

    @Test
    void encodingANullRequiredFieldNamesTheRecord() {
        Prompt bad = prompt();
        bad.setText(null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Codecs.PROMPT.encode(bad));
        assertThat(e.getMessage()).startsWith("cannot encode Prompt");
    }

    @Test
    void kafkaSerdeRoundTripsAndWrapsDecodeErrors() {
        try (AvroSerializer<Prompt> serializer = new AvroSerializer<>(Codecs.PROMPT);
                AvroDeserializer<Prompt> deserializer = new AvroDeserializer<>(Codecs.PROMPT)) {
            assertEquals(prompt(), deserializer.deserialize("t", serializer.serialize("t", prompt())));
            SerializationException e = assertThrows(SerializationException.class,
                    () -> deserializer.deserialize("treepo.prompts", new byte[] {1, 2, 3}));
            assertTrue(e.getCause() instanceof RecordDecodeException);
            assertThat(e.getMessage()).startsWith("topic treepo.prompts: not an Avro");
        }
    }
}
