package io.treepo.schemas.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.treepo.schemas.PolicyWeights;
import io.treepo.schemas.weights.WeightsAssembler.Outcome;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WeightsAssemblerTest {
    static byte[] payload(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static List<PolicyWeights> chunks(long version, byte[] payload) {
        return WeightsChunks.split(version, version * 10, "{\"layers\":2}", payload, 1000, 0);
    }

    @Test
    void reassemblesChunksInAnyOrder() {
        byte[] payload = payload(4500, 1);
        List<PolicyWeights> chunks = new ArrayList<>(chunks(3, payload));
        assertEquals(5, chunks.size());
        Collections.shuffle(chunks, new Random(2));
        WeightsAssembler assembler = new WeightsAssembler(-1);
        for (int i = 0; i < 4; i++) {
            assertEquals(Outcome.PARTIAL, assembler.accept(chunks.get(i)).outcome());
        }
        WeightsAssembler.Result done = assembler.accept(chunks.get(4));
        assertEquals(Outcome.COMPLETE, done.outcome());
        assertArrayEquals(payload, done.weights().payload());
        assertEquals(3, done.weights().version());
        assertEquals(30, done.weights().step());
        assertEquals(3, assembler.newestComplete());
    }

    @Test
    void olderAndDuplicateVersionsAreIgnored() {
        WeightsAssembler assembler = new WeightsAssembler(-1);
        chunks(5, payload(10, 1)).forEach(assembler::accept);
        assertEquals(Outcome.STALE, assembler.accept(chunks(5, payload(10, 1)).get(0)).outcome());
        assertEquals(Outcome.STALE, assembler.accept(chunks(4, payload(10, 2)).get(0)).outcome());
    }

    @Test
    void aDigestMismatchDropsTheVersionAndKeepsTheLastGoodOne() {
        WeightsAssembler assembler = new WeightsAssembler(-1);
        chunks(1, payload(2000, 1)).forEach(assembler::accept);
        List<PolicyWeights> bad = chunks(2, payload(2000, 2));
        byte[] tampered = payload(1000, 3);
        bad.get(1).setPayload(ByteBuffer.wrap(tampered));
        assertEquals(Outcome.PARTIAL, assembler.accept(bad.get(0)).outcome());
        WeightsAssembler.Result result = assembler.accept(bad.get(1));
        assertEquals(Outcome.DIGEST_MISMATCH, result.outcome());
        assertThat(result.detail()).contains("version 2").contains("expected");
        assertEquals(1, assembler.newestComplete());
        assertThat(assembler.pendingChunks()).isEmpty();
    }

    @Test
    void aMissingChunkNeverCompletesAndANewerVersionReplacesIt() {
        WeightsAssembler assembler = new WeightsAssembler(-1);
        List<PolicyWeights> v1 = chunks(1, payload(3000, 1));
        assembler.accept(v1.get(0));
        assembler.accept(v1.get(2));
        assertThat(assembler.pendingChunks()).hasSize(2);
        chunks(2, payload(3000, 2)).forEach(assembler::accept);
        assertEquals(2, assembler.newestComplete());
        assertThat(assembler.pendingChunks()).isEmpty();
        assertEquals(Outcome.STALE, assembler.accept(v1.get(1)).outcome());
    }

    @Test
    void duplicateAndInconsistentChunksAreRefused() {
        WeightsAssembler assembler = new WeightsAssembler(-1);
        List<PolicyWeights> v1 = chunks(1, payload(3000, 1));
        assembler.accept(v1.get(0));
        assertEquals(Outcome.DUPLICATE_CHUNK, assembler.accept(v1.get(0)).outcome());
        PolicyWeights other = PolicyWeights.newBuilder(v1.get(1)).setSha256("00").build();
        assertEquals(Outcome.INCONSISTENT, assembler.accept(other).outcome());
        PolicyWeights noPayload = PolicyWeights.newBuilder(v1.get(1)).setPayload(null).setUri("s3://x").build();
        assertEquals(Outcome.INCONSISTENT, assembler.accept(noPayload).outcome());
    }

    @Test
    void pendingChunksRestoreIntoANewAssembler() {
        WeightsAssembler before = new WeightsAssembler(-1);
        List<PolicyWeights> v1 = chunks(1, payload(3000, 1));
        before.accept(v1.get(0));
        before.accept(v1.get(1));
        WeightsAssembler after = new WeightsAssembler(before.newestComplete());
        before.pendingChunks().forEach(after::accept);
        assertEquals(Outcome.COMPLETE, after.accept(v1.get(2)).outcome());
    }

    static List<PolicyWeights> published(long version, byte[] payload, long atMs) {
        return WeightsChunks.split(version, version * 10, "{\"layers\":2}", payload, 1000, atMs);
    }

    @Test
    void aRepublishedVersionReplacesOneCutShortAndTheSequenceHasNoGap() {
        // A trainer published v2 partly, failed, restored at v1 and published v2 and v3 again.
        WeightsAssembler assembler = new WeightsAssembler(1);
        List<PolicyWeights> cutShort = published(2, payload(3000, 1), 100);
        assembler.accept(cutShort.get(0));
        assembler.accept(cutShort.get(1));
        List<PolicyWeights> again = published(2, payload(3000, 2), 200);
        List<Long> completed = new ArrayList<>();
        for (PolicyWeights chunk : again) {
            WeightsAssembler.Result result = assembler.accept(chunk);
            if (result.outcome() == Outcome.COMPLETE) completed.add(result.weights().version());
        }
        published(3, payload(3000, 3), 300).forEach(chunk -> {
            WeightsAssembler.Result result = assembler.accept(chunk);
            if (result.outcome() == Outcome.COMPLETE) completed.add(result.weights().version());
        });
        assertEquals(List.of(2L, 3L), completed);
        assertEquals(1, assembler.republished());
    }

    @Test
    void aVersionCompleteBeforeTheFailureStaysAndItsRepublicationIsStale() {
        WeightsAssembler assembler = new WeightsAssembler(1);
        byte[] first = payload(3000, 1);
        published(2, first, 100).forEach(assembler::accept);
        for (PolicyWeights chunk : published(2, payload(3000, 2), 200)) {
            assertEquals(Outcome.STALE, assembler.accept(chunk).outcome());
        }
        assertEquals(2, assembler.newestComplete());
        assertEquals(0, assembler.republished());
    }

    @Test
    void anEarlierPublicationArrivingLateIsInconsistent() {
        WeightsAssembler assembler = new WeightsAssembler(1);
        List<PolicyWeights> later = published(2, payload(3000, 2), 200);
        assembler.accept(later.get(0));
        assertEquals(Outcome.INCONSISTENT, assembler.accept(published(2, payload(3000, 1), 100).get(1)).outcome());
        assertEquals(Outcome.PARTIAL, assembler.accept(later.get(1)).outcome());
        assertEquals(Outcome.COMPLETE, assembler.accept(later.get(2)).outcome());
    }
}
