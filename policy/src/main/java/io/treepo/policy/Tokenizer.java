package io.treepo.policy;

/**
 * Text to token ids and back. The byte tokenizer is the default; a Hugging Face
 * {@code tokenizer.json} implementation can sit behind the same interface for real checkpoints.
 */
public interface Tokenizer extends AutoCloseable {

    /** The tokenizer of {@code files}: the byte tokenizer when null, else a Hugging Face one. */
    static Tokenizer forFiles(TokenizerFiles files) {
        return files == null ? new ByteTokenizer() : HuggingFaceTokenizer.create(files);
    }


    /** Ids of {@code text}, without special tokens. */
    int[] encode(String text);

    /** Text of {@code ids}; special tokens are skipped and invalid sequences never throw. */
    String decode(int[] ids);

    int vocabSize();

    int bosToken();

    /** The id a response ends with. */
    int eosToken();

    /**
     * Every id generation stops at, {@link #eosToken()} first. Models may have several:
     * Qwen2.5-Instruct stops at both {@code <|im_end|>} and {@code <|endoftext|>}.
     */
    default int[] eosTokens() {
        return new int[] {eosToken()};
    }

    int padToken();

    /** A prompt as the policy sees it: BOS, then the text (implementations may apply a template). */
    default int[] encodePrompt(String prompt) {
        int[] body = encode(prompt);
        int[] out = new int[body.length + 1];
        out[0] = bosToken();
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    /** A response as training sees it: the text, then EOS. */
    default int[] encodeResponse(String response) {
        int[] body = encode(response);
        int[] out = new int[body.length + 1];
        System.arraycopy(body, 0, out, 0, body.length);
        out[body.length] = eosToken();
        return out;
    }

    /** Frees native resources, if any. */
    @Override
    default void close() {}
}
