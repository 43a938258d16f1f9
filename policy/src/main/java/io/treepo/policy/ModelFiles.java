package io.treepo.policy;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.treepo.policy.SafeTensors.Dtype;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model directory in Hugging Face's layout: {@code config.json}, the weights as
 * {@code model.safetensors} (or shards with {@code model.safetensors.index.json}),
 * {@code generation_config.json} and the tokenizer's files. What {@code treepo pretrain} and
 * {@code export} write and every command's {@code --model} reads: a Qwen checkpoint from the Hub
 * loads as it is, and a trained policy loads into {@code transformers} as it is.
 *
 * <p>The byte tokenizer of the small from-scratch policies is written as Hugging Face files too
 * (for {@code transformers}), and {@code config.json} names it ({@value #BYTE_TOKENIZER_KEY}), so
 * treepo reads it back as the plain Java {@link ByteTokenizer} ({@link Model#tokenizerFiles()} is null).
 */
public final class ModelFiles {
    public static final String CONFIG = "config.json";
    public static final String GENERATION_CONFIG = "generation_config.json";
    /** In {@code config.json}, {@code "bytes"} for {@link ByteTokenizer}; Hugging Face keeps unknown keys. */
    static final String BYTE_TOKENIZER_KEY = "treepo_tokenizer";
    /** Written by treepo before the Qwen-family decoder; refused with advice rather than misread. */
    private static final String LEGACY_WEIGHTS = "weights.bin";

    private ModelFiles() {}

    /** Weights and the tokenizer they were trained with (null tokenizer files: the byte tokenizer). */
    public record Model(EncodedWeights weights, TokenizerFiles tokenizerFiles) {
        public ModelConfig config() {
            return weights.config();
        }

        /** A new tokenizer for these weights (close it when it is a {@link HuggingFaceTokenizer}). */
        public Tokenizer tokenizer() {
            return Tokenizer.forFiles(tokenizerFiles);
        }
    }

    /** Saves in float32: loading gives back the very same weights. */
    public static void save(Path dir, Model model) {
        save(dir, model, Dtype.F32);
    }

    /** Saves the weights stored as {@code dtype} (BF16 and F16 round to nearest even). */
    public static void save(Path dir, Model model, Dtype dtype) {
        ModelConfig config = model.config();
        try (Tokenizer tokenizer = model.tokenizer()) {
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve(LEGACY_WEIGHTS));
            Files.deleteIfExists(dir.resolve("weights.sha256"));
            JsonObject json = JsonParser.parseString(config.toJson()).getAsJsonObject();
            json.addProperty("torch_dtype", switch (dtype) {
                case F32 -> "float32";
                case F16 -> "float16";
                case BF16 -> "bfloat16";
            });
            if (tokenizer.bosToken() >= 0) json.addProperty("bos_token_id", tokenizer.bosToken());
            json.addProperty("eos_token_id", tokenizer.eosToken());
            if (model.tokenizerFiles() == null) json.addProperty(BYTE_TOKENIZER_KEY, "bytes");
            write(dir.resolve(CONFIG), json);
            JsonObject generation = new JsonObject();
            if (tokenizer.bosToken() >= 0) generation.addProperty("bos_token_id", tokenizer.bosToken());
            generation.add("eos_token_id", new GsonBuilder().create().toJsonTree(tokenizer.eosTokens()));
            generation.addProperty("pad_token_id", tokenizer.padToken());
            write(dir.resolve(GENERATION_CONFIG), generation);
            TokenizerFiles files = model.tokenizerFiles() != null ? model.tokenizerFiles() : ByteTokenizer.huggingFaceFiles();
            Files.writeString(dir.resolve(TokenizerFiles.TOKENIZER), files.tokenizerJson());
            if (files.tokenizerConfigJson() != null) Files.writeString(dir.resolve(TokenizerFiles.TOKENIZER_CONFIG), files.tokenizerConfigJson());
            if (files.chatTemplate() != null) Files.writeString(dir.resolve(TokenizerFiles.CHAT_TEMPLATE), files.chatTemplate());
            SafeTensorsDirectory.write(dir, HuggingFaceCheckpoint.toTensors(config, WeightsCodec.decodeValues(model.weights()), dtype));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write model to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a model directory. What is not a supported model is refused in one line naming the
     * file or field: a missing file, another architecture, a tensor of the wrong shape.
     */
    public static Model load(Path dir) {
        if (!Files.isRegularFile(dir.resolve(CONFIG))) {
            throw new IllegalArgumentException(dir + " is not a model directory: it has no " + CONFIG);
        }
        if (Files.isRegularFile(dir.resolve(LEGACY_WEIGHTS)) && !hasWeights(dir)) {
            throw new IllegalArgumentException(dir + " holds a model in treepo's old format (" + LEGACY_WEIGHTS
                    + "), from before the Qwen-family decoder: pretrain it again ('treepo pretrain --out " + dir + "')");
        }
        try {
            String configJson = Files.readString(dir.resolve(CONFIG), StandardCharsets.UTF_8);
            ModelConfig config;
            try {
                config = ModelConfig.fromJson(configJson);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(dir.resolve(CONFIG) + ": " + e.getMessage().replaceFirst("^config\\.json: ", ""), e);
            }
            JsonElement byteTokenizer = JsonParser.parseString(configJson).getAsJsonObject().get(BYTE_TOKENIZER_KEY);
            TokenizerFiles tokenizer = byteTokenizer != null && "bytes".equals(byteTokenizer.getAsString())
                    ? null : TokenizerFiles.fromDirectory(dir);
            EncodedWeights weights = WeightsCodec.encode(config, HuggingFaceCheckpoint.fromTensors(config, SafeTensorsDirectory.read(dir)));
            return new Model(weights, tokenizer);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model from " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code dir} holds a config and weights in the current layout. */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG)) && hasWeights(dir);
    }

    private static boolean hasWeights(Path dir) {
        return Files.isRegularFile(dir.resolve(SafeTensorsDirectory.SINGLE_FILE)) || Files.isRegularFile(dir.resolve(SafeTensorsDirectory.INDEX_FILE));
    }

    private static void write(Path file, JsonObject json) throws IOException {
        Files.writeString(file, new GsonBuilder().setPrettyPrinting().create().toJson(json) + "\n");
    }
}
