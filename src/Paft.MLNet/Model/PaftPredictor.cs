using Paft.Llama.Lora;
using Paft.MLNet.Prompts;
using Paft.MLNet.Scoring;
using Paft.MLNet.Tasks;
using Paft.MLNet.Training;

namespace Paft.MLNet.Model;

/// <summary>Everything a fitted PAFT transformer predicts with: base model, adapter (none for the base baseline), task, template, mode.</summary>
internal sealed class PaftPredictor
{
    public PaftPredictor(LoadedCheckpoint baseModel, LoraAdapterSet? lora, TaskDefinition task, PromptTemplate inferenceTemplate,
        ScoringMode scoring, int batchSize, int maxNewTokens, int maxLength, PaftTrainingInfo? training, PaftColumns? columns = null)
    {
        Columns = columns ?? PaftColumns.Default;
        Checkpoint = baseModel;
        Lora = lora;
        Task = task;
        InferenceTemplate = inferenceTemplate;
        Scoring = scoring;
        BatchSize = batchSize;
        MaxNewTokens = maxNewTokens;
        MaxLength = maxLength;
        Training = training;
        Scorer = new MultipleChoiceScorer(baseModel.CausalLM, baseModel.Tokenizer, batchSize, maxNewTokens);
        Fitter = new PromptFitter(baseModel.Tokenizer, task, maxLength);
    }

    public LoadedCheckpoint Checkpoint { get; }

    /// <summary>The label, prediction and field column names the model was trained with.</summary>
    public PaftColumns Columns { get; }

    public LoraAdapterSet? Lora { get; }

    public TaskDefinition Task { get; }

    public PromptTemplate InferenceTemplate { get; }

    public ScoringMode Scoring { get; }

    public int BatchSize { get; }

    public int MaxNewTokens { get; }

    public int MaxLength { get; }

    public PaftTrainingInfo? Training { get; }

    public MultipleChoiceScorer Scorer { get; }

    public PromptFitter Fitter { get; }

    public PaftPredictor With(PromptTemplate? template = null, ScoringMode? scoring = null, int? maxLength = null) =>
        new(Checkpoint, Lora, Task, template ?? InferenceTemplate, scoring ?? Scoring, BatchSize, MaxNewTokens, maxLength ?? MaxLength, Training, Columns);

    /// <summary>Answers rows: rendered from <see cref="InferenceTemplate"/>, or the given prompts when the input had them.</summary>
    public IReadOnlyList<MultipleChoiceAnswer> Answer(IReadOnlyList<TaskExample> rows, IReadOnlyList<string?>? prompts)
    {
        Checkpoint.ThrowIfDisposed("Predicting");
        var rendered = new string[rows.Count];
        for (int i = 0; i < rows.Count; i++)
            rendered[i] = prompts?[i] ?? Fitter.Render(InferenceTemplate, rows[i], TemplateScoring.AnswerReserve(Task, Scoring, rows[i], Scorer));
        IReadOnlyList<IReadOnlyList<string>>? options = Scoring is ScoringMode.OptionText or ScoringMode.OptionTextNormalized
            ? rows.Select(r => (IReadOnlyList<string>)Task.OptionFields.Select(f => r.Fields[f]).ToArray()).ToArray()
            : null;
        return Scorer.Answer(rendered, Task, Scoring, options);
    }
}
