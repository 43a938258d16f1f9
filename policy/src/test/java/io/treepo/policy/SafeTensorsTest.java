package io.treepo.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.treepo.policy.SafeTensors.Dtype;
import io.treepo.policy.SafeTensors.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class SafeTensorsTest {
    /** Values that exercise rounding: ties, subnormals, signed zero, infinities, F16 overflow. */
    private static final float[] AWKWARD = {
        0f, -0f, 1f, -2.5f, 1.00048828125f, 1.00390625f, 3.14159265f, 1e-7f, 6e-8f, 65519f, 70000f,
        Float.MIN_VALUE, Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0.1f
    };

    @TempDir
    Path dir;

    @Test
    void f32RoundTripsExactly() throws IOException {
        Path file = dir.resolve("a.safetensors");
        Map<String, Tensor> tensors = Map.of(
                "w", Tensor.f32(new long[] {4, 4}, AWKWARD),
                "nan", Tensor.f32(new long[] {1}, new float[] {Float.NaN}));
        SafeTensors.write(file, tensors);
        assertThat(SafeTensors.read(file)).isEqualTo(tensors);
    }

    @ParameterizedTest
    @EnumSource(value = Dtype.class, names = {"F16", "BF16"})
    void halfPrecisionStoresTheRoundedValues(Dtype dtype) throws IOException {
        Path file = dir.resolve(dtype + ".safetensors");
        SafeTensors.write(file, Map.of("w", new Tensor(dtype, new long[] {2, 8}, AWKWARD)));
        Tensor back = SafeTensors.read(file).get("w");
        assertThat(back.dtype()).isEqualTo(dtype);
        assertThat(back.shape()).containsExactly(2, 8);
        for (int i = 0; i < AWKWARD.length; i++) {
            float rounded = dtype == Dtype.F16
                    ? HalfFloats.f16ToFloat(HalfFloats.floatToF16(AWKWARD[i]))
                    : HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(AWKWARD[i]));
            assertThat(back.values()[i]).as("value %s", AWKWARD[i]).isEqualTo(rounded);
        }
        // spot checks that do not go through the converter: ties to even, overflow
        assertThat(back.values()[4]).isEqualTo(1f);
        assertThat(back.values()[5]).isEqualTo(dtype == Dtype.F16 ? 1.00390625f : 1f);
        assertThat(back.values()[10]).isEqualTo(dtype == Dtype.F16 ? Float.POSITIVE_INFINITY : 70144f);
        assertThat(Files.size(file) - dataStart(file)).isEqualTo(2L * AWKWARD.length);
    }

    @Test
    void headerIsPaddedWithSpacesToAMultipleOfEightAndSaysFormatPt() throws IOException {
        Path file = dir.resolve("a.safetensors");
        // a name length that leaves the raw JSON off a multiple of 8
        SafeTensors.write(file, Map.of("abcd", Tensor.f32(new long[] {3}, new float[] {1, 2, 3})));
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertThat(headerLength % 8).isZero();
        assertThat(header.strip().length() % 8).as("raw JSON length").isNotZero();
        assertThat(header).endsWith(" ").doesNotContain("\n");
        JsonObject json = JsonParser.parseString(header).getAsJsonObject();
        assertThat(json.getAsJsonObject("__metadata__").get("format").getAsString()).isEqualTo("pt");
        assertThat(SafeTensors.readMetadata(file)).containsExactly(Map.entry("format", "pt"));
        assertThat(bytes.length).isEqualTo(8 + headerLength + 12);
    }

    @Test
    void tensorsAreWrittenInNameOrderSoEqualContentGivesEqualBytes() throws IOException {
        Map<String, Tensor> forwards = new LinkedHashMap<>();
        Map<String, Tensor> backwards = new LinkedHashMap<>();
        for (String name : List.of("b", "a", "c")) {
            forwards.put(name, Tensor.f32(new long[] {1}, new float[] {name.charAt(0)}));
        }
        for (String name : List.of("c", "a", "b")) {
            backwards.put(name, forwards.get(name));
        }
        SafeTensors.write(dir.resolve("1.safetensors"), forwards);
        SafeTensors.write(dir.resolve("2.safetensors"), backwards);
        assertThat(Files.readAllBytes(dir.resolve("1.safetensors"))).isEqualTo(Files.readAllBytes(dir.resolve("2.safetensors")));
        assertThat(SafeTensors.read(dir.resolve("1.safetensors")).keySet()).containsExactly("a", "b", "c");
    }

    @Test
    void scalarsAndEmptyTensorsRoundTrip() throws IOException {
        Path file = dir.resolve("a.safetensors");
        Map<String, Tensor> tensors = Map.of(
                "scalar", Tensor.f32(new long[] {}, new float[] {42}),
                "empty", new Tensor(Dtype.BF16, new long[] {0, 3}, new float[0]));
        SafeTensors.write(file, tensors);
        assertThat(SafeTensors.read(file)).isEqualTo(tensors);
    }

    @Test
    void aTensorSpanningSeveralMappedSlicesIsReadWhole() throws IOException {
        Path file = dir.resolve("a.safetensors");
        float[] values = new float[37];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f;
        }
        SafeTensors.write(file, Map.of("f32", Tensor.f32(new long[] {37}, values), "f16", new Tensor(Dtype.F16, new long[] {37}, values)));
        // 12-byte slices: 3 floats or 6 halves per mapping
        Map<String, Tensor> back = SafeTensors.read(file, name -> true, 12);
        assertThat(back.get("f32").values()).containsExactly(values);
        assertThat(back.get("f16").values()).containsExactly(values);
    }

    @Test
    void offsetsBeyondTwoGibibytesAreRead() throws IOException {
        // a sparse file: 2 GiB + 64 bytes of zeros we skip, then the tensor we read
        long skipped = (1L << 31) + 64;
        Path file = dir.resolve("big.safetensors");
        String header = "{\"skipped\":{\"dtype\":\"F32\",\"shape\":[" + skipped / 4 + "],\"data_offsets\":[0," + skipped + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + skipped + "," + (skipped + 8) + "]}}";
        ByteBuffer tail = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-7f).flip();
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
            out.write(headerBytes(header));
            out.write(tail, 8 + header.length() + skipped);
        }
        assertThat(Files.size(file)).isGreaterThan(1L << 31);
        Map<String, Tensor> read = SafeTensors.read(file, "tail"::equals);
        assertThat(read.keySet()).containsExactly("tail");
        assertThat(read.get("tail").values()).containsExactly(1.5f, -7f);
    }

    @Test
    void anUnknownDtypeIsRefusedNamingTheTensorAndTheDtype() throws IOException {
        Path file = handBuilt("{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8);
        assertThatThrownBy(() -> SafeTensors.read(file))
                .isInstanceOf(IOException.class)
                .hasMessage(file + ": tensor 'ids' has dtype I64; only [F32, F16, BF16] are supported");
    }

    @Test
    void truncatedDataIsRefused() throws IOException {
        Path file = handBuilt("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8);
        assertThatThrownBy(() -> SafeTensors.read(file))
                .isInstanceOf(IOException.class)
                .hasMessage(file + ": tensor 'w' ends at data byte 16 but the file holds only 8 data bytes (truncated?)");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "span differs from the shape | {'w':{'dtype':'F32','shape':[3],'data_offsets':[0,8]}} | 8"
                + " | tensor 'w' has shape [3] of F32 (12 bytes) but data_offsets [0, 8] span 8",
        "overlapping tensors | {'a':{'dtype':'F32','shape':[2],'data_offsets':[0,8]},'b':{'dtype':'F32','shape':[2],'data_offsets':[4,12]}} | 12"
                + " | tensor 'b' starts at data byte 4 but the previous tensor ends at 8 (overlapping or with a hole)",
        "a hole between tensors | {'a':{'dtype':'F32','shape':[1],'data_offsets':[0,4]},'b':{'dtype':'F32','shape':[1],'data_offsets':[8,12]}} | 12"
                + " | tensor 'b' starts at data byte 8 but the previous tensor ends at 4 (overlapping or with a hole)",
        "bytes no tensor claims | {'a':{'dtype':'F32','shape':[1],'data_offsets':[0,4]}} | 8"
                + " | tensors end at data byte 4 but the file holds 8 data bytes",
        "end before begin | {'a':{'dtype':'F32','shape':[0],'data_offsets':[4,0]}} | 4"
                + " | tensor 'a' has data_offsets [4, 0]",
        "a missing field | {'a':{'dtype':'F32','shape':[1]}} | 4"
                + " | tensor 'a' has no data_offsets",
        "a shape that is not a list | {'a':{'dtype':'F32','shape':7,'data_offsets':[0,4]}} | 4"
                + " | tensor 'a' has a malformed header entry {\"dtype\":\"F32\",\"shape\":7,\"data_offsets\":[0,4]}"
    })
    void aHeaderThatLiesAboutOffsetsIsRefused(String why, String header, int dataBytes, String message) throws IOException {
        Path file = handBuilt(header.replace('\'', '"'), dataBytes);
        assertThatThrownBy(() -> SafeTensors.read(file)).isInstanceOf(IOException.class).hasMessageStartingWith(file + ": " + message);
    }

    @Test
    void aHeaderLengthBeyondTheFileIsRefused() throws IOException {
        Path file = dir.resolve("bad.safetensors");
        Files.write(file, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        assertThatThrownBy(() -> SafeTensors.read(file))
                .isInstanceOf(IOException.class)
                .hasMessage(file + " declares a 1000-byte header but is 16 bytes (truncated, or not safetensors)");
    }

    @Test
    void aTensorWhoseShapeDoesNotMatchItsValuesCannotBeBuilt() {
        assertThatThrownBy(() -> Tensor.f32(new long[] {2, 2}, new float[3]))
                .hasMessage("shape [2, 2] holds 4 values, not 3");
    }

    private Path handBuilt(String header, int dataBytes) throws IOException {
        Path file = dir.resolve("hand.safetensors");
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(headerBytes(header));
            out.write(ByteBuffer.allocate(dataBytes));
        }
        return file;
    }

    private static ByteBuffer headerBytes(String header) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + json.length).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).put(json).flip();
    }

    private static long dataStart(Path file) throws IOException {
        byte[] first = new byte[8];
        try (FileChannel in = FileChannel.open(file)) {
            in.read(ByteBuffer.wrap(first));
        }
        return 8 + ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
