package io.treepo.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ByteTokenizerTest {
    private final ByteTokenizer tokenizer = new ByteTokenizer();

    @ParameterizedTest
    @ValueSource(strings = {"", "12 + 7 * 3 = 33", "计算：三加四等于七。", "mixed 中文 and émoji 🙂\n", "\u0000\t"})
    void anyTextRoundTrips(String text) {
        assertEquals(text, tokenizer.decode(tokenizer.encode(text)));
    }

    @Test
    void chineseCharactersAreThreeBytesEach() {
        assertEquals(6, tokenizer.encode("中文").length);
    }

    @Test
    void specialTokensWrapPromptsAndResponsesAndAreSkippedOnDecode() {
        int[] prompt = tokenizer.encodePrompt("1+1=");
        assertEquals(ByteTokenizer.BOS, prompt[0]);
        int[] response = tokenizer.encodeResponse("2");
        assertArrayEquals(new int[] {'2', ByteTokenizer.EOS}, response);
        assertEquals("1+1=2", tokenizer.decode(new int[] {256, '1', '+', '1', '=', '2', 257, 258}));
    }

    @Test
    void eosTokensIsTheSingleEos() {
        assertArrayEquals(new int[] {ByteTokenizer.EOS}, tokenizer.eosTokens());
    }

    @Test
    void invalidByteSequencesDecodeWithoutThrowing() {
        int[] truncatedChinese = java.util.Arrays.copyOf(tokenizer.encode("中"), 2);
        assertEquals("\uFFFD", tokenizer.decode(truncatedChinese));
        assertEquals("a\uFFFDb", tokenizer.decode(new int[] {'a', 0xFF, 'b'}));
    }

    @Test
    void itsHuggingFaceFilesTokenizeAsItDoes() {
        String text = "Q: 12*(3+4)=? 你好, naïve\tend\n\u0000\u00ff";
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.create(ByteTokenizer.huggingFaceFiles())) {
            ByteTokenizer bytes = new ByteTokenizer();
            assertArrayEquals(bytes.encode(text), hf.encode(text));
            assertEquals(text, hf.decode(bytes.encode(text)));
            assertEquals(ByteTokenizer.EOS, hf.eosToken());
            assertEquals(ByteTokenizer.PAD, hf.padToken());
            assertArrayEquals(bytes.encodePrompt(text), hf.encodePrompt(text));
        }
    }
}
