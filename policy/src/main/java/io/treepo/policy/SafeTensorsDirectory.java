package io.treepo.policy;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.treepo.policy.SafeTensors.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The weights of a Hugging Face checkpoint directory: one {@code model.safetensors}, or shards
 * listed by {@code model.safetensors.index.json} (its {@code weight_map} names each tensor's shard).
 */
public final class SafeTensorsDirectory {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private SafeTensorsDirectory() {}

    /** Every tensor of the checkpoint in {@code dir}; {@code model.safetensors} wins over an index, as in transformers. */
    public static Map<String, Tensor> read(Path dir) throws IOException {
        Path single = dir.resolve(SINGLE_FILE);
        if (Files.isRegularFile(single)) {
            return SafeTensors.read(single);
        }
        Path index = dir.resolve(INDEX_FILE);
        if (!Files.isRegularFile(index)) {
            throw new NoSuchFileException(dir.toString(), null, "holds neither " + SINGLE_FILE + " nor " + INDEX_FILE);
        }
        Map<String, List<String>> namesByShard = new LinkedHashMap<>();
        weightMap(index).forEach((tensor, shard) -> namesByShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(tensor));
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> shard : namesByShard.entrySet()) {
            Path file = dir.resolve(shard.getKey()).normalize();
            if (!file.startsWith(dir.normalize()) || !Files.isRegularFile(file)) {
                throw new NoSuchFileException(file.toString(), null, "named by " + index + " but missing");
            }
            Map<String, Tensor> inShard = SafeTensors.read(file, Set.copyOf(shard.getValue())::contains);
            for (String name : shard.getValue()) {
                Tensor t = inShard.get(name);
                if (t == null) {
                    throw new IOException(index + " puts tensor '" + name + "' in " + shard.getKey() + ", which does not hold it");
                }
                tensors.put(name, t);
            }
        }
        return tensors;
    }

    /** {@link #write(Path, Map, long)} into one {@code model.safetensors}. */
    public static List<Path> write(Path dir, Map<String, Tensor> tensors) throws IOException {
        return write(dir, tensors, Long.MAX_VALUE);
    }

    /**
     * Writes {@code tensors} (sorted by name) into {@code dir}: one {@code model.safetensors} if
     * their stored bytes fit in {@code maxShardBytes}, else shards named as transformers names them
     * ({@code model-00001-of-00003.safetensors}) and the index. A tensor larger than the limit gets
     * a shard of its own. Returns the files written, index last.
     */
    public static List<Path> write(Path dir, Map<String, Tensor> tensors, long maxShardBytes) throws IOException {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive, got " + maxShardBytes);
        }
        Files.createDirectories(dir);
        List<Map<String, Tensor>> shards = new ArrayList<>();
        Map<String, Tensor> current = new TreeMap<>();
        long currentBytes = 0;
        long totalBytes = 0;
        for (Map.Entry<String, Tensor> e : new TreeMap<>(tensors).entrySet()) {
            long bytes = e.getValue().storedBytes();
            if (!current.isEmpty() && currentBytes + bytes > maxShardBytes) {
                shards.add(current);
                current = new TreeMap<>();
                currentBytes = 0;
            }
            current.put(e.getKey(), e.getValue());
            currentBytes += bytes;
            totalBytes += bytes;
        }
        shards.add(current);

        // a stale file of the other layout would shadow (or contradict) what we write
        if (shards.size() == 1) {
            Files.deleteIfExists(dir.resolve(INDEX_FILE));
            Path file = dir.resolve(SINGLE_FILE);
            SafeTensors.write(file, shards.get(0));
            return List.of(file);
        }
        Files.deleteIfExists(dir.resolve(SINGLE_FILE));
        List<Path> written = new ArrayList<>();
        JsonObject weightMap = new JsonObject();
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            Path file = dir.resolve(name);
            SafeTensors.write(file, shards.get(i));
            written.add(file);
            for (String tensor : shards.get(i).keySet()) {
                weightMap.addProperty(tensor, name);
            }
        }
        JsonObject metadata = new JsonObject();
        metadata.addProperty("total_size", totalBytes);
        JsonObject index = new JsonObject();
        index.add("metadata", metadata);
        index.add("weight_map", weightMap); // sorted: shards hold consecutive runs of sorted names
        Path indexFile = dir.resolve(INDEX_FILE);
        Files.writeString(indexFile, new GsonBuilder().setPrettyPrinting().create().toJson(index) + "\n", StandardCharsets.UTF_8);
        written.add(indexFile);
        return written;
    }

    /** Tensor name to shard file name, in the index's order. */
    private static Map<String, String> weightMap(Path index) throws IOException {
        try {
            JsonObject map = JsonParser.parseString(Files.readString(index, StandardCharsets.UTF_8))
                    .getAsJsonObject().getAsJsonObject("weight_map");
            if (map == null) {
                throw new IOException(index + " has no weight_map");
            }
            Map<String, String> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : map.entrySet()) {
                out.put(e.getKey(), e.getValue().getAsString());
            }
            return out;
        } catch (JsonParseException | IllegalStateException | ClassCastException | UnsupportedOperationException e) {
            throw new IOException(index + " is not a safetensors index: " + e.getMessage());
        }
    }
}
