package io.treepo.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.treepo.policy.SegmentDecoder.DecodeRequest;
import io.treepo.policy.SegmentDecoder.DecodedSegment;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The decoder against an implementation we did not write: tiny random Qwen2 (F32, tied), Qwen3
 * (BF16 in two shards, untied, q/k norm, head_dim apart from hidden / heads) and Steel-LLM (BF16,
 * Soft-MoE feed-forward of SENet experts) checkpoints whose logits come from plain PyTorch following
 * Hugging Face's and Steel-LLM's modeling code ({@code src/test/fixtures/make_qwen_fixtures.py}).
 * Steel's expected logits are its token-by-token cached decoding (see {@link TransformerModel}).
 */
class QwenParityTest {
    @TempDir
    Path temp;

    /**
     * The fixtures' vocabularies have no text: their ids written as decimal numbers ("17 42"), with
     * 95 and 96 (the fixtures' EOS and BOS) for EOS and padding.
     */
    private static final Tokenizer IDS = new Tokenizer() {
        public int[] encode(String text) {
            return text.isBlank() ? new int[0] : Arrays.stream(text.trim().split("\\s+")).mapToInt(Integer::parseInt).toArray();
        }

        public String decode(int[] ids) {
            return String.join(" ", Arrays.stream(ids).mapToObj(Integer::toString).toList());
        }

        public int vocabSize() { return 97; }
        public int bosToken() { return 96; }
        public int eosToken() { return 95; }
        public int padToken() { return 96; }
    };

    static Path fixture(String name) {
        try {
            return Path.of(QwenParityTest.class.getResource("/qwen/" + name + "/config.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static EncodedWeights load(String name) throws IOException {
        Path dir = fixture(name);
        ModelConfig config = ModelConfig.fromJson(Files.readString(dir.resolve("config.json")));
        return WeightsCodec.encode(config, HuggingFaceCheckpoint.fromTensors(config, SafeTensorsDirectory.read(dir)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-tiny", "qwen3-tiny", "steel-tiny"})
    void fullForwardLogitsMatchTheReference(String name) throws IOException {
        JsonObject expected = JsonParser.parseString(Files.readString(fixture(name).resolve("expected.json"))).getAsJsonObject();
        JsonArray rows = expected.getAsJsonArray("tokens");
        EncodedWeights weights = load(name);
        try (NDManager m = NDManager.newBaseManager(); TransformerModel model = WeightsCodec.decode(weights, m)) {
            int b = rows.size();
            int t = rows.get(0).getAsJsonArray().size();
            long[] tokens = new long[b * t];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < t; j++) tokens[i * t + j] = rows.get(i).getAsJsonArray().get(j).getAsLong();
            }
            float[] logits = model.forwardFull(m.create(tokens, new Shape(b, t))).toFloatArray();
            int v = weights.config().vocabSize();
            double worst = 0;
            JsonArray want = expected.getAsJsonArray("logits");
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < t; j++) {
                    JsonArray position = want.get(i).getAsJsonArray().get(j).getAsJsonArray();
                    assertEquals(v, position.size());
                    for (int k = 0; k < v; k++) {
                        worst = Math.max(worst, Math.abs(logits[(i * t + j) * v + k] - position.get(k).getAsDouble()));
                    }
                }
            }
            assertTrue(worst < 1e-4, name + ": largest logit difference " + worst);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-tiny", "qwen3-tiny", "steel-tiny"})
    void cachedBranchedDecodingMatchesFullForwardAndTrainingLogProbs(String name) throws IOException {
        EncodedWeights weights = load(name);
        try (DjlSegmentDecoder decoder = DjlSegmentDecoder.create(new DecoderConfig(1L << 30, "cpu"), IDS, weights, 1);
                PolicyTrainer trainer = PolicyTrainer.create(weights, TrainerConfig.defaults(), IDS, "cpu")) {
            Map<String, float[]> seen = DjlSegmentDecoderTest.observe(decoder);
            PrefixNode root = PrefixNode.root(IDS.encodePrompt("17 42 5 88"));
            DecodedSegment first = decoder.decode(List.of(new DecodeRequest(root, 6)), SamplingConfig.standard(), 3).get(0);
            seen.clear();
            // two sibling branches from the first segment: they share its cached keys as one group
            List<DecodedSegment> branches = decoder.decode(
                    List.of(new DecodeRequest(first.node(), 7), new DecodeRequest(first.node(), 7)), SamplingConfig.standard(), 4);
            List<TrainSequence> sequences = new ArrayList<>();
            List<float[]> sampled = new ArrayList<>();
            for (int r = 0; r < branches.size(); r++) {
                DjlSegmentDecoderTest.assertMatchesFullPass(decoder, seen, r, branches.get(r));
                int[] all = branches.get(r).node().fullTokens();
                sequences.add(new TrainSequence(root.fullTokens(), Arrays.copyOfRange(all, root.totalLength(), all.length)));
                float[] lp = Arrays.copyOf(first.logProbs(), first.logProbs().length + branches.get(r).logProbs().length);
                System.arraycopy(branches.get(r).logProbs(), 0, lp, first.logProbs().length, branches.get(r).logProbs().length);
                sampled.add(lp);
            }
            float[][] trained = trainer.responseLogProbs(sequences);
            for (int r = 0; r < sequences.size(); r++) {
                assertArrayEquals(sampled.get(r), trained[r], 1e-4f, name + " branch " + r);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-tiny", "qwen3-tiny", "steel-tiny"})
    void savedAndLoadedAgainTheModelGivesTheSameLogits(String name) throws IOException {
        EncodedWeights weights = load(name);
        Path out = temp.resolve(name);
        ModelFiles.save(out, new ModelFiles.Model(weights, null));
        ModelFiles.Model back = ModelFiles.load(out);
        assertEquals(weights.config(), back.config());
        assertEquals(weights.sha256(), back.weights().sha256()); // bit for bit
        assertEquals(new java.util.TreeSet<>(SafeTensorsDirectory.read(fixture(name)).keySet()),
                new java.util.TreeSet<>(SafeTensorsDirectory.read(out).keySet()), "Hugging Face's tensor names");
        try (NDManager m = NDManager.newBaseManager(); TransformerModel a = WeightsCodec.decode(weights, m);
                TransformerModel b = WeightsCodec.decode(back.weights(), m)) {
            NDArray tokens = m.create(new long[] {3, 1, 4, 1, 5, 9, 2, 6}, new Shape(1, 8));
            assertArrayEquals(a.forwardFull(tokens).toFloatArray(), b.forwardFull(tokens).toFloatArray(), 0f);
        }
    }
}
