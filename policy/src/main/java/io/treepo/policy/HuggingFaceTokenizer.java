package io.treepo.policy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} (through DJL's native tokenizers library) with the
 * model's special tokens and prompt template. Holds a native handle: close it; an operator builds
 * one in {@code open()} from the {@link TokenizerFiles} it was configured with.
 *
 * <pre>{@code
 * try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.fromDirectory(Path.of("Qwen2.5-0.5B-Instruct"))) {
 *     int[] prompt = tokenizer.encodePrompt("2+3=?"); // <|im_start|>user\n2+3=?<|im_end|>\n<|im_start|>assistant\n
 *     int[] stopAt = tokenizer.eosTokens();          // <|im_end|>, <|endoftext|>
 * }
 * }</pre>
 */
public final class HuggingFaceTokenizer implements Tokenizer, AutoCloseable {

    /**
     * DJL's defaults truncate every encoding to 512 tokens without a word (and pad batches); we
     * encode whole texts, so both are off. Special tokens such as {@code <|im_start|>} written in
     * the text are still recognised, as in transformers; none are added around it.
     */
    private static final Map<String, String> NATIVE_OPTIONS =
            Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");

    private final ai.djl.huggingface.tokenizers.HuggingFaceTokenizer tokenizer;
    private final int vocabSize;
    private final SpecialTokens special;

    private HuggingFaceTokenizer(ai.djl.huggingface.tokenizers.HuggingFaceTokenizer tokenizer, TokenizerFiles files) {
        this.tokenizer = tokenizer;
        TokenizerJsonSummary summary = TokenizerJsonSummary.parse(files.tokenizerJson());
        this.vocabSize = summary.vocabSize();
        this.special = SpecialTokens.resolve(files, token -> idOf(token, summary));
    }

    /** The tokenizer of a model directory ({@code tokenizer.json} required, the config files optional). */
    public static HuggingFaceTokenizer fromDirectory(Path dir) throws IOException {
        return create(TokenizerFiles.fromDirectory(dir));
    }

    /** The tokenizer described by {@code files}. */
    public static HuggingFaceTokenizer create(TokenizerFiles files) {
        ai.djl.huggingface.tokenizers.HuggingFaceTokenizer tokenizer;
        try {
            tokenizer = ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.newInstance(
                    new ByteArrayInputStream(files.tokenizerJson().getBytes(StandardCharsets.UTF_8)), NATIVE_OPTIONS);
        } catch (IOException | RuntimeException e) { // the native parser reports bad JSON as a RuntimeException
            throw new IllegalArgumentException(TokenizerFiles.TOKENIZER + " could not be loaded: " + e.getMessage(), e);
        }
        try {
            return new HuggingFaceTokenizer(tokenizer, files);
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    @Override
    public int[] encode(String text) {
        return toInts(tokenizer.encode(text, false, false).getIds());
    }

    /** Skips special tokens and ids outside the vocabulary; broken UTF-8 becomes U+FFFD. */
    @Override
    public String decode(int[] ids) {
        long[] known = Arrays.stream(ids).filter(id -> id >= 0 && id < vocabSize).asLongStream().toArray();
        return tokenizer.decode(known, true);
    }

    /** One more than the largest id of the vocabulary and the added tokens (the model's embedding may be larger). */
    @Override
    public int vocabSize() {
        return vocabSize;
    }

    /** The model's BOS id, or -1 if it has none (Qwen has none). */
    @Override
    public int bosToken() {
        return special.bos();
    }

    /** The id responses end with: the first of {@link #eosTokens()}. */
    @Override
    public int eosToken() {
        return special.eos()[0];
    }

    /** Every id generation stops at, the one responses end with first. */
    @Override
    public int[] eosTokens() {
        return special.eos().clone();
    }

    @Override
    public int padToken() {
        return special.pad();
    }

    public PromptTemplate promptTemplate() {
        return special.template();
    }

    /** The prompt in the model's template: ChatML, or the plain text after BOS (if the model adds one). */
    @Override
    public int[] encodePrompt(String prompt) {
        int[] body = encode(special.template().render(prompt));
        if (special.template() != PromptTemplate.PLAIN || !special.prependBos()) {
            return body;
        }
        int[] out = new int[body.length + 1];
        out[0] = special.bos();
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    /** An added token's id, else the id of a text that encodes to exactly one token, else -1. */
    private int idOf(String token, TokenizerJsonSummary summary) {
        Integer added = summary.addedTokens().get(token);
        if (added != null) {
            return added;
        }
        long[] ids = tokenizer.encode(token, false, false).getIds();
        return ids.length == 1 ? (int) ids[0] : -1;
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }
}
