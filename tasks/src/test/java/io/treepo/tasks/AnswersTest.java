package io.treepo.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AnswersTest {

    @ParameterizedTest(name = "[{index}] ''{0}'' == ''{1}''")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "14 | 14",
        "3/4 | 0.75",
        "0.75 | .75",
        "3/4 | 6/8",
        "6/8 | .75",
        "\\frac{3}{4} | 0.75",
        "\\dfrac{3}{4} | 3/4",
        "\\tfrac{6}{8} | 0.75",
        "\\frac {3} {4} | 0.75",
        "-\\frac{1}{2} | -0.5",
        "\\frac{-1}{2} | -1/2",
        "\\frac{1}{-2} | -.5",
        "1,000 | 1000",
        "1,234,567 | 1234567",
        "1{,}000 | 1000",
        "1,\\!000 | 1000",
        "5.0 | 5",
        "5. | 5",
        "5.000 | 5",
        "+5 | 5",
        "-7 | -7",
        "\u22127 | -7",
        "- 7 | -7",
        "-0 | 0",
        "0.0 | 0",
        "$14$ | 14",
        "$18 | 18",
        "\\boxed{14} | 14",
        "$\\boxed{\\frac{3}{4}}$ | 0.75",
        "\\boxed{\\boxed{2}} | 2",
        "\\fbox{2} | 2",
        "14. | 14",
        "1.5/3 | 1/2",
        "3 / 4 | 0.75",
        "007 | 7",
        "12345678901234567890 | 12345678901234567890.0",
        "0.1 | 1/10",
        "x^2+1 | X^2 + 1",
        "\\dfrac{\\pi}{2} | \\frac{\\pi}{2}",
        "\\left(3, \\frac{\\pi}{2}\\right) | (3,\\frac{\\pi}{2})",
        "\\text{Monday} | \\text{monday}",
        "\\boxed{\\text{(C)}} | \\text{(C)}",
    })
    void equivalentAnswers(String a, String b) {
        assertTrue(Answers.equivalent(a, b), a + " should equal " + b);
        assertTrue(Answers.equivalent(b, a), "equivalence must be symmetric");
    }

    @ParameterizedTest(name = "[{index}] ''{0}'' != ''{1}''")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "14 | 15",
        "14 | -14",
        "3/4 | 0.7",
        "3/4 | 4/3",
        "0.75 | 0.755",
        "1,000 | 100",
        "1,00 | 100",
        "1 000 | 1000",
        "12 | 1.2",
        "\\frac{3}{4} | 0.74",
        "\\frac{3}{4}5 | 0.75",
        "1/0 | 0",
        "14 | fourteen",
        "14 | x=14",
        "--5 | 5",
        "1/2/3 | 1/6",
        "Monday | Tuesday",
        "(1,2) | (2,1)",
    })
    void differentAnswers(String a, String b) {
        assertFalse(Answers.equivalent(a, b), a + " should not equal " + b);
        assertFalse(Answers.equivalent(b, a), "equivalence must be symmetric");
    }

    @Test
    void noAnswerEqualsNothing() {
        assertFalse(Answers.equivalent(null, "14"));
        assertFalse(Answers.equivalent("14", null));
        assertFalse(Answers.equivalent(null, null));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "42 | 42",
        "-42 | -42",
        ".75 | 3/4",
        "-0.125 | -1/8",
        "2.50 | 5/2",
        "12/8 | 3/2",
        "\\frac{10}{4} | 5/2",
        "\\dfrac{-3}{-6} | 1/2",
        "1,000,000 | 1000000",
        "\\boxed{-1.5} | -3/2",
    })
    void parsesNumbersExactly(String text, String canonical) {
        assertEquals(canonical, Answers.parseNumber(text).orElseThrow().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "abc", "1.2.3", "1e3", "0x10", "1/0", "\\frac{1}{0}", "\\frac{1}", "3,4", "1,0000",
        "12a", "\\sqrt{2}", "5%"})
    void refusesWhatIsNotAPlainNumber(String text) {
        assertEquals(Optional.empty(), Answers.parseNumber(text));
    }

    @Test
    void parsesHugeNumbersWithoutLoss() {
        Rational r = Answers.parseNumber("123456789012345678901234567890.5").orElseThrow();
        assertEquals(new BigInteger("246913578024691357802469135781"), r.numerator());
        assertEquals(BigInteger.TWO, r.denominator());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "so \\boxed{5} | 5",
        "\\boxed{\\frac{3}{4}} | \\frac{3}{4}",
        "\\boxed{\\frac{\\sqrt{2}}{2}} and done | \\frac{\\sqrt{2}}{2}",
        "first \\boxed{1}, then \\boxed{2} | 2",
        "\\boxed{a \\{b\\} c} | a \\{b\\} c",
        "\\fbox{7} | 7",
        "\\boxed{3} \\fbox{4} | 4",
        "\\boxed{1} then \\boxed{2 | 1",
    })
    void extractsTheLastCompleteBox(String text, String content) {
        assertEquals(content, Answers.extractBoxed(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "no box here", "\\boxed{unclosed", "\\boxed{{3}", "boxed{3}"})
    void findsNoBox(String text) {
        assertNull(Answers.extractBoxed(text));
    }

    @Test
    void normalizesTextAnswers() {
        assertEquals("\\frac{\\pi}{2}", Answers.normalize("  $\\dfrac{\\pi} {2}$. "));
        assertEquals("(c)", Answers.normalize("\\boxed{(C)}"));
    }
}
