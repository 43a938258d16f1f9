package io.treepo.jobs;

import io.treepo.schemas.Prompt;
import java.io.Serializable;
import java.util.Optional;
import java.util.Set;

/** Decides whether a decoded prompt can be rolled out; says why not in words a person understands. */
public final class PromptValidator implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Set<String> knownTasks;
    private final int maxPromptChars;

    /** @param maxPromptChars longest prompt text accepted (a byte-level model needs room for the response too) */
    public PromptValidator(Set<String> knownTasks, int maxPromptChars) {
        if (maxPromptChars < 1) {
            throw new IllegalArgumentException("maxPromptChars must be >= 1, got " + maxPromptChars);
        }
        this.knownTasks = Set.copyOf(knownTasks);
        this.maxPromptChars = maxPromptChars;
    }

    /** @return the reason the prompt is refused, or empty when it is fine */
    public Optional<String> problem(Prompt prompt) {
        if (prompt.getId().isBlank()) {
            return Optional.of("prompt id is empty");
        }
        if (!knownTasks.contains(prompt.getTask())) {
            return Optional.of("unknown task '" + prompt.getTask() + "' (known: " + String.join(", ", knownTasks.stream().sorted().toList()) + ")");
        }
        String text = prompt.getText();
        if (text.isBlank()) {
            return Optional.of("prompt text is empty");
        }
        if (text.length() > maxPromptChars) {
            return Optional.of("prompt text is " + text.length() + " characters, longer than the limit of " + maxPromptChars);
        }
        // Avro decodes malformed UTF-8 to U+FFFD instead of failing: that is the only trace it leaves.
        if (text.indexOf('\uFFFD') >= 0 || prompt.getReference().indexOf('\uFFFD') >= 0) {
            return Optional.of("prompt text or reference is not valid UTF-8");
        }
        if (prompt.getReference().isBlank()) {
            return Optional.of("reference answer is empty");
        }
        return Optional.empty();
    }
}
