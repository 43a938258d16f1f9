package io.treepo.policy;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The text of a Hugging Face model's tokenizer files, so a tokenizer can be rebuilt where the
 * directory is not: a Flink operator carries this (serialised with its config) and builds the
 * native tokenizer in {@code open()}. Only {@code tokenizerJson} is required; an absent file is
 * {@code null}.
 *
 * @param tokenizerJson {@code tokenizer.json}: vocabulary, merges, added tokens
 * @param tokenizerConfigJson {@code tokenizer_config.json}: chat template, eos/pad/bos token names
 * @param generationConfigJson {@code generation_config.json}: the EOS ids generation stops at
 * @param configJson {@code config.json}: EOS ids when there is no generation config
 * @param chatTemplate {@code chat_template.jinja}: where transformers 4.50+ saves the template
 */
public record TokenizerFiles(
        String tokenizerJson, String tokenizerConfigJson, String generationConfigJson, String configJson, String chatTemplate)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String TOKENIZER = "tokenizer.json";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    public static final String GENERATION_CONFIG = "generation_config.json";
    public static final String CONFIG = "config.json";
    public static final String CHAT_TEMPLATE = "chat_template.jinja";

    public TokenizerFiles {
        if (tokenizerJson == null || tokenizerJson.isBlank()) {
            throw new IllegalArgumentException(TOKENIZER + " is required and was " + (tokenizerJson == null ? "null" : "blank"));
        }
    }

    /** Just a {@code tokenizer.json}. */
    public static TokenizerFiles of(String tokenizerJson) {
        return new TokenizerFiles(tokenizerJson, null, null, null, null);
    }

    /** The files of a model directory; a missing {@code tokenizer.json} fails naming it. */
    public static TokenizerFiles fromDirectory(Path dir) throws IOException {
        Path tokenizer = dir.resolve(TOKENIZER);
        if (!Files.isRegularFile(tokenizer)) {
            throw new NoSuchFileException(tokenizer.toString(), null, "required to build a Hugging Face tokenizer");
        }
        return new TokenizerFiles(
                Files.readString(tokenizer, StandardCharsets.UTF_8),
                optional(dir.resolve(TOKENIZER_CONFIG)),
                optional(dir.resolve(GENERATION_CONFIG)),
                optional(dir.resolve(CONFIG)),
                optional(dir.resolve(CHAT_TEMPLATE)));
    }

    public TokenizerFiles withTokenizerConfig(String json) {
        return new TokenizerFiles(tokenizerJson, json, generationConfigJson, configJson, chatTemplate);
    }

    public TokenizerFiles withGenerationConfig(String json) {
        return new TokenizerFiles(tokenizerJson, tokenizerConfigJson, json, configJson, chatTemplate);
    }

    public TokenizerFiles withConfig(String json) {
        return new TokenizerFiles(tokenizerJson, tokenizerConfigJson, generationConfigJson, json, chatTemplate);
    }

    public TokenizerFiles withChatTemplate(String template) {
        return new TokenizerFiles(tokenizerJson, tokenizerConfigJson, generationConfigJson, configJson, template);
    }

    // an 11 MB tokenizer.json would make the generated toString useless in logs and exceptions
    @Override
    public String toString() {
        return "TokenizerFiles[" + TOKENIZER + " " + tokenizerJson.length() + " chars"
                + present(TOKENIZER_CONFIG, tokenizerConfigJson) + present(GENERATION_CONFIG, generationConfigJson)
                + present(CONFIG, configJson) + present(CHAT_TEMPLATE, chatTemplate) + "]";
    }

    private static String present(String name, String content) {
        return content == null ? "" : ", " + name;
    }

    private static String optional(Path file) throws IOException {
        return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
    }
}
