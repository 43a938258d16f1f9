package io.treepo.policy;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * A model's BOS, EOS and PAD ids and prompt template, read from its config files the way
 * transformers does for generation.
 *
 * <ul>
 *   <li>EOS: {@code eos_token_id} (an int or a list) of {@code generation_config.json}, else of
 *       {@code config.json}, else the id of {@code tokenizer_config.json}'s {@code eos_token}.
 *       The first id is the one responses end with: {@code <|im_end|>} for ChatML models when it
 *       is among them, else the first listed.
 *   <li>BOS: {@code tokenizer_config.json}'s {@code bos_token}, or -1. Not {@code config.json}'s
 *       {@code bos_token_id}: Qwen's says 151643 yet its tokenizer never prepends it.
 *   <li>PAD: {@code pad_token}, else the first EOS.
 * </ul>
 *
 * @param prependBos whether a plain prompt starts with BOS ({@code add_bos_token} is not false)
 */
record SpecialTokens(int bos, boolean prependBos, int[] eos, int pad, PromptTemplate template) {

    /** Resolves the ids; {@code idOf} gives a token's id, or -1 if it is not one token. */
    static SpecialTokens resolve(TokenizerFiles files, ToIntFunction<String> idOf) {
        JsonObject tokenizerConfig = parse(files.tokenizerConfigJson(), TokenizerFiles.TOKENIZER_CONFIG);
        String chatTemplate = files.chatTemplate() != null ? files.chatTemplate() : chatTemplate(tokenizerConfig);
        PromptTemplate template = PromptTemplate.detect(chatTemplate);

        Set<Integer> eos = eosIds(parse(files.generationConfigJson(), TokenizerFiles.GENERATION_CONFIG));
        if (eos.isEmpty()) {
            eos = eosIds(parse(files.configJson(), TokenizerFiles.CONFIG));
        }
        if (eos.isEmpty()) {
            String name = tokenName(tokenizerConfig, "eos_token");
            if (name == null) {
                throw new IllegalArgumentException("no EOS: neither " + TokenizerFiles.GENERATION_CONFIG + " nor "
                        + TokenizerFiles.CONFIG + " has eos_token_id, and " + TokenizerFiles.TOKENIZER_CONFIG + " has no eos_token");
            }
            eos = Set.of(id(name, "eos_token", idOf));
        }
        int imEnd = idOf.applyAsInt(PromptTemplate.IM_END);
        int terminator = template == PromptTemplate.CHATML && eos.contains(imEnd) ? imEnd : eos.iterator().next();
        Set<Integer> ordered = new LinkedHashSet<>();
        ordered.add(terminator);
        ordered.addAll(eos);

        String bosName = tokenName(tokenizerConfig, "bos_token");
        int bos = bosName == null ? -1 : id(bosName, "bos_token", idOf);
        JsonElement addBos = tokenizerConfig.get("add_bos_token");
        boolean prependBos = bos >= 0 && (addBos == null || addBos.isJsonNull() || addBos.getAsBoolean());

        String padName = tokenName(tokenizerConfig, "pad_token");
        int pad = padName == null ? terminator : id(padName, "pad_token", idOf);
        return new SpecialTokens(bos, prependBos, ordered.stream().mapToInt(Integer::intValue).toArray(), pad, template);
    }

    private static JsonObject parse(String json, String file) {
        if (json == null) {
            return new JsonObject();
        }
        try {
            return JsonParser.parseString(json).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException(file + " is not a JSON object: " + e.getMessage(), e);
        }
    }

    private static Set<Integer> eosIds(JsonObject config) {
        Set<Integer> ids = new LinkedHashSet<>();
        JsonElement e = config.get("eos_token_id");
        if (e == null || e.isJsonNull()) {
            return ids;
        }
        if (e.isJsonArray()) {
            e.getAsJsonArray().forEach(id -> ids.add(id.getAsInt()));
        } else {
            ids.add(e.getAsInt());
        }
        return ids;
    }

    /** A token setting is a string, an AddedToken object with {@code content}, or null. */
    private static String tokenName(JsonObject config, String key) {
        JsonElement e = config.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        return e.isJsonObject() ? e.getAsJsonObject().get("content").getAsString() : e.getAsString();
    }

    /** The template text; newer configs may hold a list of named templates. */
    private static String chatTemplate(JsonObject config) {
        JsonElement e = config.get("chat_template");
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonArray()) {
            return e.getAsString();
        }
        StringBuilder all = new StringBuilder();
        e.getAsJsonArray().forEach(t -> all.append(t.getAsJsonObject().get("template").getAsString()));
        return all.toString();
    }

    private static int id(String token, String key, ToIntFunction<String> idOf) {
        int id = idOf.applyAsInt(token);
        if (id < 0) {
            throw new IllegalArgumentException(TokenizerFiles.TOKENIZER_CONFIG + " names " + key + " '" + token
                    + "', which " + TokenizerFiles.TOKENIZER + " does not hold as one token");
        }
        return id;
    }
}
