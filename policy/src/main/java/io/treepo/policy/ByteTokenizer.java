package io.treepo.policy;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 bytes as ids 0..255, then BOS, EOS and PAD. Any text round-trips (Chinese included: a
 * character is its three bytes); decoding replaces malformed byte sequences with U+FFFD.
 */
public final class ByteTokenizer implements Tokenizer {
    public static final int BOS = 256;
    public static final int EOS = 257;
    public static final int PAD = 258;
    public static final int VOCAB_SIZE = 259;

    /** Names of the special ids in {@link #huggingFaceFiles()}. */
    static final String[] SPECIAL = {"<|bos|>", "<|eos|>", "<|pad|>"};

    /**
     * This tokenizer as Hugging Face files, so that {@code transformers} can load an exported model
     * whole: GPT-2's byte-level alphabet with one vocabulary entry per byte and no merges, so each
     * UTF-8 byte is its own id, as here, and the three special tokens after them.
     */
    public static TokenizerFiles huggingFaceFiles() {
        JsonObject vocab = new JsonObject();
        int[] alphabet = byteLevelAlphabet();
        for (int b = 0; b < 256; b++) vocab.addProperty(new String(Character.toChars(alphabet[b])), b);
        JsonArray added = new JsonArray();
        for (int i = 0; i < SPECIAL.length; i++) {
            JsonObject t = new JsonObject();
            t.addProperty("id", BOS + i);
            t.addProperty("content", SPECIAL[i]);
            t.addProperty("single_word", false);
            t.addProperty("lstrip", false);
            t.addProperty("rstrip", false);
            t.addProperty("normalized", false);
            t.addProperty("special", true);
            added.add(t);
        }
        JsonObject byteLevel = JsonParser.parseString(
                "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":false,\"use_regex\":false}").getAsJsonObject();
        JsonObject model = JsonParser.parseString(
                "{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":null,\"continuing_subword_prefix\":null,\"end_of_word_suffix\":null,"
                        + "\"fuse_unk\":false,\"byte_fallback\":false,\"ignore_merges\":false,\"merges\":[]}").getAsJsonObject();
        model.add("vocab", vocab);
        JsonObject json = new JsonObject();
        json.addProperty("version", "1.0");
        json.add("truncation", JsonNull.INSTANCE);
        json.add("padding", JsonNull.INSTANCE);
        json.add("added_tokens", added);
        json.add("normalizer", JsonNull.INSTANCE);
        json.add("pre_tokenizer", byteLevel);
        json.add("post_processor", JsonNull.INSTANCE);
        json.add("decoder", byteLevel.deepCopy());
        json.add("model", model);
        String config = "{\"tokenizer_class\":\"PreTrainedTokenizerFast\",\"bos_token\":\"" + SPECIAL[0] + "\",\"eos_token\":\""
                + SPECIAL[1] + "\",\"pad_token\":\"" + SPECIAL[2] + "\",\"add_bos_token\":true,\"clean_up_tokenization_spaces\":false}";
        Gson gson = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();
        return new TokenizerFiles(gson.toJson(json), config, null, null, null);
    }

    /** GPT-2's byte-to-character table (its {@code bytes_to_unicode}): printable bytes stand for themselves, the rest move past 255. */
    private static int[] byteLevelAlphabet() {
        int[] table = new int[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = printable ? b : next++;
        }
        return table;
    }

    @Override
    public int[] encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = bytes[i] & 0xFF;
        }
        return ids;
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length);
        for (int id : ids) {
            if (id >= 0 && id < 256) {
                bytes.write(id);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return VOCAB_SIZE;
    }

    @Override
    public int bosToken() {
        return BOS;
    }

    @Override
    public int eosToken() {
        return EOS;
    }

    @Override
    public int padToken() {
        return PAD;
    }
}
