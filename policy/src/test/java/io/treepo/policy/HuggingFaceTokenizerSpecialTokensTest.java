package io.treepo.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Where BOS, EOS, PAD and the prompt template come from, on a six-word tokenizer that loads at once. */
class HuggingFaceTokenizerSpecialTokensTest {
    private static final int BOS = 0;
    private static final int EOS = 1;
    private static final int PAD = 2;
    private static final int IM_START = 3;
    private static final int IM_END = 4;
    private static final int HELLO = 5;
    private static final int WORLD = 6;

    private static final String TOKENIZER_JSON = """
            {"version": "1.0", "truncation": null, "padding": null,
             "added_tokens": [%s, %s, %s, %s, %s],
             "normalizer": null, "pre_tokenizer": {"type": "Whitespace"}, "post_processor": null, "decoder": null,
             "model": {"type": "WordLevel", "unk_token": "[UNK]",
                       "vocab": {"<s>": 0, "</s>": 1, "<pad>": 2, "<|im_start|>": 3, "<|im_end|>": 4,
                                 "hello": 5, "world": 6, "[UNK]": 7}}}
            """.formatted(special(BOS, "<s>"), special(EOS, "</s>"), special(PAD, "<pad>"),
                    special(IM_START, "<|im_start|>"), special(IM_END, "<|im_end|>"));

    private static final String CHATML = "{% for m in messages %}<|im_start|>{{ m.role }}\\n{{ m.content }}<|im_end|>\\n{% endfor %}";

    private static String special(int id, String content) {
        return """
                {"id": %d, "content": "%s", "single_word": false, "lstrip": false, "rstrip": false,
                 "normalized": false, "special": true}""".formatted(id, content);
    }

    private static HuggingFaceTokenizer tokenizer(String tokenizerConfig, String generationConfig, String config) {
        return HuggingFaceTokenizer.create(new TokenizerFiles(TOKENIZER_JSON, tokenizerConfig, generationConfig, config, null));
    }

    @Test
    void generationConfigWinsOverConfigJsonAndTokenizerConfig() {
        try (HuggingFaceTokenizer t = tokenizer("{\"eos_token\": \"<pad>\"}", "{\"eos_token_id\": [1, 4]}", "{\"eos_token_id\": 2}")) {
            assertThat(t.eosTokens()).containsExactly(EOS, IM_END);
            assertThat(t.eosToken()).isEqualTo(EOS);
        }
    }

    @Test
    void configJsonGivesEosWhenGenerationConfigHasNone() {
        try (HuggingFaceTokenizer t = tokenizer("{\"eos_token\": \"<pad>\"}", "{\"max_new_tokens\": 9}", "{\"eos_token_id\": 4}")) {
            assertThat(t.eosTokens()).containsExactly(IM_END);
        }
    }

    @Test
    void tokenizerConfigEosTokenIsTheLastResortAndMayBeAnAddedTokenObject() {
        try (HuggingFaceTokenizer t = tokenizer("{\"eos_token\": {\"content\": \"</s>\", \"special\": true}}", null, "{}")) {
            assertThat(t.eosTokens()).containsExactly(EOS);
        }
    }

    @Test
    void noEosAnywhereIsOneClearError() {
        assertThatThrownBy(() -> tokenizer("{}", null, null).close())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no EOS: neither generation_config.json nor config.json has eos_token_id,"
                        + " and tokenizer_config.json has no eos_token");
    }

    @Test
    void anEosTokenTheVocabularyLacksIsNamed() {
        assertThatThrownBy(() -> tokenizer("{\"eos_token\": \"<|eot|>\"}", null, null).close())
                .hasMessage("tokenizer_config.json names eos_token '<|eot|>', which tokenizer.json does not hold as one token");
    }

    @Test
    void padIsPadTokenElseTheFirstEos() {
        try (HuggingFaceTokenizer t = tokenizer("{\"eos_token\": \"</s>\", \"pad_token\": \"<pad>\"}", null, null)) {
            assertThat(t.padToken()).isEqualTo(PAD);
        }
        try (HuggingFaceTokenizer t = tokenizer("{\"pad_token\": null}", "{\"eos_token_id\": [4, 1]}", null)) {
            assertThat(t.padToken()).isEqualTo(IM_END);
        }
    }

    @Test
    void withoutAChatTemplatePromptsArePlainTextAfterBos() {
        try (HuggingFaceTokenizer t = tokenizer("{\"bos_token\": \"<s>\", \"eos_token\": \"</s>\"}", null, null)) {
            assertThat(t.promptTemplate()).isEqualTo(PromptTemplate.PLAIN);
            assertThat(t.bosToken()).isEqualTo(BOS);
            assertThat(t.encodePrompt("hello world")).containsExactly(BOS, HELLO, WORLD);
            assertThat(t.encodeResponse("world")).containsExactly(WORLD, EOS);
        }
    }

    @Test
    void addBosTokenFalseKeepsBosOutOfPlainPrompts() {
        try (HuggingFaceTokenizer t = tokenizer("{\"bos_token\": \"<s>\", \"add_bos_token\": false, \"eos_token\": \"</s>\"}", null, null)) {
            assertThat(t.bosToken()).isEqualTo(BOS);
            assertThat(t.encodePrompt("hello")).containsExactly(HELLO);
        }
    }

    @Test
    void withoutBosPlainPromptsAreTheTextAlone() {
        try (HuggingFaceTokenizer t = tokenizer("{\"eos_token\": \"</s>\"}", null, null)) {
            assertThat(t.bosToken()).isEqualTo(-1);
            assertThat(t.encodePrompt("hello world")).containsExactly(HELLO, WORLD);
        }
    }

    @Test
    void aChatMlTemplateEndsResponsesWithImEndWhenItIsAnEos() {
        String config = "{\"chat_template\": \"" + CHATML + "\", \"bos_token\": \"<s>\"}";
        try (HuggingFaceTokenizer t = tokenizer(config, "{\"eos_token_id\": [1, 4]}", null)) {
            assertThat(t.promptTemplate()).isEqualTo(PromptTemplate.CHATML);
            assertThat(t.eosTokens()).containsExactly(IM_END, EOS);
            assertThat(t.encodeResponse("world")).containsExactly(WORLD, IM_END);
            // ChatML prompts carry no BOS even when the model has one: the template decides
            assertThat(t.encodePrompt("hello")[0]).isEqualTo(IM_START);
        }
        try (HuggingFaceTokenizer t = tokenizer(config, "{\"eos_token_id\": 1}", null)) {
            assertThat(t.eosTokens()).containsExactly(EOS);
        }
    }

    @Test
    void aChatTemplateFileOrAListOfTemplatesIsRecognised() {
        TokenizerFiles files = new TokenizerFiles(TOKENIZER_JSON, "{\"eos_token\": \"<|im_end|>\"}", null, null, CHATML);
        try (HuggingFaceTokenizer t = HuggingFaceTokenizer.create(files)) {
            assertThat(t.promptTemplate()).isEqualTo(PromptTemplate.CHATML);
        }
        String list = "{\"eos_token\": \"</s>\", \"chat_template\": [{\"name\": \"default\", \"template\": \"" + CHATML + "\"}]}";
        try (HuggingFaceTokenizer t = tokenizer(list, null, null)) {
            assertThat(t.promptTemplate()).isEqualTo(PromptTemplate.CHATML);
        }
    }

    @Test
    void vocabSizeCountsWordLevelVocabulary() {
        try (HuggingFaceTokenizer t = tokenizer("{\"eos_token\": \"</s>\"}", null, null)) {
            assertThat(t.vocabSize()).isEqualTo(8);
            assertThat(t.decode(new int[] {BOS, HELLO, 8, WORLD, EOS})).isEqualTo("hello world");
        }
    }

    @Test
    void aBrokenTokenizerJsonIsRefusedNamingTheFile() {
        assertThatThrownBy(() -> HuggingFaceTokenizer.create(TokenizerFiles.of("{\"model\": 3}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("tokenizer.json could not be loaded: ");
    }
}
