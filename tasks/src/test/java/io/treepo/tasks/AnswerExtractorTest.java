package io.treepo.tasks;

import static io.treepo.tasks.AnswerExtractor.ANSWER_LINE;
import static io.treepo.tasks.AnswerExtractor.ANY_MARKER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AnswerExtractorTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "3*4=12\\n7+12=19\\nA: 19 | 19",
        "A: 14 | 14",
        "A:14 | 14",
        "A: -3 | -3",
        "A: 14  \\n | 14",
        "A: 1\\nwait\\nA: 2 | 2",
        "A: 3/4 | 3/4",
        "3*4=12\\nA: 1 | 1",
        "A: 12\\nA: | 12",
    })
    void answerLineReadsTheLastAnswerLine(String response, String answer) {
        assertEquals(answer, ANSWER_LINE.extract(unescape(response)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "3*4=12\\n7+12=19\\n", "A:", "A:   ", "QA: 14", " A: 14", "a: 14", "3*4=12\\n7+1"})
    void answerLineFindsNoneInResponsesWithoutOne(String response) {
        assertNull(ANSWER_LINE.extract(unescape(response)));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "She pays 2*9=18.\\n#### 18 | 18",
        "#### 1,000 | 1,000",
        "so x = \\boxed{\\frac{3}{4}}. | \\frac{3}{4}",
        "The answer is 42. | 42",
        "The answer is 3.5 | 3.5",
        "The final answer is $\\frac{1}{2}$. I hope it is correct. | $\\frac{1}{2}$",
        "the answer is: 7 | 7",
        "The answer is \\boxed{5}. | 5",
        "\\boxed{4}\\nWait, no.\\nA: 5 | 5",
        "A: 5\\nActually \\boxed{6} | 6",
        "#### 3\\nThe answer is 4 | 4",
        "The answer is 4\\n#### 3 | 3",
    })
    void anyMarkerTakesTheLastMarker(String response, String answer) {
        assertEquals(answer, ANY_MARKER.extract(unescape(response)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "She pays 18 dollars.", "so x = \\boxed{\\frac{3}{4}", "####", "the answer is"})
    void anyMarkerFindsNoneInResponsesWithoutOne(String response) {
        assertNull(ANY_MARKER.extract(unescape(response)));
    }

    @Test
    void nullResponseHasNoAnswer() {
        assertNull(ANSWER_LINE.extract(null));
        assertNull(ANY_MARKER.extract(null));
    }

    /** CSV cells cannot hold a newline, so cases write it as a backslash-n. */
    static String unescape(String s) {
        return s.replace("\\n", "\n");
    }
}
