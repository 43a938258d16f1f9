package io.treepo.policy;

import static io.treepo.policy.Qwen3TokenizerFixture.END_OF_TEXT;
import static io.treepo.policy.Qwen3TokenizerFixture.IM_END;
import static io.treepo.policy.Qwen3TokenizerFixture.IM_START;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Qwen3's real tokenizer through our wrapper; ids were checked against the fixture's tokenizer.json. */
class HuggingFaceTokenizerTest {
    @TempDir
    static Path modelDir;

    private static HuggingFaceTokenizer qwen;

    @BeforeAll
    static void loadQwen() throws IOException {
        qwen = HuggingFaceTokenizer.fromDirectory(Qwen3TokenizerFixture.unpackInto(modelDir));
    }

    @AfterAll
    static void close() {
        qwen.close();
    }

    @Test
    void runsWithDjlOffline() {
        // surefire sets it; the natives come from the tokenizers jar, nothing is downloaded
        assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
        assertThat(qwen.encode("hi")).isNotEmpty();
    }

    @Test
    void encodesMixedChineseEnglishAndMathsAsQwenDoes() {
        assertThat(qwen.encode("你好, 2+3=5")).containsExactly(108386, 11, 220, 17, 10, 18, 28, 20);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "你好, 2+3=5", "The integral ∫₀¹ x² dx = 1/3，对吧？", "Ünïcödé, émoji 🙂, tabs\tand\nnewlines",
        "  leading and trailing spaces  ", "if (a <= b) { return a * b; }", ""
    })
    void mixedTextRoundTrips(String text) {
        assertThat(qwen.decode(qwen.encode(text))).isEqualTo(text);
    }

    @Test
    void aLongTextIsNotTruncatedAt512Tokens() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            text.append("第").append(i).append("步: x_").append(i).append(" = ").append(i * i).append(". Next. ");
        }
        int[] ids = qwen.encode(text.toString());
        assertThat(ids.length).isGreaterThan(5000);
        assertThat(qwen.decode(ids)).isEqualTo(text.toString());
    }

    @Test
    void specialTokensHaveQwensIds() {
        assertThat(qwen.encode("<|im_start|>")).containsExactly(IM_START);
        assertThat(qwen.encode("<|im_end|>")).containsExactly(IM_END);
        assertThat(qwen.encode("<|endoftext|>")).containsExactly(END_OF_TEXT);
        assertThat(qwen.vocabSize()).isEqualTo(151_669); // 151,643 BPE tokens + 26 added ones
    }

    @Test
    void promptsAreChatMlWithoutBos() {
        assertThat(qwen.promptTemplate()).isEqualTo(PromptTemplate.CHATML);
        assertThat(qwen.bosToken()).isEqualTo(-1);
        // <|im_start|> user \n 你好 , ␣ 2 + 3 = 5 <|im_end|> \n <|im_start|> assistant \n
        assertThat(qwen.encodePrompt("你好, 2+3=5")).containsExactly(
                IM_START, 872, 198, 108386, 11, 220, 17, 10, 18, 28, 20, IM_END, 198, IM_START, 77091, 198);
        assertThat(qwen.decode(qwen.encodePrompt("hi"))).isEqualTo("user\nhi\nassistant\n");
    }

    @Test
    void responsesEndWithImEndAndPadIsEndOfText() {
        assertThat(qwen.eosTokens()).containsExactly(IM_END);
        assertThat(qwen.eosToken()).isEqualTo(IM_END);
        assertThat(qwen.padToken()).isEqualTo(END_OF_TEXT);
        int[] response = qwen.encodeResponse("5");
        assertThat(response).containsExactly(20, IM_END);
    }

    @Test
    void eosIdsComeFromAGenerationConfigListWithImEndFirst() throws IOException {
        TokenizerFiles files = TokenizerFiles.fromDirectory(modelDir)
                .withGenerationConfig("{\"bos_token_id\": 151643, \"eos_token_id\": [151643, 151645]}");
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.create(files)) {
            assertThat(tokenizer.eosTokens()).containsExactly(IM_END, END_OF_TEXT);
            assertThat(tokenizer.encodeResponse("5")).endsWith(IM_END);
            assertThat(tokenizer.bosToken()).isEqualTo(-1); // bos_token_id is not a reason to prepend one
        }
    }

    @Test
    void decodeSkipsSpecialTokensAndIdsOutsideTheVocabulary() {
        assertThat(qwen.decode(new int[] {IM_START, 108386, IM_END, -5, 999_999_999, END_OF_TEXT})).isEqualTo("你好");
    }

    @Test
    void decodingHalfACharacterGivesAReplacementCharacterNotAnException() {
        int[] ids = qwen.encode("龘"); // two byte-level tokens
        assertThat(ids).hasSize(2);
        assertThat(qwen.decode(new int[] {ids[0]})).isEqualTo("\uFFFD");
    }

    @Test
    void filesSerialisedAsAnOperatorWouldCarryThemBuildTheSameTokenizer() throws Exception {
        TokenizerFiles files = TokenizerFiles.fromDirectory(modelDir);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(files);
        }
        TokenizerFiles copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (TokenizerFiles) in.readObject();
        }
        assertThat(copy).isEqualTo(files);
        assertThat(copy.toString()).hasSizeLessThan(200);
        try (HuggingFaceTokenizer rebuilt = HuggingFaceTokenizer.create(copy)) {
            String text = "你好, 2+3=5 and more";
            assertThat(rebuilt.encodePrompt(text)).containsExactly(qwen.encodePrompt(text));
            assertThat(rebuilt.eosTokens()).containsExactly(qwen.eosTokens());
        }
    }

    @Test
    void aMissingTokenizerJsonIsOneLineNamingTheFile(@TempDir Path empty) {
        assertThatThrownBy(() -> HuggingFaceTokenizer.fromDirectory(empty))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessage(empty.resolve("tokenizer.json") + ": required to build a Hugging Face tokenizer");
    }
}
