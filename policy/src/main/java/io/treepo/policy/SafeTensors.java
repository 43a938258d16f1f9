package io.treepo.policy;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * One Hugging Face {@code .safetensors} file: an 8-byte little-endian header length, a JSON
 * header naming each tensor's dtype, shape and byte range, then the data. Written by hand rather
 * than through DJL's {@code NDList.decode}, which keeps offsets as {@code int} (fails past 2 GiB)
 * and writes neither {@code __metadata__} nor the header padding old transformers versions need.
 */
public final class SafeTensors {

    /** The stored element types we read and write; values in memory are always float32. */
    public enum Dtype {
        F32(4), F16(2), BF16(2);

        private final int bytes;

        Dtype(int bytes) {
            this.bytes = bytes;
        }

        public int bytes() {
            return bytes;
        }
    }

    /** A tensor's values as float32 in row-major order, and the dtype it is (or will be) stored as. */
    public record Tensor(Dtype dtype, long[] shape, float[] values) {
        public Tensor {
            long count = 1;
            for (long dim : shape) {
                if (dim < 0) {
                    throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
                }
                count *= dim;
            }
            if (count != values.length) {
                throw new IllegalArgumentException(
                        "shape " + Arrays.toString(shape) + " holds " + count + " values, not " + values.length);
            }
            shape = shape.clone();
        }

        public static Tensor f32(long[] shape, float[] values) {
            return new Tensor(Dtype.F32, shape, values);
        }

        /** The same values, to be stored as {@code storedAs}. */
        public Tensor as(Dtype storedAs) {
            return new Tensor(storedAs, shape, values);
        }

        public long storedBytes() {
            return (long) values.length * dtype.bytes();
        }

        // records compare arrays by identity; tensors are compared by content
        @Override
        public boolean equals(Object o) {
            return o instanceof Tensor t && t.dtype == dtype && Arrays.equals(t.shape, shape) && Arrays.equals(t.values, values);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return "Tensor[" + dtype + " " + Arrays.toString(shape) + "]";
        }
    }

    /** Header JSON longer than this is refused, as the safetensors library does, before allocating it. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    /** Largest byte range mapped at once: a MappedByteBuffer is int-indexed (and a multiple of 4). */
    static final int SLICE_BYTES = 1 << 30;

    private SafeTensors() {}

    /**
     * Every tensor of {@code file}, in header order, widened to float32.
     *
     * @throws IOException if the file cannot be read, is not safetensors, lies about its offsets, or
     *     holds a dtype other than F32, F16 or BF16 (the message names the file and the tensor)
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        return read(file, name -> true);
    }

    /** The tensors of {@code file} whose names {@code wanted} accepts; the whole header is still checked. */
    public static Map<String, Tensor> read(Path file, Predicate<String> wanted) throws IOException {
        return read(file, wanted, SLICE_BYTES);
    }

    static Map<String, Tensor> read(Path file, Predicate<String> wanted, int sliceBytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            SafeTensorsHeader header = SafeTensorsHeader.read(channel, file);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (SafeTensorsHeader.Entry e : header.entries()) {
                if (wanted.test(e.name())) {
                    float[] values = readValues(channel, header.dataStart() + e.begin(), e.dtype(), e.elementCount(), sliceBytes);
                    tensors.put(e.name(), new Tensor(e.dtype(), e.shape(), values));
                }
            }
            return tensors;
        }
    }

    /** The header's {@code __metadata__} (empty when it has none). */
    public static Map<String, String> readMetadata(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return SafeTensorsHeader.read(channel, file).metadata();
        }
    }

    /**
     * Writes {@code tensors}, each in its own dtype, sorted by name so equal inputs give equal
     * bytes. Goes through a temporary file so a crash never leaves a half-written checkpoint.
     */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        Map<String, Tensor> sorted = new TreeMap<>(tensors);
        JsonObject header = new JsonObject();
        JsonObject metadata = new JsonObject();
        metadata.addProperty("format", "pt");
        header.add("__metadata__", metadata);
        long offset = 0;
        for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
            Tensor t = e.getValue();
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", t.dtype().name());
            JsonArray shape = new JsonArray();
            for (long dim : t.shape()) {
                shape.add(dim);
            }
            entry.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + t.storedBytes());
            entry.add("data_offsets", offsets);
            header.add(e.getKey(), entry);
            offset += t.storedBytes();
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        // pad with spaces to a multiple of 8 so the data is aligned (old transformers check this)
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();

        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            writeFully(out, head);
            for (Tensor t : sorted.values()) {
                writeValues(out, t);
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static float[] readValues(FileChannel channel, long position, Dtype dtype, int count, int sliceBytes)
            throws IOException {
        float[] values = new float[count];
        int perSlice = sliceBytes / dtype.bytes();
        for (int done = 0; done < count; done += perSlice) {
            int n = Math.min(perSlice, count - done);
            ByteBuffer slice = channel.map(FileChannel.MapMode.READ_ONLY, position + (long) done * dtype.bytes(), (long) n * dtype.bytes())
                    .order(ByteOrder.LITTLE_ENDIAN);
            switch (dtype) {
                case F32 -> slice.asFloatBuffer().get(values, done, n);
                case F16 -> {
                    for (int i = 0; i < n; i++) {
                        values[done + i] = HalfFloats.f16ToFloat(slice.getShort());
                    }
                }
                case BF16 -> {
                    for (int i = 0; i < n; i++) {
                        values[done + i] = HalfFloats.bf16ToFloat(slice.getShort());
                    }
                }
            }
        }
        return values;
    }

    private static void writeValues(FileChannel out, Tensor t) throws IOException {
        // converted through a small buffer: a multi-GiB tensor never needs a second copy in memory
        int chunk = 1 << 20;
        ByteBuffer buffer = ByteBuffer.allocateDirect(chunk * t.dtype().bytes()).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = t.values();
        for (int done = 0; done < values.length; done += chunk) {
            int n = Math.min(chunk, values.length - done);
            buffer.clear();
            for (int i = done; i < done + n; i++) {
                switch (t.dtype()) {
                    case F32 -> buffer.putFloat(values[i]);
                    case F16 -> buffer.putShort(HalfFloats.floatToF16(values[i]));
                    case BF16 -> buffer.putShort(HalfFloats.floatToBf16(values[i]));
                }
            }
            buffer.flip();
            writeFully(out, buffer);
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
