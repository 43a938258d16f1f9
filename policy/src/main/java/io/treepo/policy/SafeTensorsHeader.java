package io.treepo.policy;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and checked header of a safetensors file. Every check runs before any data is read;
 * each failure is one {@link IOException} whose message names the file and the tensor.
 */
record SafeTensorsHeader(long dataStart, List<Entry> entries, Map<String, String> metadata) {

    /** One tensor's header entry; {@code begin}/{@code end} are relative to the data start. */
    record Entry(String name, SafeTensors.Dtype dtype, long[] shape, long begin, long end) {
        int elementCount() {
            return Math.toIntExact((end - begin) / dtype.bytes());
        }
    }

    static SafeTensorsHeader read(FileChannel channel, Path file) throws IOException {
        long size = channel.size();
        if (size < 8) {
            throw bad(file, "is " + size + " bytes, too short for the 8-byte header length");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lengthBytes, 0);
        long headerLength = lengthBytes.flip().getLong();
        if (headerLength <= 0 || headerLength > SafeTensors.MAX_HEADER_BYTES || headerLength > size - 8) {
            throw bad(file, "declares a " + headerLength + "-byte header but is " + size + " bytes (truncated, or not safetensors)");
        }
        ByteBuffer json = ByteBuffer.allocate((int) headerLength);
        readFully(channel, json, 8);
        JsonObject root;
        try {
            root = JsonParser.parseString(new String(json.array(), StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw bad(file, "has a header that is not a JSON object: " + e.getMessage());
        }
        long dataStart = 8 + headerLength;
        long dataLength = size - dataStart;

        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : root.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                if (!e.getValue().isJsonObject()) {
                    throw bad(file, "has a __metadata__ that is not a JSON object: " + e.getValue());
                }
                for (Map.Entry<String, JsonElement> m : e.getValue().getAsJsonObject().entrySet()) {
                    // the format says string to string; keep anything else as its JSON text
                    JsonElement v = m.getValue();
                    metadata.put(m.getKey(), v.isJsonPrimitive() ? v.getAsString() : v.toString());
                }
            } else {
                entries.add(entry(file, e.getKey(), e.getValue(), dataLength));
            }
        }
        checkTiling(file, entries, dataLength);
        return new SafeTensorsHeader(dataStart, entries, metadata);
    }

    private static Entry entry(Path file, String name, JsonElement json, long dataLength) throws IOException {
        try {
            return checkedEntry(file, name, json.getAsJsonObject(), dataLength);
        } catch (RuntimeException e) { // a missing field, a wrong JSON type, a shape overflowing a long
            throw new IOException(file + ": tensor '" + name + "' has a malformed header entry " + json + ": " + e);
        }
    }

    private static Entry checkedEntry(Path file, String name, JsonObject o, long dataLength) throws IOException {
        String where = file + ": tensor '" + name + "' ";
        for (String field : new String[] {"dtype", "shape", "data_offsets"}) {
            if (!o.has(field)) {
                throw new IOException(where + "has no " + field);
            }
        }
        String dtypeName = o.get("dtype").getAsString();
        SafeTensors.Dtype dtype;
        try {
            dtype = SafeTensors.Dtype.valueOf(dtypeName);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": tensor '" + name + "' has dtype " + dtypeName
                    + "; only " + Arrays.toString(SafeTensors.Dtype.values()) + " are supported");
        }
        JsonArray shapeJson = o.getAsJsonArray("shape");
        long[] shape = new long[shapeJson.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeJson.get(i).getAsLong();
            count = Math.multiplyExact(count, shape[i]);
        }
        JsonArray offsets = o.getAsJsonArray("data_offsets");
        long begin = offsets.get(0).getAsLong();
        long end = offsets.get(1).getAsLong();
        if (begin < 0 || end < begin) {
            throw new IOException(where + "has data_offsets [" + begin + ", " + end + "]");
        }
        long bytes = Math.multiplyExact(count, dtype.bytes());
        if (end - begin != bytes) {
            throw new IOException(where + "has shape " + Arrays.toString(shape) + " of " + dtype + " ("
                    + bytes + " bytes) but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        if (end > dataLength) {
            throw new IOException(where + "ends at data byte " + end + " but the file holds only "
                    + dataLength + " data bytes (truncated?)");
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new IOException(where + "has " + count + " values, more than one Java array holds");
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    /** Tensors must cover the data exactly once, as the safetensors library demands: no holes, no overlaps. */
    private static void checkTiling(Path file, List<Entry> entries, long dataLength) throws IOException {
        List<Entry> byBegin = new ArrayList<>(entries);
        byBegin.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        for (Entry e : byBegin) {
            if (e.begin() != expected) {
                throw new IOException(file + ": tensor '" + e.name() + "' starts at data byte " + e.begin()
                        + " but the previous tensor ends at " + expected + " (overlapping or with a hole)");
            }
            expected = e.end();
        }
        if (expected != dataLength) {
            throw new IOException(file + ": tensors end at data byte " + expected + " but the file holds "
                    + dataLength + " data bytes");
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static IOException bad(Path file, String why) {
        return new IOException(file + " " + why);
    }
}
