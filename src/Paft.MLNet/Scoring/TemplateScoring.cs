using Paft.MLNet.Evaluation;
using Paft.MLNet.Prompts;
using Paft.MLNet.Tasks;
using Paft.MLNet.Training;

namespace Paft.MLNet.Scoring;

/// <summary>Scores every example under one template: the unit of robustness evaluation.</summary>
internal static class TemplateScoring
{
    /// <summary>Renders <paramref name="examples"/> with <paramref name="template"/> (fitted to the length budget) and answers them.</summary>
    /// <param name="model">The model answering.</param>
    /// <param name="task">The task.</param>
    /// <param name="template">The template the prompts are rendered with.</param>
    /// <param name="examples">The rows rendered into the prompts.</param>
    /// <param name="mode">How the model answers.</param>
    /// <param name="fitter">Fits each prompt to the length budget.</param>
    /// <param name="answersFrom">
    /// In the option-text modes, the rows whose option texts are scored (row i for prompt i); null: the
    /// <paramref name="examples"/> themselves. A prompt rendered from a perturbed row is still scored on the
    /// clean row's options, since noise may misspell the very words that are the answer.
    /// </param>
    public static TemplatePredictions Predict(MultipleChoiceScorer model, TaskDefinition task, PromptTemplate template,
        IReadOnlyList<TaskExample> examples, ScoringMode mode, PromptFitter fitter, IReadOnlyList<TaskExample>? answersFrom = null)
    {
        IReadOnlyList<TaskExample> answerRows = answersFrom ?? examples;
        if (answerRows.Count != examples.Count)
            throw new ArgumentException($"{answerRows.Count} answer rows for {examples.Count} examples.", nameof(answersFrom));
        string[] prompts = examples.Select((e, i) => fitter.Render(template, e, AnswerReserve(task, mode, answerRows[i], model))).ToArray();
        IReadOnlyList<IReadOnlyList<string>>? optionTexts = mode is ScoringMode.OptionText or ScoringMode.OptionTextNormalized
            ? answerRows.Select(e => (IReadOnlyList<string>)task.OptionFields.Select(f => e.Fields[f]).ToArray()).ToArray()
            : null;
        IReadOnlyList<MultipleChoiceAnswer> answers = model.Answer(prompts, task, mode, optionTexts);
        var predictions = new ExamplePrediction[examples.Count];
        for (int i = 0; i < examples.Count; i++)
        {
            MultipleChoiceAnswer a = answers[i];
            predictions[i] = mode == ScoringMode.Generation
                ? new ExamplePrediction(examples[i].Label, a.PredictedIndex, null, a.GeneratedText?.Length, a.GeneratedTokens)
                {
                    Extractor = AnswerExtractor.Version, // MultipleChoiceScorer reads generations with it
                }
                : new ExamplePrediction(examples[i].Label, a.PredictedIndex, a.Probabilities);
        }
        return new TemplatePredictions(template.Id, predictions);
    }

    /// <summary>Tokens kept free after the prompt for what is scored or generated after it.</summary>
    public static int AnswerReserve(TaskDefinition task, ScoringMode mode, TaskExample example, MultipleChoiceScorer model) => mode switch
    {
        ScoringMode.Generation => model.MaxNewTokens,
        ScoringMode.OptionText or ScoringMode.OptionTextNormalized =>
            task.OptionFields.Max(f => model.Tokenizer.Encode(" " + example.Fields[f]).Count),
        _ => model.LetterReserve(task),
    };
}
