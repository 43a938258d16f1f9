package io.treepo.policy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Qwen3's real tokenizer files, unpacked from test resources (see qwen3-tokenizer/README.md). */
final class Qwen3TokenizerFixture {
    static final int IM_START = 151644;
    static final int IM_END = 151645;
    static final int END_OF_TEXT = 151643;

    private Qwen3TokenizerFixture() {}

    /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir}; returns it. */
    static Path unpackInto(Path dir) {
        try (InputStream gz = new GZIPInputStream(resource("tokenizer.json.gz"));
                InputStream config = resource("tokenizer_config.json")) {
            Files.copy(gz, dir.resolve(TokenizerFiles.TOKENIZER));
            Files.copy(config, dir.resolve(TokenizerFiles.TOKENIZER_CONFIG));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = Qwen3TokenizerFixture.class.getResourceAsStream("/qwen3-tokenizer/" + name);
        if (in == null) {
            throw new IllegalStateException("test resource qwen3-tokenizer/" + name + " is missing: run src/test/fixtures/fetch_qwen3_tokenizer.sh");
        }
        return in;
    }
}
