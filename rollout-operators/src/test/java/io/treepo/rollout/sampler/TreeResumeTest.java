package io.treepo.rollout.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TreeResumeTest {
    private static final int[] PROMPT = {5, 6, 7, 8};
    private static final TreeConfig CONFIG = TreeConfig.builder()
            .segmentTokens(4).maxDepth(4).maxResponseTokens(64).width(8).firstDivergence(2, 4).build();
    private static final StubDecoder.Script SOMETIMES_EOS = (prefix, max, random) -> {
        int[] t = StubDecoder.letters(max, random);
        if (random.nextInt(3) == 0) {
            t[max - 1] = StubDecoder.EOS;
        }
        return StubDecoder.Row.of(t, -1f, 1f);
    };

    private static RolloutSampler started(StubDecoder decoder) {
        RolloutSampler sampler = new RolloutSampler(CONFIG, decoder, StubDecoder.TEXT, 9);
        for (int i = 0; i < 3; i++) {
            sampler.start(new RolloutSampler.TreeRequest("t" + i, "p" + i, PROMPT, AnswerCheck.NONE, 50 + i));
        }
        return sampler;
    }

    @SuppressWarnings("unchecked")
    private static List<TreeState> javaRoundTrip(List<TreeState> states) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new ArrayList<>(states));
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (List<TreeState>) in.readObject();
        }
    }

    @Test
    void resumeFinishesAHalfBuiltTreeWithoutDecodingFinishedSegmentsAgain() throws Exception {
        StubDecoder first = new StubDecoder(SOMETIMES_EOS);
        RolloutSampler before = started(first);
        List<SampledLeaf> leaves = new ArrayList<>();
        leaves.addAll(before.round().leaves());
        leaves.addAll(before.round().leaves());
        List<TreeState> states = javaRoundTrip(before.snapshot());
        long decodedBefore = first.counters().decodedTokens();

        StubDecoder second = new StubDecoder(SOMETIMES_EOS);
        RolloutSampler after = new RolloutSampler(CONFIG, second, StubDecoder.TEXT, 9);
        states.forEach(s -> after.resume(s, AnswerCheck.NONE));
        int frontier = states.stream().mapToInt(s -> s.frontier().length).sum();
        leaves.addAll(after.runToCompletion());

        // Every tree ends with its 8 leaves, each leaf index given once.
        leaves.stream().collect(Collectors.groupingBy(SampledLeaf::treeId)).values().forEach(tree ->
                assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), tree.stream().map(SampledLeaf::leafIndex).sorted().toList()));
        // The resumed run's first call extends exactly the checkpointed frontier, nothing before it.
        assertEquals(frontier, second.calls.get(0).size());
        // Only the segments created after the restore are decoded again; restored prefixes are recomputed.
        assertEquals(decodedAfterRestore(leaves, states), second.counters().decodedTokens());
        assertEquals(decodedBefore, first.counters().decodedTokens());
        assertTrue(second.counters().recomputedTokens() > 0, "restored prefixes cost recompute");
        assertEquals(0, second.cachedNodes());
    }

    /** Tokens of the nodes created after the checkpoint (ids beyond the checkpointed ones), cut nodes excluded. */
    private static long decodedAfterRestore(List<SampledLeaf> leaves, List<TreeState> states) {
        return leaves.stream()
                .flatMap(l -> l.segments().stream().filter(s -> !s.cut() && s.id() >= nodesAtCheckpoint(states, l.treeId()))
                        .map(s -> l.treeId() + "/" + s.id() + "/" + s.tokens().length))
                .distinct()
                .mapToLong(key -> Long.parseLong(key.substring(key.lastIndexOf('/') + 1)))
                .sum();
    }

    private static int nodesAtCheckpoint(List<TreeState> states, String treeId) {
        return states.stream().filter(s -> s.treeId().equals(treeId)).findFirst().map(s -> s.nodes().size()).orElse(0);
    }

    @Test
    void aResumedTreeMakesTheSameChoicesAsAnUninterruptedOne() throws Exception {
        // With a decoder whose segments depend only on the prefix, the tree shape must not change.
        StubDecoder.Script deterministic = (prefix, max, random) -> {
            java.util.Random byPrefix = new java.util.Random(Arrays.hashCode(prefix.fullTokens()) * 31L + max);
            int[] t = StubDecoder.letters(max, byPrefix);
            if (byPrefix.nextInt(3) == 0) {
                t[max - 1] = StubDecoder.EOS;
            }
            return StubDecoder.Row.of(t, -1f, 1f);
        };
        List<SampledLeaf> straight = started(new StubDecoder(deterministic)).runToCompletion();

        RolloutSampler before = started(new StubDecoder(deterministic));
        List<SampledLeaf> resumed = new ArrayList<>(before.round().leaves());
        RolloutSampler after = new RolloutSampler(CONFIG, new StubDecoder(deterministic), StubDecoder.TEXT, 9);
        javaRoundTrip(before.snapshot()).forEach(s -> after.resume(s, AnswerCheck.NONE));
        resumed.addAll(after.runToCompletion());

        assertEquals(texts(straight), texts(resumed));
    }

    private static List<String> texts(List<SampledLeaf> leaves) {
        return leaves.stream().map(l -> l.treeId() + ":" + StubDecoder.TEXT.text(l.responseTokens())).sorted().toList();
    }
}
