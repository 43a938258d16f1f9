package io.treepo.policy;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the native tokenizer does not tell us about a {@code tokenizer.json}: the vocabulary size
 * and the added tokens' ids. Read with a streaming parser, since a real file is ~11 MB of JSON
 * whose merges we do not need as a tree.
 *
 * @param vocabSize one more than the largest id in the vocabulary or the added tokens
 * @param addedTokens content of each added token (special or not) to its id
 */
record TokenizerJsonSummary(int vocabSize, Map<String, Integer> addedTokens) {

    static TokenizerJsonSummary parse(String json) {
        try (JsonReader in = new JsonReader(new StringReader(json))) {
            int maxId = -1;
            Map<String, Integer> added = new LinkedHashMap<>();
            in.beginObject();
            while (in.hasNext()) {
                switch (in.nextName()) {
                    case "added_tokens" -> {
                        in.beginArray();
                        while (in.hasNext()) {
                            Map.Entry<String, Integer> token = addedToken(in);
                            added.put(token.getKey(), token.getValue());
                            maxId = Math.max(maxId, token.getValue());
                        }
                        in.endArray();
                    }
                    case "model" -> maxId = Math.max(maxId, maxVocabId(in));
                    default -> in.skipValue();
                }
            }
            return new TokenizerJsonSummary(maxId + 1, added);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(TokenizerFiles.TOKENIZER + " is not a Hugging Face tokenizer file: " + e.getMessage(), e);
        }
    }

    private static Map.Entry<String, Integer> addedToken(JsonReader in) throws IOException {
        String content = null;
        int id = -1;
        in.beginObject();
        while (in.hasNext()) {
            switch (in.nextName()) {
                case "id" -> id = in.nextInt();
                case "content" -> content = in.nextString();
                default -> in.skipValue();
            }
        }
        in.endObject();
        if (content == null || id < 0) {
            throw new IOException("an added token lacks its content or id");
        }
        return Map.entry(content, id);
    }

    /** BPE, WordPiece and WordLevel map token to id; Unigram lists [piece, score] pairs, id = position. */
    private static int maxVocabId(JsonReader in) throws IOException {
        int maxId = -1;
        in.beginObject();
        while (in.hasNext()) {
            if (!in.nextName().equals("vocab")) {
                in.skipValue();
            } else if (in.peek() == JsonToken.BEGIN_OBJECT) {
                in.beginObject();
                while (in.hasNext()) {
                    in.nextName();
                    maxId = Math.max(maxId, in.nextInt());
                }
                in.endObject();
            } else {
                in.beginArray();
                while (in.hasNext()) {
                    in.skipValue();
                    maxId++;
                }
                in.endArray();
            }
        }
        in.endObject();
        return maxId;
    }
}
