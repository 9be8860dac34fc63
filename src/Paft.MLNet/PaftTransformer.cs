using Microsoft.ML;
using Microsoft.ML.Data;
using Paft.Llama.Lora;
using Paft.MLNet.Model;
using Paft.MLNet.Prompts;
using Paft.MLNet.Scoring;
using Paft.MLNet.Tasks;
using Paft.MLNet.Training;

namespace Paft.MLNet;

/// <summary>
/// A fitted PAFT (or SFT, or base) model: answers multiple-choice rows. Adds <c>PredictedLabel</c> (a key
/// whose values are the answer letters), <c>Score</c> (probabilities over the options) and, in generation
/// mode, <c>GeneratedText</c> (the first two under the names the trainer was given). A row is rendered with
/// <see cref="InferenceTemplate"/> unless the input has a <c>Prompt</c> column. Rows are scored in batches;
/// works with <c>PredictionEngine</c>.
/// </summary>
/// <remarks>
/// The transformer holds the base model's weights in native (libtorch) memory: dispose it when done. The
/// transformers made from it by <see cref="WithTemplate"/>, <see cref="WithScoring"/> and <see cref="WithMaxLength"/>
/// share those weights and do not own them: disposing such a copy does nothing to the weights, and disposing the
/// transformer the trainer or <see cref="Load"/> returned releases them for all of its copies. After that, predicting
/// (<c>Transform</c>'s cursors, a prediction engine, <c>Evaluate</c>) and <see cref="Save"/> throw
/// <see cref="ObjectDisposedException"/>; the descriptive properties (<see cref="Task"/>, <see cref="TrainingInfo"/>, ...)
/// stay readable. Not disposing leaves the weights to the finalizers.
/// </remarks>
public sealed class PaftTransformer : ITransformer, IDisposable
{
    private readonly MLContext _mlContext;
    private readonly bool _ownsWeights;

    internal PaftTransformer(MLContext mlContext, PaftPredictor model, bool ownsWeights = true)
    {
        _mlContext = mlContext;
        Predictor = model;
        _ownsWeights = ownsWeights;
    }

    /// <summary>
    /// Releases the base model's native weights when this transformer owns them (it came from a trainer or
    /// <see cref="Load"/>); for a copy made by a <c>With...</c> method it does nothing. A second call does nothing.
    /// </summary>
    public void Dispose()
    {
        if (_ownsWeights)
            Predictor.Checkpoint.Dispose();
    }

    internal PaftPredictor Predictor { get; }

    /// <summary>The task.</summary>
    public TaskDefinition Task => Predictor.Task;

    /// <summary>The template rows are rendered with when the input has no <c>Prompt</c> column.</summary>
    public PromptTemplate InferenceTemplate => Predictor.InferenceTemplate;

    /// <summary>How the model answers.</summary>
    public ScoringMode Scoring => Predictor.Scoring;

    /// <summary>Whether this model has a trained adapter (false for the base-model baseline).</summary>
    public bool HasAdapter => Predictor.Lora is not null;

    /// <summary>How the model was trained; null for the base model.</summary>
    public PaftTrainingInfo? TrainingInfo => Predictor.Training;

    /// <summary>The folder of the base model.</summary>
    public string BaseModelPath => Predictor.Checkpoint.Path;

    /// <summary>The same model rendering rows with another template (e.g. an unseen test template).</summary>
    public PaftTransformer WithTemplate(PromptTemplate template)
    {
        ArgumentNullException.ThrowIfNull(template);
        IReadOnlyList<TemplateProblem> problems = template.Validate(Task);
        if (problems.Count > 0)
            throw new ArgumentException($"Template '{template.Id}' is not valid for task '{Task.Name}': {string.Join("; ", problems)}");
        return new PaftTransformer(_mlContext, Predictor.With(template: template), ownsWeights: false);
    }

    /// <summary>The same model answering in another <see cref="ScoringMode"/>.</summary>
    /// <exception cref="ArgumentException">The model was trained with an <see cref="AnswerTarget"/> that cannot be scored this way
    /// (e.g. <see cref="ScoringMode.Generation"/> on an <see cref="AnswerTarget.OptionText"/> model); the message names the fix.
    /// A pair that works but does not measure what training taught is a warning in <c>MLContext.Log</c>.</exception>
    public PaftTransformer WithScoring(ScoringMode scoring)
    {
        if (TrainingInfo?.AnswerTarget is { } target)
            AnswerTargetScoring.CheckAndWarn(_mlContext, target, scoring, $"{nameof(PaftTransformer)}.{nameof(WithScoring)}");
        return new(_mlContext, Predictor.With(scoring: scoring), ownsWeights: false);
    }

    /// <summary>
    /// The most tokens a prompt and its answer may take; a longer prompt has its context fields cut as training cuts
    /// them (never the template's text or the options), and one that does not fit even without context throws a
    /// <see cref="PromptTooLongException"/> naming the row and the template.
    /// </summary>
    public int MaxLength => Predictor.MaxLength;

    /// <summary>The same model with another <see cref="MaxLength"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is less than 1.</exception>
    public PaftTransformer WithMaxLength(int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        return new PaftTransformer(_mlContext, Predictor.With(maxLength: maxLength), ownsWeights: false);
    }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => new PredictionColumns(Predictor, inputSchema).OutputSchema;

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Predictor.Checkpoint.ThrowIfDisposed($"{nameof(PaftTransformer)}.{nameof(Transform)}");
        return new PaftPredictionDataView(input, Predictor);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        Predictor.Checkpoint.ThrowIfDisposed($"{nameof(PaftTransformer)}.{nameof(GetRowToRowMapper)}");
        return new PaftRowMapper(Predictor, inputSchema);
    }

    /// <summary>
    /// Saves to a folder: the adapter in Hugging Face PEFT layout (<c>adapter_config.json</c>,
    /// <c>adapter_model.safetensors</c>) and <c>paft_model.json</c> (task, template, scoring, training
    /// settings, and the base model's path and checksum). The folder is replaced atomically. A path ending in
    /// <c>.zip</c> gets the same files in one archive, written atomically: the ML.NET-style single model file
    /// (the base model is referenced by path and checksum, not copied).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The model's weights were released (see <see cref="Dispose"/>).</exception>
    /// <param name="path">The folder, or a <c>.zip</c> file.</param>
    public void Save(string path)
    {
        Predictor.Checkpoint.ThrowIfDisposed($"{nameof(PaftTransformer)}.{nameof(Save)}");
        PaftModelFiles.Save(Predictor, path);
    }

    /// <summary>The predicted-label column a model adds unless its trainer was given another name: <c>PredictedLabel</c>.</summary>
    public const string DefaultPredictedLabelColumnName = PaftColumns.DefaultPredictedLabel;

    /// <summary>The probabilities column a model adds unless its trainer was given another name: <c>Score</c>.</summary>
    public const string DefaultScoreColumnName = PaftColumns.DefaultScore;

    /// <summary>The column of the generated answer text, added in <see cref="ScoringMode.Generation"/>: <c>GeneratedText</c>.</summary>
    public const string GeneratedTextColumnName = PredictionColumns.GeneratedText;

    /// <summary>The file that marks a folder as a model saved by <see cref="Save"/>: <c>paft_model.json</c>.</summary>
    public const string ManifestFileName = PaftModelFiles.ManifestName;

    /// <summary>Loads a model saved by <see cref="Save"/>, from its folder or its <c>.zip</c> archive.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="path">The saved folder, or a <c>.zip</c> file.</param>
    /// <param name="baseModelPath">Where the base model is now, if it moved; it must still have the recorded checksum.</param>
    /// <param name="computeType">The compute dtype to load the base model in; null: the one the model was saved with.</param>
    /// <exception cref="InvalidDataException">The folder or archive is not a PAFT model (a damaged archive is named with the
    /// entry concerned), or the base model changed since saving.</exception>
    public static PaftTransformer Load(MLContext mlContext, string path, string? baseModelPath = null, PaftComputeType? computeType = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return new PaftTransformer(mlContext, PaftModelFiles.Load(path, baseModelPath, computeType));
    }

    /// <summary>
    /// A transformer for a Hugging Face base model folder, optionally with a Hugging Face PEFT LoRA adapter applied
    /// (<c>adapter_config.json</c> and <c>adapter_model.safetensors</c>, e.g. trained by PEFT in Python, or by
    /// <see cref="PaftTrainer"/> and saved as a checkpoint): what <c>paft eval --model BASE --adapter DIR</c> evaluates.
    /// Prediction settings (batch size, generated tokens) are <see cref="PaftTrainerOptions"/>' defaults.
    /// </summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="baseModelPath">The base model folder: <c>config.json</c>, safetensors weights and a tokenizer.</param>
    /// <param name="adapterPath">The PEFT adapter folder, or null for the base model alone (the paper's "base" row).</param>
    /// <param name="task">The task the rows belong to.</param>
    /// <param name="inferenceTemplate">The template rows are rendered with when the input has no <c>Prompt</c> column.</param>
    /// <param name="scoring">How answers are scored.</param>
    /// <param name="maxLength">The prompt budget in tokens; null: <see cref="PaftTrainerOptions"/>' default.</param>
    /// <param name="computeType">The compute dtype of the base model.</param>
    /// <exception cref="FileNotFoundException">The base model or the adapter folder lacks a required file.</exception>
    /// <exception cref="InvalidDataException">A config or checkpoint is malformed, or the adapter does not fit the base model;
    /// the message names the file and key.</exception>
    public static PaftTransformer FromAdapter(MLContext mlContext, string baseModelPath, string? adapterPath, TaskDefinition task,
        PromptTemplate inferenceTemplate, ScoringMode scoring = ScoringMode.AnswerLetter, int? maxLength = null,
        PaftComputeType computeType = PaftComputeType.Float32)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentException.ThrowIfNullOrEmpty(baseModelPath);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(inferenceTemplate);
        var defaults = new PaftTrainerOptions();
        LoadedCheckpoint baseModel = LoadedCheckpoint.Load(baseModelPath, null, computeType);
        LoraAdapterSet? lora = null;
        try
        {
            if (adapterPath is not null)
                lora = PeftAdapter.Load(baseModel.CausalLM, adapterPath);
        }
        catch
        {
            baseModel.Dispose();
            throw;
        }
        return new PaftTransformer(mlContext, new PaftPredictor(baseModel, lora, task, inferenceTemplate, scoring,
            defaults.PredictionBatchSize, defaults.MaxNewTokens, maxLength ?? defaults.MaxLength, training: null));
    }

    /// <summary>
    /// Not supported: ML.NET's model zip only holds transformers registered through its internal loader API.
    /// Use <see cref="Save"/> and <see cref="Load"/>.
    /// </summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) =>
        throw new NotSupportedException(
            "A PAFT model cannot be written into an ML.NET model zip (ML.NET keeps that API internal). " +
            "Use PaftTransformer.Save(folder) and PaftTransformer.Load(mlContext, folder).");
}
