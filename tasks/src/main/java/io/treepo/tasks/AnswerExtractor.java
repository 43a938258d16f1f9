package io.treepo.tasks;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a response states its final answer. Each strategy returns the answer text (not yet
 * normalised; compare with {@link Answers#equivalent}) or null when the response, complete or
 * partial, states none. The tree sampler's "answer found" check is {@code extract(text) != null}
 * on the response so far.
 */
public enum AnswerExtractor {

    /** The last line of the form {@code A: <answer>}: the synthetic tasks' response format. */
    ANSWER_LINE {
        @Override
        public String extract(String response) {
            return lastMatch(ANSWER_LINE_PATTERN, response).text();
        }
    },

    /**
     * Whichever marker comes last: {@code #### N} (GSM8K), {@code \boxed{...}} (MATH), an
     * {@code A: ...} line, or {@code ... answer is ...}. Last, because models restate and correct
     * themselves; the final statement is the one that counts.
     */
    ANY_MARKER {
        @Override
        public String extract(String response) {
            if (response == null) {
                return null;
            }
            Found best = lastMatch(HASHES_PATTERN, response);
            best = later(best, lastMatch(ANSWER_LINE_PATTERN, response));
            best = later(best, lastMatch(ANSWER_IS_PATTERN, response));
            String boxed = Answers.extractBoxed(response);
            if (boxed != null) {
                // Ranked by where the last box opens. In "The answer is \boxed{5}." that is after
                // the start of the "answer is" statement, so the box, the cleaner text, wins.
                int at = Math.max(response.lastIndexOf("\\boxed{"), response.lastIndexOf("\\fbox{"));
                best = later(best, new Found(at, boxed.strip()));
            }
            return best.text();
        }
    };

    private static final Pattern ANSWER_LINE_PATTERN = Pattern.compile("(?m)^A:[ \\t]*(\\S.*?)[ \\t\\r]*$");
    private static final Pattern HASHES_PATTERN = Pattern.compile("(?m)^####[ \\t]*(\\S.*?)[ \\t\\r]*$");
    // Stops at a sentence end (". " or a final ".") so that "The answer is 5. I hope it is
    // correct." gives "5", while decimals such as "3.5" stay whole.
    private static final Pattern ANSWER_IS_PATTERN =
            Pattern.compile("(?im)answer is:?[ \\t]*(\\S.*?)(?:\\.\\s|\\.?[ \\t]*$)");

    /** The final answer stated in the response, or null when it states none. */
    public abstract String extract(String response);

    private record Found(int at, String text) {
        static final Found NONE = new Found(-1, null);
    }

    private static Found lastMatch(Pattern pattern, String response) {
        if (response == null) {
            return Found.NONE;
        }
        Found found = Found.NONE;
        Matcher m = pattern.matcher(response);
        while (m.find()) {
            found = new Found(m.start(), m.group(1));
        }
        return found;
    }

    private static Found later(Found a, Found b) {
        return b.at() > a.at() ? b : a;
    }
}
