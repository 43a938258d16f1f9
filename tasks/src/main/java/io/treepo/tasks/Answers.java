package io.treepo.tasks;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Answer equivalence: when does a response's answer count as the reference? Numbers compare as
 * exact rationals ({@code 3/4} = {@code 0.75} = {@code .75} = {@code 6/8} = {@code \frac{3}{4}},
 * {@code 1,000} = {@code 1000.0}); anything else compares as text after LaTeX-insensitive
 * normalisation ({@link #normalize}).
 */
public final class Answers {

    private static final String[] BOX_COMMANDS = {"\\boxed{", "\\fbox{"};
    private static final String[] FRAC_COMMANDS = {"\\frac", "\\dfrac", "\\tfrac"};

    // Thousands separators only in well-formed groups of three, so "1,00" or "3,4" (a list) are
    // not read as numbers.
    private static final Pattern DECIMAL =
            Pattern.compile("(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d*)?|\\.\\d+");
    // LaTeX spacing that carries no meaning: \! \, \; \: and \left / \right sizing.
    private static final Pattern LATEX_NOISE = Pattern.compile("\\\\[!,;:]|\\\\left|\\\\right");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private Answers() {}

    /**
     * The content of the last complete {@code \boxed{...}} (or {@code \fbox{...}}) in the text,
     * nested braces included, or null when there is none. An unclosed box, as at the end of a
     * partial response, does not count: its answer is still being written.
     */
    public static String extractBoxed(String text) {
        if (text == null) {
            return null;
        }
        String found = null;
        int foundAt = -1;
        for (String command : BOX_COMMANDS) {
            int at = text.lastIndexOf(command);
            while (at > foundAt) {
                int open = at + command.length() - 1;
                int close = matchingBrace(text, open);
                if (close >= 0) {
                    found = text.substring(open + 1, close);
                    foundAt = at;
                    break;
                }
                at = text.lastIndexOf(command, at - 1);
            }
        }
        return found;
    }

    /**
     * The exact value of a numeric answer, or empty when it is not a number. Accepts a sign
     * ({@code -}, {@code +}, {@code −}), integers with or without thousands separators, decimals
     * ({@code .75}, {@code 2.}, {@code 3.0}), fractions of those ({@code 6/8}, {@code 1.5/3}),
     * {@code \frac{a}{b}} / {@code \dfrac} / {@code \tfrac}, surrounding {@code $} and
     * {@code \boxed{...}}.
     */
    public static Optional<Rational> parseNumber(String answer) {
        if (answer == null) {
            return Optional.empty();
        }
        return parseValue(stripDecoration(answer));
    }

    /**
     * Whether two answers mean the same: both numbers and equal as rationals, or both not numbers
     * and equal after {@link #normalize}. A null answer (none found) is equivalent to nothing.
     */
    public static boolean equivalent(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        Optional<Rational> x = parseNumber(a);
        Optional<Rational> y = parseNumber(b);
        if (x.isPresent() || y.isPresent()) {
            return x.equals(y);
        }
        return normalize(a).equals(normalize(b));
    }

    /**
     * The text form answers are compared in when they are not numbers: without {@code $},
     * {@code \boxed{}}, a trailing period, LaTeX spacing commands or any whitespace (LaTeX
     * spacing carries no meaning), {@code \dfrac} and {@code \tfrac} as {@code \frac}, lower case.
     */
    public static String normalize(String answer) {
        String s = stripDecoration(answer);
        s = LATEX_NOISE.matcher(s).replaceAll("");
        s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac");
        return WHITESPACE.matcher(s).replaceAll("").toLowerCase(Locale.ROOT);
    }

    /** Removes what surrounds an answer without being part of it: $, \boxed{}, a final period. */
    private static String stripDecoration(String answer) {
        String s = answer.replace("$", "").strip();
        while (true) {
            String unboxed = unwrapWholeBox(s);
            if (unboxed == null) {
                break;
            }
            s = unboxed.strip();
        }
        if (s.endsWith(".") && s.length() > 1) {
            s = s.substring(0, s.length() - 1).strip();
        }
        return s;
    }

    /** The box's content when the whole string is one box, else null. */
    private static String unwrapWholeBox(String s) {
        for (String command : BOX_COMMANDS) {
            if (s.startsWith(command)) {
                int close = matchingBrace(s, command.length() - 1);
                if (close == s.length() - 1) {
                    return s.substring(command.length(), close);
                }
            }
        }
        return null;
    }

    private static Optional<Rational> parseValue(String s) {
        s = LATEX_NOISE.matcher(s).replaceAll("").replace("{,}", ",").strip();
        if (s.isEmpty()) {
            return Optional.empty();
        }
        char first = s.charAt(0);
        if (first == '-' || first == '\u2212' || first == '+') {
            Optional<Rational> magnitude = parseUnsigned(s.substring(1).strip());
            return first == '+' ? magnitude : magnitude.map(Rational::negate);
        }
        return parseUnsigned(s);
    }

    private static Optional<Rational> parseUnsigned(String s) {
        for (String command : FRAC_COMMANDS) {
            if (s.startsWith(command)) {
                return parseLatexFraction(s.substring(command.length()).strip());
            }
        }
        int slash = s.indexOf('/');
        if (slash >= 0) {
            if (s.indexOf('/', slash + 1) >= 0) {
                return Optional.empty();
            }
            return divide(parseValue(s.substring(0, slash)), parseValue(s.substring(slash + 1)));
        }
        Matcher m = DECIMAL.matcher(s);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(Rational.of(new BigDecimal(s.replace(",", "").replaceAll("\\.$", ""))));
    }

    /** {@code {a}{b}} after a {@code \frac}: both groups braced, nothing after the second. */
    private static Optional<Rational> parseLatexFraction(String s) {
        if (!s.startsWith("{")) {
            return Optional.empty();
        }
        int closeNumerator = matchingBrace(s, 0);
        if (closeNumerator < 0) {
            return Optional.empty();
        }
        String rest = s.substring(closeNumerator + 1).strip();
        if (!rest.startsWith("{") || matchingBrace(rest, 0) != rest.length() - 1) {
            return Optional.empty();
        }
        return divide(
                parseValue(s.substring(1, closeNumerator)),
                parseValue(rest.substring(1, rest.length() - 1)));
    }

    private static Optional<Rational> divide(Optional<Rational> numerator, Optional<Rational> denominator) {
        if (numerator.isEmpty() || denominator.isEmpty() || denominator.get().numerator().signum() == 0) {
            return Optional.empty();
        }
        return Optional.of(numerator.get().divide(denominator.get()));
    }

    /**
     * Index of the brace closing the one at {@code open}, or -1 when it is never closed. Escaped
     * braces ({@code \{ \}}) are literal text, not grouping.
     */
    private static int matchingBrace(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }
}
