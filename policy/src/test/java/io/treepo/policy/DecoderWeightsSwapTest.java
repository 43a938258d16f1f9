package io.treepo.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.treepo.policy.SegmentDecoder.DecodeRequest;
import io.treepo.policy.SegmentDecoder.DecodedSegment;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecoderWeightsSwapTest {
    private static final Tokenizer TOKENIZER = new ByteTokenizer();

    @Test
    void installingWeightsChangesVersionClearsCacheAndRecomputesPrefixes() {
        EncodedWeights next;
        try (NDManager m = NDManager.newBaseManager()) {
            next = WeightsCodec.encode(TransformerModel.initialize(ModelConfig.tiny(), m, 99));
        }
        try (DjlSegmentDecoder decoder = DjlSegmentDecoderTest.decoder(1L << 30)) {
            PrefixNode root = PrefixNode.root(TOKENIZER.encodePrompt("3+4="));
            DecodedSegment first = decoder.decode(List.of(new DecodeRequest(root, 5)), SamplingConfig.standard(), 1).get(0);
            assertEquals(1, first.policyVersion());
            assertTrue(decoder.counters().cacheBytes() > 0);
            decoder.installWeights(next, 2);
            assertEquals(2, decoder.policyVersion());
            assertEquals(0, decoder.counters().cacheBytes());
            DecodedSegment second = decoder.decode(List.of(new DecodeRequest(first.node(), 5)), SamplingConfig.standard(), 1).get(0);
            assertEquals(2, second.policyVersion());
            assertEquals(root.ownLength() - 1 + first.tokens().length, decoder.counters().recomputedTokens());
        }
    }

    @Test
    void weightsOfAnotherShapeAreRefusedAndTheOldModelKept() {
        EncodedWeights other;
        try (NDManager m = NDManager.newBaseManager()) {
            EncodedWeights good = WeightsCodec.encode(TransformerModel.initialize(ModelConfig.tiny(), m, 1));
            other = new EncodedWeights(ModelConfig.tiny().withLayers(3), good.payload(), good.sha256());
        }
        try (DjlSegmentDecoder decoder = DjlSegmentDecoderTest.decoder(1L << 30)) {
            EncodedWeights refused = other;
            assertThrows(WeightsMismatchException.class, () -> decoder.installWeights(refused, 5));
            assertEquals(1, decoder.policyVersion());
            decoder.decode(List.of(new DecodeRequest(PrefixNode.root(new int[] {256}), 3)), SamplingConfig.standard(), 1);
        }
    }
}
