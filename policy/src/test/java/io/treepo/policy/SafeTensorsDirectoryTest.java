package io.treepo.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.treepo.policy.SafeTensors.Dtype;
import io.treepo.policy.SafeTensors.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsDirectoryTest {
    @TempDir
    Path dir;

    /** Five tensors of 40, 40, 24, 80 and 8 stored bytes. */
    private static Map<String, Tensor> checkpoint() {
        Map<String, Tensor> t = new TreeMap<>();
        t.put("model.embed_tokens.weight", Tensor.f32(new long[] {2, 5}, values(10)));
        t.put("model.layers.0.mlp.weight", new Tensor(Dtype.BF16, new long[] {4, 5}, values(20)));
        t.put("model.layers.0.norm.weight", Tensor.f32(new long[] {6}, values(6)));
        t.put("model.layers.1.mlp.weight", Tensor.f32(new long[] {20}, values(20)));
        t.put("model.norm.weight", new Tensor(Dtype.F16, new long[] {4}, values(4)));
        return t;
    }

    @Test
    void aCheckpointWithinTheLimitIsOneModelSafetensors() throws IOException {
        List<Path> written = SafeTensorsDirectory.write(dir, checkpoint(), 1000);
        assertThat(written).containsExactly(dir.resolve("model.safetensors"));
        assertThat(SafeTensorsDirectory.read(dir)).isEqualTo(checkpoint());
    }

    @Test
    void aLargerCheckpointIsShardedWithAnIndexAsTransformersWritesIt() throws IOException {
        List<Path> written = SafeTensorsDirectory.write(dir, checkpoint(), 100);
        // greedy in name order: 40+40 | 24 (+80 would pass 100) | 80+8
        assertThat(written).extracting(p -> p.getFileName().toString()).containsExactly(
                "model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors",
                "model.safetensors.index.json");
        assertThat(dir.resolve("model.safetensors")).doesNotExist();
        JsonObject index = JsonParser.parseString(Files.readString(dir.resolve("model.safetensors.index.json"))).getAsJsonObject();
        assertThat(index.getAsJsonObject("metadata").get("total_size").getAsLong()).isEqualTo(192);
        JsonObject weightMap = index.getAsJsonObject("weight_map");
        assertThat(weightMap.keySet()).containsExactlyElementsOf(checkpoint().keySet());
        assertThat(weightMap.get("model.layers.0.norm.weight").getAsString()).isEqualTo("model-00002-of-00003.safetensors");
        assertThat(SafeTensors.read(dir.resolve("model-00003-of-00003.safetensors")).keySet())
                .containsExactly("model.layers.1.mlp.weight", "model.norm.weight");

        assertThat(SafeTensorsDirectory.read(dir)).isEqualTo(checkpoint());
    }

    @Test
    void aTensorLargerThanTheLimitGetsAShardOfItsOwn() throws IOException {
        SafeTensorsDirectory.write(dir, checkpoint(), 30);
        assertThat(SafeTensors.read(dir.resolve("model-00004-of-00005.safetensors")).keySet())
                .containsExactly("model.layers.1.mlp.weight");
        assertThat(SafeTensorsDirectory.read(dir)).isEqualTo(checkpoint());
    }

    @Test
    void writingOneFileRemovesAStaleIndexAndShardingRemovesAStaleSingleFile() throws IOException {
        SafeTensorsDirectory.write(dir, checkpoint(), 100);
        SafeTensorsDirectory.write(dir, Map.of("only", Tensor.f32(new long[] {1}, values(1))));
        assertThat(dir.resolve("model.safetensors.index.json")).doesNotExist();
        assertThat(SafeTensorsDirectory.read(dir).keySet()).containsExactly("only");

        SafeTensorsDirectory.write(dir, checkpoint(), 100);
        assertThat(dir.resolve("model.safetensors")).doesNotExist();
        assertThat(SafeTensorsDirectory.read(dir)).isEqualTo(checkpoint());
    }

    @Test
    void aShardMissingFromTheDirectoryIsNamed() throws IOException {
        SafeTensorsDirectory.write(dir, checkpoint(), 100);
        Path shard = dir.resolve("model-00002-of-00003.safetensors");
        Files.delete(shard);
        assertThatThrownBy(() -> SafeTensorsDirectory.read(dir))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessage(shard + ": named by " + dir.resolve("model.safetensors.index.json") + " but missing");
    }

    @Test
    void anIndexPlacingATensorInAShardWithoutItIsRefused() throws IOException {
        SafeTensorsDirectory.write(dir, checkpoint(), 100);
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, Files.readString(index).replace(
                "\"model.norm.weight\": \"model-00003-of-00003.safetensors\"", "\"model.norm.weight\": \"model-00001-of-00003.safetensors\""));
        assertThatThrownBy(() -> SafeTensorsDirectory.read(dir))
                .isInstanceOf(IOException.class)
                .hasMessage(index + " puts tensor 'model.norm.weight' in model-00001-of-00003.safetensors, which does not hold it");
    }

    @Test
    void aDirectoryWithoutWeightsSaysWhichFilesItLooksFor() {
        assertThatThrownBy(() -> SafeTensorsDirectory.read(dir))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessage(dir + ": holds neither model.safetensors nor model.safetensors.index.json");
    }

    private static float[] values(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i - n / 2f; // small integers and halves: exact in F16 and BF16
        }
        return v;
    }
}
