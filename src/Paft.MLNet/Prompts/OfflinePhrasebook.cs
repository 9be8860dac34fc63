namespace Paft.MLNet.Prompts;

/// <summary>
/// The wording the offline generator composes templates from, written for this project. Each built-in
/// task has its own instructions and context labels; any other task gets the generic ones. Phrases hold
/// no placeholders: the generator adds the fields and option lines around them. Instructions may come
/// before or after the content, so they avoid "below" and "above".
/// </summary>
internal static class OfflinePhrasebook
{
    /// <summary>The wording for one task family.</summary>
    /// <param name="Instructions">Ways to say what to do, one sentence or two.</param>
    /// <param name="ContextLabels">Label sets for the context fields, one label per context field in task order.</param>
    internal sealed record TaskPhrases(string[] Instructions, string[][] ContextLabels);

    public static readonly TaskPhrases HellaSwag = new(
        [
            "Choose the best ending for the passage.",
            "Pick the most likely continuation of the scene.",
            "Which ending fits the context best?",
            "Read the start of the description and select the ending that makes the most sense.",
            "Which option is the most plausible way for the story to continue?",
            "Decide what most probably happens next.",
            "Complete the description with the most natural ending.",
            "Select the sentence that continues the situation most sensibly.",
            "Given the beginning, which option describes what happens next?",
            "Use common sense to find the continuation that best follows the context.",
            "Only one of the endings is realistic. Which one?",
            "Finish the passage by choosing the right option.",
            "Which option would a careful reader expect to come next?",
            "Identify the most coherent continuation.",
            "What comes next? Pick the best option.",
            "Think about how events usually unfold, then choose the most fitting ending.",
        ],
        [["Context:"], ["Scenario:"], ["Beginning:"], ["Passage:"]]);

    public static readonly TaskPhrases Piqa = new(
        [
            "Choose the solution that best achieves the goal.",
            "Which method would actually work?",
            "Pick the more sensible way to accomplish the task.",
            "Use physical common sense to select the correct solution.",
            "Which of the two approaches is more practical?",
            "Decide which option reaches the goal.",
            "Select the solution a reasonable person would use.",
            "Which option describes the right way to do this?",
            "Only one of these solutions works in the real world. Which one?",
            "Think about how objects behave, then choose the better solution.",
            "Which procedure is more likely to succeed?",
            "Find the option that correctly completes the goal.",
            "Pick the answer that makes physical sense.",
            "Choose the more effective way to reach the goal.",
            "Which of these would you do to achieve the goal?",
            "Evaluate both solutions and select the one that works.",
        ],
        [["Goal:"], ["Question:"], ["Task:"], ["Objective:"]]);

    public static readonly TaskPhrases WinoGrande = new(
        [
            "Choose the option that correctly fills the blank.",
            "Which option best completes the sentence?",
            "Pick the word or phrase that makes the sentence make sense.",
            "Fill in the blank with the right option.",
            "Read the sentence and decide who or what the blank refers to.",
            "Select the option that fits the blank logically.",
            "Which choice completes the sentence correctly?",
            "Resolve the blank: which option does the sentence mean?",
            "Complete the sentence with the more sensible option.",
            "Only one option makes the sentence coherent. Which one?",
            "Use common sense to choose what belongs in the blank.",
            "Which of the two options should replace the blank?",
            "Find the option that completes the sentence.",
            "Decide which option the sentence is about.",
            "Pick the filler that makes the statement true to everyday experience.",
            "Which option fits best in the sentence?",
        ],
        [["Sentence:"], ["Statement:"], ["Text:"], ["Fill in:"]]);

    public static readonly TaskPhrases Race = new(
        [
            "Read the article and answer the question.",
            "Choose the correct answer based on the passage.",
            "According to the text, which option is right?",
            "Answer the question using information from the article.",
            "Select the best answer to the question about the passage.",
            "Which option does the article support?",
            "After reading the passage, pick the correct answer.",
            "Use the article to choose the right option.",
            "Find the answer to the question in the text.",
            "Based on the reading, which choice is correct?",
            "Answer the reading comprehension question.",
            "Which option answers the question best, given the article?",
            "Read carefully, then choose the option that matches the passage.",
            "Pick the answer that the author would agree with.",
            "Consider the article and select the most accurate answer.",
            "Which of the options is correct according to the passage?",
        ],
        [["Article:", "Question:"], ["Passage:", "Question:"], ["Text:", "Q:"], ["Reading:", "Question:"]]);

    /// <summary>For tasks with no phrasebook of their own; context labels come from the field names.</summary>
    public static readonly string[] GenericInstructions =
    [
        "Choose the correct option.",
        "Which option is correct?",
        "Select the best answer.",
        "Read the question and pick the right option.",
        "Answer the multiple-choice question.",
        "Which of the options is the best answer?",
        "Pick the most appropriate option.",
        "Decide which option is right.",
        "Select the option that best answers the question.",
        "Only one option is correct. Which one?",
        "Consider each option and choose the best one.",
        "Find the right answer among the options.",
        "Which choice fits best?",
        "Think carefully, then select the correct option.",
        "Choose the answer that makes the most sense.",
        "Which of these options would you pick?",
    ];

    /// <summary>How an option line starts: the label is substituted for <c>L</c>.</summary>
    public static readonly string[] LabelStyles = ["L.", "(L)", "L)", "L:"];

    /// <summary>A line before the options; empty for none.</summary>
    public static readonly string[] OptionHeaders = ["", "Options:", "Choices:"];

    /// <summary>Answer-format hints; <c>{labels}</c> becomes e.g. <c>A, B, C or D</c>. Empty for none.</summary>
    public static readonly string[] AnswerHints =
    [
        "",
        "Answer with {labels}.",
        "Reply with the letter of the correct option only.",
        "Respond with just one of {labels}.",
    ];

    /// <summary>The line the answer follows; each must be one of <see cref="AnswerCues.Known"/>.</summary>
    public static readonly string[] Cues = ["Answer:", "The answer is", "Correct answer:", "Your answer:", "Best option:"];

    public static TaskPhrases? ForTask(string taskName) => taskName.ToLowerInvariant() switch
    {
        "hellaswag" => HellaSwag,
        "piqa" => Piqa,
        "winogrande" => WinoGrande,
        "race" => Race,
        _ => null,
    };
}
