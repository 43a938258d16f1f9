package io.treepo.policy;

/**
 * How a prompt is wrapped before tokenizing. DJL's tokenizer has no Jinja chat-template engine,
 * so we recognise the one family we serve (ChatML, used by Qwen) and write its single-turn form.
 */
public enum PromptTemplate {
    /**
     * {@code <|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n}: one user turn and the
     * opening of the assistant's. No system turn: Qwen3's template adds none; Qwen2.5's own template
     * would insert a default system message, which we leave out on purpose.
     */
    CHATML {
        @Override
        public String render(String prompt) {
            return IM_START + "user\n" + prompt + IM_END + "\n" + IM_START + "assistant\n";
        }
    },
    /** The prompt text as is (the tokenizer puts the model's BOS first, if it has one). */
    PLAIN {
        @Override
        public String render(String prompt) {
            return prompt;
        }
    };

    public static final String IM_START = "<|im_start|>";
    public static final String IM_END = "<|im_end|>";

    /** The text the tokenizer encodes for {@code prompt}. */
    public abstract String render(String prompt);

    /** ChatML if the model's Jinja chat template uses {@code <|im_start|>}, else plain. */
    public static PromptTemplate detect(String chatTemplate) {
        return chatTemplate != null && chatTemplate.contains(IM_START) ? CHATML : PLAIN;
    }
}
