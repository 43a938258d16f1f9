package io.treepo.schemas.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.treepo.schemas.PolicyWeights;
import io.treepo.schemas.weights.WeightsAssembler.Assembled;
import io.treepo.schemas.weights.WeightsAssembler.Outcome;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightsStoreTest {
    @TempDir
    Path dir;

    WeightsStore store(long threshold) {
        return new WeightsStore(dir.toUri().toString(), threshold);
    }

    @Test
    void versionsBelowTheThresholdTravelAsChunks() {
        List<PolicyWeights> records = store(10_000).publish(1, 1, "{}", WeightsAssemblerTest.payload(4500, 1), 1000, 0);
        assertEquals(5, records.size());
        assertThat(records).allMatch(r -> r.getPayload() != null && r.getUri() == null);
    }

    @Test
    void aLargeVersionGoesByReferenceAndReadsBackVerified() {
        byte[] payload = WeightsAssemblerTest.payload(4500, 2);
        List<PolicyWeights> records = store(4500).publish(7, 70, "{\"x\":1}", payload, 1000, 123);
        assertEquals(1, records.size());
        PolicyWeights reference = records.get(0);
        assertEquals(null, reference.getPayload());
        assertThat(reference.getUri()).startsWith("file:/").endsWith(".weights");
        WeightsAssembler.Result result = new WeightsAssembler(-1).accept(reference);
        assertEquals(Outcome.COMPLETE, result.outcome());
        Assembled version = result.weights();
        assertThat(version.byReference()).isTrue();
        assertEquals(4500, version.totalBytes());
        assertArrayEquals(payload, WeightsStore.payload(version));
    }

    @Test
    void operatorStateKeepsTheReferenceNotTheBytes() {
        byte[] payload = WeightsAssemblerTest.payload(100_000, 3);
        Assembled version = new WeightsAssembler(-1).accept(store(1).publish(2, 2, "{}", payload, 1000, 0).get(0)).weights();
        byte[] state = PolicyVersions.toBytes(version);
        assertThat(state.length).isLessThan(1000);
        Assembled restored = PolicyVersions.fromBytes(state);
        assertEquals(version.uri(), restored.uri());
        assertArrayEquals(payload, WeightsStore.payload(restored));
    }

    @Test
    void aTamperedOrTruncatedFileIsRefusedBeforeUse() throws Exception {
        byte[] payload = WeightsAssemblerTest.payload(4500, 4);
        Assembled version = new WeightsAssembler(-1).accept(store(1).publish(3, 3, "{}", payload, 1000, 0).get(0)).weights();
        Path file = Path.of(URI.create(version.uri()));
        byte[] tampered = payload.clone();
        tampered[100] ^= 1;
        Files.write(file, tampered);
        assertThat(assertThrows(IllegalStateException.class, () -> WeightsStore.payload(version)).getMessage())
                .contains("has SHA-256").contains("the weights topic says " + version.sha256());
        Files.write(file, java.util.Arrays.copyOf(payload, 4000));
        assertThat(assertThrows(IllegalStateException.class, () -> WeightsStore.payload(version)).getMessage())
                .contains("has 4000 bytes, the weights topic says 4500");
    }

    @Test
    void aRecordWithNeitherPayloadNorUriIsInconsistent() {
        PolicyWeights broken = WeightsChunks.reference(1, 1, "{}", "00", 10, "file:/x", 0);
        broken.setUri(null);
        assertEquals(Outcome.INCONSISTENT, new WeightsAssembler(-1).accept(broken).outcome());
    }
}
