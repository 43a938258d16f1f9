package io.treepo.schemas.codec;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes one record type with Avro single-object encoding: {@code C3 01}, the 8-byte
 * CRC-64-AVRO fingerprint of the writer schema, then the binary body. The header lets a reader tell
 * foreign or corrupt bytes from a record, without a schema registry. Thread-safe.
 *
 * <pre>{@code
 * AvroCodec<Prompt> codec = AvroCodec.of(Prompt.class);
 * byte[] bytes = codec.encode(prompt);
 * Prompt back = codec.decode(bytes); // throws RecordDecodeException on bad bytes
 * }</pre>
 */
public final class AvroCodec<T extends SpecificRecord> {
    private static final int HEADER_LENGTH = 10;

    private final Class<T> type;
    private final Schema schema;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    private AvroCodec(Class<T> type) {
        this.type = type;
        this.schema = SpecificData.get().getSchema(type);
        SpecificData model = new SpecificData(type.getClassLoader());
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema);
    }

    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type) {
        return new AvroCodec<>(type);
    }

    public Class<T> type() {
        return type;
    }

    public Schema schema() {
        return schema;
    }

    public byte[] encode(T record) {
        try {
            ByteBuffer buffer = encoder.encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // Avro reports a null in a non-null field this way; name the record so the caller can fix it.
            throw new IllegalArgumentException("cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    public T decode(byte[] bytes) throws RecordDecodeException {
        String what = type.getSimpleName();
        if (bytes == null || bytes.length == 0) {
            throw new RecordDecodeException(RecordDecodeException.Kind.EMPTY, "empty record where a " + what + " was expected", null);
        }
        try {
            return decoder.decode(bytes);
        } catch (BadHeaderException e) {
            throw new RecordDecodeException(
                    RecordDecodeException.Kind.BAD_HEADER,
                    "not an Avro single-object encoded " + what + " (first bytes " + preview(bytes)
                            + "; expected C3 01 and a schema fingerprint)",
                    e);
        } catch (MissingSchemaException e) {
            throw new RecordDecodeException(
                    RecordDecodeException.Kind.UNKNOWN_SCHEMA,
                    "a record of another schema (fingerprint " + fingerprintOf(bytes) + ") where a " + what
                            + " (fingerprint " + ownFingerprint() + ") was expected",
                    e);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            boolean truncated = e instanceof EOFException || e.getCause() instanceof EOFException;
            throw new RecordDecodeException(
                    RecordDecodeException.Kind.CORRUPT_BODY,
                    (truncated ? "truncated " : "corrupt ") + what + " (" + bytes.length + " bytes): " + e.getMessage(),
                    e);
        }
    }

    private String ownFingerprint() {
        long fp = SchemaNormalization.parsingFingerprint64(schema);
        return HexFormat.of().formatHex(ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(fp).array());
    }

    private static String fingerprintOf(byte[] bytes) {
        return bytes.length < HEADER_LENGTH ? "?" : HexFormat.of().formatHex(bytes, 2, HEADER_LENGTH);
    }

    private static String preview(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").withUpperCase().formatHex(bytes, 0, Math.min(bytes.length, 4));
    }
}
